"""The bucket's ObjectCreated events, delivered locally as EventBridge delivers them.

Deployed, every object S3 stores raises an EventBridge "Object Created" event
that invokes Locker's ``object_created`` function, which removes bytes that
no live record owns (a replayed upload URL after a delete or a rejection).
moto raises no such events, so locally those bytes stayed. ``ObjectCreatedEvents``
sits in front of the gate and, after a PutObject, CopyObject or
CompleteMultipartUpload that S3 answered 200, queues the event; one worker
thread hands each to a consumer, asynchronously and in order, retrying a
failure twice, as AWS does.
``LocalLambda`` is the consumer ``make run`` uses: Locker's ``app.py``
imported with the local stage's settings, its handler called like Lambda.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from devstack.emulator.sigv4params import query_pairs

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

log = logging.getLogger("devstack.events")

ACCOUNT = "123456789012"  # moto's default account
Consumer = Callable[[dict[str, Any]], None]
RETRY_PAUSES = (0.2, 1.0, 0.0)  # seconds after attempt 1, 2, 3 (Lambda: 1 and 2 minutes)


def _operation(environ: WSGIEnvironment) -> tuple[str, str, str] | None:
    """(reason, bucket, key) when the request would create an object (path-style), else None."""
    bucket, _, key = environ.get("PATH_INFO", "").lstrip("/").partition("/")
    if not bucket or not key or environ.get("HTTP_X_AMZ_TARGET"):
        return None
    names = {name for name, _ in query_pairs(environ.get("QUERY_STRING", ""))}
    names = {n for n in names if not n.startswith("X-Amz-") and n != "x-id"}
    method = environ.get("REQUEST_METHOD")
    if method == "PUT" and not names:
        return ("CopyObject" if environ.get("HTTP_X_AMZ_COPY_SOURCE") else "PutObject", bucket, key)
    if method == "POST" and names == {"uploadId"}:
        return ("CompleteMultipartUpload", bucket, key)
    return None


def object_created_event(reason: str, bucket: str, key: str, region: str, etag: str | None) -> dict[str, Any]:
    """An EventBridge "Object Created" event as S3 sends it (the fields Locker and AWS samples use)."""
    request_id = uuid.uuid4().hex[:16].upper()
    obj: dict[str, Any] = {"key": key, "sequencer": f"{datetime.now(UTC).timestamp():.6f}".replace(".", "")}
    if etag:
        obj["etag"] = etag.strip('"')
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": obj,
            "request-id": request_id,
            "requester": ACCOUNT,
            "source-ip-address": "127.0.0.1",
            "reason": reason,
        },
    }


class ObjectCreatedEvents:
    """WSGI middleware: queue an event for each object S3 stored; a worker delivers them."""

    def __init__(self, app: WSGIApplication, consumer: Consumer, region: str = "us-east-1") -> None:
        self._app = app
        self._consumer = consumer
        self._region = region
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._deliver_forever, name="object-created-events", daemon=True).start()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        operation = _operation(environ)
        if operation is None:
            return self._app(environ, start_response)
        seen: dict[str, Any] = {}

        def observe(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer = self._app(environ, observe)  # moto stores the object before it answers
        if str(seen.get("status", "")).startswith("200"):
            etag = next((v for k, v in seen["headers"] if k.lower() == "etag"), None)
            self._queue.put(object_created_event(*operation, self._region, etag))
        return answer

    def join(self) -> None:
        """Wait until every event queued so far was handed to the consumer (tests)."""
        self._queue.join()

    def _deliver_forever(self) -> None:
        while True:
            event = self._queue.get()
            try:
                self._deliver(event)
            finally:
                self._queue.task_done()

    def _deliver(self, event: dict[str, Any]) -> None:
        """Lambda retries a failed asynchronous invocation twice; so does this (sooner)."""
        for attempt, pause in enumerate(RETRY_PAUSES, start=1):
            try:
                self._consumer(event)
                return
            except Exception:  # a failing handler must not stop later deliveries
                log.exception("the %s event handler failed (attempt %d)", event["detail-type"], attempt)
            if pause:
                time.sleep(pause)


class LocalLambda:
    """One of Locker's event functions, run in this process the way Lambda runs it.

    ``app.py`` is imported on the first event, with the local stage's settings
    (``.chalice/config.json``) for any variable the process does not set
    already; ``make run`` has set them all (bucket, table, pool, endpoint).
    """

    def __init__(
        self, function: str = "object_created", environment: Mapping[str, str] | None = None
    ) -> None:
        self._function = function
        self._environment = environment
        self._handler: Callable[[dict[str, Any], Any], Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> Callable[[dict[str, Any], Any], Any]:
        with self._lock:
            if self._handler is None:
                from devstack import environment

                for name, value in (self._environment or environment.stage_environment()).items():
                    os.environ.setdefault(name, value)
                import app

                self._handler = getattr(app, self._function)
            return self._handler

    def __call__(self, event: dict[str, Any]) -> None:
        """Invoke the function with ``event``, as an asynchronous Lambda invocation would."""
        from chalice.local import LambdaContext

        self._load()(event, LambdaContext(self._function, 256))
