"""Locker's own answers for requests no view was written for: 404 and 405.

Without these, a mistyped path or method is answered by whatever sits in front
of the app: Chalice's local server sends a 403 that echoes the whole
``Authorization`` header, API Gateway its "Missing Authentication Token". Both
break the rule that every answer is Locker's ``{"Code", "Message"}`` with the
security headers. So, once every blueprint is registered, ``register`` walks
the app's route table and adds:

* for every known path, each method it lacks: 405 ``MethodNotAllowedError``
  with an ``Allow`` header naming what the path does answer;
* catch-all paths ``/{unmatched1}`` ... ``/{unmatched1}/.../{unmatchedN}``:
  404 ``NotFoundError``. Chalice matches a request against every route of the
  same depth, concrete ones first, so these catch whatever matches nothing
  else, up to ``CATCH_ALL_DEPTH`` segments. API Gateway routes by a tree and
  its own answer for a miss is templated to the same 404 (infra/template.json).
* a middleware answering 405 for methods that no route can declare (TRACE,
  which API Gateway does not route, reaches Chalice's local server).

These views sit behind the same authentication middleware as every other
route: without a valid token, the answer is still the 401.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import Chalice, Request, Response

from chalicelib.routes.common import ANY_BODY, AUTHORIZER

# The methods a route can declare (API Gateway's, without ANY).
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
CATCH_ALL_DEPTH = 16
CATCH_ALL_PARAM = "unmatched"
NAME_PREFIX = "unmatched_"  # every route this module adds is named so (see ``declared``)
NOT_FOUND = {"Code": "NotFoundError", "Message": "There is no such route."}
METHOD_NOT_ALLOWED_MESSAGE = "This method is not allowed on this route."


def not_found(**_: str) -> Response:
    """The answer for a path that no route serves."""
    return Response(body=dict(NOT_FOUND), status_code=404)


def method_not_allowed(allowed: tuple[str, ...]) -> Response:
    """The answer for a known path asked with a method it does not serve."""
    body = {"Code": "MethodNotAllowedError", "Message": METHOD_NOT_ALLOWED_MESSAGE}
    return Response(body=body, headers={"Allow": ", ".join(allowed)}, status_code=405)


def _preflight(**_: str) -> Response:
    """CORS preflight; the authentication middleware answers it before this runs."""
    return Response(body="", status_code=204)


def _refuse_method(allowed: tuple[str, ...]) -> Callable[..., Response]:
    def view(**_: str) -> Response:
        return method_not_allowed(allowed)

    return view


def catch_all_paths(depth: int = CATCH_ALL_DEPTH) -> list[str]:
    """``/{unmatched1}``, ``/{unmatched1}/{unmatched2}``, ... up to ``depth`` segments."""
    segments = [f"{{{CATCH_ALL_PARAM}{n}}}" for n in range(1, depth + 1)]
    return ["/" + "/".join(segments[:n]) for n in range(1, depth + 1)]


def _add(app: Chalice, path: str, methods: list[str], name: str, view: Callable[..., Response]) -> None:
    # Preflights never carry a token; everything else keeps API Gateway's authorizer.
    if "OPTIONS" in methods:
        app.route(path, methods=["OPTIONS"], name=f"{name}_preflight", content_types=ANY_BODY)(_preflight)
    others = [m for m in methods if m != "OPTIONS"]
    if others:
        app.route(path, methods=others, name=name, authorizer=AUTHORIZER, content_types=ANY_BODY)(view)


def declared(routes: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, ...]]:
    """The methods each path really serves, without the 404/405 routes ``register`` adds.

    What an API document (OpenAPI) should list; ``app.routes`` also holds the refusals.
    """
    real = {
        path: tuple(sorted(m for m, entry in entries.items() if not entry.view_name.startswith(NAME_PREFIX)))
        for path, entries in routes.items()
    }
    return {path: methods for path, methods in real.items() if methods}


def register(app: Chalice) -> None:
    """Add the 404/405 routes and middleware; call after every blueprint is registered."""
    allowed = declared(app.routes)
    for number, (path, methods) in enumerate(sorted(allowed.items())):
        missing = [m for m in METHODS if m not in app.routes[path]]
        _add(app, path, missing, f"{NAME_PREFIX}{number}", _refuse_method(methods))
    for number, path in enumerate(catch_all_paths()):
        if path not in app.routes:
            _add(app, path, list(METHODS), f"{NAME_PREFIX}depth{number + 1}", not_found)

    def undeclarable_methods(event: Request, get_response: Callable[[Request], Response]) -> Response:
        path = event.context.get("resourcePath", "")
        if event.method not in METHODS:
            if path in allowed:
                return method_not_allowed(allowed[path])
            return not_found()
        return get_response(event)

    app.register_middleware(undeclarable_methods, "http")
