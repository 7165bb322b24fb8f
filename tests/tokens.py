"""Token minting for every test layer: good Cognito-shaped tokens and forgeries.

moto signs every user pool's tokens with one RSA key whose private half ships
inside moto (``kid`` "dummy"), so tests can mint tokens with any claims. The
same module holds the attacker's tools: a foreign RSA key, an EC key, an
HMAC forger keyed with the public key, and raw segment builders for
malformed tokens. Nothing here imports moto (it only reads its resource file).
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import hmac
import importlib.util
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm

MOTO_KID = "dummy"
ACCESS_SCOPE = "aws.cognito.signin.user.admin"
_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def issuer(pool_id: str) -> str:
    """The issuer Cognito (and moto) put in a pool's tokens."""
    return f"https://cognito-idp.{pool_id.split('_')[0]}.amazonaws.com/{pool_id}"


@functools.cache
def moto_private_jwk() -> dict[str, str]:
    """moto's Cognito signing key, as a private JWK."""
    spec = importlib.util.find_spec("moto")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "cognitoidp/resources/jwks-private.json.gz"
    jwk: dict[str, str] = json.loads(gzip.decompress(path.read_bytes()))
    return jwk


@functools.cache
def moto_key() -> rsa.RSAPrivateKey:
    key = RSAAlgorithm.from_jwk(moto_private_jwk())
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def public_jwk() -> dict[str, str]:
    """The public half of moto's key, as the pool's JWKS lists it."""
    private = moto_private_jwk()
    return {name: private[name] for name in ("alg", "e", "kid", "kty", "n", "use")}


def public_jwks() -> dict[str, Any]:
    return {"keys": [public_jwk()]}


def public_jwks_bytes() -> bytes:
    return json.dumps(public_jwks()).encode()


def public_pem() -> bytes:
    return (
        moto_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


@functools.cache
def attacker_key() -> rsa.RSAPrivateKey:
    """A well-formed RSA key that is not the pool's."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    """A public JWK for ``key`` (e.g. the attacker's, for ``jwk``/``jku`` headers)."""
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def claims(
    iss: str,
    client_id: str,
    /,
    *,
    token_use: Any = "access",
    now: float | None = None,
    lifetime: int = 3600,
    drop: tuple[str, ...] = (),
    **overrides: Any,
) -> dict[str, Any]:
    """Claims shaped like Cognito's for an access (or, with ``token_use="id"``, an id) token.

    Any claim can be overridden by keyword (``sub=``, ``iss=``, ``client_id=``, ``exp=`` ...);
    ``drop`` removes claims.
    """
    issued = int(time.time() if now is None else now)
    username = overrides.pop("username", "alice")
    payload: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "iss": iss,
        "token_use": token_use,
        "auth_time": issued,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
    }
    if token_use == "id":
        payload.update({"aud": client_id, "cognito:username": username, "email": f"{username}@example.com"})
    else:
        payload.update({"client_id": client_id, "username": username, "scope": ACCESS_SCOPE})
    payload.update(overrides)
    for name in drop:
        payload.pop(name, None)
    return payload


def mint(
    payload: Any,
    *,
    key: Any = None,
    alg: str = "RS256",
    kid: str | None = MOTO_KID,
    headers: dict[str, Any] | None = None,
) -> str:
    """Sign any JSON ``payload`` (with moto's key unless ``key`` is given), Cognito-style header."""
    header: dict[str, Any] = {"typ": None, **({"kid": kid} if kid is not None else {}), **(headers or {})}
    body = json.dumps(payload, separators=(",", ":")).encode()  # PyJWS: no claim checks, any claims
    return jwt.api_jws.PyJWS().encode(body, moto_key() if key is None else key, algorithm=alg, headers=header)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _part(value: dict[str, Any] | bytes | str) -> str:
    if isinstance(value, dict):
        value = json.dumps(value, separators=(",", ":"))
    return b64(value.encode() if isinstance(value, str) else value)


def segments(
    header: dict[str, Any] | bytes | str, payload: dict[str, Any] | bytes | str, signature: bytes
) -> str:
    """A compact JWS from raw parts, for malformed and unsigned tokens."""
    return f"{_part(header)}.{_part(payload)}.{b64(signature)}"


def unsigned(payload: dict[str, Any], alg: str = "none", signature: bytes = b"") -> str:
    """An ``alg: none`` style token (any spelling of ``alg``)."""
    return segments({"alg": alg, "kid": MOTO_KID}, payload, signature)


def forge_hmac(payload: dict[str, Any], secret: bytes, alg: str = "HS256", kid: str = MOTO_KID) -> str:
    """The classic key-confusion forgery: HMAC keyed with public key material."""
    signing_input = f"{_part({'alg': alg, 'kid': kid})}.{_part(payload)}"
    digest = hmac.new(secret, signing_input.encode(), _HMAC[alg]).digest()
    return f"{signing_input}.{b64(digest)}"


def hmac_secrets() -> dict[str, bytes]:
    """Public key material an attacker might hope a verifier uses as an HMAC secret."""
    return {
        "pem": public_pem(),
        "jwk-json": json.dumps(public_jwk()).encode(),
        "jwks-text": public_jwks_bytes(),
    }


def tamper(token: str, **changes: Any) -> str:
    """Change claims but keep the original header and signature."""
    header, payload, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_part({**decoded, **changes})}.{signature}"


def fake_fetcher(body: bytes | None = None) -> FakeFetcher:
    """A JWKS fetcher that serves ``body`` (moto's public JWKS by default) and counts calls."""
    return FakeFetcher(public_jwks_bytes() if body is None else body)


class FakeFetcher:
    """Injectable ``Fetcher``: records every URL, serves ``body`` or raises ``error``."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.error: Exception | None = None
        self.urls: list[str] = []

    @property
    def calls(self) -> int:
        return len(self.urls)

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if self.error is not None:
            raise self.error
        return self.body
