"""Bytes to and from storage through presigned URLs, streamed; S3's XML errors in plain words.

The URLs carry signatures, so they are never printed, not even in errors.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator

import httpx

from locker_cli.errors import CliError, exit_code_for
from locker_cli.parts import Part, chunks

TIMEOUT = httpx.Timeout(120.0, connect=10.0, pool=None)
_CODE = re.compile(r"<Code>([^<]{1,100})</Code>")
_MESSAGE = re.compile(r"<Message>([^<]{1,300})</Message>")


class StorageError(CliError):
    """Storage refused a presigned request."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"storage refused: {message} (HTTP {status} {code})", exit_code_for(status))
        self.status = status
        self.code = code


def put_range(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    fd: int,
    part: Part,
    on_chunk: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> httpx.Response:
    """PUT ``part`` of ``fd`` to ``url`` with exactly ``headers`` (plus its Content-Length).

    Raises StorageError for an error answer and httpx.HTTPError for a broken connection.
    """
    sent = dict(headers)
    length = next((v for k, v in sent.items() if k.lower() == "content-length"), None)
    if length is None:
        sent["Content-Length"] = str(part.length)
    elif length != str(part.length):
        raise CliError(f"Locker signed {length} bytes for part {part.number}, which has {part.length}")
    body = chunks(fd, part.offset, part.length, on_chunk, cancel)
    answer = http.put(url, content=body, headers=sent, timeout=TIMEOUT)
    if not answer.is_success:
        raise storage_error(answer)
    return answer


def storage_error(answer: httpx.Response) -> StorageError:
    """An S3 XML error answer as a StorageError."""
    text = answer.text[:4000]
    code = _CODE.search(text)
    message = _MESSAGE.search(text)
    return StorageError(
        answer.status_code,
        code.group(1) if code else "Error",
        message.group(1) if message else (answer.reason_phrase or "unexpected answer"),
    )


@contextlib.contextmanager
def stream_get(http: httpx.Client, url: str) -> Iterator[httpx.Response]:
    """``with stream_get(...) as answer``: GET ``url`` as a stream; raises StorageError."""
    with http.stream("GET", url, timeout=TIMEOUT) as answer:
        if not answer.is_success:
            answer.read()
            raise storage_error(answer)
        yield answer
