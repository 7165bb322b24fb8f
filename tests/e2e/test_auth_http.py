"""Issue 3 over HTTP: every hostile token gets the same 401 from the stack ``make run`` starts.

These requests go to Chalice's local server in the runner's own process, so they
prove what a developer's ``make run`` (and a Postman or curl user) really gets,
not what Chalice's test client would. The shared table (tests/hostile.py) is
built from the stack's real issuer, app client and a real user's ``sub``, signed
with moto's key, which is public: each forgery differs from a token the server
accepts by exactly one thing. The server's log tells why Locker refused each
request, so a case refused by the wrong check fails here.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import requests

from tests import hostile, tokens
from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

TIMEOUT = 30
GENERIC_401 = {"Code": "UnauthorizedError", "Message": "A valid access token is required."}
NO_TOKEN = hostile.NO_TOKEN
WRONG_SCHEME = f'{hostile.NO_TOKEN}, error_description="{hostile.WRONG_SCHEME}"'
MALFORMED = hostile.bad_token(hostile.MALFORMED_TOKEN)
INVALID = hostile.bad_token(hostile.INVALID)
PNG = (ROOT / "assets" / "1.png").read_bytes()


@dataclass(frozen=True)
class Answer:
    """What came back, whichever client sent the request."""

    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @classmethod
    def of(cls, response: requests.Response) -> Answer:
        return cls(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
        )


class ServerLog:
    """The stack's log from a mark on: Locker logs one ``401 for <route>: <reason>`` per refusal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size

    def text(self) -> str:
        with self.path.open("rb") as log:
            log.seek(self.offset)
            return log.read().decode(errors="replace")

    def refusals(self) -> list[str]:
        return [line for line in self.text().splitlines() if "locker.auth" in line and " 401 for " in line]


def send(stack: Stack, authorization: str | None, method: str = "GET", path: str = "/files") -> Answer:
    headers = {} if authorization is None else {"Authorization": authorization}
    kwargs: dict[str, Any] = {"json": {}} if method == "POST" else {}
    return Answer.of(requests.request(method, stack.api + path, headers=headers, timeout=TIMEOUT, **kwargs))


def send_raw(stack: Stack, header_lines: bytes) -> Answer:
    """GET /files with header bytes no HTTP library would send (duplicates, NULs, folding)."""
    url = urlsplit(stack.api)
    with socket.create_connection((url.hostname, url.port), timeout=TIMEOUT) as sock:
        sock.sendall(
            b"GET /files HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header_lines + b"Connection: close\r\n\r\n"
        )
        response = http.client.HTTPResponse(sock)
        response.begin()  # a dropped connection raises here
        body = response.read()
    return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def assert_refused(answer: Answer, challenge: str) -> None:
    """Locker's one 401: generic body, the challenge, no caching."""
    assert answer.status == 401, answer.body[:300]
    assert json.loads(answer.body) == GENERIC_401
    assert answer.headers["www-authenticate"] == challenge
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"


@pytest.fixture(scope="module")
def victim(stack: Stack) -> Api:
    """A real user of the stack's pool; forgeries name its ``sub``."""
    sub, token = stack.new_user(f"victim-{uuid.uuid4().hex[:12]}@example.com")
    return Api(stack.api, token, sub)


@pytest.fixture(scope="module")
def forge(stack: Stack, victim: Api) -> hostile.Forge:
    assert victim.sub is not None
    return hostile.Forge(stack.info["issuer"], stack.info["clientId"], victim.sub)


@pytest.fixture(scope="module")
def demo_login(stack: Stack) -> dict[str, Any]:
    """A real USER_PASSWORD_AUTH result for the demo user: access, ID and refresh tokens."""
    user = stack.info["demoUser"]
    return stack.login(user["username"], user["password"])


@pytest.fixture
def log(stack: Stack) -> ServerLog:
    return ServerLog(stack.log_path)


def assert_logged(log: ServerLog, reason: str, secret: str) -> None:
    """Exactly one refusal, for ``reason``, and no piece of the token in the log."""
    refusals = log.refusals()
    assert len(refusals) == 1, refusals
    assert reason in refusals[0], refusals[0]
    text = log.text()
    for part in [secret, *secret.split(".")]:
        if len(part) > 8:
            assert part not in text


