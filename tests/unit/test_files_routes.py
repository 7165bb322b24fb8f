"""The real app's files routes through Chalice's test client: what reaches the wire."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from botocore.exceptions import ClientError
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import app
from chalicelib import runtime, validation
from tests import tokens
from tests.unit.conftest import CLIENT, POOL, SETTINGS_ENV

SUB = str(uuid.uuid4())
GOOD = {"filename": "a.png", "contentType": "image/png", "size": 10}


@pytest.fixture
def client(aws: dict[str, Any], api_env: tokens.FakeFetcher) -> Iterator[Client]:
    """The app wired to in-process moto, with a JWKS served without network."""
    runtime.reset()
    with Client(app) as test_client:
        yield test_client
    runtime.reset()


def call(client: Client, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=SUB))
    return client.http.request(
        method, path, body=body, headers={"Authorization": f"Bearer {token}", **headers}
    )


JSON_TYPES = [
    "application/json",
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json ; charset=utf-8",
]
NOT_JSON_TYPES = [
    "text/plain; application/json",
    "*/*",
    "application/*",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json, text/plain",
    "text/plain, application/json",
    "application/json; charset=latin-1",
    "application/json; charset=utf-8; boundary=x",
    "application/json;",
    "application/json; charset = utf-8",
    "application/jsonx",
    "application/json-patch+json",
    "application/vnd.api+json",
    "application/j\u017fon",  # LATIN SMALL LETTER LONG S, which case-folds to "s"
    "",
]


@pytest.mark.parametrize("content_type", JSON_TYPES)
def test_json_with_or_without_charset_utf8_is_read(client: Client, content_type: str) -> None:
    answer = call(client, "POST", "/files", json.dumps(GOOD).encode(), **{"Content-Type": content_type})
    assert answer.status_code == 201, answer.body


@pytest.mark.parametrize("content_type", NOT_JSON_TYPES)
def test_anything_else_is_a_415_that_says_what_to_send(client: Client, content_type: str) -> None:
    answer = call(client, "POST", "/files", json.dumps(GOOD).encode(), **{"Content-Type": content_type})
    assert answer.status_code == 415
    assert answer.json_body == {"Code": "UnsupportedMediaType", "Message": validation.UNSUPPORTED_MEDIA_TYPE}
    assert "send Content-Type: application/json" in answer.json_body["Message"]


def test_a_body_without_a_content_type_is_a_415(client: Client) -> None:
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=SUB))
    answer = client.http.request(
        "POST", "/files", body=json.dumps(GOOD).encode(), headers={"Authorization": f"Bearer {token}"}
    )
    assert (answer.status_code, answer.json_body["Code"]) == (415, "UnsupportedMediaType")


def test_two_content_type_headers_are_ambiguous(client: Client) -> None:
    """API Gateway keeps every copy in multiValueHeaders; Chalice's test client cannot send two."""
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=SUB))

    def send(multi: dict[str, list[str]]) -> Any:
        auth_header = f"Bearer {token}"
        event = {
            "requestContext": {"httpMethod": "POST", "resourcePath": "/files", "path": "/files"},
            "headers": {"Authorization": auth_header, "Content-Type": "application/json"},
            "multiValueHeaders": {"Authorization": [auth_header], **multi},
            "pathParameters": None,
            "multiValueQueryStringParameters": None,
            "stageVariables": None,
            "body": json.dumps(GOOD),
            "isBase64Encoded": False,
        }
        return app(event, None)

    assert send({"Content-Type": ["application/json"]})["statusCode"] == 201
    for multi in (
        {"Content-Type": ["application/json", "application/json"]},
        {"Content-Type": ["application/json"], "content-type": ["text/plain"]},
    ):
        assert send(multi)["statusCode"] == 415


