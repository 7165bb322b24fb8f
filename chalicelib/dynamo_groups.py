"""Groups in the one DynamoDB table.

Layout (every membership change is one transaction over these items):
- ``GROUPNAME#<name> / NAME``: claims the name, points at the group id;
- ``GROUP#<id> / META``: name, manager, ``memberCount`` (kept at most 1,000);
- ``GROUP#<id> / MEMBER#<sub>``: one member, for the manager's list;
- ``USER#<sub> / MEMBEROF#<id>``: the same membership, for the member's own lists;
- ``USER#<sub> / GROUPS``: how many groups the user is in (kept at most 100);
- ``INBOX#<sub> / GROUPS``: the ids of the user's groups, beside their "shared with me"
  entries (``dynamo_inbox``), so ``GET /shared`` reads both in one Query;
- ``PURGE / GROUP#<id>``: a deleted group whose members and grants are still being removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dynamo_inbox import groups_add, groups_remove
from chalicelib.dynamo_util import batch_get, failed_condition, key, n, query_all, s
from chalicelib.groups import (
    MAX_GROUPS_PER_USER,
    MAX_MEMBERS,
    GroupGone,
    NameTaken,
    TooManyGroups,
    TooManyMembers,
)
from chalicelib.reads import Read, Table, fetch, item_key
from chalicelib.sharing_model import Group, Membership

PURGE = "PURGE"


def _meta(group_id: str) -> dict[str, Any]:
    return key(f"GROUP#{group_id}", "META")


def _member_key(group_id: str, user_id: str) -> dict[str, Any]:
    return key(f"GROUP#{group_id}", f"MEMBER#{user_id}")


def _member_of_key(user_id: str, group_id: str) -> dict[str, Any]:
    return key(f"USER#{user_id}", f"MEMBEROF#{group_id}")


def _group(item: dict[str, Any]) -> Group:
    return Group(
        id=item["pk"]["S"].removeprefix("GROUP#"),
        name=item["name"]["S"],
        manager=item["manager"]["S"],
        created_at=int(item["createdAt"]["N"]),
        member_count=int(item["memberCount"]["N"]),
    )


def _membership(item: dict[str, Any]) -> Membership:
    return Membership(
        group_id=item["groupId"]["S"],
        group_name=item["groupName"]["S"],
        user_id=item["userId"]["S"],
        username=item["username"]["S"],
        added_at=int(item["addedAt"]["N"]),
    )


class DynamoGroups:
    """Groups backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def _t(self, kind: str, **body: Any) -> dict[str, Any]:
        return {kind: {"TableName": self._table, **body}}

    def _membership_puts(self, m: Membership) -> list[dict[str, Any]]:
        attrs = {
            "groupId": s(m.group_id),
            "groupName": s(m.group_name),
            "userId": s(m.user_id),
            "username": s(m.username),
            "addedAt": n(m.added_at),
        }
        return [
            self._t(
                "Put",
                Item={**_member_key(m.group_id, m.user_id), **attrs},
                ConditionExpression="attribute_not_exists(pk)",
            ),
            self._t("Put", Item={**_member_of_key(m.user_id, m.group_id), **attrs}),
            self._t(
                "Update",
                Key=key(f"USER#{m.user_id}", "GROUPS"),
                UpdateExpression="ADD #c :one",
                ConditionExpression="attribute_not_exists(#c) OR #c < :max",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":one": n(1), ":max": n(MAX_GROUPS_PER_USER)},
            ),
            groups_add(self._table, m.user_id, m.group_id),
        ]

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        try:
            self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if failed_condition(exc):
                return False
            raise
        return True

    def create(self, group: Group, manager_name: str) -> None:
        first = Membership(group.id, group.name, group.manager, manager_name, group.created_at)
        meta = {
            **_meta(group.id),
            "name": s(group.name),
            "manager": s(group.manager),
            "createdAt": n(group.created_at),
            "memberCount": n(1),
        }
        items = [
            self._t(
                "Put",
                Item={**key(f"GROUPNAME#{group.name}", "NAME"), "groupId": s(group.id)},
                ConditionExpression="attribute_not_exists(pk)",
            ),
            self._t("Put", Item=meta, ConditionExpression="attribute_not_exists(pk)"),
            *self._membership_puts(first),
        ]
        if not self._transact(items):
            raise NameTaken if self.by_name(group.name) is not None else TooManyGroups

    def by_name(self, name: str) -> Group | None:
        found = self._db.get_item(
            TableName=self._table, Key=key(f"GROUPNAME#{name}", "NAME"), ConsistentRead=True
        ).get("Item")
        return self.live([found["groupId"]["S"]]).get(found["groupId"]["S"]) if found else None

    def live(self, group_ids: Iterable[str]) -> dict[str, Group]:
        items = batch_get(self._db, self._table, [_meta(g) for g in set(group_ids)])
        return {g.id: g for g in map(_group, items)}

    def read_names(self, group_ids: Iterable[str]) -> Read[dict[str, str]]:
        metas = {g: _meta(g) for g in set(group_ids)}

        def answer(items: Any) -> dict[str, str]:
            found = {g: items.get(item_key(k)) for g, k in metas.items()}
            return {g: item["name"]["S"] for g, item in found.items() if item is not None}

        return Read(Table(self._db, self._table), tuple(metas.values()), answer, (("name",),))

    def memberships(self, user_id: str) -> list[Membership]:
        items = query_all(
            self._db,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :m)",
                "ExpressionAttributeValues": {":pk": s(f"USER#{user_id}"), ":m": s("MEMBEROF#")},
                "ConsistentRead": True,
            },
            cap=2 * MAX_GROUPS_PER_USER,  # deleted groups may linger until purged
        )
        found = [_membership(i) for i in items]
        alive = self.live(m.group_id for m in found)
        return [m for m in found if m.group_id in alive]

    def group_ids(self, user_id: str) -> set[str]:
        items = query_all(
            self._db,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :m)",
                "ExpressionAttributeValues": {":pk": s(f"USER#{user_id}"), ":m": s("MEMBEROF#")},
                "ProjectionExpression": "sk",  # the key names the group
                "ConsistentRead": True,
            },
            cap=2 * MAX_GROUPS_PER_USER,  # deleted groups may linger until purged
        )
        return {i["sk"]["S"].removeprefix("MEMBEROF#") for i in items}

    def member_of(self, user_id: str, group_ids: Iterable[str]) -> set[str]:
        read = self.read_member_of(user_id, group_ids)
        return fetch(read)[read]

    def read_member_of(self, user_id: str, group_ids: Iterable[str]) -> Read[set[str]]:
        pairs = {g: (item_key(_member_key(g, user_id)), item_key(_meta(g))) for g in set(group_ids)}

        def answer(items: Any) -> set[str]:
            return {g for g, (member, meta) in pairs.items() if member in items and meta in items}

        keys = tuple(k for g in pairs for k in (_member_key(g, user_id), _meta(g)))
        return Read(Table(self._db, self._table), keys, answer)

    def members(self, group_id: str) -> list[Membership]:
        items = query_all(
            self._db,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :m)",
                "ExpressionAttributeValues": {":pk": s(f"GROUP#{group_id}"), ":m": s("MEMBER#")},
                "ConsistentRead": True,
            },
            cap=MAX_MEMBERS,
        )
        return sorted(map(_membership, items), key=lambda m: (m.added_at, m.user_id))

    def add_member(self, group: Group, user_id: str, username: str, now: int) -> tuple[Membership, bool]:
        membership = Membership(group.id, group.name, user_id, username, now)
        count = self._t(
            "Update",
            Key=_meta(group.id),
            UpdateExpression="ADD memberCount :one",
            ConditionExpression="attribute_exists(pk) AND memberCount < :max",
            ExpressionAttributeValues={":one": n(1), ":max": n(MAX_MEMBERS)},
        )
        if self._transact([*self._membership_puts(membership), count]):
            return membership, True
        existing = self._db.get_item(
            TableName=self._table, Key=_member_key(group.id, user_id), ConsistentRead=True
        ).get("Item")
        current = self.live([group.id]).get(group.id)
        if current is None:
            raise GroupGone
        if existing is not None:
            return _membership(existing), False
        if current.member_count >= MAX_MEMBERS:
            raise TooManyMembers
        raise TooManyGroups

    def remove_member(self, group: Group, user_id: str, *, count: bool = True) -> bool:
        items = [
            self._t("Delete", Key=_member_key(group.id, user_id), ConditionExpression="attribute_exists(pk)"),
            self._t("Delete", Key=_member_of_key(user_id, group.id)),
            self._t(
                "Update",
                Key=key(f"USER#{user_id}", "GROUPS"),
                UpdateExpression="ADD #c :minus",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":minus": n(-1)},
            ),
            groups_remove(self._table, user_id, group.id),
        ]
        if count:
            items.append(
                self._t(
                    "Update",
                    Key=_meta(group.id),
                    UpdateExpression="ADD memberCount :minus",
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues={":minus": n(-1)},
                )
            )
        return self._transact(items)

    def delete(self, group: Group) -> bool:
        return self._transact(
            [
                self._t("Delete", Key=_meta(group.id), ConditionExpression="attribute_exists(pk)"),
                self._t("Delete", Key=key(f"GROUPNAME#{group.name}", "NAME")),
                self._t("Put", Item={**key(PURGE, f"GROUP#{group.id}"), "name": s(group.name)}),
            ]
        )

    def purge(self, group_id: str) -> None:
        group = Group(group_id, "", "", 0)
        for member in self.members(group_id):
            self.remove_member(group, member.user_id, count=False)

    def finish_purge(self, group_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=key(PURGE, f"GROUP#{group_id}"))

    def pending_purges(self) -> list[str]:
        items = query_all(
            self._db,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": s(PURGE)},
            },
            cap=1000,
        )
        return sorted(i["sk"]["S"].removeprefix("GROUP#") for i in items)