@pytest.mark.parametrize("case", [c for c in hostile.CASES if not c.oversized], ids=lambda c: c.id)
def test_hostile_header_gets_the_generic_401(
    stack: Stack, forge: hostile.Forge, log: ServerLog, case: hostile.Case
) -> None:
    value = case.value(forge)
    assert_refused(send(stack, value), case.challenge)
    assert_logged(log, case.reason, value.partition(" ")[2])


@pytest.mark.parametrize("case", [c for c in hostile.CASES if c.oversized], ids=lambda c: c.id)
def test_oversized_header_is_a_4xx_never_a_5xx(
    stack: Stack, forge: hostile.Forge, case: hostile.Case
) -> None:
    """Python's http.server (under Chalice's local server) answers 431 to a header line over 64 KiB.

    Locker never sees it; what matters is a clean 4xx, not a 5xx or a dropped connection.
    """
    answer = send(stack, case.value(forge))
    assert 400 <= answer.status < 500
    if answer.status == 401:
        assert_refused(answer, case.challenge)
    assert send(stack, None).status == 401  # the server is still up


def test_token_just_under_the_servers_limit_meets_lockers_own_cap(stack: Stack, log: ServerLog) -> None:
    token = "a" * 60_000
    assert_refused(send(stack, f"Bearer {token}"), MALFORMED)
    assert_logged(log, hostile.MALFORMED, token)


@pytest.mark.parametrize(
    ("value", "reason", "challenge"),
    [
        (None, "no Authorization header", NO_TOKEN),
        ("Basic dXNlcjpwYXNz", "not the Bearer scheme", WRONG_SCHEME),
        ("Token abc", "not the Bearer scheme", WRONG_SCHEME),
        ("", "not the Bearer scheme", WRONG_SCHEME),
        ("abc.def.ghi", "not the Bearer scheme", WRONG_SCHEME),
    ],
    ids=["no-header", "basic", "other-scheme", "empty-header", "token-without-scheme"],
)
def test_no_bearer_token_is_a_challenge_without_error(
    stack: Stack, log: ServerLog, value: str | None, reason: str, challenge: str
) -> None:
    answer = send(stack, value)
    assert_refused(answer, challenge)
    assert "error=" not in answer.headers["www-authenticate"]
    assert_logged(log, reason, value or "")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_demo_users_real_access_token_lists_files(
    stack: Stack, demo_login: dict[str, Any], scheme: str
) -> None:
    answer = send(stack, f"{scheme} {demo_login['AccessToken']}")
    assert answer.status == 200
    assert json.loads(answer.body)["items"]  # the seeded assets


@pytest.mark.parametrize(
    ("kind", "reason", "description"),
    [("IdToken", "token_use", hostile.ID_TOKEN), ("RefreshToken", hostile.NOT_JWS, hostile.MALFORMED_TOKEN)],
    ids=["real-id-token", "real-refresh-token"],
)
def test_other_tokens_from_a_real_login_are_refused(
    stack: Stack, demo_login: dict[str, Any], log: ServerLog, kind: str, reason: str, description: str
) -> None:
    """The stage allows access tokens only (LOCKER_TOKEN_USES=access); the 401 says what was wrong."""
    token = demo_login[kind]
    assert_refused(send(stack, f"Bearer {token}"), hostile.bad_token(description))
    assert_logged(log, reason, token)


def test_a_real_access_token_tampered_to_another_sub_is_refused(
    stack: Stack, demo_login: dict[str, Any], victim: Api, log: ServerLog
) -> None:
    token = tokens.tamper(demo_login["AccessToken"], sub=victim.sub)
    assert_refused(send(stack, f"Bearer {token}"), INVALID)
    assert_logged(log, "bad signature", token)


