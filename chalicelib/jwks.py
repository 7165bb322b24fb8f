"""The user pool's signing keys, fetched once and kept per container.

Verifying a token must not cost a network call, and a flood of tokens naming
made-up key ids must not turn Locker into a JWKS-fetching amplifier. So, as in
awslabs/aws-jwt-verify: keys are cached by ``kid``; an unknown ``kid`` may
trigger a refetch, but at most one per ``min_interval`` seconds; a failed or
garbled fetch keeps the last good keys. Only the configured URL is ever fetched
(never a token's ``jku``/``x5u``), and only RS256-capable RSA public keys are kept.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt import PyJWK
from jwt.exceptions import PyJWTError

Fetcher = Callable[[str], bytes]
Clock = Callable[[], float]

FETCH_TIMEOUT = 3.0
MAX_JWKS_BYTES = 64 * 1024
MIN_REFETCH_INTERVAL = 10.0
MIN_KEY_BITS = 2048

logger = logging.getLogger("locker.auth")


class JwksError(Exception):
    """The JWKS could not be fetched or holds no usable key."""


def fetch_url(url: str) -> bytes:
    """GET ``url`` (http or https only, no redirects), at most ``MAX_JWKS_BYTES``.

    Raises:
        JwksError: on any network, status, scheme or size problem.
    """
    if not url.startswith(("https://", "http://")):
        raise JwksError("JWKS URL must be http(s)")
    opener = urllib.request.OpenerDirector()
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


def _usable(jwk: Mapping[str, Any]) -> PyJWK | None:
    """A verification key for RS256, or None if this entry cannot be one."""
    if jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256" or jwk.get("use", "sig") != "sig":
        return None
    if "d" in jwk:  # never load private material, even if someone publishes it
        return None
    try:
        key = PyJWK(dict(jwk), algorithm="RS256")
    except (PyJWTError, TypeError, ValueError):
        return None
    if not isinstance(key.key, RSAPublicKey) or key.key.key_size < MIN_KEY_BITS:
        return None
    return key


def parse_jwks(raw: bytes) -> dict[str, PyJWK]:
    """Map ``kid`` to key for every usable RSA key of a JWKS document.

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
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("kid"), str) and entry["kid"]:
            key = _usable(entry)
            if key is not None:
                keys.setdefault(entry["kid"], key)
    if not keys:
        raise JwksError("JWKS holds no usable RSA key")
    return keys


class JwksCache:
    """Thread-safe ``kid`` -> key cache with a rate-limited refetch."""

    def __init__(
        self,
        url: str,
        fetcher: Fetcher | None = None,
        clock: Clock = time.monotonic,
        min_interval: float = MIN_REFETCH_INTERVAL,
    ) -> None:
        self.url = url
        # Looked up now, not at import, so tests can swap ``jwks.fetch_url``.
        self._fetch = fetcher if fetcher is not None else fetch_url
        self._clock = clock
        self._min_interval = min_interval
        self._keys: dict[str, PyJWK] = {}
        self._last_fetch: float | None = None
        self._lock = threading.Lock()

    def get(self, kid: str) -> PyJWK | None:
        """The key named ``kid``; refetches at most once per interval when unknown."""
        key = self._keys.get(kid)  # fast path: one dict read, no lock
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)
            if key is not None:  # another thread just fetched it
                return key
            now = self._clock()
            if self._last_fetch is not None and now - self._last_fetch < self._min_interval:
                return None
            self._last_fetch = now
            try:
                self._keys = parse_jwks(self._fetch(self.url))
            except Exception as exc:  # any failure keeps the last good keys
                logger.warning("JWKS refresh failed, keeping %d cached keys: %s", len(self._keys), exc)
                return None
            return self._keys.get(kid)

    def kids(self) -> frozenset[str]:
        """The key ids currently cached (for diagnostics and tests)."""
        return frozenset(self._keys)
