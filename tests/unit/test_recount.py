"""Recounting a quota counter: both Records implementations, and the race with a create."""

from __future__ import annotations

from typing import Any

from chalicelib.dynamo_records import DynamoRecords
from chalicelib.records import InMemoryRecords, Usage
from tests.unit.conftest import TABLE
from tests.unit.test_records_contract import NOW, QUOTA, pending


def forget(records: Any, owner: str, file_id: str) -> None:
    """Remove a record as DynamoDB's TTL does: its quota is not given back."""
    if isinstance(records, InMemoryRecords):
        records.forget(owner, file_id)
    else:
        key = {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"FILE#{file_id}"}}
        records._db.delete_item(TableName=TABLE, Key=key)


def test_a_counter_that_is_right_is_left_alone(records: Any) -> None:
    records.create(pending(size=100), QUOTA)
    assert records.recount("owner-a") is None
    assert records.usage("owner-a") == Usage(100, 1)


def test_a_record_removed_by_ttl_gives_its_quota_back_on_recount(records: Any) -> None:
    kept, lost = pending(size=100), pending(size=300, at_ms=NOW * 1000 + 1)
    records.create(kept, QUOTA)
    records.create(lost, QUOTA)
    records.mark_ready(kept, NOW)
    forget(records, lost.owner, lost.id)
    assert records.usage("owner-a") == Usage(400, 2)
    assert records.recount("owner-a") == Usage(100, 1)
    assert records.usage("owner-a") == Usage(100, 1)
    assert records.recount("owner-b") is None  # nobody's counter is made up


def test_rejected_and_deleting_records_do_not_count(records: Any) -> None:
    rejected, deleting = pending(size=100), pending(size=200, at_ms=NOW * 1000 + 1)
    for record in (rejected, deleting):
        records.create(record, QUOTA)
    records.reject(rejected, "mismatch", NOW)
    records.begin_delete(deleting, NOW)
    assert records.recount("owner-a") is None
    assert records.usage("owner-a") == Usage(0, 0)


class Interleaved:
    """A DynamoDB client that runs other writes just before the named calls (once each)."""

    def __init__(self, db: Any, before: dict[str, Any]) -> None:
        self._db, self._before = db, dict(before)

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._db, name)
        if name not in self._before:
            return call

        def interleaved(*args: Any, **kwargs: Any) -> Any:
            self._before.pop(name)()
            return call(*args, **kwargs)

        return interleaved


def test_a_create_racing_the_recount_wins_and_nothing_is_lost(aws: dict[str, Any]) -> None:
    plain = DynamoRecords(aws["dynamodb"], TABLE)
    lost, racing = pending(size=300), pending(size=50, at_ms=NOW * 1000 + 5)
    plain.create(lost, QUOTA)
    forget(plain, lost.owner, lost.id)
    racer = DynamoRecords(
        Interleaved(aws["dynamodb"], {"update_item": lambda: plain.create(racing, QUOTA)}), TABLE
    )
    # The recount read 300 against records of 0; the create moved the counter after: it must not write 0.
    assert racer.recount("owner-a") is None
    assert plain.usage("owner-a") == Usage(350, 2)
    assert plain.recount("owner-a") == Usage(50, 1)


def test_a_create_and_reject_that_leave_the_counter_as_read_still_stop_the_recount(
    aws: dict[str, Any],
) -> None:
    plain = DynamoRecords(aws["dynamodb"], TABLE)
    lost, brief = pending(size=300), pending(size=100, at_ms=NOW * 1000 + 5)
    plain.create(lost, QUOTA)
    forget(plain, lost.owner, lost.id)
    # Created after the counter is read (so the records' Query sees it), rejected before the write:
    # the counter's value is back to what was read, but the sum read counted the rejected file.
    before = {
        "get_paginator": lambda: plain.create(brief, QUOTA),
        "update_item": lambda: plain.reject(brief, "mismatch", NOW),
    }
    racer = DynamoRecords(Interleaved(aws["dynamodb"], before), TABLE)
    assert racer.recount("owner-a") is None
    assert plain.usage("owner-a") == Usage(300, 1)
    assert plain.recount("owner-a") == Usage(0, 0)
