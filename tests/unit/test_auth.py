"""TokenVerifier and bearer_token against hostile input, with an injected JWKS and clock."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from chalice.app import Request
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import config
from chalicelib.auth import AuthError, Principal, TokenVerifier, bearer_token
from chalicelib.jwks import SigningKeys
from tests import tokens
from tests.unit.conftest import CLIENT, POOL, SETTINGS_ENV

NOW = 1_800_000_000.0
ISS = tokens.issuer(POOL)
SUB = str(uuid.uuid4())
ATTACKER_JWKS = "https://attacker.example/jwks.json"


def c(**overrides: Any) -> dict[str, Any]:
    """Good access-token claims at NOW, with overrides."""
    return tokens.claims(ISS, CLIENT, now=NOW, **{"sub": SUB, **overrides})


def good() -> str:
    return tokens.mint(c())


def _verifier(token_uses: str = "access") -> tuple[TokenVerifier, tokens.FakeFetcher]:
    settings = config.load({**SETTINGS_ENV, "LOCKER_TOKEN_USES": token_uses})
    fetcher = tokens.fake_fetcher()
    cache = SigningKeys(settings.jwks_url, fetcher, clock=lambda: NOW)
    return TokenVerifier(settings, cache, clock=lambda: NOW), fetcher


@pytest.fixture
def verifier() -> TokenVerifier:
    return _verifier()[0]


def _with_header(token: str, header: dict[str, Any]) -> str:
    """Swap a real token's header, keeping its payload and signature."""
    _, payload, signature = token.split(".")
    return f"{tokens.segments(header, b'', b'').split('.')[0]}.{payload}.{signature}"


def _hmac_cases() -> list[Any]:
    return [
        pytest.param(
            lambda a=alg, s=secret: tokens.forge_hmac(c(), s, a),
            "alg is not RS256",
            id=f"{alg}-with-public-{name}",
        )
        for alg in ("HS256", "HS384", "HS512")
        for name, secret in tokens.hmac_secrets().items()
    ]


