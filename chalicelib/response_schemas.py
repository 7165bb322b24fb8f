"""What Locker answers, as JSON Schema 2020-12: the response half of the OpenAPI document.

Each schema mirrors one ``to_api`` (``model``, ``access``, ``sharing_model``)
or one answer a use case builds; ``tests/unit/test_openapi_responses.py``
checks real answers against them. Objects are closed
(``additionalProperties: false``) so a field added in code without a schema
here fails that test instead of reaching clients undocumented.
"""

from __future__ import annotations

from typing import Any

from chalicelib import schemas
from chalicelib.activity import TYPES
from chalicelib.model import VISIBLE_STATUSES
from chalicelib.multipart import MAX_PARTS

Schema = dict[str, Any]

TIME: Schema = {"type": "string", "format": "date-time", "examples": ["2026-11-28T21:00:00Z"]}
URL: Schema = {"type": "string", "format": "uri"}
HEADERS: Schema = {"type": "object", "additionalProperties": {"type": "string"}}
COUNT: Schema = {"type": "integer", "minimum": 0}
NEXT_CURSOR: Schema = {"type": ["string", "null"], "description": "Pass as cursor for the next page."}
ERROR_CODES = (
    "BadRequestError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "MethodNotAllowedError",
    "ConflictError",
    "RequestEntityTooLargeError",
    "UnsupportedMediaType",
    "UnprocessableEntityError",
    "TooManyRequestsError",
    "ServiceUnavailableError",
)


def ref(name: str) -> Schema:
    """A reference to ``components.schemas[name]``."""
    return {"$ref": f"#/components/schemas/{name}"}


