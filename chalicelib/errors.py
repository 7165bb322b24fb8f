"""Locker's error classes. Chalice renders each as ``{"Code", "Message"}``.

The class name is the ``Code`` clients see, so these names are part of the API:
raise these classes themselves, never renamed subclasses (``LinkNotFound`` is
the one subclass: the link routes catch it and answer their own 404).
"""

from __future__ import annotations

from chalice.app import (
    BadRequestError,
    ChaliceViewError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
)

__all__ = [
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "LinkNotFound",
    "NotFoundError",
    "RequestEntityTooLargeError",
    "ServiceUnavailableError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaType",
]


class RequestEntityTooLargeError(ChaliceViewError):
    """The request body is larger than Locker accepts (Chalice has no 413)."""

    STATUS_CODE = 413


class UnsupportedMediaType(ChaliceViewError):
    """A route that reads a body was sent something other than ``application/json``."""

    STATUS_CODE = 415


class ServiceUnavailableError(ChaliceViewError):
    """A dependency failed in a way Locker cannot classify: nothing changed, try again.

    The middleware adds ``Retry-After`` to every 503.
    """

    STATUS_CODE = 503


class LinkNotFound(NotFoundError):
    """The one answer for every link that cannot be used (``/l/`` routes render it)."""


def file_not_found() -> NotFoundError:
    """The one answer for unknown, malformed, expired, deleted or foreign ids."""
    return NotFoundError("file not found")


def owner_only() -> ForbiddenError:
    """A reader asked for something only the file's owner may do."""
    return ForbiddenError("only the file's owner may do this")
