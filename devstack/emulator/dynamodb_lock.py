"""Serialises DynamoDB requests to moto, which real DynamoDB makes atomic and moto does not.

moto runs each request in its own thread with no locking. A conditional write
checks and applies in two steps, and a failed TransactWriteItems restores a
copy of the whole table taken before it started, wiping writes that other
threads made meanwhile. Under 20 concurrent ``POST /files`` that let an
eleventh 100 MiB file past a 1 GiB quota. Real DynamoDB evaluates conditions
and transactions atomically, so the emulator runs DynamoDB requests one at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

_TARGET_PREFIX = "DynamoDB_"


class SerializedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time; everything else runs in parallel."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(_TARGET_PREFIX):
            return self._app(environ, start_response)
        with self._lock:
            # Drain inside the lock: moto may do its work lazily while the body is read.
            return list(self._app(environ, start_response))
