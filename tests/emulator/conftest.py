"""Integration fixtures: one real emulator server per session, on a free port.

Port 0 lets the suite run beside a developer's ``make run`` on port 5000.
``emulator`` wipes all state before each test; fixtures that must outlive a
test (module or session scope) use ``emulator_server`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from devstack.emulator.server import Emulator, start

S3_CONFIG = Config(signature_version="s3v4", s3={"addressing_style": "path"})


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """The session's emulator, state shared across tests."""
    server = start(port=0)
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    """The emulator, freshly reset: no buckets, tables or user pools."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def s3(emulator: Emulator) -> Any:
    """A boto3 S3 client on the emulator: SigV4, path-style, like Locker's local config."""
    return boto3.client("s3", endpoint_url=emulator.url, config=S3_CONFIG)


@pytest.fixture
def aws_endpoint(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every boto3 client (``chalicelib.aws`` included) at the emulator for one test.

    No client is cached yet: the root conftest resets per-container state around every test.
    """
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    return emulator.url