def test_the_app_client_check_is_what_protects_local_development(
    stack: Stack, forge: hostile.Forge, victim: Api
) -> None:
    """On the same server: moto's key is public, so a forgery with the right claims IS the victim.

    The same forgery naming another app client carries a signature the stack's own JWKS
    verifies, and only Locker's client check refuses it.
    """
    uploaded = victim.upload(PNG, filename="private.png")
    impersonation = send(stack, f"Bearer {forge.good()}")
    assert impersonation.status == 200
    assert [f["id"] for f in json.loads(impersonation.body)["items"]] == [uploaded["id"]]

    other_client = tokens.mint(forge.claims(client_id="someone-elses-app-client"))
    jwks_url = f"{stack.emulator}/{stack.info['userPoolId']}/.well-known/jwks.json"
    with urllib.request.urlopen(jwks_url, timeout=TIMEOUT) as served:  # the emulator's real JWKS
        key = jwt.PyJWKSet.from_json(served.read().decode())[tokens.MOTO_KID].key
    jwt.api_jws.PyJWS().decode(other_client, key, algorithms=["RS256"])  # raises if the signature were bad
    log = ServerLog(stack.log_path)
    assert_refused(send(stack, f"Bearer {other_client}"), INVALID)
    assert_logged(log, "app client not allowed", other_client)


def test_duplicate_authorization_headers_are_refused(stack: Stack, demo_login: dict[str, Any]) -> None:
    """Two Authorization headers are refused whichever comes first, as behind API Gateway.

    Chalice's own local server would keep only the first value; devstack/api_server.py joins
    repeated headers (RFC 9110), and Locker's bearer parsing refuses the joined value.
    """
    good, junk = f"Bearer {demo_login['AccessToken']}".encode(), b"Bearer junk.junk.junk"
    assert send_raw(stack, b"Authorization: " + good + b"\r\n").status == 200
    for first, second in ((good, junk), (junk, good), (good, good)):
        for second_name in (b"Authorization", b"authorization"):
            answer = send_raw(
                stack, b"Authorization: " + first + b"\r\n" + second_name + b": " + second + b"\r\n"
            )
            assert_refused(answer, MALFORMED)  # the local server joins them: not one b64token


@pytest.mark.parametrize(
    ("lines", "challenge"),
    [
        (b"Authorization: Bearer \x00abc\r\n", MALFORMED),
        (b"Authorization: Bearer \xff\xfe.a.b\r\n", MALFORMED),
        (b"Authorization: Bearer \xc3\xa9.a.b\r\n", MALFORMED),
        (b"Authorization:\tBearer a.b.c\r\n", MALFORMED),
        (b"Authorization: Bearer a.b.c\rX-Other: y\r\n", MALFORMED),
        (b"Authorization: Bearer\r\n a.b.c\r\n", WRONG_SCHEME),  # obs-fold: the scheme word is "Bearer\r\n"
        (b"Authorization\r\n", NO_TOKEN),  # no colon: the server stops reading headers there
        (b"Authorization: Bearer a.b.c\r\n" * 150, None),  # http.server: 431 over 100 headers
    ],
    ids=["nul", "latin1-bytes", "utf8-bytes", "tab", "lone-cr", "folded", "no-colon", "150-headers"],
)
def test_odd_header_bytes_never_break_the_server(stack: Stack, lines: bytes, challenge: str | None) -> None:
    answer = send_raw(stack, lines)
    if challenge is None:
        assert 400 <= answer.status < 500 and answer.status != 401
    else:
        assert_refused(answer, challenge)


@pytest.mark.parametrize(("method", "path"), hostile.FILE_ROUTES)
def test_every_files_route_refuses_missing_and_forged_tokens(
    stack: Stack, forge: hostile.Forge, method: str, path: str
) -> None:
    assert_refused(send(stack, None, method, path), NO_TOKEN)
    forged = tokens.mint(forge.claims(), key=tokens.attacker_key())
    assert_refused(send(stack, f"Bearer {forged}", method, path), INVALID)


def test_health_stays_public_whatever_the_header(stack: Stack) -> None:
    answer = Answer.of(
        requests.get(stack.api + "/health", headers={"Authorization": "Bearer junk"}, timeout=TIMEOUT)
    )
    assert (answer.status, json.loads(answer.body)) == (200, {"status": "ok"})
