"""CORS for the emulator's Cognito endpoints, as real Cognito sends it.

Real Cognito answers browsers with permissive CORS, so the SPA can log in
straight from the page. moto only adds CORS globally, and the emulator turns
that off so that S3 buckets answer by their own CORS rules. This middleware
puts back Cognito's headers, and only Cognito's: the user-pool API
(``POST /`` with ``X-Amz-Target: AWSCognitoIdentityProviderService.*``), its
preflight, and the public JWKS / OpenID documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
ALLOW_HEADERS = "content-type, x-amz-target, x-amz-user-agent"
_WELL_KNOWN = ("/.well-known/jwks.json", "/.well-known/openid-configuration")


def _is_preflight(environ: WSGIEnvironment) -> bool:
    requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").lower()
    return (
        environ.get("REQUEST_METHOD") == "OPTIONS"
        and environ.get("PATH_INFO") == "/"
        and "x-amz-target" in {name.strip() for name in requested.split(",")}
    )


def _is_cognito_call(environ: WSGIEnvironment) -> bool:
    method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
    if method == "POST" and path == "/":
        return str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(TARGET_PREFIX)
    return method == "GET" and path.rstrip("/").endswith(_WELL_KNOWN)


class CognitoCors:
    """WSGI middleware adding Cognito's CORS answers in front of ``app``."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if _is_preflight(environ):
            start_response(
                "200 OK",
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "POST"),
                    ("Access-Control-Allow-Headers", ALLOW_HEADERS),
                    ("Access-Control-Max-Age", "600"),
                    ("Content-Length", "0"),
                ],
            )
            return [b""]
        if not _is_cognito_call(environ):
            return self._app(environ, start_response)

        def with_cors(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            kept = [(k, v) for k, v in headers if k.lower() != "access-control-allow-origin"]
            kept.append(("Access-Control-Allow-Origin", "*"))
            return start_response(status, kept, exc_info)

        return self._app(environ, with_cors)
