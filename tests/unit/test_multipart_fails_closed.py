"""Multipart uploads fail closed: an S3 failure Locker cannot classify is a 503 that leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from chalicelib.errors import NotFoundError, ServiceUnavailableError
from chalicelib.records import Usage
from chalicelib.service import Locker
from tests.unit.test_completion_fails_closed import Refusing, denied
from tests.unit.test_multipart import ALICE, BODY, big, declare, send_parts, uploads
from tests.unit.test_uppy import START_MULTIPART, START_PUT, sign

__all__ = ["big"]  # the fixture
FAILURES = [denied(), denied("SlowDown"), ReadTimeoutError(endpoint_url="x")]
IDS = ["AccessDenied", "throttled", "timeout"]


@pytest.mark.parametrize("error", FAILURES, ids=IDS)
def test_a_failed_start_is_a_503_that_records_nothing(
    big: Locker, aws: dict[str, Any], error: Exception
) -> None:
    big.storage._s3 = Refusing(aws["s3"], error, "create_multipart_upload")
    with pytest.raises(ServiceUnavailableError):
        declare(big)
    assert big.records.usage(ALICE) == Usage(0, 0)


@pytest.mark.parametrize("operation", ["list_parts", "complete_multipart_upload"])
@pytest.mark.parametrize("error", FAILURES, ids=IDS)
def test_a_failed_assembly_is_a_503_and_the_file_stays_pending(
    big: Locker, aws: dict[str, Any], error: Exception, operation: str
) -> None:
    file_id = declare(big)["file"]["id"]
    send_parts(aws, big, file_id, BODY, [1, 2, 3])
    big.storage._s3 = Refusing(aws["s3"], error, operation)
    with pytest.raises(ServiceUnavailableError):
        big.complete(ALICE, file_id)
    assert big.get(ALICE, file_id)["file"]["status"] == "pending"
    big.storage._s3 = aws["s3"]  # once storage answers again, the same call completes
    assert big.complete(ALICE, file_id)["file"]["status"] == "ready"


@pytest.mark.parametrize("operation", ["list_multipart_uploads", "abort_multipart_upload"])
def test_a_failed_abort_after_the_delete_committed_is_done_and_a_retried_delete_finishes(
    big: Locker, aws: dict[str, Any], operation: str
) -> None:
    file_id = declare(big)["file"]["id"]
    big.storage._s3 = Refusing(aws["s3"], denied(), operation)
    big.delete(ALICE, file_id)  # committed (the file is gone for everyone): no 503, which would say not
    with pytest.raises(NotFoundError):
        big.get(ALICE, file_id)
    assert big.records.usage(ALICE) == Usage(0, 0)
    big.storage._s3 = aws["s3"]
    big.delete(ALICE, file_id)  # the retry (or the sweep) aborts what storage still holds
    assert uploads(aws) == []
    assert big.records.get(ALICE, file_id) is None


@pytest.mark.parametrize("start", [START_PUT, START_MULTIPART], ids=["PutObject", "CreateMultipartUpload"])
def test_an_uppy_start_whose_signing_fails_records_nothing(
    big: Locker, aws: dict[str, Any], start: dict[str, Any]
) -> None:
    big.storage._s3 = Refusing(aws["s3"], denied(), "generate_presigned_url")
    with pytest.raises(ServiceUnavailableError):
        sign(big, start)
    assert big.records.usage(ALICE) == Usage(0, 0)
