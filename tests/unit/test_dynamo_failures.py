"""DynamoRecords at the boundary: failed conditions are answers, every other failure is a 503."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from chalicelib import dynamo_records
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.dynamo_util import conditional_write
from chalicelib.errors import ServiceUnavailableError
from chalicelib.records import Quota, QuotaExceeded
from tests.unit.test_records_contract import NOW, QUOTA, pending


class Failing:
    """A DynamoDB client whose every call raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*_: Any, **__: Any) -> Any:
            raise self.error

        if name == "get_paginator":
            return lambda _: type("Paginator", (), {"paginate": lambda self, **__: fail()})()
        return fail


def client_error(code: str, **extra: Any) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "arn:aws:dynamodb:eu-west-1:1:table/x"}, **extra}, "Op"
    )


FAILURES = [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ThrottlingException"),
    client_error("InternalServerError"),
    client_error("AccessDeniedException"),
    client_error("TransactionCanceledException", CancellationReasons=[{"Code": "TransactionConflict"}]),
    client_error("SomethingNew"),
    ReadTimeoutError(endpoint_url="https://dynamodb.example"),
    EndpointConnectionError(endpoint_url="https://dynamodb.example"),
]


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__ + ":" + str(e)[:40])
def test_every_unclassified_failure_is_a_503(error: Exception) -> None:
    records = DynamoRecords(Failing(error), "table")
    record = pending()
    calls = [
        lambda: records.create(record, QUOTA),
        lambda: records.get(record.owner, record.id),
        lambda: records.mark_ready(record, NOW),
        lambda: records.reject(record, "bad", NOW),
        lambda: records.begin_delete(record, NOW),
        lambda: records.finish_delete(record),
        lambda: records.page(record.owner, None, 10),
        lambda: list(records.due(NOW)),
        lambda: records.usage(record.owner),
    ]
    for call in calls:
        with pytest.raises(ServiceUnavailableError):
            call()


def test_failed_conditions_stay_answers() -> None:
    failed = client_error(
        "TransactionCanceledException", CancellationReasons=[{"Code": "ConditionalCheckFailed"}]
    )
    records = DynamoRecords(Failing(failed), "table")
    assert records.mark_ready(pending(), NOW) is False
    with pytest.raises(QuotaExceeded):
        records.create(pending(), Quota(10**6, 10))


CONDITION_FAILURES = [
    client_error("ConditionalCheckFailedException"),
    client_error("TransactionCanceledException", CancellationReasons=[{"Code": "ConditionalCheckFailed"}]),
]


def _raising(error: Exception) -> Any:
    def write() -> None:
        raise error

    return write


@pytest.mark.parametrize("error", CONDITION_FAILURES, ids=lambda e: str(e)[:40])
def test_the_shared_conditional_write_answers_false_for_a_failed_condition(error: Exception) -> None:
    assert conditional_write("DynamoDB PutItem", _raising(error)) is False
    assert conditional_write("DynamoDB PutItem", lambda: None) is True


@pytest.mark.parametrize("error", FAILURES, ids=lambda e: type(e).__name__ + ":" + str(e)[:40])
def test_the_shared_conditional_write_turns_anything_else_into_a_503(error: Exception) -> None:
    with pytest.raises(ServiceUnavailableError):
        conditional_write("DynamoDB PutItem", _raising(error))


def test_dynamo_records_has_one_conditional_write_path_not_three_copies() -> None:
    source = inspect.getsource(dynamo_records)
    assert "except ClientError" not in source and "except BotoCoreError" not in source
    assert source.count("conditional_write(") == 3
