""" "Shared with me" (``GET /shared``): the caller's entries, each verified against the base table.

An entry (``inbox``) only says where to look. A page is one Query of the
caller's entries (up to limit + 1, newest first) beside one Query of the ids
of their groups; then, side by side, consistent batches of the records, of
the files' grant summaries (only the caller's grantees' two times) and of the
page's groups. An entry shows only if its grant is the file's newest live
grant to the caller or one of their groups (so a file shows once, at its
newest grant), its group (if any) is live, and the record is ready. Stale
entries (a revoked grant, a membership or group gone, a deleted file) are
dropped; when that leaves the page short it reads on, for at most
``LIST_ROUNDS`` rounds, and may then end short with a cursor, so a page never
costs more than a few calls whatever the caller's groups and history.
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
        group_ids = _POOL.submit(self._groups.group_ids, caller)
        wanted = query.limit + 1  # one extra shown item tells whether a next page exists
        shown: list[tuple[Entry, dict[str, Any]]] = []
        mine: set[str] | None = None
        more = False
        for _ in range(LIST_ROUNDS):
            entries = self._inbox.page(caller, before, wanted)
            if mine is None:
                mine = {f"U#{caller}"} | {f"G#{g}" for g in group_ids.result()}
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
        entries = [e for e in entries if e.source in mine and e.owner != caller]
        if not entries:
            return []
        # Every key is known from the entries: the three reads go side by side.
        records_read = _POOL.submit(self._records.get_many, list({(e.owner, e.file_id) for e in entries}))
        groups = {e.source.removeprefix("G#") for e in entries if e.source.startswith("G#")}
        groups_read = _POOL.submit(self._groups.live, groups)
        times = self._grants.grant_times({e.file_id for e in entries}, mine)
        now = self._clock()
        records, live_groups = records_read.result(), groups_read.result()
        found = []
        for e in entries:
            # Shown once, at the file's newest live grant to the caller; older ones are skipped.
            if _newest(times.get(e.file_id, {}), now) != (e.created_ms, e.source):
                continue
            group = live_groups.get(e.source.removeprefix("G#")) if e.source.startswith("G#") else None
            if e.source.startswith("G#") and group is None:
                continue  # the group was deleted; its purge has not reached this membership yet
            record = records.get((e.owner, e.file_id))
            if record is not None and record.status == READY:
                found.append((e, _shown(record, e, group.name if group else None)))
        return found
