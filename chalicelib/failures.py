"""One rule for AWS failures Locker cannot classify: answer 503 and change nothing.

Adapters (``storage``, ``dynamo_records``) first pick out the answers they
understand (a missing object, a failed condition); every other ``ClientError``
or ``BotoCoreError`` (refused reads, KMS errors, throttling, timeouts, errors
nobody has seen yet) becomes ``ServiceUnavailableError`` here, so no caller can
mistake a failure for a fact such as "the object is missing".
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import ServiceUnavailableError

log = logging.getLogger("locker.dependencies")
log.setLevel(logging.INFO)  # Chalice sets the "locker" logger to ERROR
MESSAGE = "A storage or database service is unavailable; nothing was changed, try again."


def error_code(exc: ClientError) -> str:
    """The AWS error code of ``exc`` ("" when the answer had none)."""
    code = exc.response.get("Error", {}).get("Code")
    return code if isinstance(code, str) else ""


def unavailable(operation: str, exc: Exception) -> ServiceUnavailableError:
    """The 503 for a failed ``operation``; logs the error code or class, never its message.

    AWS messages can carry ARNs, keys and account ids, so only the code is logged.
    """
    detail = error_code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    log.warning("%s failed: %s", operation, detail or "unknown error")
    return ServiceUnavailableError(MESSAGE)


@contextmanager
def unclassified(operation: str) -> Iterator[None]:
    """Turn any AWS failure inside the block into ``ServiceUnavailableError``.

    Use it around a call after handling the answers the caller understands.
    """
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise unavailable(operation, exc) from None
