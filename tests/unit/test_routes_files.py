"""Every answer of the ``/files`` routes, through Chalice's test client and the real app.

Requests carry real RS256 tokens (moto's key, the pool's claims) checked by
Locker's middleware against a JWKS served without network; DynamoDB and S3 are
in-process moto. Every answer is checked for the security headers and, when it
is an error, for the ``{"Code", "Message"}`` shape, so no test can pass on an
answer that lacks them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.model import new_file_id
from tests import hostile, tokens
from tests.unit.conftest import BUCKET, CLIENT, POOL

ISS = tokens.issuer(POOL)
ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
ORIGIN = "https://app.example.com"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
FILE_FIELDS = {
    "id",
    "filename",
    "contentType",
    "size",
    "sha256",
    "status",
    "createdAt",
    "updatedAt",
    "rejectedReason",
    "access",  # "owner" here: the owner's own view (API.md, The file object)
}
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def bearer(sub: str = ALICE, **claims: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + tokens.mint(tokens.claims(ISS, CLIENT, sub=sub, **claims))}


class Api:
    """The app behind Chalice's test client, one user at a time; every answer is checked."""

    def __init__(self, client: Client, s3: Any) -> None:
        self.client = client
        self.s3 = s3

    def call(
        self,
        method: str,
        path: str,
        *,
        sub: str | None = ALICE,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {**(bearer(sub) if sub else {}), **(headers or {})}
        raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
        if body is not None and not isinstance(body, bytes):
            sent.setdefault("Content-Type", "application/json")
        response = self.client.http.request(method, path, headers=sent, body=raw)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.status_code >= 400:
            assert set(response.json_body) == {"Code", "Message"}
        return response

    def create(self, sub: str = ALICE, **fields: Any) -> dict[str, Any]:
        body = {"filename": "a.png", "contentType": "image/png", "size": len(PNG), **fields}
        response = self.call("POST", "/files", sub=sub, body=body)
        assert response.status_code == 201, response.body
        created: dict[str, Any] = response.json_body
        return created

    def upload(self, file: dict[str, Any], data: bytes, sub: str = ALICE) -> None:
        """What the client's presigned PUT stores (in-process moto: straight through boto3)."""
        key = f"users/{sub}/{file['id']}"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=file["contentType"])

    def ready(self, sub: str = ALICE, data: bytes = PNG, **fields: Any) -> dict[str, Any]:
        file: dict[str, Any] = self.create(sub, size=len(data), **fields)["file"]
        self.upload(file, data, sub)
        assert self.call("POST", f"/files/{file['id']}/complete", sub=sub).status_code == 200
        return file


def refused(response: Any, status: int, code: str, message: str) -> None:
    assert response.status_code == status
    assert response.json_body["Code"] == code
    assert message in response.json_body["Message"]


