"""Activity events in the one DynamoDB table, on write-sharded keys of their own.

An event is ``pk = ACT#<file id>#<shard>``, ``sk = <ms>#<event id>``, and in the
``activity`` index ``apk = ACTO#<owner>#<shard>``, ``ask = sk``; the shard is
one of ``activity.SHARDS``, random per event. A file's events never touch the
owner's partition (``USER#<sub>``, which authorisation reads) nor the file's
grant partition. ``ttl`` (400 days) is a backstop; nothing depends on it.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from chalicelib.activity import KEEP_SECONDS, SHARDS, Event, merge
from chalicelib.dynamo_util import n, newest_first, s
from chalicelib.writes import Write

ACTIVITY_INDEX = "activity"


def _item(event: Event, shard: int) -> dict[str, Any]:
    return {
        "pk": s(f"ACT#{event.file_id}#{shard}"),
        "sk": s(event.position),
        "apk": s(f"ACTO#{event.owner}#{shard}"),
        "ask": s(event.position),
        "eventId": s(event.id),
        "atMs": n(event.at_ms),
        "fileId": s(event.file_id),
        "owner": s(event.owner),
        "type": s(event.type),
        "actor": s(json.dumps(event.actor, separators=(",", ":"))),
        "detail": s(json.dumps(event.detail, separators=(",", ":"))),
        "ttl": n(event.at_ms // 1000 + KEEP_SECONDS),
    }


def _event(item: dict[str, Any]) -> Event:
    return Event(
        id=item["eventId"]["S"],
        at_ms=int(item["atMs"]["N"]),
        file_id=item["fileId"]["S"],
        owner=item["owner"]["S"],
        type=item["type"]["S"],
        actor=json.loads(item["actor"]["S"]),
        detail=json.loads(item["detail"]["S"]),
    )


class DynamoActivity:
    """Activity backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def record(self, event: Event) -> None:
        shard = secrets.randbelow(SHARDS)
        self._db.put_item(TableName=self._table, Item=_item(event, shard))

    def write(self, event: Event) -> Write:
        item = _item(event, secrets.randbelow(SHARDS))
        return Write(({"Put": {"TableName": self._table, "Item": item}},))

    def _shard(
        self, index: str | None, pk: str, sk: str, value: str, before: str | None, count: int
    ) -> list[Event]:
        request: dict[str, Any] = {"TableName": self._table, **newest_first(pk, sk, value, before, count)}
        if index:
            request["IndexName"] = index
        return [_event(i) for i in self._db.query(**request)["Items"]]

    def for_file(self, file_id: str, before: str | None, count: int) -> list[Event]:
        shards = [self._shard(None, "pk", "sk", f"ACT#{file_id}#{i}", before, count) for i in range(SHARDS)]
        return merge(shards, count)

    def for_owner(self, owner: str, before: str | None, count: int) -> list[Event]:
        shards = [
            self._shard(ACTIVITY_INDEX, "apk", "ask", f"ACTO#{owner}#{i}", before, count)
            for i in range(SHARDS)
        ]
        return merge(shards, count)
