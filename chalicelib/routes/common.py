"""What every blueprint's views share: the caller, the request, the authorizer, preflights."""

from __future__ import annotations

import os
import re

from chalice.app import Blueprint, Request, Response

from chalicelib import deployment
from chalicelib.gateway import current_principal

AUTHORIZER = deployment.gateway_authorizer(os.environ)
# Routes that take no body accept any Content-Type (curl -d '' sends a form type);
# routes that read a body must be sent JSON (415 otherwise).
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
