"""Opaque, tamper-proof list cursors bound to the user and the list they were issued for.

Decoding is strict: a cursor is exactly what ``encode`` produced (canonical
unpadded base64url, the MAC over the owner, the list and the payload), so an
inserted character, padding, non-canonical trailing bits or any changed byte
is a 400, never "close enough".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable

from chalicelib.errors import BadRequestError
from chalicelib.model import is_file_id

# Sort positions: 13-digit milliseconds, then a tie-breaking id.
POSITION_RE = re.compile(r"^\d{13}#[0-9A-Z]{36}$")
_MAC_BYTES = 16
_MAX_CURSOR = 512
_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def position(at_ms: int, tie: str) -> str:
    """A string that sorts like (at_ms, tie): list order and cursor positions."""
    return f"{at_ms:013d}#{tie}"


def _mac(key: bytes, owner: str, scope: str, payload: bytes) -> bytes:
    message = owner.encode() + b"\x00" + scope.encode() + b"\x00" + payload
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Decode unpadded base64url, refusing any text ``_b64`` would not have produced."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # unused trailing bits set, or an impossible length
        raise ValueError("non-canonical base64")
    return data


def encode(key: bytes, owner: str, after_id: str, scope: str = "") -> str:
    """A cursor that resumes a listing after ``after_id``, valid only for ``owner`` and ``scope``.

    ``scope`` names the list (its route and filter), so a cursor from one list is refused by another.
    """
    payload = json.dumps({"v": 1, "after": after_id}, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_mac(key, owner, scope, payload))}"


def decode(key: bytes, owner: str, cursor: str, scope: str = "") -> str:
    """The id to resume after.

    Raises:
        BadRequestError: the cursor was tampered with, is malformed, or belongs to another user or list.
    """
    return _decode(key, owner, cursor, scope, is_file_id)


def _decode(key: bytes, owner: str, cursor: str, scope: str, valid: Callable[[str], bool]) -> str:
    try:
        if len(cursor) > _MAX_CURSOR or not _SHAPE.fullmatch(cursor):
            raise ValueError
        encoded_payload, encoded_mac = cursor.split(".")
        payload = _unb64(encoded_payload)
        if not hmac.compare_digest(_unb64(encoded_mac), _mac(key, owner, scope, payload)):
            raise ValueError
        after = json.loads(payload)["after"]
        if not isinstance(after, str) or not valid(after):
            raise ValueError
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise BadRequestError("cursor is invalid") from None
    return after


def encode_position(key: bytes, owner: str, listing: str, position: str) -> str:
    """A cursor for the list ``listing`` (e.g. ``shared``), resuming before ``position``."""
    return encode(key, owner, position, scope=listing)


def decode_position(key: bytes, owner: str, listing: str, cursor: str, valid: Callable[[str], bool]) -> str:
    """The position a cursor of ``listing`` resumes before; ``valid`` checks its shape.

    Raises:
        BadRequestError: tampered, malformed, or issued to another user or for another list.
    """
    return _decode(key, owner, cursor, listing, valid)
