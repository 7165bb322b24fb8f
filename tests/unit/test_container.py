"""``runtime.reset()`` forgets every per-container cache: settings, clients, keys, Locker, log-once flags."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import aws as clients
from chalicelib import config, runtime
from chalicelib.errors import ServiceUnavailableError
from tests import tokens
from tests.unit.conftest import CLIENT, POOL


def test_caches_are_kept_until_the_one_reset(api_env: tokens.FakeFetcher, aws: dict[str, Any]) -> None:
    def built() -> list[object]:
        return [config.get(), clients.client("s3"), clients.client("dynamodb"), runtime.locker()]

    before = built()
    assert all(a is b for a, b in zip(before, built(), strict=True))  # kept for the container's life
    runtime.reset()
    assert all(a is not b for a, b in zip(before, built(), strict=True))


def test_reset_forgets_the_verifier_and_its_keys(api_env: tokens.FakeFetcher, aws: dict[str, Any]) -> None:
    from app import app

    token = tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=str(uuid.uuid4())))
    headers = {"Authorization": f"Bearer {token}"}
    with Client(app) as client:
        for _ in range(2):
            assert client.http.get("/files", headers=headers).status_code == 200
        assert api_env.calls == 1  # one JWKS fetch for the container
        runtime.reset()
        assert client.http.get("/files", headers=headers).status_code == 200
    assert api_env.calls == 2


def test_reset_lets_bad_settings_be_logged_again(
    api_env: tokens.FakeFetcher, monkeypatch: pytest.MonkeyPatch, auth_log: pytest.LogCaptureFixture
) -> None:
    from app import app

    monkeypatch.delenv(config.CURSOR_KEY)

    def logged() -> int:
        return sum(1 for r in auth_log.records if r.name == "locker.auth" and r.levelno == logging.ERROR)

    with Client(app) as client:
        for _ in range(2):
            assert client.http.get("/files").status_code == 500
        assert logged() == 1
        runtime.reset()
        assert client.http.get("/files").status_code == 500
    assert logged() == 2


def test_the_cognito_client_waits_for_the_first_name_lookup(
    api_env: tokens.FakeFetcher, aws: dict[str, Any]
) -> None:
    locker = runtime.locker()
    assert "cognito-idp" not in clients._clients  # a cold POST /files never pays for it
    with pytest.raises(ServiceUnavailableError):  # the unit tests' pool exists only in tokens
        locker.stores.directory.find("nobody-here")
    assert "cognito-idp" in clients._clients
