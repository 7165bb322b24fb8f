"""Group use cases: create, list, add and remove members, leave, delete.

A group's creator manages it and is its first member. A group the caller
neither manages nor belongs to is a 404; a member asking for a manager's
action, a 403. Deleting a group takes effect at once; its memberships and
grants are purged right after, and the sweep finishes any purge cut short.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from chalicelib import failures
from chalicelib.errors import ConflictError, ForbiddenError, NotFoundError, ServiceUnavailableError
from chalicelib.fanout import FanOut, member_job
from chalicelib.grants import Grants
from chalicelib.groups import GroupGone, Groups, NameTaken, TooManyGroups, TooManyMembers
from chalicelib.model import iso, new_file_id
from chalicelib.sharing_model import Group, Membership
from chalicelib.sharing_validation import valid_name
from chalicelib.users import Directory

log = logging.getLogger("locker.groups")
_PURGE_ROUNDS = 50
_USER_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _group_api(group: Group, caller: str) -> dict[str, Any]:
    return {
        "name": group.name,
        "role": "manager" if group.manager == caller else "member",
        "memberCount": group.member_count,
        "createdAt": iso(group.created_at),
    }


class GroupService:
    """Groups, as their managers and members use them."""

    def __init__(
        self,
        groups: Groups,
        grants: Grants,
        directory: Directory,
        fanout: FanOut,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._groups = groups
        self._grants = grants
        self._directory = directory
        self._fanout = fanout
        self._clock = clock

    def create(self, caller: str, caller_name: str, name: str) -> dict[str, Any]:
        """A new group managed by the caller.

        Raises:
            ConflictError: the name is taken, or the caller is in 100 groups.
        """
        now = int(self._clock())
        group = Group(new_file_id(now * 1000), name, caller, now)
        try:
            self._groups.create(group, caller_name)
        except NameTaken:
            raise ConflictError("a group with this name exists") from None
        except TooManyGroups:
            raise ConflictError("a user can be in at most 100 groups") from None
        return {"group": _group_api(group, caller)}

    def list(self, caller: str) -> dict[str, Any]:
        """Groups the caller manages or belongs to."""
        memberships = self._groups.memberships(caller)
        groups = self._groups.live(m.group_id for m in memberships)
        found = sorted(groups.values(), key=lambda g: g.name)
        return {"items": [_group_api(g, caller) for g in found]}

    def _visible(self, caller: str, name: str, *, manager: bool) -> Group:
        group = self._groups.by_name(name) if valid_name(name) else None
        if group is None or (group.manager != caller and not self._groups.member_of(caller, [group.id])):
            raise NotFoundError("group not found")
        if manager and group.manager != caller:
            raise ForbiddenError("only the group's manager may do this")
        return group

    def members(self, caller: str, name: str) -> dict[str, Any]:
        """The group's members (managers only)."""
        group = self._visible(caller, name, manager=True)
        return {"items": [m.to_api() for m in self._groups.members(group.id)]}

    def add(self, caller: str, name: str, username: str) -> tuple[dict[str, Any], bool]:
        """Add a user by name (managers only); (member, added?).

        Raises:
            NotFoundError: unknown group or user. ConflictError: a limit is reached.
        """
        group = self._visible(caller, name, manager=True)
        user = self._directory.find(username)
        if user is None:
            raise NotFoundError("user not found")
        job = member_job(group.id, user.id)
        self._fanout.begin(job)  # queued first: a copy cut short is finished by the sweep
        try:
            member, added = self._join(group, user.id, user.name)
        except (NotFoundError, ConflictError):
            self._fanout.run(job)  # refused: nothing to copy, the job goes
            raise
        with failures.past_commit("a new member's fan-out"):  # the job stays queued for the sweep
            self._fanout.run(job)  # the group's grants become the new member's entries
        return {"member": member.to_api()}, added

    def _join(self, group: Group, user_id: str, username: str) -> tuple[Membership, bool]:
        try:
            return self._groups.add_member(group, user_id, username, int(self._clock()))
        except GroupGone:
            raise NotFoundError("group not found") from None
        except TooManyMembers:
            raise ConflictError("a group can have at most 1000 members") from None
        except TooManyGroups:
            raise ConflictError("a user can be in at most 100 groups") from None

    def remove(self, caller: str, name: str, user_id: str) -> None:
        """Remove a member (the manager), or leave (any member, the manager too).

        A group has one manager, so the manager leaving is the last manager leaving:
        the group goes with them, as ``delete`` does. A group nobody manages could
        neither lose members nor stop sharing, so it fails closed instead.

        Raises:
            NotFoundError: unknown group or member. ForbiddenError: a member removing someone else.
        """
        group = self._visible(caller, name, manager=False)
        if caller != user_id and group.manager != caller:
            raise ForbiddenError("only the group's manager may remove other members")
        if user_id == group.manager:
            self._delete(group)
        elif not _USER_RE.match(user_id) or not self._groups.remove_member(group, user_id):
            raise NotFoundError("member not found")
        with failures.past_commit("a leaving member's entries"):  # the listing drops stale ones
            self._fanout.left(group.id, user_id)

    def delete(self, caller: str, name: str) -> None:
        """Delete the group (managers only): its grants and memberships stop at once."""
        self._delete(self._visible(caller, name, manager=True))

    def _delete(self, group: Group) -> None:
        """The commit point is the group's record going: a purge cut short after it
        still answers 204, and the sweep finishes it.
        """
        if not self._groups.delete(group):
            raise NotFoundError("group not found")
        try:
            with failures.unclassified("purging a deleted group"):
                self.purge(group.id)
        except ServiceUnavailableError:
            # Deleted already (its grants and memberships stopped counting): the sweep purges.
            log.info("purge of group %s left for the sweep", group.id)

    def purge(self, group_id: str) -> None:
        """Remove a deleted group's memberships, grants and entries, then forget it (safe to repeat)."""
        self._fanout.disbanded(group_id)
        self._groups.purge(group_id)
        for _ in range(_PURGE_ROUNDS):  # bounded: the index may lag behind removals
            grants = self._grants.by_grantee(f"G#{group_id}", None, 100)
            for grant in grants:
                self._grants.remove(grant.file_id, grant.id)
            if len(grants) < 100:
                break
        self._groups.finish_purge(group_id)

    def sweep(self) -> int:
        """Finish every purge a deleted group left unfinished."""
        pending = self._groups.pending_purges()
        for group_id in pending:
            self.purge(group_id)
        return len(pending)
