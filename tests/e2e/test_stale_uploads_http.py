"""An old upload URL can never bring bytes back: the emulator's ObjectCreated events remove them."""

from __future__ import annotations

import time
from typing import Any

from chalicelib.model import new_file_id
from tests.e2e.api import Api, put
from tests.e2e.stack import ROOT, Stack

PNG = (ROOT / "assets" / "1.png").read_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 2
WAIT_SECONDS = 20  # a bound, not a measurement: events are asynchronous, as on AWS


def stored(stack: Stack, key: str) -> bool:
    listed = stack.aws("s3").list_objects_v2(Bucket=stack.info["bucket"], Prefix=key)
    return any(item["Key"] == key for item in listed.get("Contents", []))


def gone(stack: Stack, key: str) -> bool:
    """Poll until ``key`` is not stored, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while stored(stack, key):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _declared(api: Api, body: bytes) -> tuple[dict[str, Any], str]:
    created = api.declare(body).json()
    return created, f"users/{api.sub}/{created['file']['id']}"


def test_a_replayed_url_after_a_delete_leaves_nothing(alice: Api, stack: Stack) -> None:
    created, key = _declared(alice, PNG)
    assert put(created["upload"], PNG).status_code == 200
    assert alice.call("POST", f"/files/{created['file']['id']}/complete").json()["file"]["status"] == "ready"
    assert alice.call("DELETE", f"/files/{created['file']['id']}").status_code == 204
    assert put(created["upload"], PNG).status_code == 200  # the URL still lives: S3 would take it too
    assert gone(stack, key)
    assert alice.call("GET", f"/files/{created['file']['id']}").status_code == 404


def test_a_replayed_url_after_a_rejection_leaves_nothing(alice: Api, stack: Stack) -> None:
    created, key = _declared(alice, JPEG)  # declared as image/png
    assert put(created["upload"], JPEG).status_code == 200
    assert gone(stack, key)  # the event already ran the completion checks and rejected it
    file = alice.call("GET", f"/files/{created['file']['id']}").json()["file"]
    assert file["status"] == "rejected"
    assert put(created["upload"], JPEG).status_code == 200
    assert gone(stack, key)
    assert alice.call("GET", f"/files/{created['file']['id']}").json()["file"] == file


def test_an_object_without_a_record_is_removed(alice: Api, stack: Stack) -> None:
    key = f"users/{alice.sub}/{new_file_id()}"
    stack.aws("s3").put_object(Bucket=stack.info["bucket"], Key=key, Body=PNG, ContentType="image/png")
    assert gone(stack, key)


def test_a_ready_files_replay_changes_nothing(alice: Api, stack: Stack) -> None:
    created, key = _declared(alice, PNG)
    assert put(created["upload"], PNG).status_code == 200
    ready = alice.call("POST", f"/files/{created['file']['id']}/complete").json()["file"]
    assert put(created["upload"], PNG).status_code == 412  # If-None-Match: * is signed
    s3 = stack.aws("s3")
    assert s3.get_object(Bucket=stack.info["bucket"], Key=key)["Body"].read() == PNG
    assert alice.call("GET", f"/files/{created['file']['id']}").json()["file"] == ready


def test_an_upload_becomes_ready_from_its_event_alone(alice: Api, stack: Stack) -> None:
    """Deployed, Uppy's uploads complete through the event; locally too."""
    created, _ = _declared(alice, PNG)
    assert put(created["upload"], PNG).status_code == 200
    deadline = time.monotonic() + WAIT_SECONDS
    status = "pending"
    while status == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = alice.call("GET", f"/files/{created['file']['id']}").json()["file"]["status"]
    assert status == "ready"
