"""Validates the bodies of the sharing routes (grants, groups, members, links) into plain values."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from typing import Any

from chalicelib import schemas
from chalicelib.errors import BadRequestError

_ISO_RE = re.compile(schemas.EXPIRES_AT["pattern"])
_LINK = schemas.LINK_REQUEST["properties"]
DEFAULT_LINK_SECONDS = int(_LINK["expiresIn"]["default"])
_USER_LENGTH = schemas.length(schemas.USERNAME)
_GROUP_NAME_RE = re.compile(schemas.GROUP_NAME["pattern"])


def valid_name(name: str) -> bool:
    """A group name: 1 to 64 of a-z, 0-9, - and _."""
    return bool(_GROUP_NAME_RE.fullmatch(name))  # fullmatch: "$" alone would let a final newline in


def _only(body: Mapping[str, Any], schema: schemas.Schema) -> None:
    allowed = schemas.fields(schema)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequestError(f"unknown field: {unknown[0]}")


def _int(body: Mapping[str, Any], name: str, schema: schemas.Schema) -> int:
    if name not in body:
        return int(schema["default"])
    low, high = schemas.bounds(schema)
    value = body[name]
    if type(value) is not int or not low <= value <= high:
        raise BadRequestError(f"{name} must be an integer from {low} to {high}")
    return value


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    low, high = _USER_LENGTH
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise BadRequestError(f"{name} must be a string of {low} to {high} characters")
    return value


def _expires_at(value: Any, now: float) -> int:
    try:
        if not isinstance(value, str) or not _ISO_RE.match(value):
            raise ValueError
        epoch = calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        raise BadRequestError("expiresAt must be an ISO 8601 UTC time like 2027-01-31T12:00:00Z") from None
    if epoch <= now:
        raise BadRequestError("expiresAt must be in the future")
    return epoch


def grant_body(body: Mapping[str, Any], now: float) -> dict[str, Any]:
    """``{"user"|"group", "expiresAt"?}`` -> ``{"user"|"group": name, "expiresAt": epoch | None}``."""
    _only(body, schemas.GRANT_REQUEST)
    if ("user" in body) == ("group" in body):
        raise BadRequestError("exactly one of user and group is required")
    field = "user" if "user" in body else "group"
    name = _text(body, field)
    if field == "group" and not valid_name(name):
        raise BadRequestError("group must be 1 to 64 of a-z, 0-9, - and _")
    expires = _expires_at(body["expiresAt"], now) if "expiresAt" in body else None
    return {field: name, "expiresAt": expires}


def group_body(body: Mapping[str, Any]) -> str:
    """``{"name"}`` -> the new group's name."""
    _only(body, schemas.GROUP_REQUEST)
    name = body.get("name")
    if not isinstance(name, str) or not valid_name(name):
        raise BadRequestError("name must be 1 to 64 of a-z, 0-9, - and _")
    return name


def member_body(body: Mapping[str, Any]) -> str:
    """``{"user"}`` -> the username to add."""
    _only(body, schemas.MEMBER_REQUEST)
    return _text(body, "user")


def link_body(body: Mapping[str, Any]) -> tuple[int, int]:
    """``{"expiresIn"?, "maxDownloads"?}`` -> (seconds, downloads)."""
    _only(body, schemas.LINK_REQUEST)
    return (_int(body, "expiresIn", _LINK["expiresIn"]), _int(body, "maxDownloads", _LINK["maxDownloads"]))
