""" "Shared with me" (``GET /shared``): the caller's entries, each verified against the base table.

An entry (``inbox``) only says where to look. A first page is one consistent
Query of the caller's ``INBOX#`` partition: the item of their group ids (kept by
every membership change's transaction) and then their entries, newest first
(up to limit + 1: one more tells whether a next page exists). A later page reads
the entries after its cursor beside one consistent Query of the caller's
memberships (as does a first page whose inbox holds no group ids yet). Each entry
carries its file's card (``model.card``: a ready file's fields never change), so
one projected ``reads.fetch`` verifies the page: the files' grant summaries (only
the caller's grantees' two times, and the mark a delete's first step sets) and the
names of the page's groups. So a page is two calls whatever the caller's groups
(100 at most) and the groups' sizes. An entry without a card (written before
cards) has its record read whole in the same fetch.

An entry shows only if its grant is the file's newest live grant to the caller
or one of their groups (so a file shows once, at its newest grant), its group
(if any) is live, and the file is ready: a live grant on a file not marked
deleting is one (grants are made on ready files only, and a ready file leaves
ready only by a delete, whose first step marks the summary). Stale entries (a
revoked grant, a membership or group gone, a deleted file) are dropped; when
that leaves the page short it reads on, for at most ``LIST_ROUNDS`` rounds, and
may then end short with a cursor (as it may when every entry after the page is
stale), so a page never costs more than a few calls whatever the caller's
groups and history.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib import cursor
from chalicelib.grants import Grants, GrantTime
from chalicelib.groups import Groups
from chalicelib.inbox import PLACE_RE, Entry, Inbox
from chalicelib.model import READY, FileRecord
from chalicelib.reads import fetch
from chalicelib.records import Records
from chalicelib.sharing_model import GROUP, USER
from chalicelib.validation import ListQuery

LISTING = "shared"
LIST_ROUNDS = 3
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="shared")


def _valid_place(value: str) -> bool:
    return bool(PLACE_RE.match(value))


def _newest(times: dict[str, GrantTime], now: float) -> tuple[int, str] | None:
    """(created ms, grantee key) of the newest live grant among ``times``."""
    live = [(t.created_ms, grantee) for grantee, t in times.items() if t.live(now)]
    return max(live) if live else None


def _shown(record: FileRecord, entry: Entry, group_name: str | None) -> dict[str, Any]:
    """The File object of a shared file, as ``access.Access`` shows it, with ``sharedVia``."""
    via = {"type": GROUP, "name": group_name} if group_name is not None else {"type": USER}
    owner = {"id": entry.owner, "name": entry.owner_name}
    return {**record.to_api(), "owner": owner, "access": "shared", "sharedVia": via}


class SharedWithMe:
    """The ``GET /shared`` listing."""

    def __init__(
        self,
        records: Records,
        grants: Grants,
        groups: Groups,
        inbox: Inbox,
        cursor_key: bytes,
        clock: Callable[[], float],
    ) -> None:
        self._records = records
        self._grants = grants
        self._groups = groups
        self._inbox = inbox
        self._key = cursor_key
        self._clock = clock

    def page(self, caller: str, query: ListQuery) -> dict[str, Any]:
        """One page, newest grant first, each file once; ``nextCursor`` resumes after it.

        Raises:
            BadRequestError: the cursor is tampered with, someone else's or another list's.
        """
        before = None
        if query.cursor:
            before = cursor.decode_position(self._key, caller, LISTING, query.cursor, _valid_place)
        entries, mine = self._start(caller, before, query.limit + 1)  # one more tells if more exist
        shown: list[tuple[Entry, dict[str, Any]]] = []
        need, more = query.limit, False
        for round_ in range(LIST_ROUNDS):
            if round_:
                entries = self._inbox.page(caller, before, need + 1)
            batch, more = entries[:need], len(entries) > need
            shown += self._verified(caller, batch, mine)
            before = batch[-1].place if batch else before
            need = query.limit - len(shown)
            if not more or need <= 0:
                break
        next_cursor = cursor.encode_position(self._key, caller, LISTING, before) if more and before else None
        return {"items": [item for _, item in shown], "nextCursor": next_cursor}

    def _start(self, caller: str, before: str | None, count: int) -> tuple[list[Entry], set[str]]:
        """The first entries to verify, and the caller's grantee keys (``U#`` and each ``G#``).

        A first page reads both in one consistent Query where the inbox keeps the group ids;
        otherwise (and on later pages) the ids come from a Query of the memberships beside it.
        """
        if before is None:
            first = self._inbox.first_page(caller, count)
            entries, ids = first.entries, first.group_ids
            if ids is None:  # not kept, or not known complete: the memberships decide, and are kept
                ids = self._groups.group_ids(caller)
                self._inbox.keep_group_ids(caller, ids, first.groups_version)
        else:
            ids_read = _POOL.submit(self._groups.group_ids, caller)
            entries = self._inbox.page(caller, before, count)
            ids = ids_read.result()
        return entries, {f"U#{caller}"} | {f"G#{g}" for g in ids}

    def _verified(
        self, caller: str, entries: list[Entry], mine: set[str]
    ) -> list[tuple[Entry, dict[str, Any]]]:
        """The entries that still stand, with the file object each shows."""
        entries = [e for e in entries if e.source in mine and e.owner != caller]
        if not entries:
            return []
        # Every key is known from the entries: one fetch of the summaries and groups, projected
        # (and the records, whole, of entries written without a card).
        records = {
            (e.owner, e.file_id): self._records.read_record(e.owner, e.file_id)
            for e in entries
            if e.file is None
        }
        times_read = self._grants.read_grant_times({e.file_id for e in entries}, mine)
        names_read = self._groups.read_names({e.source[2:] for e in entries if e.source.startswith("G#")})
        found = fetch(*records.values(), times_read, names_read)
        times, names, now = found[times_read], found[names_read], self._clock()
        shown = []
        for e in entries:
            # Shown once, at the file's newest live grant to the caller; older ones are skipped.
            if _newest(times.get(e.file_id, {}), now) != (e.created_ms, e.source):
                continue
            group = names.get(e.source[2:]) if e.source.startswith("G#") else None
            if e.source.startswith("G#") and group is None:
                continue  # the group was deleted; its purge has not reached this membership yet
            # A live grant on a file not marked deleting means the file is ready, as its card says.
            record = e.file if e.file is not None else found[records[(e.owner, e.file_id)]]
            if record is not None and record.status == READY:
                shown.append((e, _shown(record, e, group)))
        return shown
