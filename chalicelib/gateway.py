"""Locker's front door: one HTTP middleware that denies by default.

Every request passes here before any view runs. ``GET /health``, CORS
preflights, the OpenAPI document and the download link page ``/l/{token}``
(its token is its own credential: ``PUBLIC_ROUTES``) are the only things
answered without a token;
everything else needs a verified Cognito token, whose principal the views read
through ``current_principal()``. A view that somehow runs without the middleware finds
no principal and fails closed. The same place adds the security headers every
response needs (``Retry-After`` on every 503), and turns bad settings into a
bare 500 (details go to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar

from chalice.app import Request, Response

from chalicelib import auth, config, container, metrics, requestlog
from chalicelib.auth import AuthError, Principal
from chalicelib.challenge import CHALLENGE_BAD_TOKEN, CHALLENGE_NO_TOKEN, www_authenticate
from chalicelib.config import ConfigError, Settings

logger = logging.getLogger("locker.auth")
# Chalice(app_name="locker") sets the "locker" logger to ERROR (and stops it
# propagating), which would silently drop every refusal logged here.
logger.setLevel(logging.INFO)

UNAUTHORIZED_MESSAGE = "A valid access token is required."
__all__ = ["CHALLENGE_BAD_TOKEN", "CHALLENGE_NO_TOKEN", "current_principal", "middleware"]
ALLOW_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "600"
# Every 503 means "a dependency failed, nothing changed": say when to try again.
RETRY_AFTER = "2"
# The SPA reads a 401's error_description (why the token was refused) and a 405's Allow.
EXPOSE_HEADERS = "WWW-Authenticate, Allow"

_principal: ContextVar[Principal | None] = ContextVar("locker_principal", default=None)
_config_error_logged = False


@container.on_reset
def _forget() -> None:
    global _config_error_logged
    _config_error_logged = False


def current_principal() -> Principal:
    """The caller verified by the middleware for this request.

    Raises:
        RuntimeError: outside a request the middleware authenticated (fails closed).
    """
    principal = _principal.get()
    if principal is None:
        raise RuntimeError("no authenticated principal: is gateway.middleware registered?")
    return principal


def principal_or_none() -> Principal | None:
    """The verified caller of this request, or None outside one (events, the sweep, tests)."""
    return _principal.get()


def _error(
    status: int, code: str, message: str, headers: dict[str, str | list[str]] | None = None
) -> Response:
    return Response(body={"Code": code, "Message": message}, headers=headers or {}, status_code=status)


def _settings() -> Settings | None:
    global _config_error_logged
    try:
        return config.get()
    except ConfigError as exc:
        if not _config_error_logged:
            _config_error_logged = True
            logger.error("refusing requests: %s", exc)
        return None


def _is_health(request: Request) -> bool:
    return request.method == "GET" and request.path == "/health"


# The download link page (the link's token is the credential) and the API's own description.
PUBLIC_ROUTES = frozenset({("GET", "/l/{token}"), ("POST", "/l/{token}"), ("GET", "/openapi.json")})


def _is_public(request: Request) -> bool:
    return (request.method, request.path) in PUBLIC_ROUTES


def _decorate(response: Response, request: Request, settings: Settings | None, preflight: bool) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if response.status_code == 503:
        headers.setdefault("Retry-After", RETRY_AFTER)
    if not _is_health(request):
        headers["Cache-Control"] = "no-store"
    origin = settings.web_origin if settings is not None else None
    if origin is not None:
        vary = headers.get("Vary")
        headers["Vary"] = f"{vary}, Origin" if isinstance(vary, str) and vary else "Origin"
        if request.headers.get("origin") == origin:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            if preflight:
                headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
                headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def _respond(
    request: Request, settings: Settings | None, get_response: Callable[[Request], Response]
) -> Response:
    if settings is None:
        return _error(500, "InternalServerError", "An internal server error occurred.")
    if request.method == "OPTIONS":
        return Response(body="", status_code=204)
    if _is_public(request):
        return get_response(request)
    try:
        principal = auth.authenticate(request)
    except AuthError as exc:
        metrics.count(metrics.AUTH_FAILURES)
        route = request.context.get("resourcePath")  # the template: a path can hold link tokens
        logger.warning("401 for %s %s: %s", request.method, route, exc.reason)
        challenge = www_authenticate(exc)
        return _error(401, "UnauthorizedError", UNAUTHORIZED_MESSAGE, {"WWW-Authenticate": challenge})
    token = _principal.set(principal)
    requestlog.identify(principal.sub)
    try:
        return get_response(request)
    finally:
        _principal.reset(token)


def middleware(event: Request | None, get_response: Callable[[Request], Response]) -> Response:
    """Chalice ``http`` middleware: authenticate, run the view, add security headers."""
    if event is None:  # Chalice could not even map the event to a route
        return _error(500, "InternalServerError", "An internal server error occurred.")
    settings = _settings()
    # Liveness must not depend on settings or tokens.
    response = get_response(event) if _is_health(event) else _respond(event, settings, get_response)
    return _decorate(response, event, settings, preflight=event.method == "OPTIONS")
