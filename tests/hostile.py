"""Hostile ``Authorization`` values: one table for every layer that checks tokens.

The unit tests run it through Chalice's test client and the e2e tests send it
over HTTP to the stack ``make run`` starts, so a case added here is proven at
both layers. Each case is built from a ``Forge``: what an attacker knows about
the pool (issuer, app client id, a user's ``sub``: all public or guessable) and
moto's signing key, which ships inside moto. ``reason`` is a piece of the
refusal Locker logs, so a case refused for the wrong reason (say, a forgery
whose claims are wrong by accident) is caught where the log can be read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from tests import tokens

# Every route that needs a token (ids need not exist: authentication comes first).
FILE_ROUTES = [
    ("GET", "/files"),
    ("POST", "/files"),
    ("GET", "/files/01J0000000000000000000000"),
    ("POST", "/files/01J0000000000000000000000/complete"),
    ("GET", "/files/01J0000000000000000000000/download"),
    ("DELETE", "/files/01J0000000000000000000000"),
    ("GET", "/files/01J0000000000000000000000/parts"),
    ("POST", "/files/01J0000000000000000000000/parts"),
    ("POST", "/uploads/sign"),
    *[
        (method, "/files/01J0000000000000000000000" + path)
        for method, path in [
            ("POST", "/grants"),
            ("GET", "/grants"),
            ("DELETE", "/grants/01J0000000000000000000000"),
            ("POST", "/links"),
            ("GET", "/links"),
            ("DELETE", "/links/01J0000000000000000000000"),
            ("GET", "/activity"),
        ]
    ],
    ("GET", "/shared"),
    ("GET", "/activity"),
    ("POST", "/groups"),
    ("GET", "/groups"),
    ("DELETE", "/groups/team"),
    ("GET", "/groups/team/members"),
    ("POST", "/groups/team/members"),
    ("DELETE", "/groups/team/members/11111111-1111-4111-8111-111111111111"),
]
# Every route that needs no token: the probe, the OpenAPI document, and the download link page
# (its token is the credential).
PUBLIC_ROUTES = [("GET", "/health"), ("GET", "/openapi.json"), ("GET", "/l/{token}"), ("POST", "/l/{token}")]
MALFORMED = "malformed bearer credentials"
NOT_JWS = "not a compact JWS"
ALG = "alg is not RS256"
# What a 401 tells the caller (RFC 6750 error_description): a few fixed phrases, nothing from the token.
BAD_TOKEN = 'Bearer error="invalid_token"'
NO_TOKEN = 'Bearer realm="locker"'
INVALID = "The access token is invalid"
MALFORMED_TOKEN = "The access token is malformed"
EXPIRED = "The access token expired"
ID_TOKEN = "An ID token was sent; an access token is required"
WRONG_SCHEME = "Send the access token as Authorization: Bearer <token>"
_DESCRIBED = (
    (MALFORMED, MALFORMED_TOKEN),
    (NOT_JWS, MALFORMED_TOKEN),
    ("is not base64url", MALFORMED_TOKEN),
    ("is not a JSON object", MALFORMED_TOKEN),
    ("expired", EXPIRED),
    ("not valid yet", "The access token is not valid yet"),
    ("token_use", ID_TOKEN),  # the one token_use case here is an ID token
)


def bad_token(description: str) -> str:
    """The challenge of a 401 for a token Locker refused."""
    return f'{BAD_TOKEN}, error_description="{description}"'


@dataclass(frozen=True)
class Forge:
    """The pool under attack, as a forger sees it."""

    issuer: str
    client_id: str
    sub: str
    now: float | None = None

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """Cognito-shaped access-token claims that pass every check, with overrides."""
        return tokens.claims(self.issuer, self.client_id, now=self.now, **{"sub": self.sub, **overrides})

    def good(self) -> str:
        """A token Locker accepts: moto's key, right claims (the emulator's key is public)."""
        return tokens.mint(self.claims())

    def other_pool(self) -> str:
        """The issuer of another pool in the same region."""
        return tokens.issuer(self.issuer.rsplit("/", 1)[1].split("_")[0] + "_OtherPool1")


@dataclass(frozen=True)
class Case:
    """One hostile ``Authorization`` header value and why Locker refuses it."""

    id: str
    value: Callable[[Forge], str]
    reason: str
    oversized: bool = False  # over 64 KiB: a stock HTTP server may refuse the header line first

    @property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` Locker must answer this case with."""
        described = next((d for piece, d in _DESCRIBED if piece in self.reason), INVALID)
        return bad_token(described)


def _bearer(make: Callable[[Forge], str]) -> Callable[[Forge], str]:
    return lambda forge: f"Bearer {make(forge)}"


def _with_header(token: str, header: dict[str, Any]) -> str:
    """Swap a token's header, keeping its payload and signature."""
    _, payload, signature = token.split(".")
    return f"{tokens.segments(header, b'', b'').split('.')[0]}.{payload}.{signature}"


def _signed_raw(payload: bytes) -> str:
    """Bytes that are not JSON, validly signed with moto's key: only the payload parse can refuse."""
    return jwt.api_jws.PyJWS().encode(payload, tokens.moto_key(), algorithm="RS256", headers={"kid": "dummy"})


