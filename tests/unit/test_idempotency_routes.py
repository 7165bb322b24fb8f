"""Idempotency-Key on POST /files, /files/{id}/grants and /files/{id}/links, through the real app."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import runtime
from chalicelib.idempotency import OTHER_BODY
from chalicelib.routes.idempotent import BAD_KEY, IN_PROGRESS
from chalicelib.users import InMemoryDirectory
from tests import tokens
from tests.unit.conftest import BUCKET, CLIENT, POOL

ALICE, BOB = str(uuid.uuid4()), str(uuid.uuid4())
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
DECLARE = {"filename": "a.png", "contentType": "image/png", "size": len(PNG)}
KEY = "idem-key-5d0c9e"


@pytest.fixture
def client(
    aws: dict[str, Any], api_env: tokens.FakeFetcher, caplog: pytest.LogCaptureFixture
) -> Iterator[Client]:
    runtime.reset()
    runtime.locker().stores.directory = InMemoryDirectory({"alice": ALICE, "bob": BOB})
    parent = logging.getLogger("locker")
    parent.addHandler(caplog.handler)
    with Client(app) as test_client:
        yield test_client
    parent.removeHandler(caplog.handler)


def call(client: Client, method: str, path: str, body: Any = None, sub: str = ALICE, **headers: str) -> Any:
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=sub, username="alice"))
    sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers}
    return client.http.request(method, path, headers=sent, body=json.dumps(body) if body is not None else b"")


def keyed(client: Client, path: str, body: Any, key: str = KEY, sub: str = ALICE) -> Any:
    return call(client, "POST", path, body, sub, **{"Idempotency-Key": key})


def ready_file(client: Client, aws: dict[str, Any]) -> str:
    created = call(client, "POST", "/files", DECLARE).json_body
    file_id: str = created["file"]["id"]
    aws["s3"].put_object(Bucket=BUCKET, Key=f"users/{ALICE}/{file_id}", Body=PNG, ContentType="image/png")
    assert call(client, "POST", f"/files/{file_id}/complete").status_code == 200
    return file_id


def file_ids(client: Client, sub: str = ALICE) -> list[str]:
    return [f["id"] for f in call(client, "GET", "/files", sub=sub).json_body["items"]]


def activity(client: Client, file_id: str) -> list[str]:
    return [e["type"] for e in call(client, "GET", f"/files/{file_id}/activity").json_body["items"]]


def test_a_retried_create_answers_the_first_answer_and_makes_one_file(client: Client) -> None:
    first = keyed(client, "/files", DECLARE)
    again = keyed(client, "/files", {"size": len(PNG), "contentType": "image/png", "filename": "a.png"})
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body  # the upload URL too
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert file_ids(client) == [first.json_body["file"]["id"]]
    assert not keyed(client, "/files", DECLARE, key="another-key").headers.get("Idempotent-Replayed")
    assert len(file_ids(client)) == 2


def test_the_same_key_with_another_body_is_a_409_that_changes_nothing(client: Client) -> None:
    keyed(client, "/files", DECLARE)
    other = keyed(client, "/files", {**DECLARE, "filename": "b.png"})
    assert other.status_code == 409
    assert other.json_body["Code"] == "ConflictError"
    assert KEY not in other.body.decode()
    assert len(file_ids(client)) == 1


def test_the_key_is_scoped_to_the_caller(client: Client) -> None:
    mine = keyed(client, "/files", DECLARE)
    theirs = keyed(client, "/files", DECLARE, sub=BOB)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert theirs.json_body["file"]["id"] != mine.json_body["file"]["id"]
    assert file_ids(client, BOB) == [theirs.json_body["file"]["id"]]


@pytest.mark.parametrize(
    "bad", ["", "x" * 65, "has space", "tab\there", "del\x7f", "caf\u00e9", "a,\u2028"], ids=repr
)
def test_a_malformed_key_is_a_400_that_does_not_echo_it(client: Client, bad: str) -> None:
    answer = call(client, "POST", "/files", DECLARE, **{"Idempotency-Key": bad})
    assert answer.status_code == 400
    assert answer.json_body == {"Code": "BadRequestError", "Message": BAD_KEY}
    assert file_ids(client) == []


def test_a_64_character_key_of_visible_ascii_is_accepted(client: Client) -> None:
    key = "".join(chr(c) for c in range(0x21, 0x7F))[:64]
    assert keyed(client, "/files", DECLARE, key=key).status_code == 201
    assert keyed(client, "/files", DECLARE, key=key).headers["Idempotent-Replayed"] == "true"


def test_the_header_sent_twice_is_a_400(client: Client) -> None:
    """API Gateway keeps every copy in multiValueHeaders; Chalice's test client cannot send two."""
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=ALICE))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(copies: list[str]) -> Any:
        event = {
            "requestContext": {"httpMethod": "POST", "resourcePath": "/files", "path": "/files"},
            "headers": {**headers, "Idempotency-Key": copies[-1]},
            "multiValueHeaders": {**{k: [v] for k, v in headers.items()}, "Idempotency-Key": copies},
            "pathParameters": None,
            "multiValueQueryStringParameters": None,
            "stageVariables": None,
            "body": json.dumps(DECLARE),
            "isBase64Encoded": False,
        }
        return app(event, None)

    assert send([KEY])["statusCode"] == 201
    twice = send([KEY, "second-key"])
    assert twice["statusCode"] == 400
    assert json.loads(twice["body"])["Message"] == BAD_KEY
    assert KEY not in twice["body"] and "second-key" not in twice["body"]
    assert len(file_ids(client)) == 1