HOSTILE: list[Any] = [
    pytest.param(lambda: tokens.unsigned(c(), "none"), "compact JWS", id="alg-none"),
    pytest.param(lambda: tokens.unsigned(c(), "None"), "compact JWS", id="alg-None"),
    pytest.param(lambda: tokens.unsigned(c(), "NONE"), "compact JWS", id="alg-NONE"),
    pytest.param(
        lambda: tokens.unsigned(c(), "nOnE", b"junk"), "alg is not RS256", id="alg-nOnE-with-signature"
    ),
    pytest.param(
        lambda: _with_header(good(), {"alg": "none", "kid": "dummy"}),
        "alg is not RS256",
        id="alg-none-real-signature",
    ),
    pytest.param(
        lambda: _with_header(good(), {"alg": "rs256", "kid": "dummy"}), "alg is not RS256", id="alg-lowercase"
    ),
    pytest.param(lambda: _with_header(good(), {"kid": "dummy"}), "alg is not RS256", id="alg-missing"),
    pytest.param(
        lambda: _with_header(good(), {"alg": ["RS256"], "kid": "dummy"}), "alg is not RS256", id="alg-list"
    ),
    *_hmac_cases(),
    pytest.param(
        lambda: tokens.mint(c(), key=tokens.attacker_key()), "bad signature", id="attacker-key-real-kid"
    ),
    pytest.param(
        lambda: tokens.mint(c(), key=tokens.attacker_key(), kid="attacker"), "unknown kid", id="unknown-kid"
    ),
    pytest.param(lambda: tokens.mint(c(), kid=None), "unknown kid", id="no-kid"),
    pytest.param(
        lambda: _with_header(good(), {"alg": "RS256", "kid": 5}), "unknown kid", id="kid-not-string"
    ),
    pytest.param(
        lambda: _with_header(good(), {"alg": "RS256", "kid": "d" * 300}), "unknown kid", id="kid-huge"
    ),
    pytest.param(
        lambda: tokens.mint(c(), key=tokens.attacker_key(), kid="attacker", headers={"jku": ATTACKER_JWKS}),
        "unknown kid",
        id="jku-header",
    ),
    pytest.param(
        lambda: tokens.mint(c(), key=tokens.attacker_key(), kid="attacker", headers={"x5u": ATTACKER_JWKS}),
        "unknown kid",
        id="x5u-header",
    ),
    pytest.param(
        lambda: tokens.mint(
            c(), key=tokens.attacker_key(), headers={"jwk": tokens.jwk_of(tokens.attacker_key(), "dummy")}
        ),
        "bad signature",
        id="embedded-jwk-header",
    ),
    pytest.param(
        lambda: tokens.mint(
            c(), key=tokens.attacker_key(), headers={"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOC"]}
        ),
        "bad signature",
        id="x5c-header",
    ),
    pytest.param(lambda: tokens.mint(c(), headers={"crit": ["exp"]}), "crit", id="crit-header"),
    pytest.param(lambda: tokens.mint(c(), alg="RS512"), "alg is not RS256", id="RS512-real-key"),
    pytest.param(lambda: tokens.mint(c(), alg="PS256"), "alg is not RS256", id="PS256-real-key"),
    pytest.param(lambda: tokens.mint(c(), key=tokens.ec_key(), alg="ES256"), "alg is not RS256", id="ES256"),
    pytest.param(lambda: tokens.tamper(good(), sub=str(uuid.uuid4())), "bad signature", id="tampered-sub"),
    pytest.param(
        lambda: tokens.tamper(tokens.mint(c(exp=NOW - 3600)), exp=NOW + 3600),
        "bad signature",
        id="tampered-exp",
    ),
    pytest.param(
        lambda: good()[:-4] + ("AAAA" if not good().endswith("AAAA") else "BBBB"),
        "bad signature",
        id="signature-changed",
    ),
    pytest.param(lambda: good()[:-2], "bad signature", id="signature-truncated"),
    pytest.param(lambda: good().rsplit(".", 1)[0] + ".A", "signature is not", id="signature-bad-base64"),
    pytest.param(lambda: tokens.mint(c(exp=NOW - 61)), "expired", id="expired-beyond-leeway"),
    pytest.param(lambda: tokens.mint(c(nbf=NOW + 61)), "not valid yet", id="nbf-in-future"),
    pytest.param(lambda: tokens.mint(c(iat=NOW + 3600)), "not valid yet", id="iat-far-in-future"),
    pytest.param(lambda: tokens.mint(c(drop=("exp",))), "time claim", id="no-exp"),
    pytest.param(lambda: tokens.mint(c(exp=str(int(NOW) + 3600))), "time claim", id="exp-string"),
    pytest.param(lambda: tokens.mint(c(exp=True)), "time claim", id="exp-bool"),
    pytest.param(lambda: tokens.mint(c(nbf="soon")), "time claim", id="nbf-string"),
    pytest.param(lambda: tokens.mint(c(iss=ISS[:-1])), "wrong issuer", id="iss-prefix"),
    pytest.param(lambda: tokens.mint(c(iss=ISS + "/")), "wrong issuer", id="iss-trailing-slash"),
    pytest.param(lambda: tokens.mint(c(iss=ISS.replace("https", "http"))), "wrong issuer", id="iss-http"),
    pytest.param(lambda: tokens.mint(c(iss=[ISS])), "wrong issuer", id="iss-list"),
    pytest.param(lambda: tokens.mint(c(drop=("iss",))), "wrong issuer", id="iss-missing"),
    pytest.param(
        lambda: tokens.mint(c(iss=tokens.issuer("us-east-1_OtherPool9"))), "wrong issuer", id="other-pool"
    ),
    pytest.param(lambda: tokens.mint(c(client_id="otherclient")), "app client", id="other-app-client"),
    pytest.param(lambda: tokens.mint(c(client_id=[CLIENT])), "app client", id="client-id-list"),
    pytest.param(
        lambda: tokens.mint(c(drop=("client_id",), aud=CLIENT)), "app client", id="access-with-aud-only"
    ),
    pytest.param(lambda: tokens.mint(c(token_use="id")), "token_use", id="id-token-not-allowed"),
    pytest.param(lambda: tokens.mint(c(token_use="refresh")), "token_use", id="token-use-refresh"),
    pytest.param(lambda: tokens.mint(c(token_use=["access"])), "token_use", id="token-use-list"),
    pytest.param(lambda: tokens.mint(c(drop=("token_use",))), "token_use", id="token-use-missing"),
    pytest.param(
        lambda: "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.a.b.c.d",
        "compact JWS",
        id="refresh-opaque",
    ),
    pytest.param(lambda: tokens.mint(c(drop=("sub",))), "Cognito sub", id="no-sub"),
    pytest.param(lambda: tokens.mint(c(sub="alice")), "Cognito sub", id="sub-not-uuid"),
    pytest.param(lambda: tokens.mint(c(sub=SUB.upper())), "Cognito sub", id="sub-uppercase"),
    pytest.param(lambda: tokens.mint(c(sub=f"../{SUB}")), "Cognito sub", id="sub-path"),
    pytest.param(lambda: tokens.mint(c(sub=123)), "Cognito sub", id="sub-number"),
    pytest.param(lambda: tokens.mint(c(drop=("username",))), "username", id="no-username"),
    pytest.param(lambda: tokens.mint(c(**{"cognito:groups": "admin"})), "username", id="groups-not-list"),
    pytest.param(lambda: tokens.mint(c(scope=["admin"])), "username", id="scope-not-string"),
    pytest.param(
        lambda: tokens.mint([1]),
        "payload is not",
        id="signed-payload-not-object",
    ),
    pytest.param(lambda: "a" * (64 * 1024), "compact JWS", id="64KB-garbage"),
    pytest.param(lambda: tokens.mint(c(pad="x" * 8192)), "compact JWS", id="token-over-8KiB"),
    pytest.param(lambda: "", "compact JWS", id="empty"),
    pytest.param(lambda: "a.b", "compact JWS", id="two-segments"),
    pytest.param(lambda: "..", "compact JWS", id="empty-segments"),
    pytest.param(lambda: "a.b.c", "header is not base64url", id="header-bad-base64"),
    pytest.param(lambda: "é.é.é", "compact JWS", id="non-ascii"),
    pytest.param(lambda: good().replace(".", ". ", 1), "compact JWS", id="space-inside"),
    pytest.param(lambda: good() + "\n", "compact JWS", id="trailing-newline"),
    pytest.param(
        lambda: tokens.segments(b"not json", c(), b"s"), "header is not base64url", id="header-not-json"
    ),
    pytest.param(
        lambda: tokens.segments(b"[1, 2]", c(), b"s"), "header is not a JSON object", id="header-json-array"
    ),
    pytest.param(
        lambda: tokens.segments(b'"RS256"', c(), b"s"), "header is not a JSON object", id="header-json-string"
    ),
    pytest.param(
        lambda: tokens.segments(b"\xff\xfe", c(), b"s"), "header is not base64url", id="header-not-utf8"
    ),
    pytest.param(
        lambda: tokens.segments(b"[" * 5000, c(), b"s"), "header is not base64url", id="header-deeply-nested"
    ),
]


