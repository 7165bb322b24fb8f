"""A local file as byte ranges: the multipart plan, and reading one range in small chunks.

Memory never grows with the file: a range is read with ``os.pread`` one chunk
at a time, both to hash it and to send it, so each worker holds one chunk.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Part:
    """Part ``number`` (1-based) is ``length`` bytes from ``offset``."""

    number: int
    offset: int
    length: int


def plan(size: int, part_size: int, part_count: int) -> list[Part]:
    """The parts Locker's ``partSize`` and ``partCount`` describe; ValueError if they don't fit ``size``."""
    if size < 1 or part_size < 1 or part_count < 1:
        raise ValueError("size, partSize and partCount must be positive")
    if not (part_count - 1) * part_size < size <= part_count * part_size:
        raise ValueError(f"{part_count} parts of {part_size} bytes do not make {size} bytes")
    return [
        Part(n, (n - 1) * part_size, min(part_size, size - (n - 1) * part_size))
        for n in range(1, part_count + 1)
    ]


class Cancelled(Exception):
    """Reading stopped because the upload is being cancelled (Ctrl-C or a failed worker)."""


def chunks(
    fd: int,
    offset: int,
    length: int,
    on_chunk: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[bytes]:
    """``length`` bytes of ``fd`` from ``offset``, in chunks of at most CHUNK bytes.

    Raises OSError if the file became shorter, and Cancelled once ``cancel`` is set.
    """
    done = 0
    while done < length:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        data = os.pread(fd, min(CHUNK, length - done), offset + done)
        if not data:
            raise OSError(f"the file became shorter while reading (at byte {offset + done})")
        done += len(data)
        if on_chunk is not None:
            on_chunk(len(data))
        yield data


def sha256_b64(fd: int, offset: int, length: int, cancel: threading.Event | None = None) -> str:
    """Base64 SHA-256 of a range (the form of ``x-amz-checksum-sha256`` and Locker's ``sha256``)."""
    digest = hashlib.sha256()
    for data in chunks(fd, offset, length, cancel=cancel):
        digest.update(data)
    return base64.b64encode(digest.digest()).decode()
