"""One contract for both Records implementations, so the fake cannot drift from DynamoDB."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.activity import Activity, Event
from chalicelib.model import (
    CLIENT_MULTIPART_UPLOAD,
    DELETING,
    MULTIPART_UPLOAD,
    PENDING,
    READY,
    REJECTED,
    FileRecord,
    new_file_id,
)
from chalicelib.reads import fetch
from chalicelib.records import InMemoryRecords, Quota, QuotaExceeded, Usage
from chalicelib.writes import Write

NOW = 1_800_000_000
QUOTA = Quota(max_bytes=1000, max_files=3)


def pending(owner: str = "owner-a", size: int = 100, at_ms: int = NOW * 1000, ttl: int = 3600) -> FileRecord:
    return FileRecord(
        owner=owner,
        id=new_file_id(at_ms),
        filename="a.png",
        content_type="image/png",
        size=size,
        sha256=None,
        status=PENDING,
        created_at=at_ms // 1000,
        updated_at=at_ms // 1000,
        expires_at=at_ms // 1000 + ttl,
    )


def test_create_then_get_round_trips(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    assert records.get(record.owner, record.id) == record
    assert records.usage(record.owner) == Usage(100, 1)


def test_get_is_scoped_to_the_owner(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    assert records.get("owner-b", record.id) is None


def test_read_record_answers_as_get_does_when_fetched(records: Any) -> None:
    record = pending()
    mine, theirs = records.read_record(record.owner, record.id), records.read_record("owner-b", record.id)
    records.create(record, QUOTA)
    found = fetch(mine, theirs)
    assert found[mine] == record == records.get(record.owner, record.id)
    assert found[theirs] is None


def test_quota_counts_bytes_and_files(records: Any) -> None:
    records.create(pending(size=600), QUOTA)
    with pytest.raises(QuotaExceeded):
        records.create(pending(size=401), QUOTA)
    records.create(pending(size=400), QUOTA)
    with pytest.raises(QuotaExceeded):
        records.create(pending(size=1), Quota(max_bytes=10**6, max_files=2))
    assert records.usage("owner-a") == Usage(1000, 2)


def test_a_file_larger_than_the_whole_quota_is_refused(records: Any) -> None:
    with pytest.raises(QuotaExceeded):
        records.create(pending(size=1001), QUOTA)
    assert records.usage("owner-a") == Usage(0, 0)


def test_quota_is_per_owner(records: Any) -> None:
    records.create(pending(size=1000), QUOTA)
    records.create(pending(owner="owner-b", size=1000), QUOTA)
    assert records.usage("owner-b") == Usage(1000, 1)


def test_ready_keeps_quota_and_only_happens_once(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    assert records.mark_ready(record, NOW + 5) is True
    assert records.mark_ready(record, NOW + 6) is False
    stored = records.get(record.owner, record.id)
    assert (stored.status, stored.updated_at, stored.expires_at) == (READY, NOW + 5, None)
    assert records.usage(record.owner) == Usage(100, 1)


def test_reject_gives_quota_back_and_is_final(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    assert records.reject(record, "wrong type", NOW + 1) is True
    assert records.reject(record, "again", NOW + 2) is False
    assert records.mark_ready(record, NOW + 3) is False
    stored = records.get(record.owner, record.id)
    assert (stored.status, stored.rejected_reason) == (REJECTED, "wrong type")
    assert records.usage(record.owner) == Usage(0, 0)


def test_delete_gives_quota_back_once(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    records.mark_ready(record, NOW)
    ready = records.get(record.owner, record.id)
    assert records.begin_delete(ready, NOW + 1) is True
    assert records.get(record.owner, record.id).status == DELETING
    assert records.usage(record.owner) == Usage(0, 0)
    records.finish_delete(ready.evolve(status=DELETING))
    records.finish_delete(ready.evolve(status=DELETING))
    assert records.get(record.owner, record.id) is None
    assert records.usage(record.owner) == Usage(0, 0)


def test_deleting_a_rejected_file_does_not_refund_twice(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    records.reject(record, "bad", NOW)
    rejected = records.get(record.owner, record.id)
    assert records.begin_delete(rejected, NOW + 1) is True
    assert records.usage(record.owner) == Usage(0, 0)


def test_begin_delete_loses_a_race_with_completion(records: Any) -> None:
    record = pending()
    records.create(record, QUOTA)
    records.mark_ready(record, NOW)
    assert records.begin_delete(record, NOW + 1) is False  # it is no longer pending
    assert records.usage(record.owner) == Usage(100, 1)


def test_reclaim_only_takes_expired_uploads(records: Any) -> None:
    record = pending(ttl=60)
    records.create(record, QUOTA)
    assert records.reclaim(record, NOW + 59) is False
    assert records.reclaim(record, NOW + 60) is True
    assert records.get(record.owner, record.id) is None
    assert records.usage(record.owner) == Usage(0, 0)


def test_due_lists_expired_uploads_and_stuck_deletes(records: Any) -> None:
    expiring = pending(ttl=60)
    fresh = pending(owner="owner-b", ttl=7200)
    ready = pending(owner="owner-c")
    for record in (expiring, fresh, ready):
        records.create(record, QUOTA)
    records.mark_ready(ready, NOW)
    records.begin_delete(records.get(ready.owner, ready.id), NOW)
    assert sorted(records.due(NOW + 30)) == []
    assert sorted(records.due(NOW + 3600)) == sorted([(expiring.owner, expiring.id), (ready.owner, ready.id)])
    assert list(records.due(NOW + 3600, owner="owner-a")) == [(expiring.owner, expiring.id)]


def test_pages_are_newest_first_and_resume_after_an_id(records: Any) -> None:
    made = [pending(at_ms=NOW * 1000 + i, size=1) for i in range(3)]
    for record in made:
        records.create(record, QUOTA)
    records.create(pending(owner="owner-b", size=1), QUOTA)
    first, resume = records.page("owner-a", None, 2)
    assert [r.id for r in first] == [made[2].id, made[1].id]
    assert resume == made[1].id
    rest, _ = records.page("owner-a", resume, 2)
    assert [r.id for r in rest] == [made[0].id]
    everything, resume = records.page("owner-a", None, 10)
    assert (len(everything), resume) == (3, None)


def test_multipart_fields_round_trip(records: Any) -> None:
    record = pending().evolve(upload_kind=MULTIPART_UPLOAD, upload_id="upload-1", part_size=5 * 1024 * 1024)
    records.create(record, QUOTA)
    assert records.get(record.owner, record.id) == record
    assert records.get(record.owner, record.id).multipart


def test_an_upload_id_is_recorded_once_and_only_while_pending(records: Any) -> None:
    record = pending().evolve(upload_kind=CLIENT_MULTIPART_UPLOAD)
    records.create(record, QUOTA)
    assert records.set_upload_id(record, "first")
    assert not records.set_upload_id(record, "second")
    assert records.get(record.owner, record.id).upload_id == "first"
    other = pending()
    records.create(other, QUOTA)
    assert records.mark_ready(other, NOW)
    assert not records.set_upload_id(other, "late")
    assert records.get(other.owner, other.id).upload_id is None
    assert not records.set_upload_id(pending(), "nobody")


def test_a_filtered_page_reads_count_records_and_says_where_it_stopped(records: Any) -> None:
    made = [pending(at_ms=NOW * 1000 + i, size=1) for i in range(6)]
    for record in made:
        records.create(record, Quota(10**6, 100))
    records.mark_ready(made[0], NOW)  # the oldest
    records.mark_ready(made[3], NOW)
    newest_first = [r.id for r in reversed(made)]
    first, resume = records.page("owner-a", None, 2, READY)
    assert (first, resume) == ([], newest_first[1])  # two pending read, none matched
    second, resume = records.page("owner-a", resume, 2, READY)
    assert ([r.id for r in second], resume) == ([made[3].id], newest_first[3])
    found, resume = records.page("owner-a", resume, 5, READY)
    assert ([r.id for r in found], resume) == ([made[0].id], None)
    assert all(r.status == PENDING for r in records.page("owner-a", None, 10, PENDING)[0])


def created_event(record: FileRecord) -> Event:
    at_ms = record.created_at * 1000
    return Event(new_file_id(at_ms), at_ms, record.id, record.owner, "created", {"type": "system"}, {})


def test_create_commits_the_writes_it_is_given(records: Any, activity: Activity) -> None:
    record = pending()
    event = created_event(record)
    records.create(record, QUOTA, (activity.write(event),))
    assert records.get(record.owner, record.id) == record
    assert activity.for_file(record.id, None, 10) == [event]


def test_a_refused_create_commits_none_of_its_writes(records: Any, activity: Activity) -> None:
    records.create(pending(size=1000), QUOTA)
    refused = pending(size=1)
    with pytest.raises(QuotaExceeded):
        records.create(refused, QUOTA, (activity.write(created_event(refused)),))
    assert records.get(refused.owner, refused.id) is None
    assert activity.for_file(refused.id, None, 10) == []


def test_the_fake_refuses_a_dynamodb_write_it_cannot_commit() -> None:
    dynamodb_write = Write(({"Put": {"TableName": "files", "Item": {}}},))
    fake = InMemoryRecords()
    with pytest.raises(ValueError, match="cannot join"):
        fake.create(pending(), QUOTA, (dynamodb_write,))
    assert fake.usage("owner-a") == Usage(0, 0)


def test_begin_delete_commits_the_writes_it_is_given_and_a_lost_race_none(
    records: Any, activity: Activity
) -> None:
    record = pending()
    records.create(record, QUOTA)
    records.mark_ready(record, NOW)
    ready = records.get(record.owner, record.id)
    lost = Event(
        new_file_id(NOW * 1000), NOW * 1000, record.id, record.owner, "deleted", {"type": "system"}, {}
    )
    assert records.begin_delete(record, NOW + 1, (activity.write(lost),)) is False  # no longer pending
    assert activity.for_file(record.id, None, 10) == []
    won = Event(new_file_id(NOW * 1000 + 1), NOW * 1000 + 1, record.id, record.owner, "deleted", {}, {})
    assert records.begin_delete(ready, NOW + 1, (activity.write(won),)) is True
    assert records.get(record.owner, record.id).status == DELETING
    assert activity.for_file(record.id, None, 10) == [won]
