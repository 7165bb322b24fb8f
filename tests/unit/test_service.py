"""The files use cases, against both record stores and an in-process S3."""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from chalice.app import BadRequestError, ConflictError, NotFoundError, TooManyRequestsError

from chalicelib.errors import UnprocessableEntityError
from chalicelib.model import new_file_id
from chalicelib.records import Usage
from chalicelib.service import Locker
from chalicelib.validation import ListQuery, NewFile
from tests.unit.conftest import BUCKET, FakeClock

PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)[:48]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 44
ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"


def declare(locker: Locker, owner: str = ALICE, body: bytes = PNG, **overrides: Any) -> dict[str, Any]:
    fields = {"filename": "photo.png", "content_type": "image/png", "size": len(body), "sha256": None}
    fields.update(overrides)
    return locker.create(owner, NewFile(**fields))


def upload(
    aws: dict[str, Any], created: dict[str, Any], body: bytes, content_type: str = "image/png"
) -> None:
    """Put the bytes where the presigned URL points (HTTP uploads are tested over the emulator)."""
    url_key = created["upload"]["url"].split(f"/{BUCKET}/", 1)[1].split("?", 1)[0]
    aws["s3"].put_object(Bucket=BUCKET, Key=url_key, Body=body, ContentType=content_type)


def test_create_declares_a_pending_file_and_a_pinned_upload(locker: Locker) -> None:
    digest = base64.b64encode(hashlib.sha256(PNG).digest()).decode()
    created = declare(locker, sha256=digest)
    file, put = created["file"], created["upload"]
    assert file["status"] == "pending"
    assert (file["size"], file["contentType"], file["sha256"]) == (len(PNG), "image/png", digest)
    assert put["method"] == "PUT"
    assert f"/users/{ALICE}/{file['id']}?" in put["url"]
    assert put["headers"] == {
        "Content-Type": "image/png",
        "Content-Length": str(len(PNG)),
        "If-None-Match": "*",
        "x-amz-checksum-sha256": digest,
    }
    signed = put["url"].split("X-Amz-SignedHeaders=", 1)[1].split("&", 1)[0]
    assert signed == "content-length%3Bcontent-type%3Bhost%3Bif-none-match%3Bx-amz-checksum-sha256"
    assert "X-Amz-Expires=300" in put["url"]
    assert put["expiresAt"].endswith("Z")


def test_complete_before_the_bytes_is_a_conflict_and_stays_pending(locker: Locker) -> None:
    created = declare(locker)
    with pytest.raises(ConflictError):
        locker.complete(ALICE, created["file"]["id"])
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "pending"


def test_complete_makes_the_file_ready_and_is_idempotent(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    first = locker.complete(ALICE, created["file"]["id"])["file"]
    again = locker.complete(ALICE, created["file"]["id"])["file"]
    assert first["status"] == again["status"] == "ready"
    assert first == again


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (JPEG, "image/png", "content is not image/png"),
        (PNG[:-1], "image/png", "size is 47 bytes"),
        (PNG, "image/gif", "content type is image/gif"),
    ],
)
def test_a_mismatching_upload_is_deleted_and_rejected(
    locker: Locker, aws: dict[str, Any], body: bytes, content_type: str, reason: str
) -> None:
    created = declare(locker, size=len(PNG))
    upload(aws, created, body, content_type)
    with pytest.raises(UnprocessableEntityError, match=reason):
        locker.complete(ALICE, created["file"]["id"])
    file = locker.get(ALICE, created["file"]["id"])["file"]
    assert file["status"] == "rejected"
    assert reason in file["rejectedReason"]
    assert aws["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert locker.records.usage(ALICE) == Usage(0, 0)
    with pytest.raises(ConflictError):
        locker.complete(ALICE, created["file"]["id"])


def test_ten_concurrent_completions_make_one_transition(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    transitions = []
    mark_ready = locker.records.mark_ready

    def counted(record: Any, now: int) -> bool:
        moved = bool(mark_ready(record, now))
        transitions.append(moved)
        return moved

    locker.records.mark_ready = counted  # type: ignore[method-assign]
    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda _: locker.complete(ALICE, created["file"]["id"]), range(10)))
    assert {r["file"]["status"] for r in results} == {"ready"}
    assert len({r["file"]["updatedAt"] for r in results}) == 1
    assert transitions.count(True) == 1
    assert locker.records.usage(ALICE) == Usage(len(PNG), 1)


