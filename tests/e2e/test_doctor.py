"""``make doctor`` against real stacks: clean after real use, and it names every invariant broken.

The module's stack sends anything above 5 MiB in parts, so multipart uploads stay
small. ``test_the_suites_stack_is_consistent`` runs last in the session (see
conftest), so it checks what every other e2e test left in the shared stack.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from chalicelib import invariants
from chalicelib.dynamo_records import to_item
from chalicelib.model import PENDING, FileRecord, new_file_id
from tests.e2e.api import TIMEOUT, Api, put
from tests.e2e.stack import ROOT, Stack, start

MIB = 1024 * 1024
PART = 5 * MIB
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture(scope="module")
def parted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start(
        tmp_path_factory.mktemp("doctor"),
        {"LOCKER_MULTIPART_THRESHOLD": str(PART), "LOCKER_PART_SIZE": str(PART)},
    )
    yield running
    running.stop()


class User(Api):
    """A fresh user of ``stack``, with the name others share with."""

    def __init__(self, stack: Stack) -> None:
        self.name = f"doc-{uuid.uuid4().hex[:12]}@example.com"
        sub, token = stack.new_user(self.name)
        super().__init__(stack.api, token, sub)


def doctor(stack: Stack, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``make doctor`` on ``stack``: its stack.json, unless ``args`` give a bucket and table."""
    command = [sys.executable, "-m", "devstack.doctor", *args]
    if "--bucket" not in args:
        command += ["--stack", str(stack.log_path.parent / "stack.json")]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def multipart(api: Api, size: int, complete: bool) -> str:
    """A file sent in parts through Locker's part URLs (and completed, if asked)."""
    body = b"%PDF-1.7\n" + random.Random(size).randbytes(size - 9)
    answer = api.call(
        "POST", "/files", json={"filename": "big.pdf", "contentType": "application/pdf", "size": size}
    )
    assert answer.status_code == 201, answer.text
    file_id: str = answer.json()["file"]["id"]
    count = answer.json()["upload"]["partCount"]
    parts = api.call(
        "POST", f"/files/{file_id}/parts", json={"parts": [{"partNumber": n} for n in range(1, count + 1)]}
    )
    for signed in parts.json()["parts"][: count if complete else 1]:
        n = signed["partNumber"]
        headers = {k: v for k, v in signed["headers"].items() if k.lower() != "content-length"}
        sent = requests.put(
            signed["url"], data=body[(n - 1) * PART : n * PART], headers=headers, timeout=TIMEOUT
        )
        assert sent.status_code == 200
    if complete:
        done = api.call("POST", f"/files/{file_id}/complete")
        assert done.json()["file"]["status"] == "ready", done.text
    return file_id


def exercise(stack: Stack) -> dict[str, Any]:
    """Uploads (single and in parts), sharing, a link used, deletes of shared and half-sent files."""
    alice, bob = User(stack), User(stack)
    kept = alice.upload(PNG)
    shared = alice.upload(PNG)
    big = multipart(alice, PART + 1234, complete=True)
    half = multipart(alice, 2 * PART + 10, complete=False)
    assert alice.declare(PNG).status_code == 201  # declared, never sent
    for file_id in (kept["id"], shared["id"], big):
        granted = alice.call("POST", f"/files/{file_id}/grants", json={"user": bob.name})
        assert granted.status_code == 201, granted.text
    link = alice.call("POST", f"/files/{shared['id']}/links", json={"maxDownloads": 2}).json()["link"]
    used = requests.post(link["url"], headers={"Accept": "application/json"}, timeout=TIMEOUT)
    assert used.status_code == 200
    assert bob.call("GET", f"/files/{kept['id']}/download").status_code == 200
    team = f"doc-{uuid.uuid4().hex[:8]}"
    assert alice.call("POST", "/groups", json={"name": team}).status_code == 201
    assert alice.call("POST", f"/groups/{team}/members", json={"user": bob.name}).status_code == 201
    for file_id in (shared["id"], half):
        assert alice.call("DELETE", f"/files/{file_id}").status_code == 204
    rejected = alice.declare(PNG)
    put(rejected.json()["upload"], PNG[:-1] + b"x", **{"Content-Type": "image/png"})
    return {"alice": alice, "bob": bob, "kept": kept, "big": big}


