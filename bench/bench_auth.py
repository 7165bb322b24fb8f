"""P4: what Locker's token verification costs over a bare PyJWT decode.

Locker parses the header itself, looks the key up in its JWKS cache and checks
Cognito's claims; the baseline is ``jwt.decode`` with the key already in hand and
the issuer/audience checks off. Both verify the same RS256 token. Run with
``python -m bench.bench_auth``.
"""

from __future__ import annotations

import jwt

from bench.common import alternate, print_row, row
from chalicelib import config
from chalicelib.auth import TokenVerifier
from chalicelib.jwks import SigningKeys
from tests import tokens

TARGET = 1.10
ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "LOCKER_BUCKET": "bench-bucket",
    "LOCKER_TABLE": "bench-table",
    "LOCKER_USER_POOL_ID": "us-east-1_Bench1",
    "LOCKER_CLIENT_IDS": "benchclient",
    "LOCKER_CURSOR_KEY": "bench-cursor-key-0123456789abcdef",
}


def run(rounds: int = 41, inner: int = 200) -> list[dict[str, object]]:
    """Time P4 and return its row."""
    settings = config.load(ENV)
    cache = SigningKeys(settings.jwks_url, fetcher=tokens.fake_fetcher())
    verifier = TokenVerifier(settings, cache)
    token = tokens.mint(tokens.claims(settings.issuer, "benchclient", lifetime=24 * 3600))
    verifier.verify(token)  # warm the JWKS cache
    key = cache.get(tokens.MOTO_KID)
    assert key is not None
    options = {"verify_aud": False, "verify_iss": False}

    def locker() -> object:
        return verifier.verify(token)

    def baseline() -> object:
        return jwt.decode(token, key.key, algorithms=["RS256"], options=options)  # type: ignore[arg-type]

    locker_s, baseline_s = alternate(locker, baseline, rounds, inner)
    return [row("P4 verify (warm JWKS) vs jwt.decode", locker_s, baseline_s, TARGET)]


if __name__ == "__main__":
    for result in run():
        print_row(result)
