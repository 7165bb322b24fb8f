"""What can go wrong, as one exception type that knows its exit status and its plain words.

Every failure the client expects ends as a :class:`CliError`: the command
prints its message on one line and exits with its code, never a traceback.
The codes are documented in the README ("Command-line client").
"""

from __future__ import annotations

OK = 0
FAILED = 1  # anything not classified below
USAGE = 2  # a wrong flag or argument, a missing setting, a local file that is not there
AUTH = 3  # not logged in, session expired, wrong password, token refused (401)
NOT_FOUND = 4  # no such file (404: unknown or someone else's)
REFUSED = 5  # Locker understood and refused: 400, 403, 409, 413, 415, 429
INTEGRITY = 6  # the bytes did not match: upload rejected (422), download size or SHA-256 wrong
UNAVAILABLE = 7  # network, timeout, 5xx, 503: try again; an upload resumes where it stopped
INTERRUPTED = 130  # Ctrl-C; an upload resumes where it stopped

_BY_STATUS = {401: AUTH, 404: NOT_FOUND, 422: INTEGRITY}


class CliError(Exception):
    """A failure with the words to print and the exit status to return."""

    def __init__(self, message: str, exit_code: int = FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class ApiError(CliError):
    """Locker answered an error ``{"Code", "Message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{message} (HTTP {status} {code})", exit_code_for(status))
        self.status = status
        self.code = code
        self.detail = message


def exit_code_for(status: int) -> int:
    """The exit status for an HTTP error status from Locker or storage."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return UNAVAILABLE
    return REFUSED
