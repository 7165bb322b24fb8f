"""The signing keys: PyJWKClient's cache with Locker's rate limit, last good keys and key rules."""

from __future__ import annotations

import json
import threading
import types
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt.api_jwk
import jwt.jwk_set_cache
import jwt.jwks_client
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKSet
from jwt.exceptions import PyJWKClientError

from chalicelib import jwks
from chalicelib.jwks import JwksError, KeysUnavailable, SigningKeys, parse_jwks
from tests import tokens

URL = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UnitPool1/.well-known/jwks.json"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """One fake monotonic clock for Locker's rate limit and PyJWT's cooldown and lifespan."""
    fake = Clock()
    for module in (jwt.jwks_client, jwt.jwk_set_cache, jwt.api_jwk):
        monkeypatch.setattr(module, "time", types.SimpleNamespace(monotonic=fake))
    return fake


def kids(keys: PyJWKSet) -> set[str | None]:
    return {key.key_id for key in keys.keys}


def rotated(*extra: dict[str, object]) -> bytes:
    return json.dumps({"keys": [tokens.public_jwk(), *extra]}).encode()


def test_keys_by_kid_fetched_once(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    for _ in range(100):
        key = cache.get(tokens.MOTO_KID)
        assert key is not None
    assert fetcher.urls == [URL]


def test_flood_of_unknown_kids_fetches_at_most_once_per_interval(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    assert cache.get(tokens.MOTO_KID) is not None
    clock.now += 10.0
    for n in range(1000):  # 1,000 unknown kids spread over 9.99 s of fake time
        assert cache.get(f"attacker-{n}") is None
        assert cache.get(tokens.MOTO_KID) is not None  # the good key keeps working throughout
        clock.now += 0.00999
    assert fetcher.calls == 2  # the warm-up fetch and one for the whole flood
    clock.now += 0.02  # now 10 s after the flood's fetch
    assert cache.get("attacker-late") is None
    assert cache.get("attacker-later") is None
    assert fetcher.calls == 3


def test_cold_flood_fetches_once(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    for n in range(1000):
        cache.get(f"unknown-{n}")
    assert fetcher.calls == 1
    assert cache.get(tokens.MOTO_KID) is not None
    assert fetcher.calls == 1


def test_new_key_found_after_rotation(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    assert cache.get("rotated") is None
    fetcher.body = rotated(tokens.jwk_of(tokens.attacker_key(), "rotated"))
    assert cache.get("rotated") is None  # too soon to ask again
    clock.now += 10.0
    assert cache.get("rotated") is not None
    assert fetcher.calls == 2


@pytest.mark.parametrize(
    "failure",
    [OSError("connection refused"), JwksError("too large"), b"not json", b'{"keys": []}', b"[1, 2]"],
    ids=["network", "fetch-error", "not-json", "no-keys", "not-a-jwks"],
)
def test_failed_refresh_keeps_last_good_keys(clock: Clock, failure: Exception | bytes) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    assert cache.get(tokens.MOTO_KID) is not None
    if isinstance(failure, bytes):
        fetcher.body = failure
    else:
        fetcher.error = failure
    clock.now += 11.0
    assert cache.get("unknown") is None
    assert fetcher.calls == 2
    assert cache.get(tokens.MOTO_KID) is not None
    assert fetcher.calls == 2  # the kept key is served from the cache


def test_failed_cold_fetch_is_rate_limited_too(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    fetcher.error = OSError("down")
    cache = SigningKeys(URL, fetcher, clock)
    for _ in range(2):  # with no key at all nothing can be judged: unavailable, not "no such key"
        with pytest.raises(KeysUnavailable):
            cache.get(tokens.MOTO_KID)
    assert fetcher.calls == 1
    fetcher.error = None
    clock.now += 10.0
    assert cache.get(tokens.MOTO_KID) is not None
    assert fetcher.calls == 2


def test_concurrent_unknown_kids_fetch_once(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    barrier = threading.Barrier(16)
    found: list[bool] = []

    def ask(n: int) -> None:
        barrier.wait()
        found.append(cache.get(tokens.MOTO_KID if n % 2 else f"unknown-{n}") is not None)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fetcher.calls == 1
    assert found.count(True) == 8


def test_keys_live_one_lifespan_then_a_dropped_key_stops_working(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher(rotated(tokens.jwk_of(tokens.attacker_key(), "old")))
    cache = SigningKeys(URL, fetcher, clock)
    assert cache.get("old") is not None
    fetcher.body = tokens.public_jwks_bytes()  # the pool stops publishing "old"
    clock.now += jwks.LIFESPAN - 1
    assert cache.get("old") is not None
    assert fetcher.calls == 1
    clock.now += 2
    assert cache.get(tokens.MOTO_KID) is not None  # expired: one fetch, by whichever token comes first
    assert cache.get("old") is None
    assert fetcher.calls == 2


def test_a_failed_refresh_past_the_lifespan_keeps_the_keys_working(clock: Clock) -> None:
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(URL, fetcher, clock)
    assert cache.get(tokens.MOTO_KID) is not None
    fetcher.error = OSError("JWKS endpoint down")
    clock.now += jwks.LIFESPAN + 1
    for _ in range(100):
        assert cache.get(tokens.MOTO_KID) is not None
    assert fetcher.calls == 2  # one failed attempt, not one per token
    fetcher.error = None
    clock.now += 10.0
    assert cache.get("unknown") is None  # an unknown kid still retries, and the retry succeeds
    assert fetcher.calls == 3


def test_a_failed_fetch_is_logged_without_the_url(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    fetcher = tokens.fake_fetcher()
    fetcher.error = JwksError("JWKS fetch failed: URLError")
    with caplog.at_level("WARNING", logger="locker.auth"), pytest.raises(KeysUnavailable):
        SigningKeys(URL, fetcher, clock).get(tokens.MOTO_KID)
    assert "JWKS refresh failed" in caplog.text
    assert URL not in caplog.text


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/jwks.json", "jwks.json"])
def test_only_http_urls_make_a_client(url: str) -> None:
    with pytest.raises(PyJWKClientError):
        SigningKeys(url, tokens.fake_fetcher())


def _small_rsa_jwk() -> dict[str, object]:
    return tokens.jwk_of(rsa.generate_private_key(public_exponent=65537, key_size=1024), "small")


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ({**tokens.public_jwk(), "kid": "ec", "kty": "EC"}, "not RSA"),
        ({"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}, "symmetric"),
        ({**tokens.moto_private_jwk(), "kid": "private"}, "private half"),
        ({**tokens.public_jwk(), "kid": "rs512", "alg": "RS512"}, "other alg"),
        ({**tokens.public_jwk(), "kid": "alg-list", "alg": ["RS256"]}, "alg not a string"),
        ({**tokens.public_jwk(), "kid": "n-number", "n": 12345}, "modulus not a string"),
        ({**tokens.public_jwk(), "kid": "enc", "use": "enc"}, "encryption key"),
        ({**tokens.public_jwk(), "kid": "broken", "n": "AQAB!"}, "garbled modulus"),
        ({**tokens.public_jwk(), "kid": ""}, "empty kid"),
        ({k: v for k, v in tokens.public_jwk().items() if k != "kid"}, "no kid"),
        ("not-an-object", "not an object"),
    ],
)
def test_only_usable_rsa_keys_are_kept(entry: object, why: str) -> None:
    keys = parse_jwks(json.dumps({"keys": [entry, tokens.public_jwk()]}).encode())
    assert kids(keys) == {tokens.MOTO_KID}, why


def test_small_rsa_keys_are_dropped() -> None:
    keys = parse_jwks(rotated(_small_rsa_jwk()))
    assert kids(keys) == {tokens.MOTO_KID}


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"[]", b'{"keys": {}}', b'{"keys": [{"kty": "oct"}]}', b"[" * 100_000]
)
def test_unusable_documents_are_refused(raw: bytes) -> None:
    with pytest.raises(JwksError):
        parse_jwks(raw)


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes, dict[str, str]]] = {}
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        status, body, headers = self.routes.get(self.path, (404, b"", {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback HTTP server in this process (no outside network)."""
    _Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_url_reads_a_jwks(server: str) -> None:
    _Handler.routes = {"/jwks": (200, tokens.public_jwks_bytes(), {})}
    assert kids(parse_jwks(jwks.fetch_url(server + "/jwks"))) == {tokens.MOTO_KID}


@pytest.mark.parametrize(
    ("route", "why"),
    [
        ((200, b"x" * (jwks.MAX_JWKS_BYTES + 1), {}), "too large"),
        ((500, b"{}", {}), "server error"),
        ((302, b"", {"Location": "/elsewhere"}), "redirect not followed"),
    ],
)
def test_fetch_url_refuses(server: str, route: tuple[int, bytes, dict[str, str]], why: str) -> None:
    _Handler.routes = {"/jwks": route, "/elsewhere": (200, tokens.public_jwks_bytes(), {})}
    with pytest.raises(JwksError):
        jwks.fetch_url(server + "/jwks")
    assert _Handler.hits == ["/jwks"], why


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/jwks.json", "jwks.json"])
def test_fetch_url_only_speaks_http(url: str) -> None:
    with pytest.raises(JwksError):
        jwks.fetch_url(url)
