"""What every blueprint's views share: the caller, the request, its JSON body, preflights."""

from __future__ import annotations

import os
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib import deployment, validation
from chalicelib.gateway import current_principal

AUTHORIZER = deployment.gateway_authorizer(os.environ)
# Every route lets any Content-Type reach Locker: Chalice's own matching takes
# "text/plain; application/json" or "*/*" for JSON and echoes the header in its
# 415. Routes without a body ignore the type (curl -d '' sends a form type);
# routes that read one call ``json_body``, the one strict check.
ANY_BODY = ["*/*"]


def caller() -> str:
    """The verified caller's ``sub``: the only owner Locker ever uses."""
    return current_principal().sub


def current_request(blueprint: Blueprint) -> Request:
    """The request the blueprint's view is answering."""
    request = blueprint.current_request
    if request is None:  # Chalice sets it before any view runs
        raise RuntimeError("no current request")
    return request


def _single_header(request: Request, name: str) -> str | None:
    """The value of a header sent exactly once, else None (API Gateway keeps every copy)."""
    multi = request.to_original_event().get("multiValueHeaders")
    if isinstance(multi, dict):
        copies = [v for k, v in multi.items() if isinstance(k, str) and k.lower() == name]
        if sum(len(v) if isinstance(v, list) else 1 for v in copies) > 1:
            return None
    value = request.headers.get(name)
    return value if isinstance(value, str) else None


def json_body(blueprint: Blueprint) -> dict[str, Any]:
    """The request's body: a JSON object sent as ``application/json``, at most 16 KiB.

    Raises:
        UnsupportedMediaType: the Content-Type is missing, repeated or not JSON.
        RequestEntityTooLargeError: the body is over 16 KiB.
        BadRequestError: the body is not one JSON object of valid Unicode.
    """
    request = current_request(blueprint)
    validation.json_content_type(_single_header(request, "content-type"))
    return validation.json_object(request.raw_body)


def _preflight(**_: str) -> Response:
    """CORS preflight; the middleware answers it before this runs."""
    return Response(body="", status_code=204)


def add_preflights(blueprint: Blueprint, paths: tuple[str, ...], prefix: str) -> None:
    """Register an ``OPTIONS`` route for each path so browsers' preflights reach the middleware."""
    for number, path in enumerate(paths):
        blueprint.route(path, methods=["OPTIONS"], name=f"{prefix}_preflight_{number}")(_preflight)
