"""One rule for AWS failures Locker cannot classify: answer 503 and change nothing.

Adapters (``storage``, ``dynamo_records``) first pick out the answers they
understand (a missing object, a failed condition); every other ``ClientError``
or ``BotoCoreError`` (refused reads, KMS errors, throttling, timeouts, errors
nobody has seen yet) becomes ``ServiceUnavailableError`` here, so no caller can
mistake a failure for a fact such as "the object is missing".

``guard_routes`` and ``guarded`` apply the same rule once more at the edge, to
every view and event handler: an AWS failure that no adapter classified (the
sharing stores leave most to it) answers 503 with Retry-After, never Chalice's
500 with the error and its message in a logged traceback.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import ServiceUnavailableError

log = logging.getLogger("locker.dependencies")
log.setLevel(logging.INFO)  # Chalice sets the "locker" logger to ERROR


class Unprocessed(Exception):
    """DynamoDB kept refusing part of a batch."""


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


# What an AWS call can raise that no adapter turned into an answer.
AWS_FAILURES = (ClientError, BotoCoreError, Unprocessed)
Handler = TypeVar("Handler", bound=Callable[..., Any])


@contextmanager
def past_commit(step: str) -> Iterator[None]:
    """Run a step after an operation's commit point: a failure is logged, never answered.

    The change the caller asked for has happened, so a 503 ("nothing was changed") would be a
    lie; what the step left undone is finished by a retry, the sweep, or the reader that
    verifies what it reads.
    """
    try:
        yield
    except (ServiceUnavailableError, *AWS_FAILURES) as exc:
        log.info("%s left for the sweep: %s", step, type(exc).__name__)


def _operation(exc: Exception) -> str:
    name = getattr(exc, "operation_name", None)
    return f"AWS {name}" if isinstance(name, str) and name.isidentifier() else "AWS call"


def guarded(handler: Handler) -> Handler:
    """``handler`` with every unclassified AWS failure raised as ``ServiceUnavailableError``."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except AWS_FAILURES as exc:
            raise unavailable(_operation(exc), exc) from None

    return run  # type: ignore[return-value]


def guard_routes(routes: dict[str, dict[str, Any]]) -> None:
    """Guard every view of a Chalice route table (``app.routes``), once all routes exist."""
    for methods in routes.values():
        for entry in methods.values():
            if not getattr(entry.view_function, "_locker_guarded", False):
                entry.view_function = guarded(entry.view_function)
                entry.view_function._locker_guarded = True
