"""Turns the bodies of the part and Uppy signing routes into typed requests, or a 400 naming the field.

Both bodies are untrusted: nothing in them can name an owner, a bucket or an
upload id Locker has not recorded itself, and every field is checked for
type and range before any storage call is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import validation
from chalicelib.config import Settings
from chalicelib.errors import BadRequestError
from chalicelib.multipart import MAX_PARTS
from chalicelib.validation import NewFile

MAX_PARTS_PER_REQUEST = 100
SIGN_METHODS = ("PUT", "POST", "GET", "DELETE")
MAX_EXPIRES_IN = 604800  # S3's own limit for a presigned URL; Locker signs for less
_PART_FIELDS = frozenset({"partNumber", "sha256"})
_SIGN_FIELDS = frozenset(
    {"method", "key", "uploadId", "partNumber", "contentType", "expiresIn", "filename", "size"}
)


@dataclass(frozen=True)
class PartRequest:
    """One part a client wants a URL for."""

    number: int
    sha256: str | None


@dataclass(frozen=True)
class SignRequest:
    """Uppy's ``PresignableRequest``; ``declared`` holds Locker's ``filename``, ``contentType``, ``size``."""

    method: str
    key: str | None
    upload_id: str | None
    part_number: int | None
    expires_in: int | None
    declared: dict[str, Any]

    @property
    def starts_upload(self) -> bool:
        """PutObject or CreateMultipartUpload: the two requests that make a new file."""
        return self.upload_id is None and self.method in ("PUT", "POST") and self.part_number is None


def _unknown(body: Mapping[str, Any], allowed: frozenset[str], where: str = "") -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequestError(f"unknown field: {where}{unknown[0]}")


def _integer(value: Any, name: str, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise BadRequestError(f"{name} must be an integer from {low} to {high}")
    return value


def _text(body: Mapping[str, Any], name: str, longest: int = 1024) -> str | None:
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        raise BadRequestError(f"{name} must be a string of 1 to {longest} characters")
    return value


def part_requests(body: Mapping[str, Any], part_count: int) -> list[PartRequest]:
    """Validate a ``POST /files/{id}/parts`` body for an upload of ``part_count`` parts.

    Raises:
        BadRequestError: naming the first offending field.
    """
    _unknown(body, frozenset({"parts"}))
    entries = body.get("parts")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_PARTS_PER_REQUEST:
        raise BadRequestError(f"parts must be a list of 1 to {MAX_PARTS_PER_REQUEST} objects")
    found: list[PartRequest] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        where = f"parts[{index}]."
        if not isinstance(entry, dict):
            raise BadRequestError(f"parts[{index}] must be an object")
        _unknown(entry, _PART_FIELDS, where)
        if "partNumber" not in entry:
            raise BadRequestError(f"{where}partNumber is required")
        number = _integer(entry["partNumber"], f"{where}partNumber", 1, part_count)
        if number in seen:
            raise BadRequestError(f"{where}partNumber {number} is repeated")
        seen.add(number)
        digest = None
        if "sha256" in entry:
            try:
                digest = validation.sha256(entry["sha256"])
            except BadRequestError:
                raise BadRequestError(
                    f"{where}sha256 must be the base64 of a 32-byte SHA-256 digest"
                ) from None
        found.append(PartRequest(number, digest))
    return found


def sign_request(body: Mapping[str, Any]) -> SignRequest:
    """Validate a ``POST /uploads/sign`` body (its shape; what it may do is the signer's call).

    ``filename``, ``contentType`` and ``size`` are checked by the rules of
    ``POST /files`` when a start request uses them (``new_file``).

    Raises:
        BadRequestError: naming the first offending field.
    """
    _unknown(body, _SIGN_FIELDS)
    method = body.get("method")
    if method not in SIGN_METHODS:
        raise BadRequestError("method must be one of " + ", ".join(SIGN_METHODS))
    number = _integer(body["partNumber"], "partNumber", 1, MAX_PARTS) if "partNumber" in body else None
    expires = _integer(body["expiresIn"], "expiresIn", 1, MAX_EXPIRES_IN) if "expiresIn" in body else None
    return SignRequest(
        method=str(method),
        key=_text(body, "key"),
        upload_id=_text(body, "uploadId"),
        part_number=number,
        expires_in=expires,
        declared={k: body[k] for k in ("filename", "contentType", "size") if k in body},
    )


def new_file(request: SignRequest, settings: Settings) -> NewFile:
    """The declaration a start request makes, under exactly the rules of ``POST /files``.

    Raises:
        BadRequestError: naming the first offending field.
    """
    return validation.new_file(request.declared, settings)