def _token(name: str, make: Callable[[Forge], str], reason: str, *, oversized: bool = False) -> Case:
    return Case(name, _bearer(make), reason, oversized)


def _hmac(alg: str, name: str) -> Case:
    secret = tokens.hmac_secrets()[name]
    return _token(f"{alg}-public-{name}", lambda f: tokens.forge_hmac(f.claims(), secret, alg), ALG)


def _url_header(name: str) -> Case:
    """A foreign key announced by URL: Locker must never fetch it."""
    headers = {name: "https://attacker.example/jwks.json"}
    return _token(
        name,
        lambda f: tokens.mint(f.claims(), key=tokens.attacker_key(), kid="x", headers=headers),
        "unknown kid",
    )


CASES: tuple[Case, ...] = (
    _token("alg-none", lambda f: tokens.unsigned(f.claims(), "none", b"x"), ALG),
    _token("alg-NONE-empty-signature", lambda f: tokens.unsigned(f.claims(), "NONE"), NOT_JWS),
    _token("alg-None-empty-signature", lambda f: tokens.unsigned(f.claims(), "None"), NOT_JWS),
    _token("alg-nOnE", lambda f: tokens.unsigned(f.claims(), "nOnE", b"junk"), ALG),
    _token("alg-none-real-signature", lambda f: _with_header(f.good(), {"alg": "none", "kid": "dummy"}), ALG),
    *(_hmac(alg, name) for alg in ("HS256", "HS384", "HS512") for name in tokens.hmac_secrets()),
    _token(
        "attacker-key-real-kid", lambda f: tokens.mint(f.claims(), key=tokens.attacker_key()), "bad signature"
    ),
    _token(
        "unknown-kid", lambda f: tokens.mint(f.claims(), key=tokens.attacker_key(), kid="x"), "unknown kid"
    ),
    *(_url_header(name) for name in ("jku", "x5u")),
    _token(
        "embedded-jwk",
        lambda f: tokens.mint(
            f.claims(),
            key=tokens.attacker_key(),
            headers={"jwk": tokens.jwk_of(tokens.attacker_key(), "dummy")},
        ),
        "bad signature",
    ),
    _token("RS512", lambda f: tokens.mint(f.claims(), alg="RS512"), ALG),
    _token("PS256", lambda f: tokens.mint(f.claims(), alg="PS256"), ALG),
    _token("ES256", lambda f: tokens.mint(f.claims(), key=tokens.ec_key(), alg="ES256"), ALG),
    _token("tampered-sub", lambda f: tokens.tamper(f.good(), sub=str(uuid.uuid4())), "bad signature"),
    _token("expired", lambda f: tokens.mint(f.claims(lifetime=-120)), "expired"),
    _token("nbf-future", lambda f: tokens.mint(f.claims(nbf=2**31)), "not valid yet"),
    _token("no-exp", lambda f: tokens.mint(f.claims(drop=("exp",))), "time claim"),
    _token("iss-trailing-slash", lambda f: tokens.mint(f.claims(iss=f.issuer + "/")), "wrong issuer"),
    _token("iss-prefix", lambda f: tokens.mint(f.claims(iss=f.issuer[:-1])), "wrong issuer"),
    _token("other-pool", lambda f: tokens.mint(f.claims(iss=f.other_pool())), "wrong issuer"),
    _token("other-client", lambda f: tokens.mint(f.claims(client_id="otherclient")), "app client"),
    _token("id-token", lambda f: tokens.mint(f.claims(token_use="id")), "token_use"),
    _token("refresh-opaque", lambda f: "eyJjdHkiOiJKV1QiLCJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", NOT_JWS),
    _token("no-sub", lambda f: tokens.mint(f.claims(drop=("sub",))), "Cognito sub"),
    _token("sub-not-uuid", lambda f: tokens.mint(f.claims(sub="admin")), "Cognito sub"),
    _token("64KB-token", lambda f: "a" * 65536, MALFORMED, oversized=True),
    _token("token-over-8KiB", lambda f: tokens.mint(f.claims(pad="x" * 8192)), MALFORMED),
    _token("no-dots", lambda f: "no-dots-at-all", NOT_JWS),
    _token("bad-base64", lambda f: "!!!.@@@.###", MALFORMED),
    _token(
        "header-not-object",
        lambda f: tokens.segments(b"[1]", f.claims(), b"s"),
        "header is not a JSON object",
    ),
    _token(
        "header-not-json", lambda f: tokens.segments(b"{nope", f.claims(), b"s"), "header is not base64url"
    ),
    _token("payload-not-json-signed", lambda f: _signed_raw(b"{nope"), "payload is not base64url"),
    Case("bearer-alone", lambda f: "Bearer", MALFORMED),
    Case("bearer-empty", lambda f: "Bearer ", MALFORMED),
    Case("two-spaces", lambda f: f"Bearer  {f.good()}", MALFORMED),
    Case("two-tokens", lambda f: f"Bearer {f.good()} {f.good()}", MALFORMED),
    Case("non-ascii", lambda f: f"Bearer {f.good()}é", MALFORMED),
)
