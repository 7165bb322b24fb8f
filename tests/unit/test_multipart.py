"""Locker's own multipart uploads: declaration, part URLs, listing, completion, delete and sweep."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from chalice.app import BadRequestError, ConflictError, NotFoundError, TooManyRequestsError

from chalicelib import config, multipart
from chalicelib.errors import UnprocessableEntityError
from chalicelib.model import MULTIPART_UPLOAD
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.parts import Parts
from chalicelib.service import Locker
from chalicelib.validation import NewFile, new_file
from tests.unit.conftest import BUCKET, SETTINGS_ENV, FakeClock

MIB = 1024 * 1024
PART = 5 * MIB
ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
# Two full parts and a short last one; a PDF, so completion's content check passes.
BODY = b"%PDF-1.7\n" + bytes(range(256)) * ((2 * PART + 1000) // 256)
BIG_ENV = {
    **SETTINGS_ENV,
    "LOCKER_QUOTA_BYTES": str(100 * MIB),
    "LOCKER_MULTIPART_THRESHOLD": str(MIB),
    "LOCKER_PART_SIZE": str(PART),
}


@pytest.fixture
def big(records: Any, storage: MultipartStorage, clock: FakeClock) -> Locker:
    return Locker(config.load(BIG_ENV), records, storage, clock)


def declare(locker: Locker, owner: str = ALICE, body: bytes = BODY, **fields: Any) -> dict[str, Any]:
    declared = {"filename": "big.pdf", "content_type": "application/pdf", "size": len(body), "sha256": None}
    return locker.create(owner, NewFile(**{**declared, **fields}))


def send_parts(aws: dict[str, Any], locker: Locker, file_id: str, body: bytes, numbers: list[int]) -> None:
    """Upload parts where their signed URLs point (HTTP part uploads are tested over the emulator)."""
    record = locker.records.get(ALICE, file_id)
    for n in numbers:
        chunk = body[(n - 1) * PART : n * PART]
        aws["s3"].upload_part(
            Bucket=BUCKET, Key=record.key, UploadId=record.upload_id, PartNumber=n, Body=chunk
        )


def uploads(aws: dict[str, Any]) -> list[str]:
    return [u["Key"] for u in aws["s3"].list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])]


def test_part_plan_respects_s3_limits() -> None:
    assert multipart.plan(1, PART) == (PART, 1)
    assert multipart.plan(2 * PART + 1, PART) == (PART, 3)
    assert multipart.plan(1024**3, 16 * MIB) == (16 * MIB, 64)
    size, count = multipart.plan(5 * 1024**4, 5 * MIB)
    assert count <= multipart.MAX_PARTS and size * count >= 5 * 1024**4 and size % MIB == 0


def test_a_large_declaration_starts_a_multipart_upload(big: Locker, aws: dict[str, Any]) -> None:
    created = declare(big)
    record = big.records.get(ALICE, created["file"]["id"])
    assert created["upload"] == {
        "method": "MULTIPART",
        "partSize": PART,
        "partCount": 3,
        "expiresAt": created["upload"]["expiresAt"],
    }
    assert created["upload"]["expiresAt"].endswith("Z")
    assert (record.upload_kind, record.part_size) == (MULTIPART_UPLOAD, PART)
    assert uploads(aws) == [record.key]
    assert big.records.usage(ALICE).bytes == len(BODY)


def test_at_the_threshold_it_is_still_one_put(big: Locker) -> None:
    created = declare(big, body=b"%PDF" + b"\x00" * (MIB - 4))
    assert created["upload"]["method"] == "PUT"


def test_part_urls_pin_each_length_and_the_optional_checksum(big: Locker) -> None:
    file_id = declare(big)["file"]["id"]
    digest = base64.b64encode(hashlib.sha256(BODY[:PART]).digest()).decode()
    signed = Parts(big).sign(
        ALICE, file_id, {"parts": [{"partNumber": 1, "sha256": digest}, {"partNumber": 3}]}
    )
    first, last = signed["parts"]
    assert first["headers"] == {"Content-Length": str(PART), "x-amz-checksum-sha256": digest}
    assert last["headers"] == {"Content-Length": str(len(BODY) - 2 * PART)}
    query = parse_qs(urlsplit(first["url"]).query)
    assert query["partNumber"] == ["1"]
    assert query["X-Amz-SignedHeaders"] == ["content-length;host;x-amz-checksum-sha256"]
    assert query["X-Amz-Expires"] == ["300"]
    assert parse_qs(urlsplit(last["url"]).query)["X-Amz-SignedHeaders"] == ["content-length;host"]
    assert urlsplit(first["url"]).path.endswith(f"/users/{ALICE}/{file_id}")
    assert signed["expiresAt"].endswith("Z")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"parts": []},
        {"parts": [{"partNumber": n} for n in range(1, 102)]},
        {"parts": [{"partNumber": 0}]},
        {"parts": [{"partNumber": 4}]},
        {"parts": [{"partNumber": 1}, {"partNumber": 1}]},
        {"parts": [{"partNumber": "1"}]},
        {"parts": [{"partNumber": 1, "sha256": "nope"}]},
        {"parts": [{"partNumber": 1, "uploadId": "x"}]},
        {"parts": [1]},
        {"parts": [{"partNumber": 1}], "key": "users/x/y"},
    ],
)
def test_bad_part_requests_are_400s(big: Locker, body: dict[str, Any]) -> None:
    file_id = declare(big)["file"]["id"]
    with pytest.raises(BadRequestError):
        Parts(big).sign(ALICE, file_id, body)


def test_part_routes_need_a_pending_multipart_upload_of_ones_own(big: Locker, aws: dict[str, Any]) -> None:
    small = declare(big, body=b"%PDF" + b"\x00" * 10)["file"]["id"]
    with pytest.raises(ConflictError):
        Parts(big).sign(ALICE, small, {"parts": [{"partNumber": 1}]})
    with pytest.raises(ConflictError):
        Parts(big).list(ALICE, small)
    file_id = declare(big)["file"]["id"]
    for who, what in ((BOB, file_id), (ALICE, "not-an-id")):
        with pytest.raises(NotFoundError):
            Parts(big).sign(who, what, {"parts": [{"partNumber": 1}]})
        with pytest.raises(NotFoundError):
            Parts(big).list(who, what)


def test_listing_shows_what_storage_holds(big: Locker, aws: dict[str, Any]) -> None:
    file_id = declare(big)["file"]["id"]
    assert Parts(big).list(ALICE, file_id) == {"parts": []}
    send_parts(aws, big, file_id, BODY, [3, 1])
    listed = Parts(big).list(ALICE, file_id)["parts"]
    assert [(p["partNumber"], p["size"]) for p in listed] == [(1, PART), (3, len(BODY) - 2 * PART)]
    assert listed[0]["etag"] == hashlib.md5(BODY[:PART]).hexdigest()


def test_complete_names_missing_and_wrong_size_parts_and_stays_pending(
    big: Locker, aws: dict[str, Any]
) -> None:
    file_id = declare(big)["file"]["id"]
    with pytest.raises(ConflictError, match="missing parts: 1, 2, 3"):
        big.complete(ALICE, file_id)
    send_parts(aws, big, file_id, BODY, [1])
    record = big.records.get(ALICE, file_id)
    aws["s3"].upload_part(Bucket=BUCKET, Key=record.key, UploadId=record.upload_id, PartNumber=3, Body=b"x")
    with pytest.raises(ConflictError) as caught:
        big.complete(ALICE, file_id)
    assert str(caught.value) == "missing parts: 2; parts of the wrong size: 3"
    assert big.get(ALICE, file_id)["file"]["status"] == "pending"
    assert uploads(aws) == [record.key]


def test_complete_assembles_the_parts_and_runs_the_checks(big: Locker, aws: dict[str, Any]) -> None:
    file_id = declare(big)["file"]["id"]
    send_parts(aws, big, file_id, BODY, [2, 3, 1, 2])  # any order, one part sent again
    assert big.complete(ALICE, file_id)["file"]["status"] == "ready"
    key = big.records.get(ALICE, file_id).key
    stored = aws["s3"].get_object(Bucket=BUCKET, Key=key)
    assert (stored["ContentType"], stored["Body"].read() == BODY) == ("application/pdf", True)
    assert uploads(aws) == []
    assert big.complete(ALICE, file_id)["file"]["status"] == "ready"  # idempotent


def test_parts_that_are_not_the_declared_type_are_rejected(big: Locker, aws: dict[str, Any]) -> None:
    body = b"\x00" * len(BODY)
    file_id = declare(big, body=body)["file"]["id"]
    send_parts(aws, big, file_id, body, [1, 2, 3])
    with pytest.raises(UnprocessableEntityError, match="not application/pdf"):
        big.complete(ALICE, file_id)
    assert big.get(ALICE, file_id)["file"]["status"] == "rejected"
    assert aws["s3"].list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0
    assert big.records.usage(ALICE).bytes == 0


def test_delete_aborts_the_upload_and_gives_quota_back(big: Locker, aws: dict[str, Any]) -> None:
    file_id = declare(big)["file"]["id"]
    send_parts(aws, big, file_id, BODY, [1])
    big.delete(ALICE, file_id)
    assert uploads(aws) == []
    assert big.records.usage(ALICE).bytes == 0


def test_the_sweep_aborts_expired_multipart_uploads(
    big: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = declare(big)["file"]["id"]
    send_parts(aws, big, file_id, BODY, [1])
    clock.advance(big.settings.pending_ttl + 1)
    assert big.sweep() == 1
    assert uploads(aws) == []
    assert big.records.get(ALICE, file_id) is None


def test_a_refused_declaration_leaves_no_upload_behind(big: Locker, aws: dict[str, Any]) -> None:
    with pytest.raises(TooManyRequestsError):
        declare(big, size=101 * MIB)
    assert uploads(aws) == []


def test_a_whole_file_sha256_is_for_single_puts_only(big: Locker) -> None:
    body = {"filename": "big.pdf", "contentType": "application/pdf", "size": len(BODY)}
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    with pytest.raises(BadRequestError, match="sha256"):
        new_file({**body, "sha256": digest}, big.settings)
