"""``@idempotent``: the one way a create route accepts an ``Idempotency-Key`` header.

Put it under ``@blueprint.route``; the view stays as it was. Without the header
the view just runs. With it, ``chalicelib.idempotency`` runs the view at most
once per caller, route, path parameters and key within 24 hours, and replays the
first success (status and body) to every retry with the same body, marked
``Idempotent-Replayed: true``. The key is never logged, stored or echoed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from chalice.app import BadRequestError, Blueprint, Request, Response

from chalicelib import runtime
from chalicelib.routes.common import caller, current_request, json_body

HEADER = "idempotency-key"
_KEY = re.compile(r"[\x21-\x7e]{1,64}")  # visible ASCII: no space, no control, nothing else
BAD_KEY = "Idempotency-Key must be sent once, as 1 to 64 visible ASCII characters"
IN_PROGRESS = "a request with this Idempotency-Key is still in progress; retry shortly"
RETRY_AFTER = "1"
REPLAYED = "Idempotent-Replayed"

View = Callable[..., Any]


def idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key, or None when it sent none.

    Raises:
        BadRequestError: the header is repeated, empty, too long or not visible ASCII (never echoed).
    """
    multi = request.to_original_event().get("multiValueHeaders")
    if isinstance(multi, dict):
        copies = [v for k, v in multi.items() if isinstance(k, str) and k.lower() == HEADER]
        if sum(len(v) if isinstance(v, list) else 1 for v in copies) > 1:
            raise BadRequestError(BAD_KEY)
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise BadRequestError(BAD_KEY)
    return value


def _scope(route: str, params: dict[str, str]) -> str:
    path = "&".join(f"{name}={params[name]}" for name in sorted(params))
    return f"{caller()}\0{route}\0{path}"


def _once(blueprint: Blueprint, route: str, key: str, view: View, params: dict[str, str]) -> Response:
    """Run ``view`` at most once for ``key`` and answer what its first run answered."""
    # Imported with the first key a container sees: most creates send none.
    from chalicelib.idempotency import Answer, KeyInUse

    def answer() -> Answer:
        result = view(**params)
        if isinstance(result, Response):
            return Answer(result.status_code, result.body)
        return Answer(200, result)

    body = json_body(blueprint)  # a body Locker refuses claims nothing
    try:
        found = runtime.idempotency().run(key, _scope(route, params), body, answer)
    except KeyInUse:
        return Response(
            body={"Code": "ConflictError", "Message": IN_PROGRESS},
            status_code=409,
            headers={"Retry-After": RETRY_AFTER},
        )
    headers: dict[str, str | list[str]] = {REPLAYED: "true"} if found.replayed else {}
    return Response(body=found.body, status_code=found.status, headers=headers)


def idempotent(blueprint: Blueprint, route: str) -> Callable[[View], View]:
    """Make ``blueprint``'s view for ``route`` (e.g. ``"POST /files"``) honour Idempotency-Key."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def run(**params: str) -> Any:
            key = idempotency_key(current_request(blueprint))
            if key is None:
                return view(**params)
            return _once(blueprint, route, key, view, params)

        return run

    return decorate
