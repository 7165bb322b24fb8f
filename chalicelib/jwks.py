"""The user pool's signing keys: PyJWT's ``PyJWKClient`` with the limits Locker adds.

PyJWT fetches the JWKS, caches the parsed set for ``LIFESPAN`` seconds, picks a
key by ``kid`` under one lock, refetches for an unknown ``kid`` only after its
cooldown, and never clears its cache when a fetch fails. A verifier facing
hostile tokens needs more, as awslabs/aws-jwt-verify has: every fetch attempt
(the cold one and failed ones too) starts the cooldown, so neither a flood of
made-up key ids nor a JWKS outage costs more than one request per
``MIN_REFETCH_INTERVAL``; a failed fetch keeps serving the last good keys, even
past their lifespan; the response is capped at ``MAX_JWKS_BYTES``, with no
redirects; and only RS256 RSA public keys of at least ``MIN_KEY_BITS`` are kept.
With no keys at all (a cold start whose fetch failed) a token cannot be judged:
``KeysUnavailable``, which the gateway answers 503, never 401.
Only the configured URL is ever fetched (never a token's ``jku`` or ``x5u``).
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.request
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK, PyJWKClient, PyJWKSet
from jwt.exceptions import PyJWKClientError, PyJWTError

Fetcher = Callable[[str], bytes]
Clock = Callable[[], float]

FETCH_TIMEOUT = 3.0
MAX_JWKS_BYTES = 64 * 1024
MIN_REFETCH_INTERVAL = 10.0
LIFESPAN = 3600.0  # a key the pool stops publishing is trusted at most this long
MIN_KEY_BITS = 2048

logger = logging.getLogger("locker.auth")


class JwksError(PyJWKClientError):
    """The JWKS could not be fetched or holds no usable key."""


class KeysUnavailable(Exception):
    """No signing key was ever fetched and none can be now: a token cannot be judged (a 503)."""


def fetch_url(url: str) -> bytes:
    """GET ``url`` over http(s) without following redirects, at most ``MAX_JWKS_BYTES``.

    Raises:
        JwksError: on any network, status, scheme or size problem.
    """
    if not url.startswith(("https://", "http://")):
        raise JwksError("JWKS URL must be http(s)")
    opener = urllib.request.OpenerDirector()  # no redirect handler: a 3xx is an error
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, HTTPError, timeouts
        raise JwksError(f"JWKS fetch failed: {type(exc).__name__}") from exc
    if len(body) > MAX_JWKS_BYTES:
        raise JwksError("JWKS response too large")
    return body


def _candidate(entry: object) -> bool:
    """Whether a JWKS entry may hold an RS256 verification key (checked before parsing it)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or not entry["kid"]:
        return False
    if entry.get("kty") != "RSA" or entry.get("alg", "RS256") != "RS256" or entry.get("use", "sig") != "sig":
        return False
    return "d" not in entry  # never load private material, even if someone publishes it


def _strong(key: PyJWK) -> bool:
    return isinstance(key.key, RSAPublicKey) and key.key.key_size >= MIN_KEY_BITS


def parse_jwks(raw: bytes) -> PyJWKSet:
    """The usable keys of a JWKS document, parsed by PyJWT.

    Raises:
        JwksError: if the document is not a JWKS or holds no usable key.
    """
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise JwksError("JWKS is not JSON") from exc
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise JwksError("JWKS has no keys list")
    try:
        keys = PyJWKSet([entry for entry in entries if _candidate(entry)])  # skips keys it cannot parse
    except PyJWTError:
        raise JwksError("JWKS holds no usable RSA key") from None
    keys.keys = [key for key in keys.keys if _strong(key)]
    if not keys.keys:
        raise JwksError("JWKS holds no usable RSA key")
    return keys


class SigningKeys(PyJWKClient):
    """The pool's keys by ``kid``: PyJWKClient's cache behind Locker's fetch and limits."""

    def __init__(self, url: str, fetcher: Fetcher | None = None, clock: Clock = time.monotonic) -> None:
        super().__init__(
            url, lifespan=LIFESPAN, timeout=FETCH_TIMEOUT, cooldown_duration=MIN_REFETCH_INTERVAL
        )
        # Looked up now, not at import, so tests can swap ``jwks.fetch_url``.
        self._fetcher = fetcher if fetcher is not None else fetch_url
        self._clock = clock
        self._last_attempt: float | None = None

    def fetch_data(self) -> PyJWKSet:
        """The pool's usable keys: fetched if no attempt was made in the last interval.

        PyJWKClient calls this (under its lock) when its cache is empty or
        expired, or for an unknown ``kid`` after its cooldown; it caches what
        this returns. A fetch that fails, or that the interval forbids, answers
        the cached keys.

        Raises:
            JwksError: no keys were ever fetched and none can be now.
        """
        now = self._clock()
        if self._last_attempt is not None and now - self._last_attempt < self.cooldown_duration:
            return self._last_good("JWKS refetch cooling down")
        self._last_attempt = now
        try:
            return parse_jwks(self._fetcher(self.uri))
        except Exception as exc:  # whatever went wrong, the last good keys stay
            logger.warning("JWKS refresh failed, keeping the cached keys: %s", exc)
            return self._last_good("JWKS unavailable")

    def _last_good(self, why: str) -> PyJWKSet:
        cached = self.jwk_set_cache.jwk_set_with_timestamp if self.jwk_set_cache is not None else None
        if cached is None:
            raise JwksError(why)
        return cached.get_jwk_set()

    def get(self, kid: str) -> PyJWK | None:
        """The key named ``kid``, or None if the pool (as far as Locker can tell now) has none.

        Raises:
            KeysUnavailable: Locker holds no keys at all (a cold start whose fetch failed).
        """
        try:
            return self.get_signing_key(kid)
        except JwksError as exc:  # only raised by fetch_data when nothing is cached
            raise KeysUnavailable(str(exc)) from None
        except PyJWKClientError:
            return None
