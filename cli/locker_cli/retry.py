"""When to try a request again, and how long to wait: one policy for Locker and for storage.

A connection that never opened is always safe to retry; a request that may
have reached the server only when it is idempotent. 502, 503 and 504 mean
"nothing was changed, try again" (Locker's contract for 503), honouring
``Retry-After``; every other status is an answer, not a hiccup.
"""

from __future__ import annotations

import httpx

ATTEMPTS = 5
RETRY_STATUSES = frozenset({502, 503, 504})
MAX_WAIT_SECONDS = 20.0


def retryable_error(error: httpx.HTTPError, idempotent: bool) -> bool:
    """Whether a transport error may be retried."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return idempotent and isinstance(error, httpx.TransportError)


def wait_seconds(attempt: int, answer: httpx.Response | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1`` (exponential from 0.5 s, or ``Retry-After``)."""
    backoff: float = min(0.5 * 2.0**attempt, MAX_WAIT_SECONDS)
    if answer is not None:
        raw = str(answer.headers.get("Retry-After", ""))
        if raw.isdigit():
            return min(float(raw), MAX_WAIT_SECONDS)
    return backoff
