"""Opaque, tamper-proof list cursors bound to the user they were issued to."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable

from chalicelib.errors import BadRequestError
from chalicelib.model import is_file_id

_MAC_BYTES = 16
_MAX_CURSOR = 512


def _mac(key: bytes, owner: str, payload: bytes) -> bytes:
    message = owner.encode() + b"\x00" + payload
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(key: bytes, owner: str, after_id: str) -> str:
    """A cursor that resumes a listing after ``after_id``, valid only for ``owner``."""
    payload = json.dumps({"v": 1, "after": after_id}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(key, owner, payload))}"


def decode(key: bytes, owner: str, cursor: str) -> str:
    """The id to resume after.

    Raises:
        BadRequestError: the cursor was tampered with, is malformed, or belongs to another user.
    """
    return _decode(key, owner, cursor, is_file_id)


def _decode(key: bytes, owner: str, cursor: str, valid: Callable[[str], bool]) -> str:
    try:
        if len(cursor) > _MAX_CURSOR or not cursor.isascii():
            raise ValueError
        encoded_payload, encoded_mac = cursor.split(".")
        payload = _unb64(encoded_payload)
        if not hmac.compare_digest(_unb64(encoded_mac), _mac(key, owner, payload)):
            raise ValueError
        after = json.loads(payload)["after"]
        if not isinstance(after, str) or not valid(after):
            raise ValueError
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise BadRequestError("cursor is invalid") from None
    return after


def encode_position(key: bytes, owner: str, listing: str, position: str) -> str:
    """A cursor for the list ``listing`` (e.g. ``shared``), resuming before ``position``."""
    return encode(key, f"{owner}\x00{listing}", position)


def decode_position(key: bytes, owner: str, listing: str, cursor: str, valid: Callable[[str], bool]) -> str:
    """The position a cursor of ``listing`` resumes before; ``valid`` checks its shape.

    Raises:
        BadRequestError: tampered, malformed, or issued to another user or for another list.
    """
    return _decode(key, f"{owner}\x00{listing}", cursor, valid)
