"""The emulator's Query reads one partition, as DynamoDB does, with moto's exact answers.

Every case runs twice over HTTP against the same data: once with moto's own
Query (which sorts the whole table) and once with the emulator's, page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from devstack.emulator import dynamodb_partition_query
from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

TABLE = "partition-files"
HASH_ONLY = "partition-hash-only"
OWNERS = ("USER#a", "USER#b", "USER#c")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _item(owner: str, n: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _s(owner),
        "sk": _s(f"FILE#{n:03d}" if n % 5 else f"QUOTA#{n:03d}"),
        "size": {"N": str(100 + (n * 37) % 50)},
        "filename": _s(f"f{n}.png"),
    }
    if n % 3 == 0:
        item["sweepAt"] = {"N": str(1000 + (n * 7) % 40)}
    return item


@pytest.fixture
def db(emulator: Emulator) -> Iterator[Any]:
    client = boto3.client("dynamodb", endpoint_url=emulator.url)
    client.create_table(**create_table_request(TABLE))
    client.create_table(
        TableName=HASH_ONLY,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    for index, owner in enumerate(OWNERS):
        for n in range(12 + index * 4):
            client.put_item(TableName=TABLE, Item=_item(owner, n))
        client.put_item(TableName=HASH_ONLY, Item={"pk": _s(owner), "n": {"N": str(index)}})
    yield client
    dynamodb_partition_query.install()


def _pages(db: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    pages, start = [], None
    while True:
        answer = db.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        answer.pop("ResponseMetadata")
        pages.append(answer)
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


def _values(**values: str) -> dict[str, Any]:
    return {f":{k}": ({"N": v} if v.isdigit() else _s(v)) for k, v in values.items()}


CASES: dict[str, dict[str, Any]] = {
    "whole partition": {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": _values(pk="USER#b"),
    },
    "newest first, paged like Locker's list": {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :file)",
        "ExpressionAttributeValues": _values(pk="USER#c", file="FILE#"),
        "ScanIndexForward": False,
        "Limit": 4,
    },
    "range, filter and projection": {
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :low AND :high",
        "FilterExpression": "#size > :min",
        "ProjectionExpression": "sk, #size",
        "ExpressionAttributeNames": {"#size": "size"},
        "ExpressionAttributeValues": _values(pk="USER#a", low="FILE#002", high="FILE#010", min="120"),
        "Limit": 3,
    },
    "count only": {
        "KeyConditionExpression": "pk = :pk AND sk > :after",
        "ExpressionAttributeValues": _values(pk="USER#b", after="FILE#004"),
        "Select": "COUNT",
    },
    "a partition that does not exist": {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": _values(pk="USER#nobody"),
    },
    "the sweep index": {
        "IndexName": "sweep",
        "KeyConditionExpression": "pk = :pk AND sweepAt < :due",
        "ExpressionAttributeValues": _values(pk="USER#c", due="1030"),
        "Limit": 2,
    },
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_answers_match_motos_own_query(db: Any, case: str) -> None:
    request = {"TableName": TABLE, **CASES[case]}
    dynamodb_partition_query.uninstall()
    expected = _pages(db, request)
    dynamodb_partition_query.install()
    assert _pages(db, request) == expected
    assert sum(page["Count"] for page in expected) > 0 or case == "a partition that does not exist"


@pytest.mark.parametrize("key", ["USER#b", "USER#nobody"])
def test_hash_only_table_matches_moto(db: Any, key: str) -> None:
    request = {
        "TableName": HASH_ONLY,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": _values(pk=key),
    }
    dynamodb_partition_query.uninstall()
    expected = _pages(db, request)
    dynamodb_partition_query.install()
    assert _pages(db, request) == expected


def _counting_full_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original: Callable[[Any], list[Any]] = dynamodb_partition_query._ORIGINAL_ALL_ITEMS

    def counted(table: Any) -> list[Any]:
        reads.append(table.name)
        return original(table)

    monkeypatch.setattr(dynamodb_partition_query, "_ORIGINAL_ALL_ITEMS", counted)
    return reads


def test_a_table_query_never_reads_the_whole_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dynamodb_partition_query.installed()  # the emulator installed it when it started
    reads = _counting_full_reads(monkeypatch)
    found = db.query(TableName=TABLE, **CASES["newest first, paged like Locker's list"])
    assert found["Count"] == 4
    assert reads == []


def test_scans_still_read_the_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _counting_full_reads(monkeypatch)
    db.scan(TableName=TABLE, Limit=1)
    assert reads == [TABLE]
