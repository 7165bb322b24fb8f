"""Fixtures for the CLI's unit tests: the fake services and a way to run ``locker`` in-process."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from locker_cli import main, retry
from tests.unit.cli.fake_locker import API, CLIENT_ID, COGNITO, MIB, PASSWORD, USER, FakeLocker


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "wait_seconds", lambda attempt, answer=None: 0.0)


@pytest.fixture
def fake() -> FakeLocker:
    return FakeLocker()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    stack = tmp_path / "stack.json"
    stack.write_text(
        json.dumps(
            {
                "apiUrl": API,
                "awsEndpointUrl": COGNITO.rstrip("/"),
                "clientId": CLIENT_ID,
                "demoUser": {"username": USER, "password": PASSWORD},
                "limits": {"multipartThreshold": 8 * MIB},
            }
        )
    )
    return {"LOCKER_CONFIG_DIR": str(tmp_path / "config"), "LOCKER_STACK": str(stack), "HOME": str(tmp_path)}


@pytest.fixture
def run(fake: FakeLocker, env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Run:
    def run_cli(*argv: str, extra_env: dict[str, str] | None = None) -> Result:
        out = io.StringIO()
        capsys.readouterr()
        code = main.main(list(argv), {**env, **(extra_env or {})}, fake.transport, out)
        return Result(code, out.getvalue(), capsys.readouterr().err)

    return run_cli


@pytest.fixture
def logged_in(run: Run) -> Run:
    assert run("login").code == 0
    return run
