"""Completion fails closed: a refused read changes nothing, a declared checksum is verified."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from chalicelib.dynamo_records import DynamoRecords
from chalicelib.errors import ConflictError, ServiceUnavailableError, UnprocessableEntityError
from chalicelib.records import Usage
from chalicelib.service import Locker
from tests.unit.conftest import BUCKET, TABLE
from tests.unit.test_service import ALICE, PNG, declare, upload

DIGEST = base64.b64encode(hashlib.sha256(PNG).digest()).decode()


class Refusing:
    """The real client, except that the named operations fail with ``error``."""

    def __init__(self, client: Any, error: Exception, *operations: str) -> None:
        self._client = client
        self._error = error
        self._operations = operations

    def __getattr__(self, name: str) -> Any:
        if name in self._operations:

            def fail(*_: Any, **__: Any) -> Any:
                raise self._error

            return fail
        return getattr(self._client, name)


def denied(code: str = "AccessDenied") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "Access Denied"}}, "GetObject")


def keys(aws: dict[str, Any]) -> list[str]:
    return [o["Key"] for o in aws["s3"].list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.parametrize(
    "error",
    [
        denied(),
        denied("403"),
        denied("KMS.DisabledException"),
        denied("SlowDown"),
        ReadTimeoutError(endpoint_url="x"),
    ],
    ids=["AccessDenied", "403", "kms", "throttled", "timeout"],
)
def test_a_refused_read_is_a_503_that_deletes_and_rejects_nothing(
    locker: Locker, aws: dict[str, Any], error: Exception
) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    file_id = created["file"]["id"]
    locker.storage._s3 = Refusing(aws["s3"], error, "get_object")
    for complete in (
        lambda: locker.complete(ALICE, file_id),
        lambda: locker.object_created(f"users/{ALICE}/{file_id}"),
    ):
        with pytest.raises(ServiceUnavailableError):
            complete()
    assert locker.get(ALICE, file_id)["file"]["status"] == "pending"
    assert keys(aws) == [f"users/{ALICE}/{file_id}"]
    assert locker.records.usage(ALICE) == Usage(len(PNG), 1)
    locker.storage._s3 = aws["s3"]  # once storage answers again, the same call completes
    assert locker.complete(ALICE, file_id)["file"]["status"] == "ready"


def test_an_object_rejected_by_a_concurrent_completion_is_a_409(locker: Locker, aws: dict[str, Any]) -> None:
    """The bucket event and the API race: the other one deletes the object between our HEAD and GET."""
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 44
    created = declare(locker, body=jpeg)
    upload(aws, created, jpeg)
    record = locker.records.get(ALICE, created["file"]["id"])
    real_get = aws["s3"].get_object

    def raced(**kwargs: Any) -> Any:
        aws["s3"].delete_object(Bucket=BUCKET, Key=record.key)
        locker.records.reject(record, "content is not image/png", record.updated_at + 1)
        return real_get(**kwargs)  # S3 now answers NoSuchKey

    locker.storage._s3 = Refusing(aws["s3"], denied(), "nothing")
    locker.storage._s3.get_object = raced  # type: ignore[attr-defined]
    with pytest.raises(ConflictError, match="rejected: content is not image/png"):
        locker.complete(ALICE, created["file"]["id"])
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "rejected"


def test_a_refused_head_is_a_503_not_a_missing_upload(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    upload(aws, created, PNG)
    locker.storage._s3 = Refusing(aws["s3"], denied("403"), "head_object")
    with pytest.raises(ServiceUnavailableError):
        locker.complete(ALICE, created["file"]["id"])
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "pending"


def test_a_failing_database_is_a_503_and_the_upload_stays(
    settings: Any, storage: Any, aws: dict[str, Any], clock: Any
) -> None:
    dynamodb = Refusing(
        aws["dynamodb"], denied("ProvisionedThroughputExceededException"), "transact_write_items"
    )
    records = DynamoRecords(aws["dynamodb"], TABLE)
    locker = Locker(settings, records, storage, clock)
    created = declare(locker)
    upload(aws, created, PNG)
    records._db = dynamodb
    with pytest.raises(ServiceUnavailableError):
        locker.complete(ALICE, created["file"]["id"])
    records._db = aws["dynamodb"]
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "pending"
    assert keys(aws) == [f"users/{ALICE}/{created['file']['id']}"]


def test_a_declared_sha256_missing_from_the_object_is_rejected(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker, sha256=DIGEST)
    upload(aws, created, PNG)  # stored without a checksum: nothing proves the bytes are the declared ones
    with pytest.raises(UnprocessableEntityError, match="sha256"):
        locker.complete(ALICE, created["file"]["id"])
    assert locker.get(ALICE, created["file"]["id"])["file"]["status"] == "rejected"
    assert keys(aws) == []


def test_a_declared_sha256_stored_with_the_object_completes(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker, sha256=DIGEST)
    key = f"users/{ALICE}/{created['file']['id']}"
    aws["s3"].put_object(
        Bucket=BUCKET, Key=key, Body=PNG, ContentType="image/png", ChecksumAlgorithm="SHA256"
    )
    assert locker.complete(ALICE, created["file"]["id"])["file"]["status"] == "ready"


def test_an_object_with_a_content_encoding_is_rejected(locker: Locker, aws: dict[str, Any]) -> None:
    created = declare(locker)
    key = f"users/{ALICE}/{created['file']['id']}"
    aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=PNG, ContentType="image/png", ContentEncoding="gzip")
    with pytest.raises(UnprocessableEntityError, match="content encoding"):
        locker.complete(ALICE, created["file"]["id"])
    assert keys(aws) == []
