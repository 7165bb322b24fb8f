"""Turns untrusted request input into typed values, or a 4xx that names the field."""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, NamedTuple

from chalicelib import schemas
from chalicelib.config import Settings
from chalicelib.errors import BadRequestError, RequestEntityTooLargeError, UnsupportedMediaType

MAX_BODY_BYTES = 16 * 1024
MIN_FILENAME, MAX_FILENAME = schemas.length(schemas.FILENAME)
DEFAULT_LIMIT = int(schemas.LIMIT["default"])
MIN_LIMIT, MAX_LIMIT = schemas.bounds(schemas.LIMIT)
_STATUSES = tuple(schemas.STATUS["enum"])
# Letters and symbols that render as nothing at all (Hangul fillers, the blank Braille pattern):
# a name made of them, like one made of spaces, dots or format characters, shows nothing.
_BLANK_GRAPHICS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# application/json, optionally with charset=utf-8 (RFC 9110: OWS around ";", none around "=").
# ASCII-only matching: re.IGNORECASE alone would let "\u017f" stand for "s" and "\u212a" for "k".
_JSON_MEDIA_TYPE = re.compile(
    r'[ \t]*application/json(?:[ \t]*;[ \t]*charset=(?:utf-8|"utf-8"))?[ \t]*', re.IGNORECASE | re.ASCII
)
UNSUPPORTED_MEDIA_TYPE = "request body must be JSON: send Content-Type: application/json"


class NewFile(NamedTuple):
    """What a client declares about an upload before sending the bytes."""

    filename: str
    content_type: str
    size: int
    sha256: str | None


class ListQuery(NamedTuple):
    """A validated ``GET /files`` query."""

    limit: int
    cursor: str | None
    status: str | None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate field {key}")
        found[key] = value
    return found


def json_content_type(value: str | None) -> None:
    """Accept only ``application/json`` (optionally ``; charset=utf-8``) as a body's type.

    ``None`` stands for no header, and for several (ambiguous) ones.

    Raises:
        UnsupportedMediaType: anything else; the message says what to send, never echoes the header.
    """
    if value is None or not _JSON_MEDIA_TYPE.fullmatch(value):
        raise UnsupportedMediaType(UNSUPPORTED_MEDIA_TYPE)


