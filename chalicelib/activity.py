"""The activity trail: the store interface, an in-memory fake, and the merge of sharded pages.

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
from typing import Protocol

from chalicelib.sharing_model import Event

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


class Activity(Protocol):
    """Where activity events live."""

    def record(self, event: Event) -> None:
        """Append one event."""

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

    def _select(self, events: Iterable[Event], before: str | None, count: int) -> list[Event]:
        chosen = [e for e in events if before is None or e.position < before]
        return sorted(chosen, key=lambda e: e.position, reverse=True)[:count]

    def for_file(self, file_id: str, before: str | None, count: int) -> list[Event]:
        return self._select((e for e in self._events if e.file_id == file_id), before, count)

    def for_owner(self, owner: str, before: str | None, count: int) -> list[Event]:
        return self._select((e for e in self._events if e.owner == owner), before, count)
