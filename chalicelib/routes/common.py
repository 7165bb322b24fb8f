"""What every blueprint's views share: the caller, the request, the authorizer, preflights."""

from __future__ import annotations

import os

from chalice.app import Blueprint, Request, Response

from chalicelib import deployment
from chalicelib.gateway import current_principal

AUTHORIZER = deployment.gateway_authorizer(os.environ)
# Routes that take no body accept any Content-Type (curl -d '' sends a form type);
# routes that read a body must be sent JSON (415 otherwise).
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


def _preflight(**_: str) -> Response:
    """CORS preflight; the middleware answers it before this runs."""
    return Response(body="", status_code=204)


def add_preflights(blueprint: Blueprint, paths: tuple[str, ...], prefix: str) -> None:
    """Register an ``OPTIONS`` route for each path so browsers' preflights reach the middleware."""
    for number, path in enumerate(paths):
        blueprint.route(path, methods=["OPTIONS"], name=f"{prefix}_preflight_{number}")(_preflight)
