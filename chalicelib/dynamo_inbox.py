""" "Shared with me" entries and pending fan-outs in the one DynamoDB table.

Layout:
- ``INBOX#<sub> / <ms>#<file id>#<source>``: one entry (``owner``, ``ownerName`` and
  ``file``, the grant's card of the ready file: ``model.card``; the key holds the rest),
  in a partition of its own, apart from the user's files: a 1,000-member
  group grant writes one item into each of 1,000 partitions, never 1,000 into one;
- ``INBOX#<sub> / GROUPS``: ``groups``, the string set of the ids of the user's groups,
  kept by the transaction of every membership change (``groups_add``, ``groups_remove``;
  both idempotent), which also bumps its ``v``; it sorts after every entry, so the Query
  of a first page, newest first, reads it first, and one consistent Query gives the
  entries and the groups. The set is trusted only once ``complete``: a membership change
  only adds or drops its own id, so an item first made by a change (a user's first
  group, or a user whose memberships are older than this item) may lack ids. Then the
  listing reads the memberships and records them as complete (``keep_group_ids``), on
  condition that ``v`` is still what it read: a change in between wins, and the next
  listing tries again;
- ``FANOUT / <kind>#<group id>#<subject>``: a fan-out queued before it starts and
  deleted once done; the sweep finishes what is left.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from chalicelib.dynamo_util import (
    batch_delete,
    batch_put,
    conditional_write,
    key,
    n,
    newest_first,
    query_all,
    s,
)
from chalicelib.errors import ServiceUnavailableError
from chalicelib.inbox import Entry, FirstPage, Job, from_place, job_from_key
from chalicelib.model import FileRecord, card

FANOUT = "FANOUT"
GROUPS = "GROUPS"  # sorts after every entry's "<13 digits>#..."
_MAX_JOBS = 1000
CARD = "file"  # the attribute holding a ready file's card (``model.card``): entries, grant items
_PAGE = {"ProjectionExpression": "sk, #owner, ownerName, #file, #groups, #v, #complete"}  # the key: the rest
_NAMES = {"#owner": "owner", "#file": CARD, "#groups": "groups", "#v": "v", "#complete": "complete"}
log = logging.getLogger("locker.shared")


def card_attribute(file: FileRecord | None) -> dict[str, Any]:
    """The attribute that carries ``file``'s card in an item (none without a file)."""
    return {CARD: s(card(file))} if file is not None else {}


def card_text(item: dict[str, Any]) -> str | None:
    """The card an item carries, if any (``model.from_card`` reads it)."""
    text: str | None = item.get(CARD, {}).get("S")
    return text


def groups_key(user: str) -> dict[str, Any]:
    """The key of the item holding the ids of the user's groups."""
    return key(f"INBOX#{user}", GROUPS)


def group_ids_of(item: dict[str, Any]) -> tuple[set[str], bool]:
    """The group ids an ``INBOX#<sub> / GROUPS`` item keeps, and whether they are known complete."""
    return set(item.get("groups", {}).get("SS", [])), item.get("complete", {}).get("BOOL") is True


def _groups_change(table: str, user: str, group_id: str, verb: str) -> dict[str, Any]:
    change = "ADD #groups :id, #v :one" if verb == "ADD" else f"{verb} #groups :id ADD #v :one"
    return {
        "Update": {
            "TableName": table,
            "Key": groups_key(user),
            "UpdateExpression": change,
            "ExpressionAttributeNames": {"#groups": "groups", "#v": "v"},
            "ExpressionAttributeValues": {":id": {"SS": [group_id]}, ":one": n(1)},
        }
    }


def groups_add(table: str, user: str, group_id: str) -> dict[str, Any]:
    """The transaction item that records the user's membership of ``group_id`` (idempotent)."""
    return _groups_change(table, user, group_id, "ADD")


def groups_remove(table: str, user: str, group_id: str) -> dict[str, Any]:
    """The transaction item that forgets the user's membership of ``group_id`` (idempotent)."""
    return _groups_change(table, user, group_id, "DELETE")


def entry_key(entry: Entry) -> dict[str, Any]:
    """The table key of an entry."""
    return key(f"INBOX#{entry.user}", entry.place)


def entry_item(entry: Entry) -> dict[str, Any]:
    """The item of an entry (what a grant's own transaction puts for a user grantee)."""
    return {
        **entry_key(entry),
        "owner": s(entry.owner),
        "ownerName": s(entry.owner_name),
        "fileId": s(entry.file_id),
        "source": s(entry.source),
        "createdMs": n(entry.created_ms),
        **card_attribute(entry.file),
    }


def _entry(user: str, item: dict[str, Any]) -> Entry:
    return from_place(user, item["owner"]["S"], item["ownerName"]["S"], item["sk"]["S"], card_text(item))


class DynamoInbox:
    """Inbox backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def page(self, user: str, before: str | None, count: int) -> list[Entry]:
        if before is None:
            return self.first_page(user, count).entries
        found = self._db.query(
            TableName=self._table,
            ExpressionAttributeNames=_NAMES,
            **_PAGE,
            **newest_first("pk", "sk", f"INBOX#{user}", before, count),
        )
        return [_entry(user, i) for i in found["Items"]]

    def first_page(self, user: str, count: int) -> FirstPage:
        found = self._db.query(
            TableName=self._table,
            ExpressionAttributeNames=_NAMES,
            ConsistentRead=True,  # the group ids decide what the user may see
            **_PAGE,
            **newest_first("pk", "sk", f"INBOX#{user}", None, count + 1),
        )["Items"]
        if found and found[0]["sk"]["S"] == GROUPS:
            head = found[0]
            ids, complete = group_ids_of(head)
            version = int(head.get("v", {}).get("N", "0"))
            return FirstPage([_entry(user, i) for i in found[1:]], ids if complete else None, version)
        return FirstPage([_entry(user, i) for i in found[:count]], None, None)

    def keep_group_ids(self, user: str, group_ids: set[str], version: int | None) -> None:
        request: dict[str, Any] = {"TableName": self._table, "Key": groups_key(user)}
        names: dict[str, str] = {"#complete": "complete"}
        values: dict[str, Any] = {":yes": {"BOOL": True}}
        if version is None:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            request["ConditionExpression"] = "#v = :v"
            names["#v"], values[":v"] = "v", n(version)
        if group_ids:
            request["UpdateExpression"] = "SET #groups = :ids, #complete = :yes"
            values[":ids"] = {"SS": sorted(group_ids)}
        else:  # DynamoDB keeps no empty set
            request["UpdateExpression"] = "SET #complete = :yes REMOVE #groups"
        names["#groups"] = "groups"
        request.update(ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        try:
            conditional_write("DynamoDB UpdateItem", lambda: self._db.update_item(**request))
        except ServiceUnavailableError:
            log.info("the group ids of an inbox stay incomplete until its next listing")

    def put(self, entries: Iterable[Entry]) -> None:
        batch_put(self._db, self._table, [entry_item(e) for e in entries])

    def remove(self, entries: Iterable[Entry]) -> None:
        batch_delete(self._db, self._table, [entry_key(e) for e in entries])

    def begin(self, job: Job) -> None:
        self._db.put_item(TableName=self._table, Item=key(FANOUT, job.key))

    def finish(self, job: Job) -> None:
        self._db.delete_item(TableName=self._table, Key=key(FANOUT, job.key))

    def pending(self) -> list[Job]:
        items = query_all(
            self._db,
            {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": s(FANOUT)},
                "ConsistentRead": True,
            },
            cap=_MAX_JOBS,
        )
        return [job_from_key(i["sk"]["S"]) for i in items]
