"""Sharing use cases: grant a file to a user or group, list and revoke grants, "shared with me".

Grantees are named by Cognito username or group name; what is stored is the
user's ``sub`` or the group's id. Access itself is decided in ``access``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib import cursor, metrics
from chalicelib.access import CHANGE, READ, Access, AccessControl, via
from chalicelib.errors import BadRequestError, ConflictError, NotFoundError
from chalicelib.grants import Grants, TooManyGrants
from chalicelib.groups import Groups
from chalicelib.model import READY, new_file_id
from chalicelib.records import Records
from chalicelib.sharing_model import GROUP, POSITION_RE, USER, Grant, Grantee
from chalicelib.trail import Trail, user_actor
from chalicelib.users import Directory
from chalicelib.validation import ListQuery

MAX_GRANT_SECONDS = 366 * 24 * 3600
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="shared")
SHARED = "shared"


def _valid_position(value: str) -> bool:
    return bool(POSITION_RE.match(value))


class Sharing:
    """Grants and the "shared with me" list."""

    def __init__(
        self,
        records: Records,
        grants: Grants,
        groups: Groups,
        directory: Directory,
        access: AccessControl,
        trail: Trail,
        cursor_key: bytes,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._records = records
        self._grants = grants
        self._groups = groups
        self._directory = directory
        self._access = access
        self._trail = trail
        self._key = cursor_key
        self._clock = clock

    def _owned(self, caller: str, file_id: str) -> Access:
        return self._access.check(caller, file_id, CHANGE)

    def grant(
        self, caller: str, caller_name: str, file_id: str, to: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Grant the file to a user or group; (grant, created?).

        Raises:
            NotFoundError: unknown file, user or group. BadRequestError: granting to yourself.
            ConflictError: the file is not ready, or has 100 grants.
        """
        record = self._owned(caller, file_id).record
        now_ms = int(self._clock() * 1000)
        expires = to.get("expiresAt")
        if expires is not None and expires > now_ms // 1000 + MAX_GRANT_SECONDS:
            raise BadRequestError("expiresAt must be at most one year ahead")
        if record.status != READY:
            raise ConflictError(f"file is {record.status}, only ready files can be shared")
        grantee = self._grantee(caller, to)
        # Named the way grantees are (with email usernames, the token's username is an opaque id).
        me = self._directory.find(caller_name)
        owner_name = me.name if me is not None and me.id == caller else caller_name
        new = Grant(new_file_id(now_ms), file_id, caller, owner_name, grantee, now_ms, expires)
        try:
            stored, created = self._grants.put(new)
        except TooManyGrants:
            # Expired grants are missing grants: they must not hold the file's slots.
            expired = [g for g in self._grants.for_file(file_id) if not g.live(now_ms // 1000)]
            for old in expired:
                self._grants.remove(file_id, old.id)
            if not expired:
                raise ConflictError("a file can have at most 100 grants") from None
            stored, created = self._grants.put(new)
        detail = {"grantee": stored.to_api()["grantee"]}
        if created:
            metrics.count(metrics.GRANTS)
            self._trail.add_committed(file_id, caller, "grant_added", user_actor(caller), detail)
        return {"grant": stored.to_api()}, created

    def _grantee(self, caller: str, to: dict[str, Any]) -> Grantee:
        if "user" in to:
            user = self._directory.find(to["user"])
            if user is None:
                raise NotFoundError("user not found")
            if user.id == caller:
                raise BadRequestError("you cannot grant a file to yourself")
            return Grantee(USER, user.id, user.name)
        group = self._groups.by_name(to["group"])
        if group is None:
            raise NotFoundError("group not found")
        return Grantee(GROUP, group.id, group.name)

    def list_grants(self, caller: str, file_id: str) -> dict[str, Any]:
        """The file's grants (expired ones included, with their expiry)."""
        self._owned(caller, file_id)
        return {"items": [g.to_api() for g in self._grants.for_file(file_id)]}

    def revoke(self, caller: str, file_id: str, grant_id: str) -> None:
        """Revoke one grant; the next request of its grantee is refused.

        Raises:
            NotFoundError: no such grant on this file.
        """
        self._owned(caller, file_id)
        removed = self._grants.remove(file_id, grant_id)
        if removed is None:
            raise NotFoundError("grant not found")
        grantee = removed.to_api()["grantee"]
        self._trail.add_committed(file_id, caller, "grant_removed", user_actor(caller), {"grantee": grantee})

    def shared(self, caller: str, query: ListQuery) -> dict[str, Any]:
        """Files others shared with the caller, newest grant first, each once.

        Reads: the caller's memberships (one Query plus one batch of group
        records), one index Query per grantee (the caller and each group, at
        most 101, eight at a time), one batch of grant summaries and one of
        file records: bounded, whatever the caller's history.
        """
        before = None
        if query.cursor:
            before = cursor.decode_position(self._key, caller, SHARED, query.cursor, _valid_position)
        memberships = self._groups.memberships(caller)
        sources = [f"U#{caller}"] + [f"G#{m.group_id}" for m in memberships]
        # One index Query per source, side by side: the page waits for the slowest, not the sum.
        pages = _POOL.map(lambda key: self._grants.by_grantee(key, before, query.limit + 1), sources)
        found = [g for page in pages for g in page]
        found.sort(key=lambda g: (g.position, g.grantee.key), reverse=True)
        window, more = found[: query.limit], len(found) > query.limit
        mine = set(sources)
        now = self._clock()
        # The records' keys are known from the index already: read them alongside the summaries.
        records_read = _POOL.submit(self._records.get_many, list({(g.owner, g.file_id) for g in window}))
        summaries = self._grants.for_files({g.file_id for g in window})
        newest: dict[str, Grant] = {}
        for file_id, grants in summaries.items():
            live = [g for g in grants if g.grantee.key in mine and g.live(now) and g.owner != caller]
            if live:
                newest[file_id] = max(live, key=lambda g: g.position)
        # Show a file once, at its newest live grant; other grants of it are skipped.
        chosen = [g for g in window if g.file_id in newest and newest[g.file_id].id == g.id]
        records = records_read.result()
        items = []
        for grant in chosen:
            record = records.get((grant.owner, grant.file_id))
            if record is not None and record.status == READY:
                items.append({**Access(record, grant).to_api(), "sharedVia": via(grant)})
        next_cursor = None
        if more:
            next_cursor = cursor.encode_position(self._key, caller, SHARED, window[-1].position)
        return {"items": items, "nextCursor": next_cursor}

    def check_read(self, caller: str, file_id: str) -> Access:
        """Access for reading (what ``GET /files/{id}`` and download use)."""
        return self._access.check(caller, file_id, READ)
