"""Unit fixtures: in-process moto (no network), settings and keys, fake clocks, in-memory records."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from chalicelib import config, jwks
from chalicelib.activity import Activity, InMemoryActivity
from chalicelib.dynamo_activity import DynamoActivity
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.records import InMemoryRecords
from chalicelib.service import Locker
from devstack.resources import create_resources
from tests import tokens

REGION = "us-east-1"
TABLE = "unit-files"
BUCKET = "unit-files-bucket"
POOL = "us-east-1_UnitPool1"
CLIENT = "unitclient123"
SETTINGS_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "LOCKER_BUCKET": BUCKET,
    "LOCKER_TABLE": TABLE,
    "LOCKER_USER_POOL_ID": POOL,
    "LOCKER_CLIENT_IDS": CLIENT,
    "LOCKER_CURSOR_KEY": "unit-test-cursor-key-0123456789abcdef",
    "LOCKER_QUOTA_BYTES": "10000",
    "LOCKER_QUOTA_FILES": "5",
}


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def auth_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.LogCaptureFixture]:
    """Capture "locker.*" records the way Lambda gets them.

    Chalice(app_name="locker") gives the "locker" logger its own stdout handler and
    stops propagation, so caplog's root handler would miss them once app.py is imported.
    """
    parent = logging.getLogger("locker")
    monkeypatch.setattr(parent, "propagate", False)
    parent.addHandler(caplog.handler)
    yield caplog
    parent.removeHandler(caplog.handler)


@pytest.fixture
def api_env(monkeypatch: pytest.MonkeyPatch) -> tokens.FakeFetcher:
    """Locker's settings in the environment and the pool's JWKS served without network."""
    for name, value in SETTINGS_ENV.items():
        monkeypatch.setenv(name, value)
    fetcher = tokens.fake_fetcher()
    monkeypatch.setattr(jwks, "fetch_url", fetcher)
    return fetcher


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> config.Settings:
    return config.load(SETTINGS_ENV)


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """In-process moto with Locker's table and bucket, created from infra/template.json."""
    with mock_aws():
        s3 = boto3.client(
            "s3", region_name=REGION, config=Config(signature_version="s3v4", s3={"addressing_style": "path"})
        )
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_resources(dynamodb, s3, TABLE, BUCKET, "http://127.0.0.1:8080")
        yield {"s3": s3, "dynamodb": dynamodb}


class SerializedClient:
    """A boto3 client whose calls run one at a time.

    DynamoDB evaluates conditions and transactions atomically; in-process moto
    does not (a failed transaction even restores a stale copy of the table), so
    concurrency tests would otherwise measure moto's race, not Locker's logic.
    The local stack's emulator does the same (devstack/emulator/dynamodb_lock.py).
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def serialized(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return serialized


@pytest.fixture(params=["memory", "dynamodb"])
def records(request: pytest.FixtureRequest, aws: dict[str, Any]) -> Any:
    """Both Records implementations: the contract tests run against each."""
    if request.param == "memory":
        return InMemoryRecords()
    return DynamoRecords(SerializedClient(aws["dynamodb"]), TABLE)


@pytest.fixture
def activity(records: Any, aws: dict[str, Any]) -> Activity:
    """The activity store of the same kind as ``records``: its writes join their transactions."""
    if isinstance(records, InMemoryRecords):
        return InMemoryActivity()
    return DynamoActivity(aws["dynamodb"], TABLE)


@pytest.fixture
def storage(aws: dict[str, Any]) -> MultipartStorage:
    # Real time: botocore signs with the real clock, so expiresAt must use it too.
    return MultipartStorage(aws["s3"], BUCKET)


@pytest.fixture
def locker(settings: config.Settings, records: Any, storage: MultipartStorage, clock: FakeClock) -> Locker:
    return Locker(settings, records, storage, clock)
