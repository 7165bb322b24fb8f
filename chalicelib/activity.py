"""The activity trail: its events, the store interface, an in-memory fake, the merge of sharded pages.

Events are written to one of ``SHARDS`` keys per file (and per owner, in an
index), chosen at random, so a burst of downloads of one file spreads its
writes; a page reads every shard newest first and merges them: ``SHARDS``
Queries a page, whatever the history. ``dynamo_activity.DynamoActivity`` is the
real store; one contract suite runs both.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from chalicelib import writes
from chalicelib.cursor import position
from chalicelib.model import iso
from chalicelib.writes import Write

SHARDS = 4
KEEP_SECONDS = 400 * 24 * 3600
TYPES = (
    "created",
    "uploaded",
    "rejected",
    "download_issued",
    "grant_added",
    "grant_removed",
    "link_created",
    "link_used",
    "link_removed",
    "deleted",
)


class Event(NamedTuple):
    """One entry of a file's activity trail; never holds URLs or tokens."""

    id: str
    at_ms: int
    file_id: str
    owner: str
    type: str
    actor: dict[str, str]
    detail: dict[str, Any]

    @property
    def position(self) -> str:
        """Where this event sorts (newest first)."""
        return position(self.at_ms, self.id)

    def to_api(self) -> dict[str, Any]:
        """An activity item of the HTTP contract."""
        return {
            "at": iso(self.at_ms // 1000),
            "fileId": self.file_id,
            "type": self.type,
            "actor": dict(self.actor),
            "detail": dict(self.detail),
        }


class Activity(Protocol):
    """Where activity events live."""

    def record(self, event: Event) -> None:
        """Append one event."""

    def write(self, event: Event) -> Write:
        """Append one event as part of another store's transaction (``writes``)."""

    def for_file(self, file_id: str, before: str | None, count: int) -> list[Event]:
        """Up to ``count`` of the file's events, newest first, positioned before ``before``."""

    def for_owner(self, owner: str, before: str | None, count: int) -> list[Event]:
        """Up to ``count`` events across the owner's files (deleted ones too), newest first."""


def merge(shards: Iterable[list[Event]], count: int) -> list[Event]:
    """The newest ``count`` events of several newest-first lists."""
    merged = heapq.merge(*shards, key=lambda e: e.position, reverse=True)
    return [event for _, event in zip(range(count), merged, strict=False)]


class InMemoryActivity:
    """A faithful in-process Activity, for tests."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def record(self, event: Event) -> None:
        with self._lock:
            self._events.append(event)

    def write(self, event: Event) -> Write:
        return writes.in_memory(lambda: self.record(event))

    def _select(self, events: Iterable[Event], before: str | None, count: int) -> list[Event]:
        chosen = [e for e in events if before is None or e.position < before]
        return sorted(chosen, key=lambda e: e.position, reverse=True)[:count]

    def for_file(self, file_id: str, before: str | None, count: int) -> list[Event]:
        return self._select((e for e in self._events if e.file_id == file_id), before, count)

    def for_owner(self, owner: str, before: str | None, count: int) -> list[Event]:
        return self._select((e for e in self._events if e.owner == owner), before, count)
