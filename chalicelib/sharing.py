"""Sharing use cases: grant a file to a user or group, list and revoke grants, "shared with me".

Grantees are named by Cognito username or group name; what is stored is the
user's ``sub`` or the group's id. Access itself is decided in ``access``; the
"shared with me" list is ``shared_with_me``'s, fed by the grants store (a user
grant's entry) and ``fanout`` (a group grant's, one per member).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib import failures, metrics
from chalicelib.access import Access, AccessControl
from chalicelib.errors import BadRequestError, ConflictError, NotFoundError
from chalicelib.fanout import FanOut, grant_job
from chalicelib.grants import FileDeleting, Grants, TooManyGrants
from chalicelib.groups import Groups
from chalicelib.inbox import Inbox
from chalicelib.model import CHANGE, DELETING, READ, READY, new_file_id
from chalicelib.records import Records
from chalicelib.shared_with_me import SharedWithMe
from chalicelib.sharing_model import GROUP, USER, Grant, Grantee
from chalicelib.trail import Trail, user_actor
from chalicelib.users import Directory
from chalicelib.validation import ListQuery

MAX_GRANT_SECONDS = 366 * 24 * 3600


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
        inbox: Inbox,
        fanout: FanOut,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._records = records
        self._grants = grants
        self._groups = groups
        self._directory = directory
        self._access = access
        self._trail = trail
        self._fanout = fanout
        self._clock = clock
        self._listing = SharedWithMe(records, grants, groups, inbox, cursor_key, clock)

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
        new = Grant(new_file_id(now_ms), file_id, caller, owner_name, grantee, now_ms, expires, record)
        job = grant_job(new) if grantee.type == GROUP else None
        if job is not None:
            self._fanout.begin(job)  # queued first: a fan-out cut short is finished by the sweep
        try:
            stored, created = self._put(new, now_ms // 1000)
        except ConflictError:
            if job is not None:
                self._fanout.finish(job)
            raise
        if job is not None:
            with failures.past_commit("a group grant's fan-out"):  # the job stays queued for the sweep
                self._fanout.granted(stored)  # rewritten on an expiry update too: that heals a lost one
                self._fanout.finish(job)
        detail = {"grantee": stored.to_api()["grantee"]}
        if created:
            metrics.count(metrics.GRANTS)
            self._trail.add_committed(file_id, caller, "grant_added", user_actor(caller), detail)
        return {"grant": stored.to_api()}, created

    def _put(self, new: Grant, now: int) -> tuple[Grant, bool]:
        try:
            return self._put_freeing(new, now)
        except FileDeleting:  # deleted since this request read it as ready
            raise ConflictError(f"file is {DELETING}, only ready files can be shared") from None

    def _put_freeing(self, new: Grant, now: int) -> tuple[Grant, bool]:
        try:
            return self._grants.put(new)
        except TooManyGrants:
            # Expired grants are missing grants: they must not hold the file's slots.
            expired = [g for g in self._grants.for_file(new.file_id) if not g.live(now)]
            for old in expired:
                self._remove(old.file_id, old.id)
            if not expired:
                raise ConflictError("a file can have at most 100 grants") from None
            return self._grants.put(new)

    def _remove(self, file_id: str, grant_id: str) -> Grant | None:
        removed = self._grants.remove(file_id, grant_id)
        if removed is not None:
            with failures.past_commit("a revoked grant's entries"):  # the listing drops stale ones
                self._fanout.revoked(removed)
        return removed

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
        removed = self._remove(file_id, grant_id)
        if removed is None:
            raise NotFoundError("grant not found")
        grantee = removed.to_api()["grantee"]
        self._trail.add_committed(file_id, caller, "grant_removed", user_actor(caller), {"grantee": grantee})

    def shared(self, caller: str, query: ListQuery) -> dict[str, Any]:
        """Files others shared with the caller, newest grant first, each once (``shared_with_me``)."""
        return self._listing.page(caller, query)

    def check_read(self, caller: str, file_id: str) -> Access:
        """Access for reading (what ``GET /files/{id}`` and download use)."""
        return self._access.check(caller, file_id, READ)