def json_object(raw: bytes | str | None) -> dict[str, Any]:
    """Parse a request body that must be a JSON object of at most 16 KiB.

    Raises:
        RequestEntityTooLargeError: the body is over 16 KiB.
        BadRequestError: the body is not a single JSON object.
    """
    raw = raw.encode() if isinstance(raw, str) else (raw or b"")
    if len(raw) > MAX_BODY_BYTES:
        raise RequestEntityTooLargeError(f"request body must be at most {MAX_BODY_BYTES} bytes")
    try:
        value = json.loads(
            raw.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_unique_keys
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequestError("request body must be a JSON object") from None
    if not isinstance(value, dict):
        raise BadRequestError("request body must be a JSON object")
    for key, field in value.items():
        if not _unicode(key):
            raise BadRequestError("request body field names must be Unicode text (no lone surrogates)")
        if not _unicode(field):
            raise BadRequestError(f"{key} must be Unicode text (no lone surrogates)")
    return value


def _unicode(value: Any) -> bool:
    """Whether every string in ``value`` (keys too) is text, not a JSON escape like "\\ud800" left unpaired.

    Such a string is not Unicode: it cannot be stored, logged or sent as UTF-8,
    so it is refused where it enters. Iterative: bodies nest up to ``json``'s
    own recursion limit.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _visible(char: str) -> bool:
    """A character that shows on its own: a letter, digit, punctuation or symbol, but not a dot."""
    return unicodedata.category(char)[0] in "LNPS" and char != "." and char not in _BLANK_GRAPHICS


def filename(value: Any) -> str:
    """A filename per the contract, NFC-normalised.

    Unicode categories decide: no C* at all (controls, format characters such as
    every Bidi_Control and zero-width character, lone surrogates, private-use and
    unassigned code points), no line or paragraph separators, no ``/`` or ``\\``,
    and at least one visible character (not only spaces, dots or invisible ones).

    Raises:
        BadRequestError: naming the field and the rule broken.
    """
    if not isinstance(value, str):
        raise BadRequestError("filename must be a string")
    name = unicodedata.normalize("NFC", value)
    if not MIN_FILENAME <= len(name) <= MAX_FILENAME:
        raise BadRequestError(f"filename must be between {MIN_FILENAME} and {MAX_FILENAME} characters")
    if any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in name):
        raise BadRequestError(
            "filename must not contain control characters (Unicode C*: control, format, surrogate, "
            "private-use or unassigned)"
        )
    if "/" in name or "\\" in name:
        raise BadRequestError("filename must not contain / or \\")
    if not any(_visible(c) for c in name):
        raise BadRequestError(
            "filename must contain a visible name, not only spaces, dots or invisible characters"
        )
    return name


def _content_type(value: Any, schema: schemas.Schema) -> str:
    allowed = schema["enum"]
    if not isinstance(value, str) or value not in allowed:
        raise BadRequestError("contentType must be one of " + ", ".join(allowed))
    return value


def _size(value: Any, schema: schemas.Schema) -> int:
    low, high = schemas.bounds(schema)
    # bool is an int in Python; JSON true is not a size.
    if type(value) is not int or not low <= value <= high:
        raise BadRequestError(f"size must be between {low} and {high}")
    return value


def sha256(value: Any) -> str:
    """A base64 SHA-256 digest, or a 400 naming the field.

    Raises:
        BadRequestError: not the base64 of 32 bytes.
    """
    return _sha256(value)


def _sha256(value: Any) -> str:
    try:
        if not isinstance(value, str) or len(base64.b64decode(value, validate=True)) != 32:
            raise ValueError
    except (binascii.Error, ValueError):
        raise BadRequestError("sha256 must be the base64 of a 32-byte SHA-256 digest") from None
    return value


def new_file(body: Mapping[str, Any], settings: Settings) -> NewFile:
    """Validate a ``POST /files`` body.

    Raises:
        BadRequestError: naming the first offending field.
    """
    schema = schemas.new_file(settings)
    unknown = sorted(set(body) - schemas.fields(schema))
    if unknown:
        raise BadRequestError(f"unknown field: {unknown[0]}")
    for required in schema["required"]:
        if required not in body:
            raise BadRequestError(f"{required} is required")
    declared = NewFile(
        filename=filename(body["filename"]),
        content_type=_content_type(body["contentType"], schema["properties"]["contentType"]),
        size=_size(body["size"], schema["properties"]["size"]),
        sha256=_sha256(body["sha256"]) if "sha256" in body else None,
    )
    if declared.sha256 is not None and declared.size > settings.multipart_threshold:
        raise BadRequestError(
            f"sha256 is for uploads of at most {settings.multipart_threshold} bytes; "
            "larger files are sent in parts, and each part may pin its own sha256"
        )
    return declared


def list_query(params: Mapping[str, str] | None) -> ListQuery:
    """Validate ``GET /files`` parameters; unknown parameters are ignored.

    Raises:
        BadRequestError: limit outside 1..100 or an unknown status.
    """
    params = params or {}
    raw_limit = params.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not raw_limit.isascii() or not raw_limit.isdigit() or not MIN_LIMIT <= int(raw_limit) <= MAX_LIMIT:
            raise BadRequestError(f"limit must be an integer from {MIN_LIMIT} to {MAX_LIMIT}")
        limit = int(raw_limit)
    status = params.get("status") or None
    if status is not None and status not in _STATUSES:
        raise BadRequestError("status must be one of " + ", ".join(_STATUSES))
    return ListQuery(limit=limit, cursor=params.get("cursor") or None, status=status)