@pytest.fixture
def api(api_env: tokens.FakeFetcher, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("LOCKER_WEB_ORIGIN", ORIGIN)
    from app import app

    with Client(app) as client:
        yield Api(client, aws["s3"])


# --- POST /files ------------------------------------------------------------------------------


def test_create_answers_201_with_the_pending_file_and_its_upload(api: Api) -> None:
    created = api.create(filename="report 1.png")
    file, upload = created["file"], created["upload"]
    assert set(created) == {"file", "upload"}
    assert set(file) == FILE_FIELDS
    assert file["filename"] == "report 1.png"
    assert (file["contentType"], file["size"], file["status"]) == ("image/png", len(PNG), "pending")
    assert file["sha256"] is None and file["rejectedReason"] is None
    assert ISO_Z.fullmatch(file["createdAt"]) and file["createdAt"] == file["updatedAt"]
    assert set(upload) == {"method", "url", "headers", "expiresAt"}
    assert upload["method"] == "PUT"
    assert upload["headers"] == {
        "Content-Type": "image/png",
        "Content-Length": str(len(PNG)),
        "If-None-Match": "*",
    }
    assert f"users/{ALICE}/{file['id']}" in upload["url"]  # the key comes from the token's sub
    assert "X-Amz-Signature=" in upload["url"]
    assert ISO_Z.fullmatch(upload["expiresAt"])


def test_create_with_a_checksum_pins_it_in_the_upload(api: Api) -> None:
    digest = base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    created = api.create(sha256=digest)
    assert created["file"]["sha256"] == digest
    assert created["upload"]["headers"]["x-amz-checksum-sha256"] == digest


def test_a_json_charset_is_accepted(api: Api) -> None:
    body = {"filename": "a.png", "contentType": "image/png", "size": 1}
    response = api.call(
        "POST", "/files", body=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param({"filename": ""}, "filename must be between 1 and 255", id="filename-empty"),
        pytest.param({"filename": "x" * 256}, "filename must be between 1 and 255", id="filename-long"),
        pytest.param({"filename": 5}, "filename must be a string", id="filename-number"),
        pytest.param({"filename": "a/b.png"}, "filename must not contain /", id="filename-slash"),
        pytest.param({"filename": "a\\b.png"}, "filename must not contain /", id="filename-backslash"),
        pytest.param({"filename": "a\nb.png"}, "control characters", id="filename-newline"),
        pytest.param({"filename": "\u202egnp.exe"}, "control characters", id="filename-bidi"),
        pytest.param({"filename": " . "}, "visible name", id="filename-dots"),
        pytest.param({"contentType": "text/html"}, "contentType must be one of", id="type-not-allowed"),
        pytest.param({"contentType": None}, "contentType must be one of", id="type-null"),
        pytest.param({"size": 0}, "size must be between 1 and", id="size-zero"),
        pytest.param({"size": -1}, "size must be between 1 and", id="size-negative"),
        pytest.param({"size": 10**12}, "size must be between 1 and", id="size-over-max"),
        pytest.param({"size": "28"}, "size must be between 1 and", id="size-string"),
        pytest.param({"size": 1.5}, "size must be between 1 and", id="size-float"),
        pytest.param({"size": True}, "size must be between 1 and", id="size-bool"),
        pytest.param({"sha256": "abc"}, "sha256 must be the base64", id="sha256-short"),
        pytest.param({"sha256": None}, "sha256 must be the base64", id="sha256-null"),
        pytest.param({"owner": BOB}, "unknown field: owner", id="owner"),
        pytest.param({"status": "ready"}, "unknown field: status", id="status"),
        pytest.param({"key": "users/x/y"}, "unknown field: key", id="key"),
        pytest.param({"id": new_file_id()}, "unknown field: id", id="id"),
    ],
)
def test_create_refuses_bad_fields_naming_the_field(api: Api, fields: dict[str, Any], message: str) -> None:
    body = {"filename": "a.png", "contentType": "image/png", "size": 10, **fields}
    refused(api.call("POST", "/files", body=body), 400, "BadRequestError", message)
    assert api.call("GET", "/files").json_body["items"] == []  # nothing half-written


@pytest.mark.parametrize("missing", ["filename", "contentType", "size"])
def test_create_needs_every_required_field(api: Api, missing: str) -> None:
    body = {"filename": "a.png", "contentType": "image/png", "size": 10}
    del body[missing]
    refused(api.call("POST", "/files", body=body), 400, "BadRequestError", f"{missing} is required")


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[]", b'"a.png"', b"null", b'{"size": NaN}', b'{"size": 1, "size": 2}', b"\xff{}"],
    ids=["empty", "garbage", "array", "string", "null", "nan", "duplicate-key", "not-utf8"],
)
def test_create_refuses_a_body_that_is_not_one_json_object(api: Api, raw: bytes) -> None:
    response = api.call("POST", "/files", body=raw, headers={"Content-Type": "application/json"})
    refused(response, 400, "BadRequestError", "request body must be a JSON object")


def test_create_refuses_a_body_over_16_KiB(api: Api) -> None:
    def padded(total: int) -> bytes:
        body = {"filename": "a.png", "contentType": "image/png", "size": 10, "pad": ""}
        raw = json.dumps(body).encode()
        return json.dumps({**body, "pad": "x" * (total - len(raw))}).encode()

    headers = {"Content-Type": "application/json"}
    assert len(padded(16 * 1024)) == 16 * 1024
    at_limit = api.call("POST", "/files", body=padded(16 * 1024), headers=headers)
    refused(at_limit, 400, "BadRequestError", "unknown field: pad")  # read and judged: not too large
    over = api.call("POST", "/files", body=padded(16 * 1024 + 1), headers=headers)
    refused(over, 413, "RequestEntityTooLargeError", "at most 16384 bytes")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_create_refuses_a_body_that_is_not_json(api: Api, content_type: str) -> None:
    body = json.dumps({"filename": "a.png", "contentType": "image/png", "size": 10}).encode()
    response = api.call("POST", "/files", body=body, headers={"Content-Type": content_type})
    refused(response, 415, "UnsupportedMediaType", "send Content-Type: application/json")


