""" "Shared with me" entries and pending fan-outs in the one DynamoDB table.

Layout:
- ``INBOX#<sub> / <ms>#<file id>#<source>``: one entry (``owner``, ``ownerName``; the
  key holds the rest), in a partition of its own, apart from the user's files: a 1,000-member
  group grant writes one item into each of 1,000 partitions, never 1,000 into one;
- ``INBOX#<sub> / GROUPS``: ``groups``, the string set of the ids of the user's groups,
  kept by the transaction of every membership change (``groups_add``, ``groups_remove``;
  both idempotent); it sorts after every entry, so the Query of a first page, newest
  first, reads it first, and one consistent Query gives the entries and the groups;
- ``FANOUT / <kind>#<group id>#<subject>``: a fan-out queued before it starts and
  deleted once done; the sweep finishes what is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.dynamo_util import batch_delete, batch_put, key, n, newest_first, query_all, s
from chalicelib.inbox import Entry, FirstPage, Job, from_place, job_from_key

FANOUT = "FANOUT"
GROUPS = "GROUPS"  # sorts after every entry's "<13 digits>#..."
_MAX_JOBS = 1000
_PAGE = {"ProjectionExpression": "sk, #owner, ownerName, #groups"}  # the key holds the rest
_NAMES = {"#owner": "owner", "#groups": "groups"}


def groups_key(user: str) -> dict[str, Any]:
    """The key of the item holding the ids of the user's groups."""
    return key(f"INBOX#{user}", GROUPS)


def _groups_change(table: str, user: str, group_id: str, verb: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": groups_key(user),
            "UpdateExpression": f"{verb} #groups :id",
            "ExpressionAttributeNames": {"#groups": "groups"},
            "ExpressionAttributeValues": {":id": {"SS": [group_id]}},
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
    }


def _entry(user: str, item: dict[str, Any]) -> Entry:
    return from_place(user, item["owner"]["S"], item["ownerName"]["S"], item["sk"]["S"])


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
            ids = set(found[0].get("groups", {}).get("SS", []))
            return FirstPage([_entry(user, i) for i in found[1:]], ids)
        return FirstPage([_entry(user, i) for i in found[:count]], None)

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
