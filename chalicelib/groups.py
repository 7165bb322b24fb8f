"""Groups and memberships: the interface, and an in-memory fake.

Membership is checked against this store on every request (Cognito groups in a
token grant nothing). A group's id is fresh at each creation, so deleting a
group and making another with its name never revives old grants or members.
Deleting a group takes effect at once (its record goes in one write); its
members and grants are then purged, by the same request or by the sweep.
``dynamo_groups.DynamoGroups`` is the real store; one contract suite runs both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from chalicelib.reads import Read, in_memory
from chalicelib.sharing_model import Group, Membership

MAX_MEMBERS = 1000
MAX_GROUPS_PER_USER = 100


class NameTaken(Exception):
    """Another group has this name."""


class TooManyMembers(Exception):
    """The group has the most members it may have."""


class TooManyGroups(Exception):
    """The user belongs to the most groups they may."""


class GroupGone(Exception):
    """The group was deleted meanwhile."""


class Groups(Protocol):
    """Where groups and memberships live."""

    def create(self, group: Group, manager_name: str) -> None:
        """Store a new group with its manager as first member (NameTaken, TooManyGroups)."""

    def by_name(self, name: str) -> Group | None:
        """The live group called ``name``."""

    def live(self, group_ids: Iterable[str]) -> dict[str, Group]:
        """The live groups among ``group_ids``, by id (consistent reads)."""

    def read_names(self, group_ids: Iterable[str]) -> Read[dict[str, str]]:
        """The names of the live groups among ``group_ids``, by id, as a Read (consistent, projected)."""

    def memberships(self, user_id: str) -> list[Membership]:
        """The user's memberships of live groups."""

    def group_ids(self, user_id: str) -> set[str]:
        """Ids of the groups the user belongs to, from one consistent Query of their memberships.

        A deleted group stays here until its purge removes the membership: ``live`` tells.
        """

    def member_of(self, user_id: str, group_ids: Iterable[str]) -> set[str]:
        """Which of ``group_ids`` are live groups the user belongs to (consistent reads)."""

    def read_member_of(self, user_id: str, group_ids: Iterable[str]) -> Read[set[str]]:
        """``member_of`` as a Read, to fetch with other stores' reads in one round trip."""

    def members(self, group_id: str) -> list[Membership]:
        """The group's members, oldest first."""

    def add_member(self, group: Group, user_id: str, username: str, now: int) -> tuple[Membership, bool]:
        """Add a user (GroupGone, TooManyMembers, TooManyGroups); (membership, added?)."""

    def remove_member(self, group: Group, user_id: str) -> bool:
        """Remove a member; False if they were not one."""

    def delete(self, group: Group) -> bool:
        """Delete the group at once and queue its purge; False if it was already gone."""

    def purge(self, group_id: str) -> None:
        """Remove what a deleted group left: its memberships (safe to repeat)."""

    def finish_purge(self, group_id: str) -> None:
        """Drop the group from the purge queue."""

    def pending_purges(self) -> list[str]:
        """Ids of deleted groups whose purge is not finished."""


class InMemoryGroups:
    """A faithful in-process Groups, for tests."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._groups: dict[str, Group] = {}
        self._members: dict[str, dict[str, Membership]] = {}
        self._counts: dict[str, int] = {}
        self._purges: set[str] = set()
        self._lock = threading.Lock()

    def create(self, group: Group, manager_name: str) -> None:
        with self._lock:
            if group.name in self._names:
                raise NameTaken
            if self._counts.get(group.manager, 0) >= MAX_GROUPS_PER_USER:
                raise TooManyGroups
            self._names[group.name] = group.id
            self._groups[group.id] = replace(group, member_count=1)
            first = Membership(group.id, group.name, group.manager, manager_name, group.created_at)
            self._members[group.id] = {group.manager: first}
            self._counts[group.manager] = self._counts.get(group.manager, 0) + 1

    def by_name(self, name: str) -> Group | None:
        group_id = self._names.get(name)
        return self._groups.get(group_id) if group_id else None

    def live(self, group_ids: Iterable[str]) -> dict[str, Group]:
        return {g: self._groups[g] for g in set(group_ids) if g in self._groups}

    def read_names(self, group_ids: Iterable[str]) -> Read[dict[str, str]]:
        ids = set(group_ids)
        return in_memory(lambda: {g.id: g.name for g in self.live(ids).values()})

    def memberships(self, user_id: str) -> list[Membership]:
        return [m[user_id] for g, m in self._members.items() if g in self._groups and user_id in m]

    def group_ids(self, user_id: str) -> set[str]:
        return {g for g, m in self._members.items() if user_id in m}

    def member_of(self, user_id: str, group_ids: Iterable[str]) -> set[str]:
        return {g for g in set(group_ids) if g in self._groups and user_id in self._members.get(g, {})}

    def read_member_of(self, user_id: str, group_ids: Iterable[str]) -> Read[set[str]]:
        ids = set(group_ids)
        return in_memory(lambda: self.member_of(user_id, ids))

    def members(self, group_id: str) -> list[Membership]:
        return sorted(self._members.get(group_id, {}).values(), key=lambda m: (m.added_at, m.user_id))

    def add_member(self, group: Group, user_id: str, username: str, now: int) -> tuple[Membership, bool]:
        with self._lock:
            current = self._groups.get(group.id)
            if current is None:
                raise GroupGone
            members = self._members[group.id]
            if user_id in members:
                return members[user_id], False
            if current.member_count >= MAX_MEMBERS:
                raise TooManyMembers
            if self._counts.get(user_id, 0) >= MAX_GROUPS_PER_USER:
                raise TooManyGroups
            members[user_id] = Membership(group.id, group.name, user_id, username, now)
            self._groups[group.id] = replace(current, member_count=current.member_count + 1)
            self._counts[user_id] = self._counts.get(user_id, 0) + 1
            return members[user_id], True

    def remove_member(self, group: Group, user_id: str) -> bool:
        with self._lock:
            if self._members.get(group.id, {}).pop(user_id, None) is None:
                return False
            self._counts[user_id] -= 1
            current = self._groups.get(group.id)
            if current is not None:
                self._groups[group.id] = replace(current, member_count=current.member_count - 1)
            return True

    def delete(self, group: Group) -> bool:
        with self._lock:
            if self._groups.pop(group.id, None) is None:
                return False
            del self._names[group.name]
            self._purges.add(group.id)
            return True

    def purge(self, group_id: str) -> None:
        for member in list(self._members.get(group_id, {}).values()):
            self.remove_member(Group(group_id, member.group_name, "", 0), member.user_id)

    def finish_purge(self, group_id: str) -> None:
        self._purges.discard(group_id)
        self._members.pop(group_id, None)

    def pending_purges(self) -> list[str]:
        return sorted(self._purges)
