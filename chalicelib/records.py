"""Ownership records and per-user quota: the interface, and an in-memory fake.

Every transition that changes what counts against the quota moves the quota in
the same atomic step, so no failure can leave the two disagreeing.
``dynamo_records.DynamoRecords`` is the real store; ``InMemoryRecords`` is the
fake used by service tests. One contract test suite runs against both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import NamedTuple, Protocol

from chalicelib import writes
from chalicelib.model import DELETING, PENDING, READY, REJECTED, FileRecord
from chalicelib.reads import Read, in_memory
from chalicelib.writes import Write

# How long a delete may stay half-done before the sweep finishes it.
DELETE_GRACE = 300


class QuotaExceeded(Exception):
    """Reserving this file would push its owner past the quota."""


class Quota(NamedTuple):
    """The limits one user's files must stay within."""

    max_bytes: int
    max_files: int


class Usage(NamedTuple):
    """What one user's counted files take up."""

    bytes: int = 0
    files: int = 0


class Records(Protocol):
    """Where file records and quota usage live."""

    def create(self, record: FileRecord, quota: Quota, also: Sequence[Write] = ()) -> None:
        """Store a new pending record and reserve its quota, atomically with ``also`` (QuotaExceeded)."""

    def get(self, owner: str, file_id: str) -> FileRecord | None:
        """The record, whatever its status, or None."""

    def read_record(self, owner: str, file_id: str) -> Read[FileRecord | None]:
        """``get`` as a Read, to fetch with other stores' reads in one round trip (consistent)."""

    def mark_ready(self, record: FileRecord, now: int) -> bool:
        """pending -> ready; False when the record was not pending any more."""

    def reject(self, record: FileRecord, reason: str, now: int) -> bool:
        """pending -> rejected, giving its quota back; False when not pending any more."""

    def begin_delete(self, record: FileRecord, now: int, also: Sequence[Write] = ()) -> bool:
        """Any visible status -> deleting, giving back its quota, atomically with ``also``;
        False on a lost race (and then ``also`` did not happen either)."""

    def finish_delete(self, record: FileRecord) -> None:
        """Remove a deleting record."""

    def set_upload_id(self, record: FileRecord, upload_id: str) -> bool:
        """Record a pending file's multipart upload id, once; False if set already or not pending."""

    def reclaim(self, record: FileRecord, now: int) -> bool:
        """Remove an expired pending record and give its quota back; False if no longer so."""

    def page(
        self, owner: str, after_id: str | None, count: int, status: str | None = None
    ) -> tuple[list[FileRecord], str | None]:
        """Read up to ``count`` records newest first after ``after_id``: one database call.

        Returns the records read that have ``status`` (all of them when None) and the
        id reading stopped at, to resume after (None when nothing follows). The
        filter does not change how many records are read, so a page's cost is bounded.
        """

    def due(self, now: int, owner: str | None = None) -> Iterator[tuple[str, str]]:
        """(owner, id) of records the sweep must look at: expired uploads, stuck deletes."""

    def usage(self, owner: str) -> Usage:
        """The owner's current quota usage."""

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], FileRecord]:
        """Records by (owner, id), in one round trip for up to 100 (consistent reads)."""

    def recount(self, owner: str) -> Usage | None:
        """Set the owner's usage to what their counted records add up to, unless a change races it.

        Repairs drift nothing in Locker causes (DynamoDB's TTL removing a record).
        Returns the new usage, or None when it was right already or changed meanwhile.
        """


def sweep_at(record: FileRecord) -> int | None:
    """When the sweep must look at a record (None: never)."""
    if record.status == PENDING:
        return record.expires_at
    if record.status == DELETING:
        return record.updated_at + DELETE_GRACE
    return None


