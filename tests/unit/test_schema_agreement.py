"""The validators and the published schemas agree: at every bound, a value just inside passes both
and a value just outside is refused by both (the validator with a 400).

Cases are derived from the schema dicts themselves (minimum/maximum, minLength/maxLength, enum,
maxItems, the set of fields), so moving a bound in ``chalicelib/schemas.py`` moves the validator
with it, and a validator that keeps its own copy of a bound fails here.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.app import BadRequestError
from jsonschema import Draft202012Validator, ValidationError, validators

from chalicelib import config, schemas, sharing_validation, upload_requests, validation
from tests.unit.conftest import SETTINGS_ENV

SETTINGS = config.load(SETTINGS_ENV)
DIGEST = "A" * 43 + "="
FUTURE = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
Check = Callable[[dict[str, Any]], object]


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """``pattern`` as JSON Schema means it (ECMA 262): a final ``$`` is the end, not "before a newline"."""
    if isinstance(instance, str) and not re.search(re.sub(r"\$$", r"\\Z", pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Schema202012 = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})
# schema, the validator of that body, a body both accept
BODIES: dict[str, tuple[schemas.Schema, Check, dict[str, Any]]] = {
    "NewFile": (
        schemas.new_file(SETTINGS),
        lambda body: validation.new_file(body, SETTINGS),
        {"filename": "a.pdf", "contentType": "application/pdf", "size": 10},
    ),
    "PartRequests": (
        schemas.PART_REQUESTS,
        lambda body: upload_requests.part_requests(body, schemas.MAX_PARTS),
        {"parts": [{"partNumber": 1, "sha256": DIGEST}]},
    ),
    "SignRequest": (
        schemas.sign_request(SETTINGS),
        lambda body: upload_requests.new_file(upload_requests.sign_request(body), SETTINGS),
        {
            "method": "PUT",
            "key": "k",
            "uploadId": "u",
            "partNumber": 1,
            "expiresIn": 60,
            "filename": "a.pdf",
            "contentType": "application/pdf",
            "size": 10,
        },
    ),
    "GrantRequest": (
        schemas.GRANT_REQUEST,
        lambda body: sharing_validation.grant_body(body, time.time()),
        {"user": "ana", "expiresAt": FUTURE},
    ),
    "GroupRequest": (schemas.GROUP_REQUEST, sharing_validation.group_body, {"name": "team"}),
    "MemberRequest": (schemas.MEMBER_REQUEST, sharing_validation.member_body, {"user": "ana"}),
    "LinkRequest": (schemas.LINK_REQUEST, sharing_validation.link_body, {"expiresIn": 60, "maxDownloads": 1}),
}


def _edges(schema: schemas.Schema) -> Iterator[tuple[Any, bool]]:
    """Values just inside (True) and just outside (False) each bound the schema states."""
    if "minimum" in schema:
        yield schema["minimum"], True
        yield schema["minimum"] - 1, False
    if "maximum" in schema:
        yield schema["maximum"], True
        yield schema["maximum"] + 1, False
    if schema.get("type") == "integer":
        yield True, False  # JSON true is not a number
        yield "1", False
    if "maxLength" in schema and "pattern" not in schema:
        yield "a" * schema["maxLength"], True
        yield "a" * (schema["maxLength"] + 1), False
    if "minLength" in schema and "pattern" not in schema:
        yield "a" * schema["minLength"], True
        yield "a" * (schema["minLength"] - 1), False
    for value in schema.get("enum", []):
        yield value, True
    if "enum" in schema:
        yield schema["enum"][0] + "x", False


def _cases() -> Iterator[Any]:
    for name, (schema, _, good) in BODIES.items():
        for field, rule in schema["properties"].items():
            if rule.get("type") == "array":
                item_schema = rule["items"]
                item = good[field][0]
                yield pytest.param(name, {field: [item] * rule["maxItems"]}, True, id=f"{name}.{field}-max")
                yield pytest.param(name, {field: []}, False, id=f"{name}.{field}-empty")
                yield pytest.param(
                    name, {field: [item] * (rule["maxItems"] + 1)}, False, id=f"{name}.{field}-over"
                )
                for sub, sub_rule in item_schema["properties"].items():
                    for n, (value, ok) in enumerate(_edges(sub_rule)):
                        body = {field: [{**item, sub: value}]}
                        yield pytest.param(name, body, ok, id=f"{name}.{field}[].{sub}-{n}")
                continue
            for n, (value, ok) in enumerate(_edges(rule)):
                yield pytest.param(name, {field: value}, ok, id=f"{name}.{field}-{n}")
        yield pytest.param(name, {"unexpected": 1}, False, id=f"{name}-unknown-field")
        for field in schema.get("required", []):
            yield pytest.param(name, {field: None}, False, id=f"{name}-{field}-null")


def _accepts(check: Check, body: dict[str, Any]) -> bool:
    try:
        check(body)
    except BadRequestError:
        return False
    return True


@pytest.mark.parametrize(("name", "change", "ok"), list(_cases()))
def test_the_validator_and_the_schema_agree_at_every_bound(
    name: str, change: dict[str, Any], ok: bool
) -> None:
    schema, check, good = BODIES[name]
    body = {**good, **change}
    if name == "PartRequests" and isinstance(change.get("parts"), list) and len(change["parts"]) > 1:
        body["parts"] = [{"partNumber": n + 1} for n in range(len(change["parts"]))]  # none repeated
    if name == "SignRequest" and change.get("method", "PUT") != "PUT":
        del body["partNumber"]  # only UploadPart takes one (the combinations: test_sign_combinations_agree)
    assert Schema202012(schema).is_valid(body) is ok
    assert _accepts(check, body) is ok


@pytest.mark.parametrize(
    ("name", "field", "value", "ok"),
    [
        ("NewFile", "filename", "a/b.pdf", False),
        ("NewFile", "filename", "a\\b.pdf", False),
        ("NewFile", "sha256", DIGEST, True),
        ("NewFile", "sha256", "A" * 44, False),
        ("NewFile", "sha256", "A" * 42 + "==", False),
        ("GroupRequest", "name", "a" * 64, True),
        ("GroupRequest", "name", "a" * 65, False),
        ("GroupRequest", "name", "Team", False),
        ("GroupRequest", "name", "team\n", False),
        ("GrantRequest", "expiresAt", FUTURE, True),
        ("GrantRequest", "expiresAt", FUTURE.replace("T", " "), False),
        ("GrantRequest", "expiresAt", FUTURE + "\n", False),
    ],
)
def test_patterns_agree(name: str, field: str, value: str, ok: bool) -> None:
    schema, check, good = BODIES[name]
    body = {**good, field: value}
    assert Schema202012(schema).is_valid(body) is ok
    assert _accepts(check, body) is ok


def test_a_grant_names_exactly_one_grantee_in_both() -> None:
    schema, check, _ = BODIES["GrantRequest"]
    for body, ok in [
        ({"user": "ana"}, True),
        ({"group": "team"}, True),
        ({}, False),
        ({"user": "a", "group": "b"}, False),
    ]:
        assert Schema202012(schema).is_valid(body) is ok
        assert _accepts(check, body) is ok


@pytest.mark.parametrize(
    ("size", "ok"), [(SETTINGS.multipart_threshold, True), (SETTINGS.multipart_threshold + 1, False)]
)
def test_a_whole_file_sha256_is_only_for_single_uploads_in_both(size: int, ok: bool) -> None:
    schema, check, good = BODIES["NewFile"]
    body = {**good, "size": size, "sha256": DIGEST}
    assert Schema202012(schema).is_valid(body) is ok
    assert _accepts(check, body) is ok


@pytest.mark.parametrize(
    ("change", "ok"),
    [
        ({"method": "PUT"}, True),  # UploadPart
        ({"method": "POST"}, False),  # only UploadPart takes a partNumber
        ({"method": "PUT", "partNumber": None}, False),  # UploadPart needs one
        ({"method": "PUT", "uploadId": None, "partNumber": None}, True),  # PutObject: starts an upload
        ({"method": "POST", "uploadId": None, "partNumber": None}, True),  # CreateMultipartUpload
        ({"method": "GET", "uploadId": None, "partNumber": None}, False),  # nothing to list
        ({"method": "DELETE", "uploadId": None, "partNumber": None}, False),  # DeleteObject
        ({"method": "PUT", "uploadId": None}, False),  # a part of no upload
    ],
)
def test_sign_combinations_agree(change: dict[str, Any], ok: bool) -> None:
    """Which S3 request a sign body asks for: the schema's oneOf and the validator agree."""
    schema, check, good = BODIES["SignRequest"]
    body = {k: v for k, v in {**good, **change}.items() if v is not None}
    assert Schema202012(schema).is_valid(body) is ok
    assert _accepts(check, body) is ok


def test_defaults_are_the_schemas() -> None:
    link = schemas.LINK_REQUEST["properties"]
    assert sharing_validation.link_body({}) == (link["expiresIn"]["default"], link["maxDownloads"]["default"])
    assert validation.list_query({}).limit == schemas.LIMIT["default"]


@pytest.mark.parametrize(
    ("params", "ok"),
    [
        ({"limit": str(schemas.LIMIT["minimum"])}, True),
        ({"limit": str(schemas.LIMIT["maximum"])}, True),
        ({"limit": str(schemas.LIMIT["minimum"] - 1)}, False),
        ({"limit": str(schemas.LIMIT["maximum"] + 1)}, False),
        *[({"status": status}, True) for status in schemas.STATUS["enum"]],
        ({"status": "deleting"}, False),
    ],
)
def test_query_bounds_agree(params: dict[str, str], ok: bool) -> None:
    typed: dict[str, Any] = {k: int(v) if k == "limit" else v for k, v in params.items()}
    for name, value in typed.items():
        schema = schemas.LIMIT if name == "limit" else schemas.STATUS
        assert Schema202012(schema).is_valid(value) is ok
    assert _accepts(validation.list_query, params) is ok
