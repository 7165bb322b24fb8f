"""Starts the real local stack (``python -m devstack.run``) for end-to-end tests.

It runs in its own process on free ports, exactly as ``make run`` does, so the
tests talk HTTP to Chalice's local server, the emulator and the web server, and
can run while a developer's ``make run`` is up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from devstack import cognito

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 120


@dataclass
class Stack:
    """A running local stack and what its stack.json says."""

    info: dict[str, Any]
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def api(self) -> str:
        return str(self.info["apiUrl"])

    @property
    def emulator(self) -> str:
        return str(self.info["awsEndpointUrl"])

    def aws(self, service: str) -> Any:
        """An admin boto3 client on the stack's emulator."""
        return boto3.client(
            service,
            endpoint_url=self.emulator,
            region_name=self.info["region"],
            aws_access_key_id=self.info["awsAccessKeyId"],
            aws_secret_access_key=self.info["awsSecretAccessKey"],
        )

    def login(self, username: str, password: str) -> dict[str, Any]:
        """USER_PASSWORD_AUTH against the emulator's Cognito."""
        return cognito.login(
            self.emulator + "/", self.info["region"], self.info["clientId"], username, password
        )

    def new_user(self, email: str, password: str = "Another-user-2026") -> tuple[str, str]:
        """Create and log in a user; returns (sub, access token)."""
        sub = cognito.create_user(self.aws("cognito-idp"), self.info["userPoolId"], email, password)
        return sub, self.login(email, password)["AccessToken"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    state_dir: Path,
    extra_env: dict[str, str] | None = None,
    *,
    args: tuple[str, ...] = (),
    root: Path = ROOT,
) -> Stack:
    """Start the stack (of the project at ``root``) and wait until stack.json says it is ready."""
    env = {
        **os.environ,
        "LOCKER_EMULATOR_PORT": "0",
        "LOCKER_API_PORT": "0",
        "LOCKER_WEB_PORT": "0",
        "LOCKER_STATE_DIR": str(state_dir),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log_path = state_dir / "stack.log"
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.run", *args],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    stack_file = state_dir / "stack.json"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"local stack did not start:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.1)
    return Stack(json.loads(stack_file.read_text()), process, log_path)