@pytest.mark.parametrize(("make", "reason"), HOSTILE)
def test_hostile_tokens_are_refused(make: Callable[[], str], reason: str) -> None:
    verifier, fetcher = _verifier()
    with pytest.raises(AuthError, match=reason) as caught:
        verifier.verify(make())
    assert caught.value.token_sent
    assert caught.value.reason
    assert set(fetcher.urls) <= {verifier.jwks.uri}  # never a jku/x5u from the token


@pytest.mark.parametrize("header", ["jku", "x5u"])
def test_token_urls_are_never_fetched(header: str) -> None:
    verifier, fetcher = _verifier()
    token = tokens.mint(c(), key=tokens.attacker_key(), kid="attacker", headers={header: ATTACKER_JWKS})
    with pytest.raises(AuthError, match="unknown kid"):
        verifier.verify(token)
    assert fetcher.urls == [verifier.jwks.uri]


def test_reason_never_contains_the_token() -> None:
    verifier, _ = _verifier()
    for token in (tokens.mint(c(iss="evil")), tokens.unsigned(c()), tokens.mint(c(exp=NOW - 999))):
        with pytest.raises(AuthError) as caught:
            verifier.verify(token)
        assert token not in caught.value.reason
        assert all(part not in str(caught.value) for part in token.split(".") if part)


