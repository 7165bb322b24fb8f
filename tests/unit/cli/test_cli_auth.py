"""``locker login``: where the endpoints come from, where the tokens go, and refreshing them."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx

from locker_cli import errors
from tests.unit.cli.conftest import Run
from tests.unit.cli.fake_locker import API, FakeLocker


def _credentials(env: dict[str, str]) -> Path:
    return Path(env["LOCKER_CONFIG_DIR"]) / "credentials.json"


def test_login_with_the_stack_json_stores_the_session_in_a_0600_file(run: Run, env: dict[str, str]) -> None:
    result = run("login")
    assert result.code == 0, result.err
    path = _credentials(env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    saved = json.loads(path.read_text())["profiles"]["default"]
    assert saved["api_url"] == API
    assert saved["access_token"].startswith("token-")
    assert "Alice-password-1" not in path.read_text()
    assert [p.name for p in path.parent.iterdir()] == ["credentials.json"]  # no temp file left


def test_a_wrong_password_is_an_auth_error_in_plain_words(run: Run) -> None:
    result = run("login", extra_env={"LOCKER_PASSWORD": "wrong-password"})
    assert result.code == errors.AUTH
    assert "Incorrect username or password" in result.err
    assert "wrong-password" not in result.err + result.out


def test_flags_and_environment_win_over_the_stack_json(run: Run, fake: FakeLocker) -> None:
    result = run("login", "--client-id", "another-client")
    assert result.code == errors.AUTH  # the fake knows only the stack's client: the flag was used
    assert "no such client" in result.err
    result = run("login", extra_env={"LOCKER_CLIENT_ID": "another-client"})
    assert result.code == errors.AUTH


def test_without_any_endpoint_login_names_the_missing_flags(run: Run, tmp_path: Path) -> None:
    result = run("login", extra_env={"LOCKER_STACK": str(tmp_path / "absent.json")})
    assert result.code == errors.USAGE
    assert "--api-url" in result.err and "--client-id" in result.err and "--region" in result.err


def test_commands_without_a_login_say_so(run: Run) -> None:
    result = run("ls")
    assert result.code == errors.AUTH
    assert "locker login" in result.err


def test_a_credentials_file_others_can_read_is_refused(logged_in: Run, env: dict[str, str]) -> None:
    os.chmod(_credentials(env), 0o644)
    result = logged_in("ls")
    assert result.code == errors.AUTH
    assert "chmod 600" in result.err


def test_an_expired_token_is_refreshed_and_saved(
    logged_in: Run, env: dict[str, str], fake: FakeLocker
) -> None:
    path = _credentials(env)
    data = json.loads(path.read_text())
    old = data["profiles"]["default"]["access_token"]
    data["profiles"]["default"]["expires_at"] = 0
    path.write_text(json.dumps(data))
    assert logged_in("ls").code == 0
    new = json.loads(path.read_text())["profiles"]["default"]["access_token"]
    assert new != old and new in fake.tokens
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_token_locker_refuses_is_refreshed_once_then_the_call_is_repeated(
    logged_in: Run, fake: FakeLocker
) -> None:
    fake.tokens.clear()  # every token now gets a 401 until the refresh issues a new one
    result = logged_in("ls")
    assert result.code == 0, result.err
    assert [r for r in fake.requests if r[1] == "/files"] == [("GET", "/files"), ("GET", "/files")]


def test_a_refused_refresh_token_asks_for_login_again(
    logged_in: Run, env: dict[str, str], fake: FakeLocker
) -> None:
    path = _credentials(env)
    data = json.loads(path.read_text())
    data["profiles"]["default"].update(expires_at=0, refresh_token="revoked")
    path.write_text(json.dumps(data))
    result = logged_in("ls")
    assert result.code == errors.AUTH
    assert "has expired: run `locker login`" in result.err


def test_logout_forgets_the_profile(logged_in: Run) -> None:
    assert logged_in("logout").code == 0
    assert logged_in("ls").code == errors.AUTH


def test_profiles_are_separate(logged_in: Run) -> None:
    assert logged_in("ls", "--profile", "other").code == errors.AUTH
    assert logged_in("ls").code == 0


def test_an_unreachable_cognito_is_unavailable_not_a_traceback(run: Run, fake: FakeLocker) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fake.before = refuse
    result = run("login")
    assert result.code == errors.UNAVAILABLE
    assert "cannot reach Cognito" in result.err and "Traceback" not in result.err
