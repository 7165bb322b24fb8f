"""Integration fixtures: Locker's own adapters against the emulator server.

The emulator is the one ``make run`` uses (moto's server behind the S3 gate and
the DynamoDB lock), reached over HTTP on a free port, so these tests exercise
the wire format the adapters really send.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.dynamo_activity import DynamoActivity
from chalicelib.dynamo_records import DynamoRecords
from devstack.emulator.server import Emulator
from devstack.resources import create_resources
from tests.emulator.conftest import S3_CONFIG, emulator, emulator_server  # noqa: F401 (fixtures)

TABLE = "integration-files"
BUCKET = "integration-files-bucket"


@pytest.fixture
def aws(emulator: Emulator) -> dict[str, Any]:  # noqa: F811 (the fixture above)
    """Clients on a freshly reset emulator holding Locker's table and bucket."""
    s3 = boto3.client("s3", endpoint_url=emulator.url, config=S3_CONFIG)
    dynamodb = boto3.client("dynamodb", endpoint_url=emulator.url)
    create_resources(dynamodb, s3, TABLE, BUCKET, "http://127.0.0.1:8080")
    return {"s3": s3, "dynamodb": dynamodb}


@pytest.fixture
def records(aws: dict[str, Any]) -> DynamoRecords:
    """The DynamoDB adapter on the emulator (no serialising wrapper: the emulator is atomic)."""
    return DynamoRecords(aws["dynamodb"], TABLE)


@pytest.fixture
def activity(aws: dict[str, Any]) -> DynamoActivity:
    """The activity store on the same table: its writes join the records' transactions."""
    return DynamoActivity(aws["dynamodb"], TABLE)