def test_good_access_token(verifier: TokenVerifier) -> None:
    token = tokens.mint(
        c(username="bob", scope="aws.cognito.signin.user.admin  openid", **{"cognito:groups": ["g1"]})
    )
    assert verifier.verify(token) == Principal(
        sub=SUB,
        username="bob",
        groups=("g1",),
        scopes=("aws.cognito.signin.user.admin", "openid"),
        token_use="access",
    )


@pytest.mark.parametrize(
    "claims",
    [c(exp=NOW - 59), c(nbf=NOW + 59), c(iat=NOW + 59), c(exp=NOW + 0.5), c(drop=("scope", "iat"))],
    ids=["exp-in-leeway", "nbf-in-leeway", "iat-in-leeway", "exp-float", "minimal"],
)
def test_edges_that_are_accepted(verifier: TokenVerifier, claims: dict[str, Any]) -> None:
    assert verifier.verify(tokens.mint(claims)).sub == SUB


def test_id_tokens_only_when_allowed_and_checked_by_aud() -> None:
    verifier, _ = _verifier("access,id")
    principal = verifier.verify(tokens.mint(c(token_use="id", username="carol")))
    assert (principal.token_use, principal.username, principal.scopes) == ("id", "carol", ())
    assert verifier.verify(good()).token_use == "access"
    for claims in (c(token_use="id", aud="otherclient"), c(token_use="id", drop=("aud",), client_id=CLIENT)):
        with pytest.raises(AuthError, match="app client"):
            verifier.verify(tokens.mint(claims))


def test_only_id_tokens_when_configured_so() -> None:
    verifier, _ = _verifier("id")
    with pytest.raises(AuthError, match="token_use"):
        verifier.verify(good())


@given(st.text(max_size=300))
def test_arbitrary_text_only_raises_auth_error(text: str) -> None:
    verifier, _ = _verifier()
    with pytest.raises(AuthError):
        verifier.verify(text)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(header=st.dictionaries(st.sampled_from(["alg", "kid", "typ", "jku", "crit"]), _json), payload=_json)
def test_arbitrary_json_segments_only_raise_auth_error(header: dict[str, Any], payload: Any) -> None:
    verifier, _ = _verifier()
    with pytest.raises(AuthError):
        verifier.verify(tokens.segments(header, tokens._part({"v": payload}), b"signature"))


# --- the Authorization header --------------------------------------------------------------


def request(headers: dict[str, str], multi: dict[str, list[str]] | None = None) -> Request:
    """A Chalice Request from an API Gateway-shaped event."""
    event: dict[str, Any] = {
        "multiValueQueryStringParameters": None,
        "headers": headers,
        "pathParameters": None,
        "requestContext": {"httpMethod": "GET", "resourcePath": "/files"},
        "body": None,
        "stageVariables": None,
    }
    if multi is not None:
        event["multiValueHeaders"] = multi
    return Request(event)


@pytest.mark.parametrize(
    "value", ["Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER abc.def.ghi", "bEaReR abc.def.ghi"]
)
def test_bearer_scheme_is_case_insensitive(value: str) -> None:
    assert bearer_token(request({"authorization": value})) == "abc.def.ghi"


def test_single_header_in_multi_value_headers_is_fine() -> None:
    value = "Bearer abc.def.ghi"
    assert bearer_token(request({"Authorization": value}, {"Authorization": [value]})) == "abc.def.ghi"


