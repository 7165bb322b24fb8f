"""moto copies an object's bytes where S3 streams them; while installed, it copies them once.

moto keeps each object in a ``SpooledTemporaryFile`` (``FakeKey._value_buffer``).
Three of its habits make a large object cost far more than its bytes:

* every value is first written into the spool's memory and only then, when it
  proves larger than the spool, copied to its file: a 16 MiB part is copied twice;
* CompleteMultipartUpload hands the new object to ``put_object`` as one ``bytes``
  of the whole size, built by copying every part (``s3_multipart_complete``
  assembles it in a spool of its own instead, an ``Assembled``, which the new
  key adopts as its buffer);
* a ranged GetObject reads the whole object (``key.value``) and slices it, so
  Locker's 4 KiB content check after a 1 GiB upload reads 1 GiB.

While ``install()`` is in effect a value larger than the spool goes straight to
its file, an ``Assembled`` value becomes the key's buffer, and inside GetObject
``key.value`` is a ``Window``: moto's own range handling measures and slices it,
and only the bytes of the range are read. Whatever moto does not slice is read
whole before it leaves moto, so every answer is the one moto gives.
"""

from __future__ import annotations

import tempfile
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any

from moto.s3.models import FakeKey
from moto.s3.responses import S3Response

_ORIGINAL_VALUE: property = FakeKey.value  # type: ignore[assignment]
_ORIGINAL_GET_OBJECT = S3Response.get_object
_ORIGINAL_KEY_RESPONSE = S3Response.key_response
_in_get_object: ContextVar[bool] = ContextVar("s3_get_object", default=False)


@dataclass(frozen=True)
class Assembled:
    """An object's bytes already in a spool of moto's kind (``size`` bytes), for a new key to adopt."""

    buffer: tempfile.SpooledTemporaryFile[bytes]
    size: int


class Window:
    """A key's stored bytes, read only as far as they are sliced (moto's range handling)."""

    def __init__(self, key: FakeKey) -> None:
        self._key = key
        self._size = int(key.contentsize)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, wanted: slice) -> bytes:
        start, stop, step = wanted.indices(self._size)
        if step != 1:
            return self.read_all()[wanted]
        with self._key.lock:
            buffer: IO[bytes] = self._key._value_buffer
            buffer.seek(start)
            return buffer.read(max(0, stop - start))

    def read_all(self) -> bytes:
        """Every byte, as moto's own ``key.value`` reads them."""
        value: bytes = _ORIGINAL_VALUE.fget(self._key)  # type: ignore[misc]
        return value


def _get_value(self: FakeKey) -> bytes | Window:
    if _in_get_object.get():
        return Window(self)
    value: bytes = _ORIGINAL_VALUE.fget(self)  # type: ignore[misc]
    return value


def _set_value(self: FakeKey, new_value: bytes | Assembled) -> None:
    if isinstance(new_value, Assembled):
        previous = self._value_buffer
        self._value_buffer = new_value.buffer
        self.contentsize = new_value.size
        previous.close()
        return
    if isinstance(new_value, bytes | bytearray) and len(new_value) > self._max_buffer_size:
        self._value_buffer.seek(0)
        self._value_buffer.truncate()
        self._value_buffer.rollover()  # to its file now, not after a copy in memory
    _ORIGINAL_VALUE.fset(self, new_value)  # type: ignore[misc]


def _get_object(self: S3Response) -> Any:
    token = _in_get_object.set(True)
    try:
        return _ORIGINAL_GET_OBJECT(self)
    finally:
        _in_get_object.reset(token)


def _key_response(self: S3Response, request: Any, full_url: str, headers: Any) -> Any:
    status, response_headers, content = _ORIGINAL_KEY_RESPONSE(self, request, full_url, headers)
    if isinstance(content, Window):  # a GET moto did not slice (no range, or one it ignores)
        content = content.read_all()
    return status, response_headers, content


_VALUE = property(_get_value, _set_value)


def install() -> None:
    """Copy object bytes once and read only a GET's range (idempotent)."""
    FakeKey.value = _VALUE  # type: ignore[assignment]
    S3Response.get_object = _get_object  # type: ignore[method-assign]
    S3Response.key_response = _key_response  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own handling (tests compare the two)."""
    FakeKey.value = _ORIGINAL_VALUE  # type: ignore[assignment]
    S3Response.get_object = _ORIGINAL_GET_OBJECT  # type: ignore[method-assign]
    S3Response.key_response = _ORIGINAL_KEY_RESPONSE  # type: ignore[method-assign]


def installed() -> bool:
    """Whether object bytes are currently copied once."""
    return FakeKey.__dict__["value"] is _VALUE and S3Response.get_object is _get_object  # type: ignore[comparison-overlap]
