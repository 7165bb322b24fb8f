"""Idempotency entries in the one DynamoDB table, each in a partition of its own.

``pk = IDEM#<keyed hash of caller, route, file and key>``, ``sk = IDEM``. A claim is one
conditional put (no entry, an expired one, or an unfinished one whose lease ran
out); finishing and releasing are conditional on the claim's random token, so a
request whose lease was taken over can neither overwrite nor drop the new
claimant's entry. Times are computed in code (no arithmetic in conditions); ``ttl``
only tidies up after ``expiresAt``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.dynamo_util import conditional_write, key, n, s
from chalicelib.failures import unclassified
from chalicelib.idempotency_store import Entry

SK = "IDEM"
TTL_MARGIN = 24 * 3600
_UNFINISHED = "claimToken = :claim AND attribute_not_exists(answerStatus)"


def _key(entry_id: str) -> dict[str, Any]:
    return key(f"IDEM#{entry_id}", SK)


def _entry(item: dict[str, Any]) -> Entry:
    status = item.get("answerStatus")
    answer = item.get("answer")
    return Entry(
        id=item["pk"]["S"].removeprefix("IDEM#"),
        fingerprint=item["fingerprint"]["S"],
        claim=item["claimToken"]["S"],
        lease_until=int(item["leaseUntil"]["N"]),
        expires_at=int(item["expiresAt"]["N"]),
        status=int(status["N"]) if status else None,
        answer=bytes(answer["B"]) if answer else None,
    )


class DynamoIdempotency:
    """IdempotencyStore backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def claim(self, entry: Entry, now: int) -> bool:
        item = {
            **_key(entry.id),
            "fingerprint": s(entry.fingerprint),
            "claimToken": s(entry.claim),
            "leaseUntil": n(entry.lease_until),
            "expiresAt": n(entry.expires_at),
            "ttl": n(entry.expires_at + TTL_MARGIN),
        }
        return conditional_write(
            "DynamoDB PutItem",
            lambda: self._db.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression=(
                    "attribute_not_exists(pk) OR expiresAt <= :now"
                    " OR (attribute_not_exists(answerStatus) AND leaseUntil <= :now)"
                ),
                ExpressionAttributeValues={":now": n(now)},
            ),
        )

    def get(self, entry_id: str) -> Entry | None:
        with unclassified("DynamoDB GetItem"):
            found = self._db.get_item(TableName=self._table, Key=_key(entry_id), ConsistentRead=True)
        return _entry(found["Item"]) if "Item" in found else None

    def finish(self, entry_id: str, claim: str, status: int, answer: bytes) -> bool:
        return conditional_write(
            "DynamoDB UpdateItem",
            lambda: self._db.update_item(
                TableName=self._table,
                Key=_key(entry_id),
                UpdateExpression="SET answerStatus = :status, answer = :answer",
                ConditionExpression=_UNFINISHED,
                ExpressionAttributeValues={
                    ":claim": s(claim),
                    ":status": n(status),
                    ":answer": {"B": answer},
                },
            ),
        )

    def release(self, entry_id: str, claim: str) -> None:
        conditional_write(
            "DynamoDB DeleteItem",
            lambda: self._db.delete_item(
                TableName=self._table,
                Key=_key(entry_id),
                ConditionExpression=_UNFINISHED,
                ExpressionAttributeValues={":claim": s(claim)},
            ),
        )
