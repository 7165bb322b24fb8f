"""Small DynamoDB helpers the adapters share: conditional writes, batched reads and writes."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import Unprocessed, unavailable, unclassified

BATCH_GET = 100
BATCH_WRITE = 25
# UnprocessedKeys are throttling: retry a few times, then fail (never answer a partial read).
_RETRIES = 4
# Before retry n (1, 2, 3), wait up to BACKOFF * 2**n seconds (full jitter), as AWS advises.
BACKOFF = 0.01


def failed_condition(exc: ClientError) -> bool:
    """Whether a write or transaction was refused by one of its conditions."""
    code = exc.response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    reasons = exc.response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(
        r.get("Code") == "ConditionalCheckFailed" for r in reasons
    )


def conditional_write(operation: str, write: Callable[[], object]) -> bool:
    """Run one conditional write: True if it was made, False if one of its conditions refused it.

    Raises:
        ServiceUnavailableError: any other failure (``failures``: nothing changed, try again).
    """
    try:
        write()
    except ClientError as exc:
        if failed_condition(exc):
            return False
        raise unavailable(operation, exc) from None
    except BotoCoreError as exc:
        raise unavailable(operation, exc) from None
    return True


def s(value: str) -> dict[str, str]:
    """A DynamoDB string."""
    return {"S": value}


def n(value: int) -> dict[str, str]:
    """A DynamoDB number."""
    return {"N": str(value)}


def key(pk: str, sk: str) -> dict[str, Any]:
    """The table's primary key."""
    return {"pk": s(pk), "sk": s(sk)}


def newest_first(pk: str, sk: str, value: str, before: str | None, count: int) -> dict[str, Any]:
    """Query arguments for a partition's newest ``count`` items, those before ``before`` if given."""
    values = {":pk": s(value), **({":before": s(before)} if before else {})}
    return {
        "KeyConditionExpression": f"{pk} = :pk" + (f" AND {sk} < :before" if before else ""),
        "ExpressionAttributeValues": values,
        "ScanIndexForward": False,
        "Limit": count,
    }


def _pause(attempt: int) -> None:
    if attempt:
        time.sleep(random.uniform(0, BACKOFF * 2**attempt))  # noqa: S311 (jitter, not a secret)


def batch_get(
    db: Any, table: str, keys: Iterable[dict[str, Any]], projection: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Consistent reads of ``keys`` (any number; 100 a call), items found in any order.

    ``projection``, if given, is ``ProjectionExpression`` (and ``ExpressionAttributeNames``) for every key.
    Unprocessed keys are asked again, at most ``_RETRIES`` calls per 100 keys.

    Raises:
        ServiceUnavailableError: DynamoDB failed, or still left keys unprocessed.
    """
    unique = {(k["pk"]["S"], k["sk"]["S"]): k for k in keys}
    pending = list(unique.values())
    found: list[dict[str, Any]] = []
    for start in range(0, len(pending), BATCH_GET):
        request: dict[str, Any] = {
            table: {"Keys": pending[start : start + BATCH_GET], "ConsistentRead": True, **(projection or {})}
        }
        for attempt in range(_RETRIES):
            _pause(attempt)
            with unclassified("DynamoDB BatchGetItem"):
                answer = db.batch_get_item(RequestItems=request)
            found += answer.get("Responses", {}).get(table, [])
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise unavailable("DynamoDB BatchGetItem", Unprocessed("keys left unprocessed"))
    return found


def batch_delete(db: Any, table: str, keys: Iterable[dict[str, Any]]) -> None:
    """Delete ``keys`` (absent ones are fine), 25 a call."""
    _batch_write(db, table, [{"DeleteRequest": {"Key": k}} for k in keys])


def batch_put(db: Any, table: str, items: Iterable[dict[str, Any]]) -> None:
    """Put ``items`` (unconditionally: each replaces what its key held), 25 a call."""
    _batch_write(db, table, [{"PutRequest": {"Item": i}} for i in items])


def _batch_write(db: Any, table: str, pending: list[dict[str, Any]]) -> None:
    for start in range(0, len(pending), BATCH_WRITE):
        request: dict[str, Any] = {table: pending[start : start + BATCH_WRITE]}
        for _ in range(_RETRIES):
            request = db.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            if not request:
                break
        else:
            raise Unprocessed("batch_write_item left items unprocessed")


def query_all(db: Any, request: dict[str, Any], cap: int) -> list[dict[str, Any]]:
    """Every item of a Query, following pages, but never more than ``cap`` items."""
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while len(items) < cap:
        page = db.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    return items[:cap]