class InMemoryRecords:
    """A faithful in-process Records, for tests of the service layer."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], FileRecord] = {}
        self._usage: dict[str, Usage] = {}
        self._lock = threading.Lock()

    def _charge(self, owner: str, size: int, files: int) -> None:
        used = self._usage.get(owner, Usage())
        self._usage[owner] = Usage(used.bytes + size, used.files + files)

    def _swap(self, record: FileRecord, expected: tuple[str, ...], new: FileRecord | None) -> bool:
        key = (record.owner, record.id)
        with self._lock:
            current = self._items.get(key)
            if current is None or current.status not in expected:
                return False
            if current.counted and (new is None or not new.counted):
                self._charge(record.owner, -current.size, -1)
            if new is None:
                del self._items[key]
            else:
                self._items[key] = new
            return True

    def create(self, record: FileRecord, quota: Quota, also: Sequence[Write] = ()) -> None:
        writes.refuse_actions(also)
        with self._lock:
            used = self._usage.get(record.owner, Usage())
            if used.bytes + record.size > quota.max_bytes or used.files + 1 > quota.max_files:
                raise QuotaExceeded
            if (record.owner, record.id) in self._items:
                raise ValueError("duplicate file id")
            self._items[(record.owner, record.id)] = record
            self._charge(record.owner, record.size, 1)
        writes.applied(also)

    def get(self, owner: str, file_id: str) -> FileRecord | None:
        return self._items.get((owner, file_id))

    def read_record(self, owner: str, file_id: str) -> Read[FileRecord | None]:
        return in_memory(lambda: self.get(owner, file_id))

    def mark_ready(self, record: FileRecord, now: int) -> bool:
        ready = record.evolve(status=READY, updated_at=now, expires_at=None)
        return self._swap(record, (PENDING,), ready)

    def reject(self, record: FileRecord, reason: str, now: int) -> bool:
        rejected = record.evolve(status=REJECTED, updated_at=now, expires_at=None, rejected_reason=reason)
        return self._swap(record, (PENDING,), rejected)

    def begin_delete(self, record: FileRecord, now: int, also: Sequence[Write] = ()) -> bool:
        writes.refuse_actions(also)
        deleting = record.evolve(status=DELETING, updated_at=now, expires_at=None)
        swapped = self._swap(record, (record.status,), deleting)
        if swapped:
            writes.applied(also)
        return swapped

    def finish_delete(self, record: FileRecord) -> None:
        self._swap(record, (DELETING,), None)

    def set_upload_id(self, record: FileRecord, upload_id: str) -> bool:
        with self._lock:
            current = self._items.get((record.owner, record.id))
            if current is None or current.status != PENDING or current.upload_id is not None:
                return False
            self._items[(record.owner, record.id)] = current.evolve(upload_id=upload_id)
            return True

    def reclaim(self, record: FileRecord, now: int) -> bool:
        current = self.get(record.owner, record.id)
        if current is None or not current.expired(now):
            return False
        return self._swap(record, (PENDING,), None)

    def page(
        self, owner: str, after_id: str | None, count: int, status: str | None = None
    ) -> tuple[list[FileRecord], str | None]:
        ids = sorted((i for o, i in self._items if o == owner), reverse=True)
        if after_id is not None:
            ids = [i for i in ids if i < after_id]
        read = [self._items[(owner, i)] for i in ids[:count]]
        matching = [r for r in read if status in (None, r.status)]
        return matching, read[-1].id if len(ids) > count else None

    def due(self, now: int, owner: str | None = None) -> Iterator[tuple[str, str]]:
        for (item_owner, file_id), record in list(self._items.items()):
            when = sweep_at(record)
            if (owner is None or owner == item_owner) and when is not None and when <= now:
                yield item_owner, file_id

    def usage(self, owner: str) -> Usage:
        return self._usage.get(owner, Usage())

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], FileRecord]:
        return {k: self._items[k] for k in keys if k in self._items}

    def recount(self, owner: str) -> Usage | None:
        with self._lock:
            counted = [r for (o, _), r in self._items.items() if o == owner and r.counted]
            usage = Usage(sum(r.size for r in counted), len(counted))
            if usage == self._usage.get(owner, Usage()):
                return None
            self._usage[owner] = usage
            return usage

    def forget(self, owner: str, file_id: str) -> None:
        """Drop a record without giving its quota back, as DynamoDB's TTL does (for tests)."""
        with self._lock:
            self._items.pop((owner, file_id), None)