def test_after_uploads_sharing_and_deletes_the_doctor_finds_nothing(parted: Stack) -> None:
    exercise(parted)
    checked = doctor(parted)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("no violations (")


def test_the_doctor_names_each_broken_invariant(parted: Stack) -> None:
    s3, db = parted.aws("s3"), parted.aws("dynamodb")
    bucket, table = parted.info["bucket"], parted.info["table"]
    used = exercise(parted)
    alice, kept, big = used["alice"], used["kept"], used["big"]
    gone, mismatched = alice.upload(PNG), alice.upload(PNG)
    alice.call("POST", f"/files/{gone['id']}/grants", json={"user": used["bob"].name})
    alice.call("POST", f"/files/{gone['id']}/links", json={})
    s3.delete_object(Bucket=bucket, Key=f"users/{alice.sub}/{kept['id']}")  # ready_object_missing
    s3.put_object(
        Bucket=bucket, Key=f"users/{alice.sub}/{mismatched['id']}", Body=PNG + b"!", ContentType="image/png"
    )
    s3.put_object(
        Bucket=bucket, Key=f"users/{alice.sub}/notes.txt", Body=b"x"
    )  # orphan (no event removes it)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=f"users/{alice.sub}/{big}")["UploadId"]
    db.delete_item(TableName=table, Key={"pk": {"S": f"USER#{alice.sub}"}, "sk": {"S": f"FILE#{gone['id']}"}})
    now = int(time.time())
    stuck = FileRecord(
        alice.sub, new_file_id(), "a.png", "image/png", 1, None, PENDING, now - 9999, now - 9999, now - 9000
    )
    db.put_item(TableName=table, Item=to_item(stuck))  # sweep_overdue (and the counter never reserved it)
    foreign = to_item(stuck.evolve(owner=used["bob"].sub, status="ready", expires_at=None))
    foreign["sk"] = {"S": f"FILE#{new_file_id()}"}
    db.put_item(TableName=table, Item=foreign)  # record_key_mismatch
    db.update_item(
        TableName=table,
        Key={"pk": {"S": f"INBOX#{used['bob'].sub}"}, "sk": {"S": "GROUPS"}},
        UpdateExpression="ADD #g :id",
        ExpressionAttributeNames={"#g": "groups"},
        ExpressionAttributeValues={":id": {"SS": [new_file_id()]}},
    )  # group_ids_drift: an id the inbox keeps with no membership behind it
    checked = doctor(parted, "--window", "0")
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    named = {line.split()[0] for line in lines[:-1]}
    assert named == set(invariants.KINDS)
    assert f"ready_object_missing owner={alice.sub} file={kept['id']} no object at its key" in lines
    assert any(
        line.startswith(f"upload_outlives_record owner={alice.sub} file={big} ref={upload_id}")
        for line in lines
    )
    assert any(f"file={gone['id']}" in line for line in lines if line.startswith("grant_missing_file"))
    assert lines[-1].startswith(f"{len(lines) - 1} violation(s): ")
    assert (
        "notes.txt" not in checked.stdout and "photo" not in checked.stdout and "http" not in checked.stdout
    )


def test_the_doctor_takes_any_stack_by_its_settings(parted: Stack) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": parted.info["awsAccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": parted.info["awsSecretAccessKey"],
    }
    args = ["--bucket", parted.info["bucket"], "--table", parted.info["table"], "--endpoint", parted.emulator]
    checked = doctor(parted, *args, "--region", parted.info["region"], env=env)
    assert checked.returncode in (0, 1) and checked.stdout.splitlines()[-1].split()[0] != "could"
    wrong = doctor(parted, *args[:3], "no-such-table", *args[4:], "--region", parted.info["region"], env=env)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr.strip() == "could not read the stack: ResourceNotFoundException"


@pytest.mark.last
def test_the_suites_stack_is_consistent(stack: Stack) -> None:
    checked = doctor(stack)
    assert checked.returncode == 0, checked.stdout + checked.stderr