def closed(properties: dict[str, Schema], optional: tuple[str, ...] = ()) -> Schema:
    """An object with exactly ``properties``, all required but ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def _ref_to(name: str, field: str) -> Schema:
    return closed({field: ref(name)})


def _items(name: str, paged: bool = False) -> Schema:
    properties: dict[str, Schema] = {"items": {"type": "array", "items": ref(name)}}
    if paged:
        properties["nextCursor"] = NEXT_CURSOR
    return closed(properties)


_USER = closed({"id": {"type": "string"}, "name": {"type": "string"}})
_FILE_FIELDS: dict[str, Schema] = {
    "id": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{36}$"},
    "filename": {"type": "string"},
    "contentType": {"type": "string"},
    "size": {"type": "integer", "minimum": 1},
    "sha256": {"type": ["string", "null"], "pattern": schemas.SHA256["pattern"]},
    "status": {"type": "string", "enum": list(VISIBLE_STATUSES)},
    "createdAt": TIME,
    "updatedAt": TIME,
    "rejectedReason": {"type": ["string", "null"]},
    "access": {"type": "string", "enum": ["owner", "shared"]},
    "owner": {**_USER, "description": "Only on a file shared with the caller."},
}
_SHARED_VIA: Schema = {
    "oneOf": [
        closed({"type": {"const": "user"}}),
        closed({"type": {"const": "group"}, "name": {"type": "string"}}),
    ]
}
_GRANTEE: Schema = {
    "oneOf": [
        closed({"type": {"const": "user"}, "id": {"type": "string"}, "name": {"type": "string"}}),
        closed({"type": {"const": "group"}, "name": {"type": "string"}}),
    ]
}
_ACTOR: Schema = {
    "oneOf": [
        closed({"type": {"const": "user"}, "id": {"type": "string"}, "name": {"type": "string"}}),
        closed({"type": {"const": "link"}, "id": {"type": "string"}}),
        closed({"type": {"const": "system"}}),
    ]
}
ACTIVITY_TYPES = TYPES  # one list: the trail writes no other type
_LINK_FIELDS: dict[str, Schema] = {
    "id": {"type": "string"},
    "fileId": {"type": "string"},
    "createdAt": TIME,
    "expiresAt": TIME,
    "maxDownloads": {"type": "integer", "minimum": 1},
    "downloadsLeft": COUNT,
}

RESPONSES: dict[str, Schema] = {
    "Error": {
        **closed({"Code": {"type": "string", "examples": list(ERROR_CODES)}, "Message": {"type": "string"}}),
        "description": "Every error: Code is the error class, Message says what to fix and echoes nothing.",
    },
    "Health": closed({"status": {"const": "ok"}}),
    "File": closed(_FILE_FIELDS, optional=("owner",)),
    "SharedFile": closed({**_FILE_FIELDS, "sharedVia": _SHARED_VIA}),
    "PutUpload": closed(
        {"method": {"const": "PUT"}, "url": URL, "headers": HEADERS, "expiresAt": TIME},
    ),
    "MultipartUpload": closed(
        {
            "method": {"const": "MULTIPART"},
            "partSize": {"type": "integer", "minimum": 1},
            "partCount": {"type": "integer", "minimum": 1, "maximum": MAX_PARTS},
            "expiresAt": TIME,
        }
    ),
    "CreatedFile": closed(
        {"file": ref("File"), "upload": {"oneOf": [ref("PutUpload"), ref("MultipartUpload")]}}
    ),
    "FileAnswer": _ref_to("File", "file"),
    "FilePage": _items("File", paged=True),
    "SharedPage": _items("SharedFile", paged=True),
    "Download": closed({"url": URL, "expiresAt": TIME, "method": {"const": "GET"}}),
    "PartUrls": closed(
        {
            "parts": {
                "type": "array",
                "items": closed(
                    {"partNumber": {"type": "integer", "minimum": 1}, "url": URL, "headers": HEADERS}
                ),
            },
            "expiresAt": TIME,
        }
    ),
    "StoredParts": closed(
        {
            "parts": {
                "type": "array",
                "items": closed(
                    {
                        "partNumber": {"type": "integer", "minimum": 1},
                        "size": COUNT,
                        "etag": {"type": "string"},
                    }
                ),
            }
        }
    ),
    "Presigned": closed(
        {"url": URL, "key": {"type": "string"}, "headers": HEADERS}, optional=("key", "headers")
    ),
    "Grant": closed(
        {
            "id": {"type": "string"},
            "fileId": {"type": "string"},
            "grantee": _GRANTEE,
            "createdAt": TIME,
            "expiresAt": {**TIME, "type": ["string", "null"]},
        }
    ),
    "GrantAnswer": _ref_to("Grant", "grant"),
    "GrantList": _items("Grant"),
    "Group": closed(
        {
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["manager", "member"]},
            "memberCount": {"type": "integer", "minimum": 1},
            "createdAt": TIME,
        }
    ),
    "GroupAnswer": _ref_to("Group", "group"),
    "GroupList": _items("Group"),
    "Member": closed({"id": {"type": "string"}, "name": {"type": "string"}, "addedAt": TIME}),
    "MemberAnswer": _ref_to("Member", "member"),
    "MemberList": _items("Member"),
    "Link": closed(_LINK_FIELDS),
    "NewLink": closed({**_LINK_FIELDS, "url": {**URL, "description": "Shown only here."}}),
    "LinkAnswer": _ref_to("NewLink", "link"),
    "LinkList": _items("Link"),
    "LinkDescription": closed(
        {
            "filename": {"type": "string"},
            "size": {"type": "integer", "minimum": 1},
            "contentType": {"type": "string"},
            "expiresAt": TIME,
            "downloadsLeft": COUNT,
        }
    ),
    "LinkDownload": closed({"url": URL, "expiresAt": TIME}),
    "ActivityEntry": closed(
        {
            "at": TIME,
            "fileId": {"type": "string"},
            "type": {"type": "string", "enum": list(ACTIVITY_TYPES)},
            "actor": _ACTOR,
            "detail": {"type": "object"},
        }
    ),
    "ActivityPage": _items("ActivityEntry", paged=True),
}
