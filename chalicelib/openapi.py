"""Locker's OpenAPI 3.1 document, built from the app's route table and the schemas validation uses.

Chalice only emits Swagger 2.0 with empty models, so Locker builds its own:
paths and methods from the real routes (``unmatched.declared``), summaries and
operation ids from the views, bodies and bounds from ``schemas`` (the dicts
the validators read), answers from ``response_schemas`` and ``operations``.
``served`` builds it on the first ``GET /openapi.json`` only (never at
import: cold starts pay nothing) for this deployment's settings;
``scripts/openapi.py`` writes the default deployment's to ``docs/openapi.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chalicelib import config, container, schemas
from chalicelib.config import Settings
from chalicelib.operations import OPERATIONS, Answer, Operation
from chalicelib.response_schemas import RESPONSES, ref
from chalicelib.routes.unmatched import declared

Document = dict[str, Any]
SECURITY = "CognitoBearer"
_PARAM = re.compile(r"{(\w+)}")
_ERRORS = {
    400: "Bad input: the message names the field.",
    401: "No token, or one that is malformed, forged, expired or foreign.",
    403: "A grantee asking for the owner's action, or a group member for a manager's.",
    404: "Unknown, or not the caller's: the same answer.",
    409: "The resource's state forbids it (not uploaded yet, not ready, rejected, a name taken, "
    "a limit reached), or an Idempotency-Key reused with another body.",
    413: "Request body over 16 KiB.",
    415: "Request body not sent as Content-Type: application/json.",
    422: "The upload does not match its declaration: the object is deleted and the file rejected.",
    429: "Quota exceeded.",
    503: "A storage or database failure Locker cannot classify: nothing changed, try again.",
}
_HEADERS = {
    "Location": {"description": "Where to go next.", "schema": {"type": "string", "format": "uri"}},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}},
    "WWW-Authenticate": {"description": "RFC 6750 bearer challenge.", "schema": {"type": "string"}},
}
_QUERY = {"limit": schemas.LIMIT, "cursor": schemas.CURSOR, "status": schemas.STATUS}
_DESCRIPTION = (
    "Private files: upload and download through short-lived S3 presigned URLs, share with users, "
    "groups and download links. Every answer that is not a success is {Code, Message}. "
    "The contract in prose: docs/API.md."
)


def _media(answer: Answer) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for media in answer.media:
        content[media] = {
            "schema": {"type": "string"} if media == "text/html" else ref(answer.schema or "Empty")
        }
    return content


def _success(answer: Answer) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    if answer.schema is not None:
        response["content"] = _media(answer)
    if answer.headers:
        response["headers"] = {name: {**_HEADERS[name], "required": True} for name in answer.headers}
    return response


def _error(status: int, html: bool) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": ref("Error")}}
    if html:
        content["text/html"] = {"schema": {"type": "string"}}
    response: dict[str, Any] = {"description": _ERRORS[status], "content": content}
    header = {401: "WWW-Authenticate", 503: "Retry-After"}.get(status)
    if header is not None:
        response["headers"] = {header: {**_HEADERS[header], "required": True}}
    return response


def _parameters(path: str, operation: Operation) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PARAM.findall(path)
    ]
    found += [
        {"name": name, "in": "query", "required": False, "schema": _QUERY[name]} for name in operation.query
    ]
    if operation.idempotency_key:
        found.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry within 24 hours with the same key and body answers what the first "
                "call answered; the same key with another body is a 409.",
                "schema": schemas.IDEMPOTENCY_KEY,
            }
        )
    return found


def _operation(path: str, method: str, operation: Operation, entry: Any) -> dict[str, Any]:
    doc = (entry.view_function.__doc__ or "").strip()
    built: dict[str, Any] = {"operationId": entry.view_name, "summary": doc.splitlines()[0] if doc else path}
    if operation.notes:
        built["description"] = operation.notes
    parameters = _parameters(path, operation)
    if parameters:
        built["parameters"] = parameters
    if operation.body is not None:
        built["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(operation.body)}},
        }
    errors = operation.errors if operation.public else tuple(sorted({401, *operation.errors}))
    responses = {str(s): _success(a) for s, a in sorted(operation.answers.items())}
    # Only the link page's own "not found" is a page; a failure it cannot handle is Chalice's JSON.
    responses |= {str(s): _error(s, operation.html_errors and s == 404) for s in errors}
    built["responses"] = responses
    if operation.public:
        built["security"] = []
    return built


def operations(routes: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(method, path)`` of every route the document describes: all but the CORS preflights."""
    return sorted((m, p) for p, methods in declared(routes).items() for m in methods if m != "OPTIONS")


def build(routes: Mapping[str, Mapping[str, Any]], settings: Settings) -> Document:
    """The document for ``routes`` (the app's ``app.routes``) under ``settings``' limits.

    Raises:
        KeyError: a route with no entry in ``operations.OPERATIONS``.
    """
    paths: dict[str, dict[str, Any]] = {}
    for method, path in operations(routes):
        item = _operation(path, method, OPERATIONS[(method, path)], routes[path][method])
        paths.setdefault(path, {})[method.lower()] = item
    components = {
        **schemas.requests(settings),
        **RESPONSES,
        "Empty": {"type": "object", "maxProperties": 0},
        "OpenAPIDocument": {"type": "object", "required": ["openapi", "info", "paths"]},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Locker", "version": "2", "description": _DESCRIPTION},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                SECURITY: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "A Cognito user-pool access token.",
                }
            },
        },
        "security": [{SECURITY: []}],
    }


def render(document: Document) -> str:
    """The document as committed: stable key order, two-space indent, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_served: str | None = None


@container.on_reset
def _forget() -> None:
    global _served
    _served = None


def served(routes: Mapping[str, Mapping[str, Any]]) -> str:
    """This deployment's document as JSON, built on the first call and kept for the container."""
    global _served
    if _served is None:
        _served = render(build(routes, config.get()))
    return _served