def test_create_over_the_quota_is_429(api: Api) -> None:
    for _ in range(5):  # LOCKER_QUOTA_FILES=5 in the unit settings
        api.create()
    response = api.call("POST", "/files", body={"filename": "a.png", "contentType": "image/png", "size": 1})
    refused(response, 429, "TooManyRequestsError", "quota exceeded")
    assert len(api.call("GET", "/files").json_body["items"]) == 5


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), hostile.FILE_ROUTES)
def test_every_file_route_needs_a_valid_token(api: Api, method: str, path: str) -> None:
    json_type = {"Content-Type": "application/json"}
    missing = api.call(method, path, sub=None, headers=json_type)
    refused(missing, 401, "UnauthorizedError", "A valid access token is required.")
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="locker"'
    expired = {**bearer(now=1_000_000_000), **json_type}
    response = api.call(method, path, sub=None, headers=expired)
    refused(response, 401, "UnauthorizedError", "A valid access token is required.")
    assert response.headers["WWW-Authenticate"] == hostile.bad_token(hostile.EXPIRED)
    token = expired["Authorization"].split()[1]
    assert all(part not in response.body.decode() for part in token.split("."))


# --- one file: get, complete, download, delete ------------------------------------------------


ID_ROUTES = [("GET", ""), ("POST", "/complete"), ("GET", "/download"), ("DELETE", "")]


MALFORMED_IDS = ["nope", "..", new_file_id().lower(), new_file_id()[:-1] + "!", "x" * 36]


@pytest.mark.parametrize(("method", "suffix"), ID_ROUTES)
def test_malformed_and_unknown_ids_are_404(api: Api, method: str, suffix: str) -> None:
    for file_id in [*MALFORMED_IDS, new_file_id()]:
        response = api.call(method, f"/files/{file_id}{suffix}")
        refused(response, 404, "NotFoundError", "file not found")


@pytest.mark.parametrize(("method", "suffix"), ID_ROUTES)
def test_another_users_file_is_404_like_an_unknown_one(api: Api, method: str, suffix: str) -> None:
    file = api.ready(sub=ALICE)
    foreign = api.call(method, f"/files/{file['id']}{suffix}", sub=BOB)
    unknown = api.call(method, f"/files/{new_file_id()}{suffix}", sub=BOB)
    assert (foreign.status_code, foreign.json_body) == (unknown.status_code, unknown.json_body)
    refused(foreign, 404, "NotFoundError", "file not found")
    assert api.call("GET", "/files", sub=BOB).json_body["items"] == []
    mine = api.call("GET", f"/files/{file['id']}", sub=ALICE)
    assert mine.json_body["file"]["status"] == "ready"  # untouched by Bob
    assert api.call("GET", f"/files/{file['id']}/download", sub=ALICE).status_code == 200


def test_get_answers_the_file(api: Api) -> None:
    created = api.create()["file"]
    response = api.call("GET", f"/files/{created['id']}")
    assert response.status_code == 200
    assert response.json_body == {"file": created}


def test_complete_before_the_bytes_arrive_is_409_and_keeps_it_pending(api: Api) -> None:
    file = api.create()["file"]
    refused(api.call("POST", f"/files/{file['id']}/complete"), 409, "ConflictError", "not received")
    assert api.call("GET", f"/files/{file['id']}").json_body["file"]["status"] == "pending"


def test_complete_makes_the_file_ready_and_is_idempotent(api: Api) -> None:
    file = api.create()["file"]
    api.upload(file, PNG)
    first = api.call("POST", f"/files/{file['id']}/complete")
    assert first.status_code == 200
    assert set(first.json_body) == {"file"}
    assert first.json_body["file"]["status"] == "ready"
    again = api.call("POST", f"/files/{file['id']}/complete")
    assert (again.status_code, again.json_body) == (200, first.json_body)


def test_complete_with_other_bytes_is_422_and_final(api: Api) -> None:
    text = b"not a png at all, just some text."
    file = api.create(size=len(text))["file"]
    api.upload(file, text)
    refused(api.call("POST", f"/files/{file['id']}/complete"), 422, "UnprocessableEntityError", "declared")
    rejected = api.call("GET", f"/files/{file['id']}").json_body["file"]
    assert rejected["status"] == "rejected" and rejected["rejectedReason"]
    refused(api.call("POST", f"/files/{file['id']}/complete"), 409, "ConflictError", "rejected")
    refused(api.call("GET", f"/files/{file['id']}/download"), 409, "ConflictError", "rejected")
    assert api.s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0  # the bytes are gone


