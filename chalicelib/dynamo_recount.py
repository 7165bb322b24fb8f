"""Recount one owner's quota counter from their records, without racing any quota change.

Every transition that moves quota (create, reject, delete, reclaim) adds to the
counter in the same transaction as its record write, and bumps the counter's
``version``. So the counter can drift from its records only by what never went
through Locker: DynamoDB's TTL deleting a record (no quota given back), or a bug.

The recount reads the counter (its value and ``version``) with a consistent
GetItem first, then the owner's records with a consistent Query, and writes the
sum only if ``version`` is still the one it read. Any create (or other quota
change) committed after the GetItem bumped ``version``, so the write fails and
nothing changes: the next sweep recounts. One committed before the GetItem is in
both the counter and the records the Query reads afterwards. Matching the
counter's value instead of a version would not do: a create followed by a
delete of the same size leaves the value as it was while the Query may have
seen the created record. A record TTL removes meanwhile is only recounted next
time. Cost: one Query of the owner's partition (never a Scan).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.dynamo_util import failed_condition
from chalicelib.failures import unavailable, unclassified
from chalicelib.model import COUNTED_STATUSES
from chalicelib.records import Usage

VERSION = "version"


def _counted(db: Any, table: str, pk: dict[str, str]) -> Usage:
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :file)",
        "ExpressionAttributeValues": {":pk": pk, ":file": {"S": "FILE#"}},
        "ProjectionExpression": "#s, #z",
        "ExpressionAttributeNames": {"#s": "status", "#z": "size"},
        "ConsistentRead": True,
    }
    total, files = 0, 0
    with unclassified("DynamoDB Query"):
        for page in db.get_paginator("query").paginate(**request):
            for item in page["Items"]:
                if item["status"]["S"] in COUNTED_STATUSES:
                    total, files = total + int(item["size"]["N"]), files + 1
    return Usage(total, files)


def recount(db: Any, table: str, pk: dict[str, str], key: dict[str, Any]) -> Usage | None:
    """Set the counter at ``key`` to the sum of the records in partition ``pk``.

    Returns the new usage, or None when it was right already or changed meanwhile.

    Raises:
        ServiceUnavailableError: DynamoDB failed; nothing was changed.
    """
    with unclassified("DynamoDB GetItem"):
        item = db.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", {})
    counter = Usage(int(item.get("bytes", {"N": "0"})["N"]), int(item.get("files", {"N": "0"})["N"]))
    counted = _counted(db, table, pk)
    if counted == counter:
        return None
    values: dict[str, Any] = {
        ":b": {"N": str(counted.bytes)},
        ":f": {"N": str(counted.files)},
        ":one": {"N": "1"},
    }
    if VERSION in item:
        condition = "#v = :seen"
        values[":seen"] = item[VERSION]
    else:
        condition = "attribute_not_exists(#v)"
    try:
        db.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #b = :b, #f = :f ADD #v :one",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#b": "bytes", "#f": "files", "#v": VERSION},
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if failed_condition(exc):
            return None
        raise unavailable("DynamoDB UpdateItem", exc) from None
    except BotoCoreError as exc:
        raise unavailable("DynamoDB UpdateItem", exc) from None
    return counted