@pytest.mark.parametrize(
    ("headers", "multi", "token_sent"),
    [
        pytest.param({}, None, False, id="no-header"),
        pytest.param({"authorization": "Basic dXNlcjpwYXNz"}, None, False, id="basic-scheme"),
        pytest.param({"authorization": "Token abc"}, None, False, id="other-scheme"),
        pytest.param({"authorization": "abc.def.ghi"}, None, False, id="raw-token-no-scheme"),
        pytest.param({"authorization": ""}, None, False, id="empty-header"),
        pytest.param({"authorization": "Bëarer abc"}, None, False, id="non-ascii-scheme"),
        pytest.param({"authorization": "Bearer"}, None, True, id="bearer-alone"),
        pytest.param({"authorization": "Bearer "}, None, True, id="bearer-empty-token"),
        pytest.param({"authorization": "Bearer  abc.def.ghi"}, None, True, id="two-spaces"),
        pytest.param({"authorization": "Bearer abc.def.ghi "}, None, True, id="trailing-space"),
        pytest.param({"authorization": "Bearer abc def"}, None, True, id="two-tokens"),
        pytest.param({"authorization": "Bearer a.b.c, Bearer d.e.f"}, None, True, id="comma-joined"),
        pytest.param({"authorization": "Bearer a\tb"}, None, True, id="tab-inside"),
        pytest.param({"authorization": "Bearer tök.en.x"}, None, True, id="non-ascii-token"),
        pytest.param({"authorization": "Bearer a\x00b"}, None, True, id="nul-byte"),
        pytest.param({"authorization": "Bearer " + "a" * 65536}, None, True, id="64KB-header"),
        pytest.param(
            {"authorization": "Bearer a.b.c"},
            {"Authorization": ["Bearer a.b.c", "Bearer d.e.f"]},
            True,
            id="duplicate-in-multi-value-headers",
        ),
        pytest.param(
            {"Authorization": "Bearer a.b.c", "authorization": "Bearer a.b.c"},
            None,
            True,
            id="duplicate-by-case-in-headers",
        ),
        pytest.param(
            {"authorization": "Bearer a.b.c"},
            {"Authorization": ["Bearer a.b.c"], "authorization": ["Bearer d.e.f"]},
            True,
            id="duplicate-by-case-in-multi-value-headers",
        ),
    ],
)
def test_malformed_authorization_headers(
    headers: dict[str, str], multi: dict[str, list[str]] | None, token_sent: bool
) -> None:
    with pytest.raises(AuthError) as caught:
        bearer_token(request(headers, multi))
    assert caught.value.token_sent is token_sent


@given(st.text(max_size=200))
def test_arbitrary_header_values_only_raise_auth_error(value: str) -> None:
    try:
        token = bearer_token(request({"authorization": value}))
    except AuthError:
        return
    assert value.lower() == f"bearer {token}".lower()


def test_tokens_issued_by_the_emulator_are_accepted() -> None:
    """In-process moto's real login: its access token passes, its id token only when allowed."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="us-east-1")
        pool = idp.create_user_pool(PoolName="unit")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
        )
        client_id = client["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username="dora")
        idp.admin_set_user_password(
            UserPoolId=pool, Username="dora", Password="Passw0rd!-long", Permanent=True
        )
        result = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "dora", "PASSWORD": "Passw0rd!-long"},
        )["AuthenticationResult"]
        attributes = idp.admin_get_user(UserPoolId=pool, Username="dora")["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
    env = {**SETTINGS_ENV, "LOCKER_USER_POOL_ID": pool, "LOCKER_CLIENT_IDS": client_id}
    for uses, id_ok in (("access", False), ("access,id", True)):
        settings = config.load({**env, "LOCKER_TOKEN_USES": uses})
        verifier = TokenVerifier(settings, SigningKeys(settings.jwks_url, tokens.fake_fetcher()))
        principal = verifier.verify(result["AccessToken"])
        assert (principal.sub, principal.username, principal.token_use) == (sub, "dora", "access")
        if id_ok:
            assert verifier.verify(result["IdToken"]).sub == principal.sub
        else:
            with pytest.raises(AuthError, match="token_use"):
                verifier.verify(result["IdToken"])
        with pytest.raises(AuthError):
            verifier.verify(result["RefreshToken"])
