"""Fails one chosen S3 or DynamoDB call of Locker's own clients, counting every call.

The hooks sit on the clients ``chalicelib.aws`` builds (botocore's ``before-call``
and ``after-call`` events), so every adapter, thread and paginator is covered and
the code under test runs unchanged. A failure point is ``(service, operation,
occurrence)``: "the 2nd DynamoDB GetItem", stable even when Locker makes reads
side by side in threads. Two kinds of failure:

- ``error``: the call fails before it reaches the service (a 500 ``ClientError``
  after the SDK's own retries): nothing is applied;
- ``timeout``: the call is applied, then the answer is lost (``ReadTimeoutError``):
  the caller cannot tell whether it happened, the hardest case for a write.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError

ERROR = "error"
TIMEOUT = "timeout"
KINDS = (ERROR, TIMEOUT)
# A lost answer differs from a failure only for a call that changes something.
READS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "HeadObject", "GetObject", "ListParts"}
    | {"ListMultipartUploads", "ListObjectsV2"}
)
_SERVER_ERROR = {"s3": "InternalError", "dynamodb": "InternalServerError"}


@dataclass(frozen=True)
class Point:
    """One call of a run: the ``occurrence``-th call of ``operation`` on ``service``."""

    service: str
    operation: str
    occurrence: int

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}#{self.occurrence}"

    @property
    def kinds(self) -> tuple[str, ...]:
        """The failures worth injecting here: a read is not applied, so it only fails."""
        return (ERROR,) if self.operation in READS else KINDS


class Injector:
    """Counts the calls of the clients it is attached to, and fails the one at ``target``."""

    def __init__(self) -> None:
        self.calls: list[Point] = []
        self.target: Point | None = None
        self.kind = ERROR
        self.fired = False
        self._seen: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def attach(self, client: Any) -> None:
        """Watch every call of ``client`` (a boto3 client)."""
        service = client.meta.service_model.service_name
        client.meta.events.register("before-call.*.*", lambda **kw: self._before(service, **kw))
        client.meta.events.register("after-call.*.*", lambda **kw: self._after(service, **kw))

    def arm(self, target: Point | None, kind: str = ERROR) -> None:
        """Start counting afresh; fail ``target`` (None: fail nothing, only count)."""
        with self._lock:
            self.calls = []
            self._seen = Counter()
            self.target, self.kind, self.fired = target, kind, False

    def _before(self, service: str, model: Any, context: Any, **_: Any) -> None:
        with self._lock:
            self._seen[(service, model.name)] += 1
            point = Point(service, model.name, self._seen[(service, model.name)])
            self.calls.append(point)
            hit = point == self.target and not self.fired
            if hit:
                self.fired = True
        if not hit:
            return
        if self.kind == ERROR:
            code = _SERVER_ERROR.get(service, "InternalError")
            error = {"Code": code, "Message": "injected failure"}
            raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 500}}, model.name)
        context["locker_fault"] = point  # applied now, answered never: see _after

    def _after(self, service: str, model: Any, context: Any, **_: Any) -> None:
        if context.get("locker_fault") is not None:
            raise ReadTimeoutError(endpoint_url=f"https://{service}.fault.invalid")
