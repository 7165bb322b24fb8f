""" "Shared with me" (``GET /shared``): the caller's entries, each verified against the base table.

An entry (``inbox``) only says where to look. A page is one Query of the
caller's entries (up to limit + 1, newest first) beside one Query of their
memberships, then one consistent batch of the files' grant summaries and one
of the records: every entry is checked there, and shown only if its grant is
the file's newest live grant to the caller or one of their live groups (so a
file shows once, at its newest grant), not the caller's own file, and the
record is ready. Stale entries (a revoked grant, a membership or group gone, a
deleted file) are dropped; when that leaves the page short it reads on, for at
most ``LIST_ROUNDS`` rounds, and may then end short with a cursor, so a page
never costs more than a few calls whatever the caller's groups and history.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib import cursor
from chalicelib.access import Access, via
from chalicelib.grants import Grants
from chalicelib.groups import Groups
from chalicelib.inbox import PLACE_RE, Entry, Inbox
from chalicelib.model import READY
from chalicelib.records import Records
from chalicelib.sharing_model import Grant
from chalicelib.validation import ListQuery

LISTING = "shared"
LIST_ROUNDS = 3
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="shared")


def _valid_place(value: str) -> bool:
    return bool(PLACE_RE.match(value))


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
        memberships = _POOL.submit(self._groups.memberships, caller)
        wanted = query.limit + 1  # one extra shown item tells whether a next page exists
        shown: list[tuple[Entry, dict[str, Any]]] = []
        mine: set[str] | None = None
        more = False
        for _ in range(LIST_ROUNDS):
            entries = self._inbox.page(caller, before, wanted)
            if mine is None:
                mine = {f"U#{caller}"} | {f"G#{m.group_id}" for m in memberships.result()}
            shown += self._verified(caller, entries, mine)
            more = len(entries) == wanted
            before = entries[-1].place if entries else before
            if not more or len(shown) >= wanted:
                break
        page = shown[: query.limit]
        resume = page[-1][0].place if len(shown) > query.limit else (before if more else None)
        next_cursor = cursor.encode_position(self._key, caller, LISTING, resume) if resume else None
        return {"items": [item for _, item in page], "nextCursor": next_cursor}

    def _verified(
        self, caller: str, entries: list[Entry], mine: set[str]
    ) -> list[tuple[Entry, dict[str, Any]]]:
        """The entries that still stand, with the file object each shows."""
        if not entries:
            return []
        # The records' keys are in the entries already: read them beside the grant summaries.
        records_read = _POOL.submit(self._records.get_many, list({(e.owner, e.file_id) for e in entries}))
        summaries = self._grants.for_files({e.file_id for e in entries})
        now = self._clock()
        newest: dict[str, Grant] = {}
        for file_id, grants in summaries.items():
            live = [g for g in grants if g.grantee.key in mine and g.live(now) and g.owner != caller]
            if live:
                newest[file_id] = max(live, key=lambda g: g.position)
        records = records_read.result()
        found = []
        for e in entries:
            grant = newest.get(e.file_id)
            if grant is None or (grant.grantee.key, grant.position, grant.owner) != (
                e.source,
                e.position,
                e.owner,
            ):
                continue  # stale, or the file shows at a newer grant of the caller's
            record = records.get((e.owner, e.file_id))
            if record is not None and record.status == READY:
                found.append((e, {**Access(record, grant).to_api(), "sharedVia": via(grant)}))
        return found