def test_other_users_and_malformed_ids_get_the_same_not_found(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    file_id = created["file"]["id"]
    locker.complete(ALICE, file_id)
    for owner, candidate in [
        (BOB, file_id),
        (ALICE, new_file_id()),
        (ALICE, "../x"),
        (ALICE, file_id.lower()),
    ]:
        for call in (locker.get, locker.complete, locker.download, locker.delete):
            with pytest.raises(NotFoundError, match="file not found"):
                call(owner, candidate)
    assert locker.get(ALICE, file_id)["file"]["status"] == "ready"


def test_download_needs_a_ready_file(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker, filename='r\u00e9sum\u00e9 "final".png')
    with pytest.raises(ConflictError):
        locker.download(ALICE, created["file"]["id"])
    upload(aws, created, PNG)
    locker.complete(ALICE, created["file"]["id"])
    link = locker.download(ALICE, created["file"]["id"])
    assert link["method"] == "GET"
    assert "X-Amz-Expires=60" in link["url"]
    assert "response-content-disposition=attachment" in link["url"]
    assert "response-content-type=image%2Fpng" in link["url"]


def test_delete_removes_object_record_and_quota(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    locker.complete(ALICE, created["file"]["id"])
    locker.delete(ALICE, created["file"]["id"])
    assert aws["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert locker.records.usage(ALICE) == Usage(0, 0)
    with pytest.raises(NotFoundError):
        locker.delete(ALICE, created["file"]["id"])


def test_a_half_done_delete_is_finished_by_a_retry(
    locker: Locker, aws: dict[str, Any], monkeypatch: Any
) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    locker.complete(ALICE, created["file"]["id"])

    def broken(key: str) -> None:
        raise RuntimeError("S3 unavailable")

    monkeypatch.setattr(locker.storage, "delete", broken)
    with pytest.raises(RuntimeError):
        locker.delete(ALICE, created["file"]["id"])
    with pytest.raises(NotFoundError):
        locker.get(ALICE, created["file"]["id"])
    monkeypatch.undo()
    locker.delete(ALICE, created["file"]["id"])
    assert aws["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert locker.records.get(ALICE, created["file"]["id"]) is None


def test_quota_is_enforced_and_rejected_files_do_not_count(locker: Locker, aws: dict[str, Any]) -> None:
    with pytest.raises(TooManyRequestsError):
        declare(locker, size=10001)
    for _ in range(5):
        declare(locker, size=10)
    with pytest.raises(TooManyRequestsError):
        declare(locker, size=10)
    assert locker.records.usage(ALICE) == Usage(50, 5)


def test_expired_uploads_vanish_and_give_their_quota_back(
    locker: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    stale = [declare(locker, size=2000) for _ in range(5)]
    upload(aws, stale[0], PNG)
    clock.advance(locker.settings.pending_ttl)
    with pytest.raises(NotFoundError):
        locker.get(ALICE, stale[0]["file"]["id"])
    assert locker.list(ALICE, ListQuery(50, None, None))["items"] == []
    fresh = declare(locker, size=9000)  # only possible once the stale reservations are reclaimed
    assert fresh["file"]["status"] == "pending"
    assert locker.records.usage(ALICE) == Usage(9000, 1)
    assert aws["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_sweep_reclaims_expired_uploads_of_every_user(
    locker: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    mine, theirs = declare(locker), declare(locker, owner=BOB)
    upload(aws, theirs, PNG)
    clock.advance(locker.settings.pending_ttl + 1)
    assert locker.sweep() == 2
    assert locker.records.get(ALICE, mine["file"]["id"]) is None
    assert locker.records.usage(BOB) == Usage(0, 0)
    assert aws["s3"].list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_listing_pages_newest_first_with_a_cursor_bound_to_the_owner(
    locker: Locker, clock: FakeClock
) -> None:
    made = []
    for _ in range(5):
        made.append(declare(locker, size=1)["file"]["id"])
        clock.advance(1)
    declare(locker, owner=BOB, size=1)
    first = locker.list(ALICE, ListQuery(2, None, None))
    assert [f["id"] for f in first["items"]] == made[::-1][:2]
    second = locker.list(ALICE, ListQuery(2, first["nextCursor"], None))
    third = locker.list(ALICE, ListQuery(2, second["nextCursor"], None))
    assert [f["id"] for f in second["items"] + third["items"]] == made[::-1][2:]
    assert third["nextCursor"] is None
    with pytest.raises(BadRequestError):
        locker.list(BOB, ListQuery(2, first["nextCursor"], None))
    cursor = first["nextCursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")  # always a different cursor
    with pytest.raises(BadRequestError):
        locker.list(ALICE, ListQuery(2, tampered, None))


def test_listing_filters_by_status(locker: Locker, aws: dict[str, Any]) -> None:
    ready = declare(locker)
    upload(aws, ready, PNG)
    locker.complete(ALICE, ready["file"]["id"])
    for _ in range(3):
        declare(locker, size=1)
    listed = locker.list(ALICE, ListQuery(1, None, "ready"))
    assert [f["id"] for f in listed["items"]] == [ready["file"]["id"]]
    assert listed["nextCursor"] is None
    assert len(locker.list(ALICE, ListQuery(50, None, "pending"))["items"]) == 3


def test_bucket_event_completes_and_removes_strays(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    locker.object_created(f"users/{ALICE}/{created['file']['id']}")
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "ready"
    stray = f"users/{BOB}/{new_file_id()}"
    aws["s3"].put_object(Bucket=BUCKET, Key=stray, Body=PNG)
    locker.object_created(stray)
    keys = [o["Key"] for o in aws["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"users/{ALICE}/{created['file']['id']}"]


def test_a_filtered_page_costs_a_bounded_number_of_database_calls(locker: Locker, clock: FakeClock) -> None:
    """One ready file behind hundreds of pending ones: short pages with cursors, never a long read."""
    from chalicelib import service
    from chalicelib.model import PENDING, FileRecord
    from chalicelib.records import Quota

    def record(at_ms: int) -> FileRecord:
        now = at_ms // 1000
        return FileRecord(
            ALICE, new_file_id(at_ms), "a.png", "image/png", 1, None, PENDING, now, now, now + 10**6
        )

    base = int(clock() * 1000)
    ready = record(base)
    locker.records.create(ready, Quota(10**9, 10**6))
    locker.records.mark_ready(ready, int(clock()))
    behind = [record(base + 1 + i) for i in range(320)]  # more than one page reads
    for pending in behind:
        locker.records.create(pending, Quota(10**9, 10**6))
    calls = []
    page = locker.records.page

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return page(*args, **kwargs)

    locker.records.page = counted  # type: ignore[method-assign]
    found, next_cursor, pages = [], None, 0
    while True:
        calls.clear()
        listed = locker.list(ALICE, ListQuery(1, next_cursor, "ready"))
        assert len(calls) <= service.LIST_ROUNDS
        found += [f["id"] for f in listed["items"]]
        pages += 1
        next_cursor = listed["nextCursor"]
        if next_cursor is None:
            break
    assert found == [ready.id]
    per_page = service.FILTERED_READ * service.LIST_ROUNDS
    assert 2 <= pages <= -(-(len(behind) + 1) // per_page)  # a short page with a cursor, then the match
    calls.clear()
    unfiltered = locker.list(ALICE, ListQuery(1, None, None))
    assert (len(unfiltered["items"]), len(calls)) == (1, 1)
    assert unfiltered["items"][0]["id"] == behind[-1].id
    with pytest.raises(BadRequestError):  # a cursor from one filter is not another's
        locker.list(ALICE, ListQuery(1, unfiltered["nextCursor"], "pending"))


def test_paging_a_filter_sees_every_match_once_in_order(
    locker: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    made = []
    for i in range(5):
        created = declare(locker, size=1, body=PNG[:1]) if i % 2 else declare(locker)
        if not i % 2:
            upload(aws, created, PNG)
            locker.complete(ALICE, created["file"]["id"])
        made.append(created["file"]["id"])
        clock.advance(1)
    seen, next_cursor = [], None
    while True:
        listed = locker.list(ALICE, ListQuery(1, next_cursor, "ready"))
        seen += [f["id"] for f in listed["items"]]
        next_cursor = listed["nextCursor"]
        if next_cursor is None:
            break
    assert seen == [made[4], made[2], made[0]]
