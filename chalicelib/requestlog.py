"""One JSON log line per HTTP request, carrying the request's metrics, from one middleware.

Registered in app.py before the authentication middleware, so it wraps every
route (and every 401 or 500 answered before a view runs). The line holds only
values Locker chose itself: request id, route template (never the path, which
can carry ids or link tokens), method, status, latency, the error ``Code`` and
a keyed hash of the caller's ``sub``. No header, query, body, URL or filename is
ever read into it, so none can leak. The hash is an HMAC under a key derived
from the cursor secret: lines of one caller correlate, but a ``sub`` cannot be
confirmed from the logs without the secret.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from chalice.app import Request, Response

from chalicelib import config, metrics
from chalicelib.config import ConfigError

CALLER_HASH_CHARS = 16
_KEY_LABEL = b"locker/request-log/caller"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_ROUTE_RE = re.compile(r"^/[A-Za-z0-9_./{}+-]*$")  # "." for /openapi.json
_METHOD_RE = re.compile(r"^[A-Z]{1,10}$")

_caller: ContextVar[str | None] = ContextVar("locker_log_caller", default=None)


def identify(sub: str) -> None:
    """Record the verified caller of the current request (the gateway calls this)."""
    _caller.set(sub)


@functools.lru_cache(maxsize=4)
def _log_key(key: bytes) -> bytes:
    return hmac.new(key, _KEY_LABEL, hashlib.sha256).digest()


def caller_hash(key: bytes, sub: str) -> str:
    """The caller's pseudonym in logs: HMAC-SHA256 of ``sub`` under a key derived from ``key``."""
    return hmac.new(_log_key(key), sub.encode(), hashlib.sha256).hexdigest()[:CALLER_HASH_CHARS]


def _hashed_caller(sub: str | None) -> str | None:
    if sub is None:
        return None
    try:
        key = config.get().cursor_key
    except ConfigError:
        return None  # the gateway has refused the request already
    return caller_hash(key, sub)


def _checked(pattern: re.Pattern[str], value: Any) -> str | None:
    return value if isinstance(value, str) and pattern.match(value) else None


def _error_code(response: Response) -> str | None:
    body = response.body
    if response.status_code < 400:
        return None
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    code = body.get("Code") if isinstance(body, dict) else None
    return code if isinstance(code, str) and code.isidentifier() else None


def _request_id(request: Request) -> str | None:
    """API Gateway's id (the access log's), else the Lambda invocation's (chalice local)."""
    gateway_id = request.context.get("requestId")
    lambda_id = getattr(request.lambda_context, "aws_request_id", None)
    return _checked(_REQUEST_ID_RE, gateway_id) or _checked(_REQUEST_ID_RE, lambda_id)


def line(request: Request | None, response: Response, sub: str | None, latency_ms: float) -> dict[str, Any]:
    """The log record for one answered request."""
    context = request.context if request is not None else {}
    return {
        "type": "request",
        "requestId": _request_id(request) if request is not None else None,
        "route": _checked(_ROUTE_RE, context.get("resourcePath")),
        "method": _checked(_METHOD_RE, request.method) if request is not None else None,
        "status": response.status_code,
        "latencyMs": round(latency_ms, 1),
        "caller": _hashed_caller(sub),
        "code": _error_code(response),
    }


def middleware(event: Request | None, get_response: Callable[[Request], Response]) -> Response:
    """Chalice ``http`` middleware: time the request, log one line holding its metrics."""
    started = time.perf_counter()
    token = _caller.set(None)
    try:
        with metrics.collected() as counts:
            try:
                response = get_response(event)  # type: ignore[arg-type]  # the gateway answers None
            except BaseException:
                metrics.emit(counts)  # no line to carry them: what was counted still counts
                raise
            record = line(event, response, _caller.get(), (time.perf_counter() - started) * 1000)
            print(json.dumps(metrics.with_counts(record, counts), separators=(",", ":")), flush=True)
    finally:
        _caller.reset(token)
    return response
