"""Issue 11 over the wire: what the uploader attaches, body types and bad Unicode never get through."""

from __future__ import annotations

import json

import requests

from tests.e2e.api import Api, put
from tests.e2e.stack import ROOT, Stack

PNG = (ROOT / "assets" / "1.png").read_bytes()
JSON = {"Content-Type": "application/json"}


def test_headers_the_uploader_attaches_are_not_served_back(alice: Api) -> None:
    created = alice.declare(PNG).json()
    attached = {"Cache-Control": "public, max-age=31536000, immutable", "Content-Language": "xx"}
    assert put(created["upload"], PNG, **attached).status_code == 200  # unsigned: storage takes them
    completed = alice.call("POST", f"/files/{created['file']['id']}/complete")
    assert completed.status_code == 200, completed.text
    link = alice.call("GET", f"/files/{created['file']['id']}/download").json()
    fetched = requests.get(link["url"], timeout=10, headers={"Accept-Encoding": "identity"})
    assert fetched.content == PNG
    assert fetched.headers["Cache-Control"] == "private, no-store"
    assert fetched.headers.get("Content-Encoding", "identity") == "identity"
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["Content-Disposition"].startswith("attachment;")


def test_an_upload_with_a_content_encoding_is_rejected_and_removed(alice: Api, stack: Stack) -> None:
    created = alice.declare(PNG).json()
    assert put(created["upload"], PNG, **{"Content-Encoding": "gzip"}).status_code == 200
    completed = alice.call("POST", f"/files/{created['file']['id']}/complete")
    # The bucket's ObjectCreated event runs the same checks, asynchronously: whichever comes
    # first rejects (422); completing an already rejected file is a 409 naming the reason.
    assert (completed.status_code, completed.json()["Code"]) in (
        (422, "UnprocessableEntityError"),
        (409, "ConflictError"),
    )
    assert "content encoding" in completed.json()["Message"]
    file = alice.call("GET", f"/files/{created['file']['id']}").json()["file"]
    assert file["status"] == "rejected"
    listed = stack.aws("s3").list_objects_v2(Bucket=stack.info["bucket"], Prefix=f"users/{alice.sub}/")
    assert listed["KeyCount"] == 0


def test_only_json_bodies_are_read(alice: Api) -> None:
    body = json.dumps({"filename": "a.png", "contentType": "image/png", "size": 10}).encode()
    for content_type in ("text/plain; application/json", "*/*", "application/json, text/plain", "text/plain"):
        answer = alice.call("POST", "/files", data=body, headers={"Content-Type": content_type})
        assert answer.status_code == 415, content_type
        assert answer.json() == {
            "Code": "UnsupportedMediaType",
            "Message": "request body must be JSON: send Content-Type: application/json",
        }
        assert content_type not in answer.text
    ok = alice.call("POST", "/files", data=body, headers={"Content-Type": "application/json; charset=UTF-8"})
    assert ok.status_code == 201


def test_bad_unicode_in_a_body_is_a_400(alice: Api) -> None:
    for raw in (
        b'{"filename": "\\ud800.png", "contentType": "image/png", "size": 10}',
        b'{"filename": "\xed\xa0\x80.png", "contentType": "image/png", "size": 10}',  # surrogate bytes
        b'{"filename": "\xe3\x80\x80", "contentType": "image/png", "size": 10}',  # U+3000 alone
        b'{"filename": "a\xe2\x80\xaeb.png", "contentType": "image/png", "size": 10}',  # U+202E
    ):
        answer = alice.call("POST", "/files", data=raw, headers=JSON)
        assert (answer.status_code, answer.json()["Code"]) == (400, "BadRequestError"), raw
    assert alice.call("GET", "/files").json()["items"] == []
