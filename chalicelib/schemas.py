"""What Locker accepts, as JSON Schema 2020-12: the one source for validation and the OpenAPI document.

The validators (``validation``, ``sharing_validation``, ``upload_requests``)
take their field sets, bounds, patterns, enums and defaults from these dicts,
and ``openapi`` publishes the same dicts as ``components.schemas``, so the
document cannot promise what the code does not check. Plain dicts: no schema
library is imported on Lambda's cold path. Rules JSON Schema cannot say (NFC
length, "visible", "in the future") are checked in code and told in
``description``. What Locker answers lives in ``response_schemas``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.config import Settings
from chalicelib.model import VISIBLE_STATUSES
from chalicelib.multipart import MAX_PARTS

Schema = dict[str, Any]

SIGN_METHODS = ("PUT", "POST", "GET", "DELETE")

FILENAME: Schema = {
    "type": "string",
    "minLength": 1,
    "maxLength": 255,
    "description": "1 to 255 characters after NFC normalisation; no Unicode C* character, line or "
    "paragraph separator, / or \\; at least one visible character (not only spaces, dots or "
    "invisible ones).",
    # The one rule a portable pattern states; Unicode categories need \p{...}, which not every
    # JSON Schema regex engine has.
    "not": {"pattern": "[/\\\\]"},
}
SHA256: Schema = {
    "type": "string",
    "pattern": "^[A-Za-z0-9+/]{43}=$",
    "description": "The base64 of a 32-byte SHA-256 digest.",
}
USERNAME: Schema = {"type": "string", "minLength": 1, "maxLength": 128, "description": "A Cognito username."}
GROUP_NAME: Schema = {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$", "minLength": 1, "maxLength": 64}
EXPIRES_AT: Schema = {
    "type": "string",
    "format": "date-time",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
    "description": "ISO 8601 UTC with a Z, like 2027-01-31T12:00:00Z: in the future, at most one year ahead.",
}
LIMIT: Schema = {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}
CURSOR: Schema = {"type": "string", "description": "Opaque: the nextCursor of the previous page."}
STATUS: Schema = {"type": "string", "enum": list(VISIBLE_STATUSES)}
IDEMPOTENCY_KEY: Schema = {"type": "string", "pattern": "^[!-~]{1,64}$", "minLength": 1, "maxLength": 64}


def _object(properties: dict[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def new_file(settings: Settings) -> Schema:
    """``POST /files``: bounded by this deployment's allowed types and maximum size."""
    schema = _object(
        {
            "filename": FILENAME,
            "contentType": {"type": "string", "enum": list(settings.allowed_types)},
            "size": {"type": "integer", "minimum": 1, "maximum": settings.max_size},
            "sha256": {
                **SHA256,
                "description": f"Pins the bytes; only for sizes up to {settings.multipart_threshold} "
                "(larger files pin each part instead).",
            },
        },
        ("filename", "contentType", "size"),
    )
    schema["description"] = f"Above {settings.multipart_threshold} bytes the upload is multipart."
    # A multipart upload pins each part instead: a whole-file sha256 with it is a 400.
    schema["if"] = {"properties": {"size": {"exclusiveMinimum": settings.multipart_threshold}}}
    schema["then"] = {"not": {"required": ["sha256"]}}
    return schema


PART_REQUEST = _object(
    {"partNumber": {"type": "integer", "minimum": 1, "maximum": MAX_PARTS}, "sha256": SHA256},
    ("partNumber",),
)
PART_REQUESTS = _object(
    {
        "parts": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": PART_REQUEST,
            "description": "Part numbers from 1 to the upload's partCount, none repeated.",
        }
    },
    ("parts",),
)


_DECLARED = {"filename": "string", "contentType": "string", "size": "integer"}


def sign_request(settings: Settings | None = None) -> Schema:
    """``POST /uploads/sign``: Uppy's PresignableRequest, plus Locker's declaration to start one.

    ``filename``, ``contentType`` and ``size`` follow ``new_file``'s rules
    for this deployment; with ``settings`` None they are only typed.
    """
    declared = {name: {"type": kind} for name, kind in _DECLARED.items()}
    if settings is not None:
        declared = {k: v for k, v in new_file(settings)["properties"].items() if k in _DECLARED}
    schema = _object(
        {
            "method": {"type": "string", "enum": list(SIGN_METHODS)},
            "key": {"type": "string", "minLength": 1, "maxLength": 1024},
            "uploadId": {"type": "string", "minLength": 1, "maxLength": 1024},
            "partNumber": {"type": "integer", "minimum": 1, "maximum": MAX_PARTS},
            # S3's own limit for a presigned URL; Locker signs for at most its upload lifetime.
            "expiresIn": {"type": "integer", "minimum": 1, "maximum": 604800},
            **declared,
        },
        ("method",),
    )
    schema["oneOf"] = _SIGNABLE
    return schema


# What the signer signs (uppy.UppySigner.sign); any other combination is a 400.
_SIGNABLE: list[Schema] = [
    {
        "description": "PutObject or CreateMultipartUpload: starts an upload, declared like POST /files.",
        "properties": {"method": {"enum": ["PUT", "POST"]}},
        "required": ["filename", "contentType", "size"],
        "not": {"anyOf": [{"required": ["uploadId"]}, {"required": ["partNumber"]}]},
    },
    {
        "description": "UploadPart of the upload uploadId.",
        "properties": {"method": {"const": "PUT"}},
        "required": ["uploadId", "partNumber"],
    },
    {
        "description": "ListParts, CompleteMultipartUpload or AbortMultipartUpload of the upload uploadId.",
        "properties": {"method": {"enum": ["GET", "POST", "DELETE"]}},
        "required": ["uploadId"],
        "not": {"required": ["partNumber"]},
    },
]


GRANT_REQUEST: Schema = {
    **_object({"user": USERNAME, "group": GROUP_NAME, "expiresAt": EXPIRES_AT}),
    "oneOf": [{"required": ["user"]}, {"required": ["group"]}],
    "description": "Exactly one of user and group.",
}
GROUP_REQUEST = _object({"name": GROUP_NAME}, ("name",))
MEMBER_REQUEST = _object({"user": USERNAME}, ("user",))
LINK_REQUEST = _object(
    {
        "expiresIn": {"type": "integer", "minimum": 60, "maximum": 604800, "default": 86400},
        "maxDownloads": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1},
    }
)


def requests(settings: Settings) -> dict[str, Schema]:
    """Every request body schema, by its name in ``components.schemas``."""
    return {
        "NewFile": new_file(settings),
        "PartRequests": PART_REQUESTS,
        "SignRequest": sign_request(settings),
        "GrantRequest": GRANT_REQUEST,
        "GroupRequest": GROUP_REQUEST,
        "MemberRequest": MEMBER_REQUEST,
        "LinkRequest": LINK_REQUEST,
    }


def fields(schema: Schema) -> frozenset[str]:
    """The fields an object schema allows."""
    return frozenset(schema["properties"])


def bounds(schema: Schema) -> tuple[int, int]:
    """``(minimum, maximum)`` of an integer schema."""
    return int(schema["minimum"]), int(schema["maximum"])


def length(schema: Schema) -> tuple[int, int]:
    """``(minLength, maxLength)`` of a string schema."""
    return int(schema["minLength"]), int(schema["maxLength"])
