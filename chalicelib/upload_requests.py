"""Turns the bodies of the part and Uppy signing routes into typed requests, or a 400 naming the field.

Both bodies are untrusted: nothing in them can name an owner, a bucket or an
upload id Locker has not recorded itself, and every field is checked for
type and range before any storage call is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import schemas, validation
from chalicelib.config import Settings
from chalicelib.errors import BadRequestError
from chalicelib.validation import NewFile

_PARTS = schemas.PART_REQUESTS["properties"]["parts"]
MIN_PARTS_PER_REQUEST, MAX_PARTS_PER_REQUEST = int(_PARTS["minItems"]), int(_PARTS["maxItems"])
_PART_FIELDS = schemas.fields(schemas.PART_REQUEST)
_PART_NUMBER = schemas.PART_REQUEST["properties"]["partNumber"]
# The request's shape does not depend on settings; new_file checks the declaration against them.
_SIGN = schemas.sign_request()
_SIGN_FIELDS = schemas.fields(_SIGN)
SIGN_METHODS = tuple(_SIGN["properties"]["method"]["enum"])
UNSIGNABLE = (
    "only PutObject, CreateMultipartUpload, and UploadPart, ListParts, CompleteMultipartUpload or "
    "AbortMultipartUpload with an uploadId can be signed"
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


def _text(body: Mapping[str, Any], name: str) -> str | None:
    if name not in body:
        return None
    low, high = schemas.length(_SIGN["properties"][name])
    value = body[name]
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise BadRequestError(f"{name} must be a string of {low} to {high} characters")
    return value


def _bounded(body: Mapping[str, Any], name: str) -> int | None:
    if name not in body:
        return None
    return _integer(body[name], name, *schemas.bounds(_SIGN["properties"][name]))


def part_requests(body: Mapping[str, Any], part_count: int) -> list[PartRequest]:
    """Validate a ``POST /files/{id}/parts`` body for an upload of ``part_count`` parts.

    Raises:
        BadRequestError: naming the first offending field.
    """
    _unknown(body, schemas.fields(schemas.PART_REQUESTS))
    entries = body.get("parts")
    if not isinstance(entries, list) or not MIN_PARTS_PER_REQUEST <= len(entries) <= MAX_PARTS_PER_REQUEST:
        raise BadRequestError(
            f"parts must be a list of {MIN_PARTS_PER_REQUEST} to {MAX_PARTS_PER_REQUEST} objects"
        )
    found: list[PartRequest] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        where = f"parts[{index}]."
        if not isinstance(entry, dict):
            raise BadRequestError(f"parts[{index}] must be an object")
        _unknown(entry, _PART_FIELDS, where)
        if "partNumber" not in entry:
            raise BadRequestError(f"{where}partNumber is required")
        low, high = schemas.bounds(_PART_NUMBER)
        number = _integer(entry["partNumber"], f"{where}partNumber", low, min(part_count, high))
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
    """Validate a ``POST /uploads/sign`` body: its fields and which S3 request it asks for.

    ``filename``, ``contentType`` and ``size`` are checked by the rules of
    ``POST /files`` when a start request uses them (``new_file``).

    Raises:
        BadRequestError: naming the first offending field.
    """
    _unknown(body, _SIGN_FIELDS)
    method = body.get("method")
    if method not in SIGN_METHODS:
        raise BadRequestError("method must be one of " + ", ".join(SIGN_METHODS))
    number = _bounded(body, "partNumber")
    expires = _bounded(body, "expiresIn")
    request = SignRequest(
        method=str(method),
        key=_text(body, "key"),
        upload_id=_text(body, "uploadId"),
        part_number=number,
        expires_in=expires,
        declared={k: body[k] for k in ("filename", "contentType", "size") if k in body},
    )
    # The combinations the signer signs, as the schema's oneOf states them.
    if not request.starts_upload:
        if request.upload_id is None:
            raise BadRequestError(UNSIGNABLE)
        if (request.method == "PUT") != (request.part_number is not None):
            raise BadRequestError("partNumber is required for UploadPart (PUT) and only there")
    return request


def new_file(request: SignRequest, settings: Settings) -> NewFile:
    """The declaration a start request makes, under exactly the rules of ``POST /files``.

    Raises:
        BadRequestError: naming the first offending field.
    """
    return validation.new_file(request.declared, settings)
