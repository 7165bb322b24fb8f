"""The multipart and Uppy routes through Chalice's test client: the real app, tokens and middleware."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import jwks, runtime
from tests import tokens
from tests.unit.conftest import CLIENT, POOL, SETTINGS_ENV

MIB = 1024 * 1024
ENV = {
    **SETTINGS_ENV,
    "LOCKER_QUOTA_BYTES": str(1024 * MIB),
    "LOCKER_MULTIPART_THRESHOLD": str(MIB),
    "LOCKER_PART_SIZE": str(5 * MIB),
}
ALICE, BOB = str(uuid.uuid4()), str(uuid.uuid4())
BIG = {"filename": "big.pdf", "contentType": "application/pdf", "size": 12 * MIB}


@pytest.fixture
def client(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(jwks, "fetch_url", tokens.fake_fetcher())
    runtime.reset()  # settings, clients and keys read from the environment above
    with Client(app) as test_client:
        yield test_client


def call(client: Client, method: str, path: str, body: Any = None, sub: str = ALICE, **headers: str) -> Any:
    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=sub))
    sent = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers}
    data = json.dumps(body) if body is not None else None
    return client.http.request(method, path, headers=sent, body=data)


def test_a_large_file_is_declared_signed_listed_and_refused_early_completion(client: Client) -> None:
    created = call(client, "POST", "/files", BIG)
    assert created.status_code == 201
    upload = created.json_body["upload"]
    assert (upload["method"], upload["partSize"], upload["partCount"]) == ("MULTIPART", 5 * MIB, 3)
    file_id = created.json_body["file"]["id"]
    signed = call(
        client, "POST", f"/files/{file_id}/parts", {"parts": [{"partNumber": 3}, {"partNumber": 1}]}
    )
    assert signed.status_code == 200
    assert [p["partNumber"] for p in signed.json_body["parts"]] == [3, 1]
    assert signed.json_body["parts"][0]["headers"] == {"Content-Length": str(2 * MIB)}
    assert call(client, "GET", f"/files/{file_id}/parts").json_body == {"parts": []}
    early = call(client, "POST", f"/files/{file_id}/complete")
    assert (early.status_code, early.json_body["Code"]) == (409, "ConflictError")
    assert "missing parts: 1, 2, 3" in early.json_body["Message"]
    assert call(client, "DELETE", f"/files/{file_id}").status_code == 204
    assert call(client, "GET", f"/files/{file_id}/parts").status_code == 404


def test_part_routes_answer_404_to_others_409_off_multipart_400_on_bad_bodies(client: Client) -> None:
    file_id = call(client, "POST", "/files", BIG).json_body["file"]["id"]
    small = call(client, "POST", "/files", {**BIG, "size": 10}).json_body["file"]["id"]
    one = {"parts": [{"partNumber": 1}]}
    assert call(client, "POST", f"/files/{file_id}/parts", one, sub=BOB).status_code == 404
    assert call(client, "GET", f"/files/{file_id}/parts", sub=BOB).status_code == 404
    assert call(client, "POST", f"/files/{small}/parts", one).status_code == 409
    assert call(client, "GET", f"/files/{small}/parts").status_code == 409
    bad = call(client, "POST", f"/files/{file_id}/parts", {"parts": [{"partNumber": 4}]})
    assert (bad.status_code, bad.json_body["Code"]) == (400, "BadRequestError")
    assert "partNumber" in bad.json_body["Message"]
    form = call(client, "POST", f"/files/{file_id}/parts", one, **{"Content-Type": "text/plain"})
    assert form.status_code == 415
    big = call(client, "POST", f"/files/{file_id}/parts", {"parts": [{"partNumber": 1}] * 2000})
    assert big.status_code == 413


def test_uppy_signing_round(client: Client) -> None:
    start = {
        "method": "POST",
        "key": "x",
        "filename": "big.pdf",
        "contentType": "application/pdf",
        "size": 12 * MIB,
    }
    answer = call(client, "POST", "/uploads/sign", start)
    assert answer.status_code == 200
    assert set(answer.json_body) == {"url", "key", "headers"}
    assert answer.json_body["key"].startswith(f"users/{ALICE}/")
    others = call(
        client,
        "POST",
        "/uploads/sign",
        {"method": "GET", "key": answer.json_body["key"], "uploadId": "u"},
        sub=BOB,
    )
    assert others.status_code == 404
    refused = call(client, "POST", "/uploads/sign", {"method": "DELETE", "key": answer.json_body["key"]})
    assert (refused.status_code, refused.json_body["Code"]) == (400, "BadRequestError")
    assert call(client, "POST", "/uploads/sign", start, **{"Content-Type": "text/plain"}).status_code == 415
    assert call(client, "POST", "/uploads/sign", {**start, "contentType": "text/html"}).status_code == 400


def test_preflights_reach_the_new_routes(client: Client) -> None:
    for path in ("/uploads/sign", f"/files/{uuid.uuid4()}/parts"):
        answer = client.http.request("OPTIONS", path, headers={"Origin": "https://elsewhere.example"})
        assert answer.status_code == 204