@pytest.mark.parametrize(
    "raw",
    [
        b'{"filename": "\\ud800.png", "contentType": "image/png", "size": 10}',
        b'{"filename": "a.png", "contentType": "image/png\\udfff", "size": 10}',
        b'{"filename": "a.png", "contentType": "image/png", "size": 10, "\\udc00": 1}',
        b'{"filename": "\\u202e\\u200b.png", "contentType": "image/png", "size": 10}',
        b'{"filename": "\\u3000", "contentType": "image/png", "size": 10}',
    ],
    ids=["filename", "contentType", "key", "bidi", "ideographic-space"],
)
def test_lone_surrogates_and_invisible_names_are_a_400_never_a_5xx(client: Client, raw: bytes) -> None:
    answer = call(client, "POST", "/files", raw, **{"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.body
    assert answer.json_body["Code"] == "BadRequestError"
    assert "\\ud" not in answer.body.decode() and "\\u202e" not in answer.body.decode()
    assert call(client, "GET", "/files").json_body["items"] == []  # nothing was written


_TEXT = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=40
)  # lone surrogates too
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), _TEXT, st.lists(_TEXT, max_size=3)
)
_FIELDS = st.dictionaries(st.sampled_from(["filename", "contentType", "size", "sha256", "owner"]), _VALUES)
_BODIES = st.one_of(st.binary(max_size=200), _FIELDS.map(lambda d: json.dumps(d).encode()))
_IDS = st.text(alphabet=st.characters(codec="ascii", exclude_characters="/?#%"), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(
        [
            ("POST", "/files"),
            ("GET", "/files"),
            ("GET", "/files/{}"),
            ("POST", "/files/{}/complete"),
            ("GET", "/files/{}/download"),
            ("DELETE", "/files/{}"),
        ]
    ),
    file_id=_IDS,
    query=st.dictionaries(
        st.sampled_from(["limit", "status", "cursor", "x"]), st.text(max_size=40), max_size=3
    ),
    content_type=st.one_of(st.sampled_from(JSON_TYPES + NOT_JSON_TYPES), st.text(max_size=40)),
    body=_BODIES,
)
def test_no_client_input_gets_a_5xx(
    client: Client,
    route: tuple[str, str],
    file_id: str,
    query: dict[str, str],
    content_type: str,
    body: bytes,
) -> None:
    method, template = route
    path = template.format(quote(file_id, safe="")) + ("?" + urlencode(query) if query else "")
    answer = call(client, method, path, body, **{"Content-Type": content_type})
    assert answer.status_code < 500, (path, body, answer.body)
    if answer.status_code >= 400:
        assert set(answer.json_body) == {"Code", "Message"}


def test_a_refused_read_answers_503_with_retry_after_and_changes_nothing(
    client: Client, aws: dict[str, Any]
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2
    body = json.dumps({"filename": "a.png", "contentType": "image/png", "size": len(png)}).encode()
    created = call(client, "POST", "/files", body, **{"Content-Type": "application/json"}).json_body
    key = f"users/{SUB}/{created['file']['id']}"
    aws["s3"].put_object(Bucket=SETTINGS_ENV["LOCKER_BUCKET"], Key=key, Body=png, ContentType="image/png")
    storage = runtime.locker().storage
    real = storage._s3

    class RefusingGet:
        def __getattr__(self, name: str) -> Any:
            if name == "get_object":
                raise ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "GetObject"
                )
            return getattr(real, name)

    storage._s3 = RefusingGet()
    answer = call(client, "POST", f"/files/{created['file']['id']}/complete")
    assert answer.status_code == 503
    assert answer.json_body["Code"] == "ServiceUnavailableError"
    assert answer.headers["Retry-After"].isdigit()
    storage._s3 = real
    assert call(client, "GET", f"/files/{created['file']['id']}").json_body["file"]["status"] == "pending"
    assert aws["s3"].head_object(Bucket=SETTINGS_ENV["LOCKER_BUCKET"], Key=key)["ContentLength"] == len(png)
