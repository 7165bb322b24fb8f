"""What every blueprint's views share: the caller, the request, its JSON body, preflights."""

from __future__ import annotations

import os
import re
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
_DOMAIN = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
_STAGE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_LOCAL_HOST = re.compile(r"^(127\.0\.0\.1|localhost)(:\d{1,5})?$")


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


def caller_name() -> str:
    """The verified caller's username (what grants and activity show)."""
    return current_principal().username


def public_base(request: Request) -> str:
    """Where this API is reachable, for links Locker hands out.

    Deployed, API Gateway's own request context names the domain and stage;
    locally, only a loopback ``Host`` is believed (anything else falls back).
    """
    context = request.context or {}
    domain, stage = context.get("domainName"), context.get("stage")
    if isinstance(domain, str) and isinstance(stage, str) and _DOMAIN.match(domain) and _STAGE.match(stage):
        return f"https://{domain}/{stage}"
    host = request.headers.get("host", "")
    return f"http://{host}" if _LOCAL_HOST.match(host) else "http://127.0.0.1"
