"""Grants: the interface, and an in-memory fake.

A file's grants are read together (``for_file``, a consistent read: what
authorisation uses); ``by_grantee`` lists one grantee's grants newest first
(an index, eventually consistent: only ``GET /shared`` and cleanups use it).
A user grant's "shared with me" entry (``inbox``) comes and goes with the grant,
atomically. A delete's first step marks the file (``write_deleting``, in the
record's transaction): from then on ``grant_times`` finds no grant of it, and
``put`` refuses one, even after ``remove_all``.
``dynamo_grants.DynamoGrants`` is the real store; one contract suite runs both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from chalicelib import writes
from chalicelib.inbox import InMemoryInbox, entry
from chalicelib.reads import Read, in_memory
from chalicelib.sharing_model import USER, Grant
from chalicelib.writes import Write

MAX_GRANTS_PER_FILE = 100


@dataclass(frozen=True)
class GrantTime:
    """When a grant was made (its position) and when it ends (None: until revoked)."""

    created_ms: int
    expires_at: int | None

    def live(self, now: float) -> bool:
        """An expired grant is a missing grant."""
        return self.expires_at is None or self.expires_at > now


class TooManyGrants(Exception):
    """The file already has the most grants it may have."""


class FileDeleting(Exception):
    """The file is being deleted, or was: it takes no new grant."""


class Grants(Protocol):
    """Where grants live."""

    def put(self, grant: Grant) -> tuple[Grant, bool]:
        """Grant, or update the expiry of the same grantee's grant; (stored grant, created?).

        Raises:
            TooManyGrants: the file has 100. FileDeleting: ``write_deleting`` marked the file.
        """

    def for_file(self, file_id: str) -> list[Grant]:
        """Every grant of the file (expired ones too), from a consistent read."""

    def read_for_file(self, file_id: str) -> Read[list[Grant]]:
        """``for_file`` as a Read, to fetch with other stores' reads in one round trip."""

    def for_files(self, file_ids: Iterable[str]) -> dict[str, list[Grant]]:
        """``for_file`` for several files in one round trip (at most 100)."""

    def grant_times(
        self, file_ids: Iterable[str], grantees: Iterable[str]
    ) -> dict[str, dict[str, GrantTime]]:
        """Per file, when each of ``grantees``' grants (``U#``/``G#`` keys) was made and ends.

        A consistent read of the same summaries as ``for_files``, in one round trip
        for up to 100 files, holding only what ``GET /shared`` checks its entries by.
        """

    def read_grant_times(
        self, file_ids: Iterable[str], grantees: Iterable[str]
    ) -> Read[dict[str, dict[str, GrantTime]]]:
        """``grant_times`` as a Read (projected to those times), to fetch with other stores' reads."""

    def write_deleting(self, file_id: str) -> Write:
        """The Write that marks the file as going away, for its record's ``begin_delete``: from
        then on ``grant_times`` finds no grant of it and ``put`` refuses (``for_file`` still
        finds them all, for ``remove_all``; the mark outlives them)."""

    def remove(self, file_id: str, grant_id: str) -> Grant | None:
        """Revoke one grant; the removed grant, or None if there was none."""

    def remove_all(self, file_id: str) -> None:
        """Revoke every grant of a file, leaving it marked as ``write_deleting`` does (safe to repeat)."""

    def by_grantee(self, grantee_key: str, before: str | None, count: int) -> list[Grant]:
        """Up to ``count`` of the grantee's grants, newest first, positioned before ``before``."""


class InMemoryGrants:
    """A faithful in-process Grants, for tests; user grants keep their entries in ``inbox``."""

    def __init__(self, inbox: InMemoryInbox | None = None) -> None:
        self._files: dict[str, dict[str, Grant]] = {}
        self._deleting: set[str] = set()
        self._lock = threading.Lock()
        self._inbox = inbox or InMemoryInbox()

    def use_inbox(self, inbox: InMemoryInbox) -> None:
        """Keep user grants' entries in ``inbox`` (the one the stores bundle shares)."""
        self._inbox = inbox

    def _entries(self, grants: Iterable[Grant], keep: bool) -> None:
        found = [entry(g, g.grantee.id) for g in grants if g.grantee.type == USER]
        if keep:
            self._inbox.put(found)
        else:
            self._inbox.remove(found)

    def put(self, grant: Grant) -> tuple[Grant, bool]:
        with self._lock:
            if grant.file_id in self._deleting:
                raise FileDeleting
            grants = self._files.setdefault(grant.file_id, {})
            existing = grants.get(grant.grantee.key)
            if existing is not None:
                updated = replace(existing, expires_at=grant.expires_at, file=grant.file)
                grants[grant.grantee.key] = updated
                self._entries([updated], keep=True)
                return updated, False
            if len(grants) >= MAX_GRANTS_PER_FILE:
                raise TooManyGrants
            grants[grant.grantee.key] = grant
            self._entries([grant], keep=True)
            return grant, True

    def for_file(self, file_id: str) -> list[Grant]:
        return sorted(self._files.get(file_id, {}).values(), key=lambda g: g.position, reverse=True)

    def read_for_file(self, file_id: str) -> Read[list[Grant]]:
        return in_memory(lambda: self.for_file(file_id))

    def for_files(self, file_ids: Iterable[str]) -> dict[str, list[Grant]]:
        return {file_id: self.for_file(file_id) for file_id in set(file_ids)}

    def grant_times(
        self, file_ids: Iterable[str], grantees: Iterable[str]
    ) -> dict[str, dict[str, GrantTime]]:
        wanted = set(grantees)
        return {
            file_id: {
                g.grantee.key: GrantTime(g.created_ms, g.expires_at)
                for g in self.for_file(file_id)
                if g.grantee.key in wanted and file_id not in self._deleting
            }
            for file_id in set(file_ids)
        }

    def read_grant_times(
        self, file_ids: Iterable[str], grantees: Iterable[str]
    ) -> Read[dict[str, dict[str, GrantTime]]]:
        ids, wanted = set(file_ids), set(grantees)
        return in_memory(lambda: self.grant_times(ids, wanted))

    def write_deleting(self, file_id: str) -> Write:
        return writes.in_memory(lambda: self._deleting.add(file_id))

    def remove(self, file_id: str, grant_id: str) -> Grant | None:
        with self._lock:
            grants = self._files.get(file_id, {})
            for key, grant in list(grants.items()):
                if grant.id == grant_id:
                    del grants[key]
                    self._entries([grant], keep=False)
                    return grant
        return None

    def remove_all(self, file_id: str) -> None:
        with self._lock:
            self._entries(self._files.pop(file_id, {}).values(), keep=False)
            self._deleting.add(file_id)

    def by_grantee(self, grantee_key: str, before: str | None, count: int) -> list[Grant]:
        found = [
            g
            for grants in self._files.values()
            for g in grants.values()
            if g.grantee.key == grantee_key and (before is None or g.position < before)
        ]
        return sorted(found, key=lambda g: g.position, reverse=True)[:count]