def test_a_refused_first_call_does_not_poison_the_key(client: Client, aws: dict[str, Any]) -> None:
    declared = call(client, "POST", "/files", DECLARE).json_body
    file_id = declared["file"]["id"]
    too_early = keyed(client, f"/files/{file_id}/grants", {"user": "bob"})
    assert too_early.status_code == 409  # not ready: nothing was done, nothing is stored
    aws["s3"].put_object(Bucket=BUCKET, Key=f"users/{ALICE}/{file_id}", Body=PNG, ContentType="image/png")
    call(client, "POST", f"/files/{file_id}/complete")
    granted = keyed(client, f"/files/{file_id}/grants", {"user": "bob"})
    assert granted.status_code == 201 and "Idempotent-Replayed" not in granted.headers


def test_a_retried_grant_replays_and_adds_one_grant(client: Client, aws: dict[str, Any]) -> None:
    file_id = ready_file(client, aws)
    first = keyed(client, f"/files/{file_id}/grants", {"user": "bob"})
    again = keyed(client, f"/files/{file_id}/grants", {"user": "bob"})
    assert first.status_code == again.status_code == 201
    assert again.json_body == first.json_body and again.headers["Idempotent-Replayed"] == "true"
    assert activity(client, file_id).count("grant_added") == 1
    other_body = keyed(client, f"/files/{file_id}/grants", {"group": "nobody"})
    assert (other_body.status_code, other_body.json_body["Message"]) == (409, OTHER_BODY)
    # The same key on another file is another request.
    other = ready_file(client, aws)
    elsewhere = keyed(client, f"/files/{other}/grants", {"user": "bob"})
    assert elsewhere.status_code == 201 and elsewhere.json_body["grant"]["fileId"] == other


def test_a_retried_link_replays_its_url_and_makes_one_link(client: Client, aws: dict[str, Any]) -> None:
    file_id = ready_file(client, aws)
    body = {"maxDownloads": 2, "expiresIn": 3600}
    first = keyed(client, f"/files/{file_id}/links", body)
    again = keyed(client, f"/files/{file_id}/links", body)
    assert first.status_code == again.status_code == 201
    assert again.json_body["link"]["url"] == first.json_body["link"]["url"]
    assert again.json_body == first.json_body
    assert len(call(client, "GET", f"/files/{file_id}/links").json_body["items"]) == 1
    assert activity(client, file_id).count("link_created") == 1
    token = first.json_body["link"]["url"].rsplit("/", 1)[1]
    page = client.http.request("GET", f"/l/{token}", headers={"Accept": "application/json"})
    assert page.status_code == 200 and page.json_body["downloadsLeft"] == 2
    other = keyed(client, f"/files/{file_id}/links", {"maxDownloads": 3})
    assert other.status_code == 409


def test_the_table_never_holds_the_link_token_or_the_key(client: Client, aws: dict[str, Any]) -> None:
    file_id = ready_file(client, aws)
    url = keyed(client, f"/files/{file_id}/links", {}).json_body["link"]["url"]
    token = url.rsplit("/", 1)[1]
    items = aws["dynamodb"].scan(TableName=aws["dynamodb"].list_tables()["TableNames"][0])["Items"]
    dumped = repr(items)
    assert token not in dumped and KEY not in dumped
    assert any(item["pk"]["S"].startswith("IDEM#") for item in items)


def test_a_retry_while_the_first_is_at_work_is_a_409_with_retry_after(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = runtime.idempotency()._store
    monkeypatch.setattr(store, "release", lambda entry_id, claim: None)  # the first one dies mid-work
    locker = runtime.locker()

    def crash(*_: Any) -> Any:
        raise RuntimeError("the function timed out here")

    monkeypatch.setattr(locker, "create", crash)
    assert keyed(client, "/files", DECLARE).status_code == 500
    monkeypatch.undo()
    busy = keyed(client, "/files", DECLARE)
    assert busy.status_code == 409
    assert busy.json_body == {"Code": "ConflictError", "Message": IN_PROGRESS}
    assert busy.headers["Retry-After"] == "1"
    assert file_ids(client) == []


def test_logs_and_metrics_never_carry_the_key(
    client: Client, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    keyed(client, "/files", DECLARE)
    keyed(client, "/files", DECLARE)
    keyed(client, "/files", {**DECLARE, "size": 1})
    out, err = capsys.readouterr()
    logged = out + err + caplog.text
    assert '"type":"request"' in logged.replace(" ", "")
    assert KEY not in logged
