""" "Shared with me", kept per user: the interface, and an in-memory fake.

``GET /shared`` reads one user's entries newest first instead of one index
Query per source (the user and each of their groups, up to 101), so a page
costs the same few calls whatever the user's groups. An entry says "this file
reached this user through this grant" (one per user, file and source); it is
a pointer, never a permission: the listing verifies each one against the base
table (the grant still live, the membership still live, the file not being
deleted) and drops stale ones; it shows the file from the entry's card of it.
A user grant writes its entry in the grant's own transaction; a group grant
writes one per member, and a new member gets one per grant of the group, each
under a ``Job`` queued first, so a fan-out cut short is finished by the sweep.
A store may also keep, beside a user's entries, the ids of their groups (written
by every membership change, in its own transaction), so that a first page is one
read (``first_page``). ``dynamo_inbox.DynamoInbox`` is the real store.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from chalicelib.cursor import position
from chalicelib.model import FileRecord, from_card
from chalicelib.sharing_model import Grant

# Where an entry sorts: the grant's position, then its source (U#<sub> or G#<group id>).
PLACE_RE = re.compile(r"^\d{13}#[0-9A-Z]{36}#[UG]#[0-9A-Za-z-]{1,64}$")
GRANT_JOB = "GRANT"
MEMBER_JOB = "MEMBER"


@dataclass(frozen=True)
class Entry:
    """``user`` can reach ``file_id`` (owned by ``owner``, so named then) through the grant to ``source``.

    ``file``: the grant's copy of the ready record (``Grant.file``), None in entries
    written without one: the listing then reads the record.
    """

    user: str
    file_id: str
    owner: str
    owner_name: str
    source: str
    created_ms: int
    file: FileRecord | None = None

    @property
    def position(self) -> str:
        """The grant's position (what ``Grant.position`` says for the same grant)."""
        return position(self.created_ms, self.file_id)

    @property
    def place(self) -> str:
        """Where the entry sorts in its user's list (unique per user); also the cursor."""
        return f"{self.position}#{self.source}"


def entry(grant: Grant, user: str) -> Entry:
    """The entry ``grant`` gives ``user`` (the grantee, or a member of the grantee group)."""
    return Entry(
        user, grant.file_id, grant.owner, grant.owner_name, grant.grantee.key, grant.created_ms, grant.file
    )


def from_place(user: str, owner: str, owner_name: str, place: str, card: str | None = None) -> Entry:
    """The entry stored at ``place`` (its key holds everything but the owner and the card).

    A ``card`` (``model.card``) that does not parse is left out: the listing reads the record.
    """
    at_ms, file_id, kind, source_id = place.split("#", 3)
    file = from_card(owner, file_id, card)
    return Entry(user, file_id, owner, owner_name, f"{kind}#{source_id}", int(at_ms), file)


@dataclass(frozen=True)
class Job:
    """A fan-out to finish: a group grant to copy to members, or a group's grants to a new member."""

    kind: str  # GRANT_JOB (subject: the file id) or MEMBER_JOB (subject: the user)
    group_id: str
    subject: str

    @property
    def key(self) -> str:
        """Unique per fan-out; repeating the same one is harmless."""
        return f"{self.kind}#{self.group_id}#{self.subject}"


@dataclass(frozen=True)
class FirstPage:
    """A user's newest entries, with the ids of their groups if the store keeps them."""

    entries: list[Entry]
    group_ids: set[str] | None  # None: not kept (complete) here for this user: ask the groups store
    groups_version: int | None = None  # of the kept ids as read (None: nothing kept), for keep_group_ids


def job_from_key(key: str) -> Job:
    """The job stored under ``key``."""
    kind, group_id, subject = key.split("#", 2)
    return Job(kind, group_id, subject)


class Inbox(Protocol):
    """Where users' "shared with me" entries and the pending fan-outs live."""

    def page(self, user: str, before: str | None, count: int) -> list[Entry]:
        """Up to ``count`` of the user's entries, newest first, placed before ``before``."""

    def first_page(self, user: str, count: int) -> FirstPage:
        """``page(user, None, count)``, and the user's group ids from the same consistent read."""

    def keep_group_ids(self, user: str, group_ids: set[str], version: int | None) -> None:
        """Keep ``group_ids`` (read from the memberships) as the user's complete ids, unless a
        membership changed since ``first_page`` read ``version``; a failure only costs speed."""

    def put(self, entries: Iterable[Entry]) -> None:
        """Store entries (repeating one is harmless)."""

    def remove(self, entries: Iterable[Entry]) -> None:
        """Remove entries (absent ones are fine)."""

    def begin(self, job: Job) -> None:
        """Queue a fan-out before starting it."""

    def finish(self, job: Job) -> None:
        """Drop a finished fan-out from the queue."""

    def pending(self) -> list[Job]:
        """Fan-outs queued and not finished."""


class InMemoryInbox:
    """A faithful in-process Inbox, for tests."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Entry]] = {}
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def page(self, user: str, before: str | None, count: int) -> list[Entry]:
        mine = self._entries.get(user, {})
        places = sorted((p for p in mine if before is None or p < before), reverse=True)
        return [mine[p] for p in places[:count]]

    def first_page(self, user: str, count: int) -> FirstPage:
        return FirstPage(self.page(user, None, count), None)  # groups are the groups store's alone

    def keep_group_ids(self, user: str, group_ids: set[str], version: int | None) -> None:
        return None  # the groups store's memberships are the only copy here

    def put(self, entries: Iterable[Entry]) -> None:
        with self._lock:
            for e in entries:
                self._entries.setdefault(e.user, {})[e.place] = e

    def remove(self, entries: Iterable[Entry]) -> None:
        with self._lock:
            for e in entries:
                self._entries.get(e.user, {}).pop(e.place, None)

    def begin(self, job: Job) -> None:
        self._jobs[job.key] = job

    def finish(self, job: Job) -> None:
        self._jobs.pop(job.key, None)

    def pending(self) -> list[Job]:
        return [self._jobs[k] for k in sorted(self._jobs)]
