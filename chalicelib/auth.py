"""Who is calling: a Cognito user-pool token, verified by Locker itself.

``chalice local`` and the test client only base64-decode Cognito tokens, and
the emulator's signing key is public, so the checks here are what stand between
a forged token and someone else's files, in every mode. The rules follow
awslabs/aws-jwt-verify: RS256 only, key chosen by ``kid`` from the pool's JWKS,
exact issuer, allowed ``token_use`` and app client, bounded clock skew, and a
Cognito-shaped ``sub`` as the only identity. Every header Locker parses here is
hostile until proven otherwise, so all failures are ``AuthError`` and nothing else;
the one exception is ``KeysUnavailable``: with no signing keys the token was never judged.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeGuard

from chalice.app import Request

from chalicelib import config, container
from chalicelib.config import Settings
from chalicelib.jwks import SigningKeys

LEEWAY = 60
MAX_TOKEN_CHARS = 8 * 1024
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_B64TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")  # RFC 6750 b64token
_SUB = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Principal(NamedTuple):
    """The verified caller. ``sub`` is the only identity Locker trusts."""

    sub: str
    username: str
    groups: tuple[str, ...]
    scopes: tuple[str, ...]
    token_use: str


class AuthError(Exception):
    """The request carries no acceptable token. ``reason`` is for logs and never holds the token."""

    def __init__(self, reason: str, *, token_sent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token_sent = token_sent


def _refuse(reason: str) -> AuthError:
    return AuthError(reason, token_sent=True)


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _json_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment))
    except (ValueError, RecursionError):  # binascii, Unicode and JSON errors are ValueErrors
        raise _refuse(f"{what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise _refuse(f"{what} is not a JSON object")
    return value


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


class TokenVerifier:
    """Checks a compact JWS against one user pool's rules."""

    def __init__(
        self, settings: Settings, jwks: SigningKeys | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._issuer = settings.issuer
        self._client_ids = frozenset(settings.client_ids)
        self._token_uses = frozenset(settings.token_uses)
        self.jwks = jwks if jwks is not None else SigningKeys(settings.jwks_url)
        self._clock = clock

    def verify(self, token: str) -> Principal:
        """The principal named by a valid token.

        Raises:
            AuthError: for any malformed, forged, expired or foreign token.
            KeysUnavailable: no signing keys could be fetched (nothing was judged).
        """
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not _JWS.fullmatch(token):
            raise _refuse("token is not a compact JWS")
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = _json_object(header_b64, "header")
        if header.get("alg") != "RS256":  # before anything else: no none, HS*, PS*, ES*, RS512
            raise _refuse("alg is not RS256")
        if "crit" in header:
            raise _refuse("crit header not supported")
        kid = header.get("kid")  # jku, x5u, jwk and x5c are never read
        key = self.jwks.get(kid) if isinstance(kid, str) and 0 < len(kid) <= 256 else None
        if key is None:
            raise _refuse("unknown kid")
        try:
            signature = _b64decode(signature_b64)
        except ValueError:
            raise _refuse("signature is not base64url") from None
        if not key.Algorithm.verify(f"{header_b64}.{payload_b64}".encode(), key.key, signature):
            raise _refuse("bad signature")
        return self._principal(_json_object(payload_b64, "payload"))

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        token_use = claims.get("token_use")
        if not isinstance(token_use, str) or token_use not in self._token_uses:
            raise _refuse(
                "token_use not allowed: an ID token" if token_use == "id" else "token_use not allowed"
            )
        if claims.get("iss") != self._issuer:
            raise _refuse("wrong issuer")
        now = self._clock()
        exp, nbf, iat = claims.get("exp"), claims.get("nbf", 0), claims.get("iat", 0)
        if not _number(exp) or not _number(nbf) or not _number(iat):
            raise _refuse("exp missing or a time claim is not a number")
        if now > exp + LEEWAY:
            raise _refuse("expired")
        if nbf > now + LEEWAY or iat > now + LEEWAY:
            raise _refuse("not valid yet")
        audience = claims.get("client_id" if token_use == "access" else "aud")
        if not isinstance(audience, str) or audience not in self._client_ids:
            raise _refuse("app client not allowed")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not _SUB.fullmatch(sub):
            raise _refuse("sub missing or not a Cognito sub")
        username = claims.get("username" if token_use == "access" else "cognito:username")
        groups, scope = claims.get("cognito:groups", []), claims.get("scope", "")
        if (
            not isinstance(username, str)
            or not username
            or not _strings(groups)
            or not isinstance(scope, str)
        ):
            raise _refuse("username, cognito:groups or scope malformed")
        return Principal(sub, username, tuple(groups), tuple(scope.split()), token_use)


def _authorization_headers(event: Mapping[str, Any]) -> int:
    """How many Authorization headers the raw event carries (API Gateway keeps all of them)."""
    multi = event.get("multiValueHeaders")
    counted = 0
    if isinstance(multi, dict):
        for name, values in multi.items():
            if isinstance(name, str) and name.lower() == "authorization":
                counted += len(values) if isinstance(values, list) else 1
    single = event.get("headers")
    names = sum(1 for n in single if isinstance(n, str) and n.lower() == "authorization") if single else 0
    return max(counted, names)


def bearer_token(request: Request) -> str:
    """The token of the request's single ``Authorization: Bearer <token>`` header.

    Raises:
        AuthError: no header (``token_sent`` False), another scheme, or malformed credentials.
    """
    if _authorization_headers(request.to_original_event()) > 1:
        raise _refuse("several Authorization headers")
    value = request.headers.get("authorization")
    if not isinstance(value, str):
        raise AuthError("no Authorization header", token_sent=False)
    scheme, _, token = value.partition(" ")
    if not scheme.isascii() or scheme.lower() != "bearer":
        raise AuthError("not the Bearer scheme", token_sent=False)
    if len(token) > MAX_TOKEN_CHARS or not _B64TOKEN.fullmatch(token):
        raise _refuse("malformed bearer credentials")
    return token


_lock = threading.Lock()
_state: tuple[Settings, TokenVerifier] | None = None


def _verifier() -> TokenVerifier:
    global _state
    settings = config.get()
    state = _state
    if state is None or state[0] is not settings:
        with _lock:
            if _state is None or _state[0] is not settings:
                _state = (settings, TokenVerifier(settings))
            state = _state
    return state[1]


def authenticate(request: Request) -> Principal:
    """The verified caller of ``request``, with this container's cached verifier.

    Raises:
        AuthError: see ``bearer_token`` and ``TokenVerifier.verify``.
        KeysUnavailable: the pool's keys cannot be fetched (a cold start during a JWKS outage).
        ConfigError: if the settings are invalid.
    """
    return _verifier().verify(bearer_token(request))


@container.on_reset
def _forget() -> None:
    global _state
    with _lock:
        _state = None