def test_download_of_a_pending_file_is_409(api: Api) -> None:
    file = api.create()["file"]
    refused(api.call("GET", f"/files/{file['id']}/download"), 409, "ConflictError", "pending")


def test_download_answers_a_short_lived_attachment_url(api: Api) -> None:
    file = api.ready(filename="photo 1.png")
    response = api.call("GET", f"/files/{file['id']}/download")
    assert response.status_code == 200
    assert set(response.json_body) == {"url", "expiresAt", "method"}
    assert response.json_body["method"] == "GET"
    assert ISO_Z.fullmatch(response.json_body["expiresAt"])
    url = response.json_body["url"]
    assert f"users/{ALICE}/{file['id']}" in url
    assert "response-content-disposition=attachment" in url
    assert "X-Amz-Expires=60" in url


def test_delete_answers_204_and_the_file_its_bytes_and_its_quota_are_gone(api: Api) -> None:
    file = api.ready()
    for _ in range(4):
        api.create()  # the quota (5 files) is now full
    response = api.call("DELETE", f"/files/{file['id']}")
    assert response.status_code == 204
    assert response.body == b""
    refused(api.call("GET", f"/files/{file['id']}"), 404, "NotFoundError", "file not found")
    refused(api.call("DELETE", f"/files/{file['id']}"), 404, "NotFoundError", "file not found")
    assert api.s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0
    api.create()  # a place in the quota came back


# --- GET /files -------------------------------------------------------------------------------


def test_list_answers_newest_first_a_page_at_a_time(api: Api) -> None:
    ids = [api.create(filename=f"{n}.png")["file"]["id"] for n in range(3)]
    api.create(sub=BOB)
    everything = api.call("GET", "/files")
    assert everything.status_code == 200
    assert everything.json_body["nextCursor"] is None
    assert [f["id"] for f in everything.json_body["items"]] == ids[::-1]
    first = api.call("GET", "/files?limit=2").json_body
    assert [f["id"] for f in first["items"]] == ids[:0:-1]
    rest = api.call("GET", f"/files?limit=2&cursor={first['nextCursor']}").json_body
    assert ([f["id"] for f in rest["items"]], rest["nextCursor"]) == ([ids[0]], None)


def test_list_filters_by_status(api: Api) -> None:
    ready = api.ready()
    api.create()
    items = api.call("GET", "/files?status=ready").json_body["items"]
    assert [f["id"] for f in items] == [ready["id"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be an integer from 1 to 100"),
        ("limit=101", "limit must be an integer from 1 to 100"),
        ("limit=ten", "limit must be an integer from 1 to 100"),
        ("status=deleting", "status must be one of"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_list_refuses_bad_queries(api: Api, query: str, message: str) -> None:
    refused(api.call("GET", f"/files?{query}"), 400, "BadRequestError", message)


def test_another_users_cursor_is_400(api: Api) -> None:
    for _ in range(2):
        api.create(sub=BOB)
    bobs = api.call("GET", "/files?limit=1", sub=BOB).json_body["nextCursor"]
    assert bobs is not None
    refused(api.call("GET", f"/files?cursor={bobs}", sub=ALICE), 400, "BadRequestError", "cursor")


# --- CORS -------------------------------------------------------------------------------------


def test_cors_allows_the_web_origin_on_answers_and_errors(api: Api) -> None:
    file = api.create()["file"]
    answers = [
        api.call("GET", "/files", headers={"Origin": ORIGIN}),
        api.call("POST", "/files", body={"size": 1}, headers={"Origin": ORIGIN}),
        api.call("GET", f"/files/{file['id']}", sub=BOB, headers={"Origin": ORIGIN}),
        api.call("GET", "/files", sub=None, headers={"Origin": ORIGIN}),
    ]
    assert [a.status_code for a in answers] == [200, 400, 404, 401]
    for answer in answers:
        assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert answer.headers["Vary"] == "Origin"
        assert "Access-Control-Allow-Credentials" not in answer.headers
    other = api.call("GET", "/files", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("path", ["/files", "/files/{id}", "/files/{id}/complete", "/files/{id}/download"])
def test_preflights_answer_the_web_origin_without_a_token(api: Api, path: str) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    response = api.call("OPTIONS", path.format(id=new_file_id()), sub=None, headers=headers)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, DELETE, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type, Idempotency-Key"
    foreign = api.call(
        "OPTIONS", path.format(id=new_file_id()), sub=None, headers={"Origin": "https://x.example"}
    )
    assert "Access-Control-Allow-Origin" not in foreign.headers
