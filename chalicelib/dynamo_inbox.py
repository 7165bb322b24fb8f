""" "Shared with me" entries and pending fan-outs in the one DynamoDB table.

Layout:
- ``INBOX#<sub> / <ms>#<file id>#<source>``: one entry (``owner``, ``ownerName``; the
  key holds the rest), in a partition of its own, apart from the user's files: a 1,000-member
  group grant writes one item into each of 1,000 partitions, never 1,000 into one;
- ``FANOUT / <kind>#<group id>#<subject>``: a fan-out queued before it starts and
  deleted once done; the sweep finishes what is left.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.dynamo_util import batch_delete, batch_put, key, n, newest_first, query_all, s
from chalicelib.inbox import Entry, Job, from_place, job_from_key

FANOUT = "FANOUT"
_MAX_JOBS = 1000


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


class DynamoInbox:
    """Inbox backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def page(self, user: str, before: str | None, count: int) -> list[Entry]:
        found = self._db.query(
            TableName=self._table,
            ProjectionExpression="sk, #owner, ownerName",  # the key holds the rest
            ExpressionAttributeNames={"#owner": "owner"},
            **newest_first("pk", "sk", f"INBOX#{user}", before, count),
        )
        return [from_place(user, i["owner"]["S"], i["ownerName"]["S"], i["sk"]["S"]) for i in found["Items"]]

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
