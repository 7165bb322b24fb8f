"""The middleware through Chalice's own local gateway: deny by default, generic 401s, headers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from chalice.app import Chalice, CognitoUserPoolAuthorizer, NotFoundError, Response
from chalice.test import Client

from chalicelib import config, failures, gateway, runtime
from chalicelib.errors import ServiceUnavailableError
from chalicelib.gateway import current_principal
from tests import hostile, tokens
from tests.unit.conftest import CLIENT, POOL

ISS = tokens.issuer(POOL)
SUB = str(uuid.uuid4())
ORIGIN = "https://app.example.com"
GENERIC_401 = {"Code": "UnauthorizedError", "Message": gateway.UNAUTHORIZED_MESSAGE}
POOL_ARN = f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{POOL}"


def c(**overrides: Any) -> dict[str, Any]:
    """Good access-token claims, now, with overrides."""
    return tokens.claims(ISS, CLIENT, **{"sub": SUB, **overrides})


def good() -> str:
    return tokens.mint(c())


@pytest.fixture
def fetcher(api_env: tokens.FakeFetcher) -> tokens.FakeFetcher:
    """Valid settings in the environment and a JWKS served without network."""
    return api_env


def tiny_app(*, middleware: bool = True, authorizer: CognitoUserPoolAuthorizer | None = None) -> Chalice:
    app = Chalice(app_name="tiny")
    if middleware:
        app.register_middleware(gateway.middleware, "http")

    @app.route("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.route("/whoami", methods=["GET", "POST", "DELETE"], authorizer=authorizer)
    def whoami() -> dict[str, Any]:
        claims = (app.current_request.context.get("authorizer") or {}).get("claims", {})
        sub = current_principal().sub if middleware else claims.get("sub")
        return {"sub": sub}

    @app.route("/whoami", methods=["OPTIONS"])
    def preflight() -> Response:
        return Response(body="", status_code=204)

    @app.route("/vary")
    def vary() -> Response:
        return Response(body={}, headers={"Vary": "Accept"})

    @app.route("/missing")
    def missing() -> None:
        current_principal()
        raise NotFoundError("file not found")

    @app.route("/unavailable")
    def unavailable() -> None:
        raise ServiceUnavailableError(failures.MESSAGE)

    return app


def get(
    path: str, headers: dict[str, str] | None = None, app: Chalice | None = None, method: str = "GET"
) -> Any:
    with Client(app or tiny_app()) as client:
        return client.http.request(method, path, headers=headers or {})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_good_token_reaches_the_view_with_its_principal(fetcher: tokens.FakeFetcher) -> None:
    for scheme in ("Bearer", "bearer", "BEARER"):
        response = get("/whoami", {"Authorization": f"{scheme} {good()}"})
        assert response.status_code == 200
        assert response.json_body == {"sub": SUB}
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert fetcher.calls == 1
    with pytest.raises(RuntimeError):
        current_principal()  # reset after the request


def test_no_token_is_a_plain_bearer_challenge(fetcher: tokens.FakeFetcher) -> None:
    wrong_scheme = f'{hostile.NO_TOKEN}, error_description="{hostile.WRONG_SCHEME}"'
    for headers, challenge in (
        ({}, hostile.NO_TOKEN),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, wrong_scheme),
    ):
        response = get("/whoami", headers)
        assert response.status_code == 401
        assert response.json_body == GENERIC_401
        assert response.headers["WWW-Authenticate"] == challenge
        assert "error=" not in response.headers["WWW-Authenticate"]
        assert response.headers["Cache-Control"] == "no-store"
    assert fetcher.calls == 0


FORGE = hostile.Forge(ISS, CLIENT, SUB)
HOSTILE: list[Any] = [  # shared with tests/e2e/test_auth_http.py
    pytest.param(lambda case=case: {"Authorization": case.value(FORGE)}, case.challenge, id=case.id)
    for case in hostile.CASES
]


@pytest.mark.parametrize(("make", "challenge"), HOSTILE)
def test_hostile_requests_get_the_same_generic_401(
    make: Callable[[], dict[str, str]],
    challenge: str,
    fetcher: tokens.FakeFetcher,
    auth_log: pytest.LogCaptureFixture,
) -> None:
    headers = make()
    response = get("/whoami", headers)
    assert response.status_code == 401
    assert response.json_body == GENERIC_401
    assert response.headers["WWW-Authenticate"] == challenge
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    refusals = [r for r in auth_log.records if r.name == "locker.auth" and "401" in r.getMessage()]
    assert len(refusals) == 1
    assert refusals[0].levelno == logging.WARNING
    token = headers["Authorization"].partition(" ")[2]
    for part in [headers["Authorization"], token, *token.split(".")]:
        if len(part) > 3:
            assert part not in auth_log.text
    for part in [token, *token.split(".")]:
        if len(part) > 3:
            assert part not in response.headers["WWW-Authenticate"]
    assert set(fetcher.urls) <= {config.get().jwks_url}  # nothing a token named was fetched


def test_every_method_and_unknown_methods_need_a_token(fetcher: tokens.FakeFetcher) -> None:
    for method in ("GET", "POST", "DELETE", "PUT", "PATCH"):
        assert get("/whoami", method=method).status_code == 401


def test_duplicate_authorization_headers_are_refused(fetcher: tokens.FakeFetcher) -> None:
    """API Gateway keeps every value in multiValueHeaders; the test client cannot send two."""
    app = tiny_app()
    value = f"Bearer {good()}"

    def event(multi: dict[str, list[str]]) -> dict[str, Any]:
        return {
            "requestContext": {"httpMethod": "GET", "resourcePath": "/whoami", "path": "/whoami"},
            "headers": {"Authorization": value},
            "multiValueHeaders": multi,
            "pathParameters": None,
            "multiValueQueryStringParameters": None,
            "stageVariables": None,
            "body": None,
        }

    single = app(event({"Authorization": [value]}), None)
    assert single["statusCode"] == 200
    for multi in ({"Authorization": [value, value]}, {"Authorization": [value], "authorization": [value]}):
        response = app(event(multi), None)
        assert response["statusCode"] == 401
        assert response["headers"]["WWW-Authenticate"] == hostile.bad_token(
            "Send exactly one Authorization header"
        )


def test_id_tokens_accepted_only_when_the_deployment_opts_in(
    fetcher: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    id_token = tokens.mint(c(token_use="id"))
    assert get("/whoami", bearer(id_token)).status_code == 401
    monkeypatch.setenv(config.TOKEN_USES, "access,id")
    runtime.reset()  # settings changed
    assert get("/whoami", bearer(id_token)).json_body == {"sub": SUB}
    wrong_aud = tokens.mint(c(token_use="id", aud="otherclient"))
    assert get("/whoami", bearer(wrong_aud)).status_code == 401


def test_health_is_public_and_cacheable(fetcher: tokens.FakeFetcher) -> None:
    response = get("/health", {"Authorization": "Bearer garbage"})
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cache-Control" not in response.headers
    assert get("/health", method="POST").status_code == 401  # only GET is public


def test_view_errors_keep_the_security_headers(fetcher: tokens.FakeFetcher) -> None:
    response = get("/missing", bearer(good()))
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_401s_say_why_in_fixed_words_only(fetcher: tokens.FakeFetcher) -> None:
    """RFC 6750 error_description: what to fix, and nothing from the token or its claims."""
    secret_sub = str(uuid.uuid4())
    cases = [
        (tokens.mint(c(lifetime=-120, sub=secret_sub)), hostile.EXPIRED),
        (tokens.mint(c(token_use="id", sub=secret_sub)), hostile.ID_TOKEN),
        (tokens.mint(c(token_use="refresh", sub=secret_sub)), hostile.INVALID),
        (tokens.mint(c(client_id="someone-else", sub=secret_sub)), hostile.INVALID),
        ("not-a-jwt", hostile.MALFORMED_TOKEN),
    ]
    for token, description in cases:
        challenge = get("/whoami", bearer(token)).headers["WWW-Authenticate"]
        assert challenge == hostile.bad_token(description)
        assert secret_sub not in challenge and "someone-else" not in challenge
    assert get("/whoami").headers["WWW-Authenticate"] == hostile.NO_TOKEN


def test_every_503_says_when_to_retry(fetcher: tokens.FakeFetcher) -> None:
    response = get("/unavailable", bearer(good()))
    assert response.status_code == 503
    assert response.json_body == {"Code": "ServiceUnavailableError", "Message": failures.MESSAGE}
    assert response.headers["Retry-After"] == gateway.RETRY_AFTER
    assert response.headers["Cache-Control"] == "no-store"
    assert "Retry-After" not in get("/missing", bearer(good())).headers


def test_a_view_without_the_middleware_fails_closed(fetcher: tokens.FakeFetcher) -> None:
    response = get("/missing", bearer(good()), app=tiny_app(middleware=False))
    assert response.status_code == 500
    assert response.json_body == {
        "Code": "InternalServerError",
        "Message": "An internal server error occurred.",
    }


def test_bad_settings_answer_a_bare_500_and_log_once(
    fetcher: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch, auth_log: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(config.CURSOR_KEY)
    for _ in range(3):
        response = get("/whoami", bearer(good()))
        assert response.status_code == 500
        assert response.json_body == {
            "Code": "InternalServerError",
            "Message": "An internal server error occurred.",
        }
        assert config.CURSOR_KEY not in response.body.decode()
    assert get("/health").status_code == 200
    errors = [r for r in auth_log.records if r.name == "locker.auth" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert config.CURSOR_KEY in errors[0].getMessage()


@pytest.mark.parametrize(
    ("web_origin", "origin", "allowed"),
    [
        (ORIGIN, ORIGIN, True),
        (ORIGIN, "https://evil.example", False),
        (ORIGIN, None, False),
        (None, ORIGIN, False),
    ],
    ids=["same-origin", "other-origin", "no-origin", "cors-off"],
)
def test_cors(
    fetcher: tokens.FakeFetcher,
    monkeypatch: pytest.MonkeyPatch,
    web_origin: str | None,
    origin: str | None,
    allowed: bool,
) -> None:
    if web_origin:
        monkeypatch.setenv(config.WEB_ORIGIN, web_origin)
    headers = {"Origin": origin} if origin else {}
    preflight = get(
        "/whoami", {**headers, "Access-Control-Request-Method": "DELETE"}, method="OPTIONS"
    )  # no token: preflights never carry one
    assert preflight.status_code == 204
    assert preflight.headers["X-Content-Type-Options"] == "nosniff"
    actual = get("/whoami", {**headers, **bearer(good())})
    refused = get("/whoami", headers)
    for response in (preflight, actual, refused):
        assert "*" not in response.headers.get("Access-Control-Allow-Origin", "")
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert response.headers.get("Access-Control-Allow-Origin") == (ORIGIN if allowed else None)
        assert ("Vary" in response.headers) is bool(web_origin)
    if allowed:
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST, DELETE, OPTIONS"
        assert (
            preflight.headers["Access-Control-Allow-Headers"]
            == "Authorization, Content-Type, Idempotency-Key"
        )
        assert preflight.headers["Access-Control-Max-Age"] == "600"
        assert preflight.headers["Vary"] == "Origin"
    else:
        assert "Access-Control-Allow-Methods" not in preflight.headers
    assert "Access-Control-Allow-Methods" not in actual.headers


def test_vary_keeps_what_the_view_set(fetcher: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.WEB_ORIGIN, ORIGIN)
    response = get("/vary", {"Origin": ORIGIN, **bearer(good())})
    assert response.headers["Vary"] == "Accept, Origin"


def test_plain_chalice_lets_a_forged_token_through_and_locker_does_not(fetcher: tokens.FakeFetcher) -> None:
    """chalice's LocalGateway only base64-decodes Cognito tokens; Locker's middleware verifies them."""
    forged = tokens.mint(
        c(token_use="id", sub=str(uuid.uuid4()), username="victim"), key=tokens.attacker_key()
    )
    authorizer = CognitoUserPoolAuthorizer("pool", provider_arns=[POOL_ARN])
    plain = tiny_app(middleware=False, authorizer=authorizer)
    with pytest.warns(UserWarning, match="not a supported in local mode"):
        response = get("/whoami", bearer(forged), app=plain)
    assert response.status_code == 200  # the forged identity reached the view
    assert response.json_body["sub"] != SUB
    locker = tiny_app(authorizer=authorizer)
    with pytest.warns(UserWarning):
        response = get("/whoami", bearer(forged), app=locker)
    assert response.status_code == 401
    assert response.json_body == GENERIC_401


@pytest.mark.parametrize(("method", "path"), hostile.FILE_ROUTES)
def test_the_real_app_refuses_missing_and_forged_tokens(
    fetcher: tokens.FakeFetcher, method: str, path: str
) -> None:
    from app import app

    assert gateway.middleware in [func for func, kind in app.middleware_handlers if kind == "http"]
    assert logging.getLogger("locker.auth").isEnabledFor(logging.WARNING)  # despite Chalice's ERROR level
    forged = tokens.mint(c(), key=tokens.attacker_key())
    for headers, challenge in (
        ({}, gateway.CHALLENGE_NO_TOKEN),
        (bearer(forged), hostile.bad_token(hostile.INVALID)),
    ):
        response = get(path, {**headers, "Content-Type": "application/json"}, app=app, method=method)
        assert response.status_code == 401
        assert response.json_body == GENERIC_401
        assert response.headers["WWW-Authenticate"] == challenge


def _matches(template: str, path: str) -> bool:
    wanted, got = template.split("/"), path.split("/")
    return len(wanted) == len(got) and all(
        w.startswith("{") or w == g for w, g in zip(wanted, got, strict=True)
    )


def test_every_route_of_the_app_is_probed_or_listed_public() -> None:
    """A new route cannot escape the hostile-token tests: it is in FILE_ROUTES or PUBLIC_ROUTES."""
    from app import app
    from chalicelib.routes import unmatched

    for template, methods in unmatched.declared(app.routes).items():
        for method in methods:
            if method == "OPTIONS" or (method, template) in hostile.PUBLIC_ROUTES:
                continue
            assert any(m == method and _matches(template, p) for m, p in hostile.FILE_ROUTES), (
                method,
                template,
            )
    assert set(gateway.PUBLIC_ROUTES) == set(hostile.PUBLIC_ROUTES) - {("GET", "/health")}


@pytest.mark.parametrize("failure", [OSError("down"), b"not json", b'{"keys": []}'], ids=repr)
def test_a_jwks_outage_on_a_cold_start_is_a_503_not_a_401(
    fetcher: tokens.FakeFetcher, failure: Exception | bytes
) -> None:
    """With no keys cached the token was never judged: telling its client it is bad would be a lie."""
    if isinstance(failure, bytes):
        fetcher.body = failure
    else:
        fetcher.error = failure
    answer = get("/whoami", bearer(good()))
    assert answer.status_code == 503
    assert answer.json_body["Code"] == "ServiceUnavailableError"
    assert answer.headers["Retry-After"]
    assert "WWW-Authenticate" not in answer.headers
    assert get("/whoami").status_code == 401  # no token at all is still judged without keys


def test_a_jwks_outage_after_keys_were_fetched_keeps_judging_tokens(fetcher: tokens.FakeFetcher) -> None:
    with Client(tiny_app()) as client:
        assert client.http.get("/whoami", headers=bearer(good())).status_code == 200
        fetcher.error = OSError("down")
        assert client.http.get("/whoami", headers=bearer(good())).status_code == 200


def test_the_web_app_may_read_retry_after_and_idempotency_headers(
    fetcher: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.WEB_ORIGIN, ORIGIN)
    answer = get("/unavailable", {"Origin": ORIGIN, **bearer(good())})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    exposed = {h.strip() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Retry-After", "WWW-Authenticate", "Allow", "Idempotent-Replayed"} <= exposed
