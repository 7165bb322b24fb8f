"""The ``aws-chunked`` body framing of streaming uploads, decoded strictly.

With ``x-amz-content-sha256: STREAMING-...`` a client frames the object as
``<hex size>[;chunk-signature=<sig>]\\r\\n<data>\\r\\n`` chunks, a zero-size
last chunk, then optional trailer headers (``x-amz-checksum-sha256:<b64>``)
and a final ``\\r\\n``. moto decodes it leniently and never checks the
trailer, so the gate decodes it itself: the bytes it checksums are then the
bytes moto stores, and a malformed frame is refused as S3 refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devstack.emulator.s3errors import S3Error

_SIZE_LINE = re.compile(rb"^([0-9a-fA-F]{1,16})(;chunk-signature=[0-9a-f]{64})?$")
_TRAILER = re.compile(rb"^([A-Za-z0-9-]+):(.*)$")


@dataclass(frozen=True)
class Decoded:
    """The payload a framed body carries, and its trailer headers (names lower-cased)."""

    payload: bytes
    trailers: dict[str, str]


def _malformed() -> S3Error:
    return S3Error(
        400,
        "IncompleteBody",
        "The request body is not valid aws-chunked framing.",
    )


def _line(body: bytes, start: int) -> tuple[bytes, int]:
    end = body.find(b"\r\n", start)
    if end < 0:
        raise _malformed()
    return body[start:end], end + 2


def decode(body: bytes) -> Decoded:
    """Split a framed body into its payload and trailers.

    Raises:
        S3Error: 400 IncompleteBody for truncated or malformed framing.
    """
    payload = bytearray()
    position = 0
    while True:
        line, position = _line(body, position)
        size_line = _SIZE_LINE.match(line)
        if size_line is None:
            raise _malformed()
        size = int(size_line.group(1), 16)
        if size == 0:
            break
        data, position = body[position : position + size], position + size
        if len(data) != size or body[position : position + 2] != b"\r\n":
            raise _malformed()
        payload += data
        position += 2
    trailers: dict[str, str] = {}
    while True:
        line, position = _line(body, position)
        if not line:
            break
        trailer = _TRAILER.match(line)
        if trailer is None:
            raise _malformed()
        trailers[trailer.group(1).decode().lower()] = trailer.group(2).decode("latin-1").strip()
    if position != len(body):
        raise _malformed()
    return Decoded(bytes(payload), trailers)
