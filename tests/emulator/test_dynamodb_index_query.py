"""The emulator's index Query reads one index partition, as DynamoDB does, with moto's exact answers.

Every case runs twice over HTTP against the same data: once with moto's own
index Query (which sorts the whole table) and once with the emulator's, page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from devstack.emulator import dynamodb_index_query, dynamodb_partition_query
from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

TABLE = "index-files"
GRANTEES = ("GRANTEE#U#a", "GRANTEE#G#b", "GRANTEE#U#c")


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _grant(file: int, grantee: str, ms: int) -> dict[str, Any]:
    """A grant item as dynamo_grants writes it, in the file's partition."""
    return {
        "pk": _s(f"FILE#{file:03d}"),
        "sk": _s(f"GRANT#{grantee.removeprefix('GRANTEE#')}"),
        "gpk": _s(grantee),
        "gsk": _s(f"{ms:013d}#{file:03d}"),
        "fileId": _s(f"{file:03d}"),
        "name": _s(f"f{file}"),
    }


@pytest.fixture
def db(emulator: Emulator) -> Iterator[Any]:
    client = boto3.client("dynamodb", endpoint_url=emulator.url)
    client.create_table(**create_table_request(TABLE))
    for file in range(30):
        for n, grantee in enumerate(GRANTEES):
            if (file + n) % (n + 2):  # each grantee gets a different share of the files
                ms = 1_700_000_000_000 + (file * 7919 + n * 104_729) % 5000  # not in file order
                client.put_item(TableName=TABLE, Item=_grant(file, grantee, ms))
        # Items without the index key (records, summaries) are in the table, not the index.
        client.put_item(TableName=TABLE, Item={"pk": _s(f"FILE#{file:03d}"), "sk": _s("GRANTS")})
        client.put_item(TableName=TABLE, Item={"pk": _s("USER#a"), "sk": _s(f"FILE#{file:03d}")})
    # Same gsk under two grantees and ties in gsk: moto's tie order must survive.
    client.put_item(TableName=TABLE, Item=_grant(99, "GRANTEE#U#a", 1_700_000_000_000))
    client.put_item(TableName=TABLE, Item={**_grant(98, "GRANTEE#U#a", 0), "gsk": _s("1700000000000#099")})
    yield client
    dynamodb_index_query.install()


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
    return {f":{k}": _s(v) for k, v in values.items()}


CASES: dict[str, dict[str, Any]] = {
    "newest first, paged like GET /shared": {
        "KeyConditionExpression": "gpk = :pk",
        "ExpressionAttributeValues": _values(pk="GRANTEE#U#a"),
        "ScanIndexForward": False,
        "Limit": 4,
    },
    "before a cursor position": {
        "KeyConditionExpression": "gpk = :pk AND gsk < :before",
        "ExpressionAttributeValues": _values(pk="GRANTEE#G#b", before="1700000002500#000"),
        "ScanIndexForward": False,
        "Limit": 3,
    },
    "oldest first, whole partition": {
        "KeyConditionExpression": "gpk = :pk",
        "ExpressionAttributeValues": _values(pk="GRANTEE#U#c"),
    },
    "range, filter and projection": {
        "KeyConditionExpression": "gpk = :pk AND gsk BETWEEN :low AND :high",
        "FilterExpression": "#name <> :skip",
        "ProjectionExpression": "fileId, #name",
        "ExpressionAttributeNames": {"#name": "name"},
        "ExpressionAttributeValues": _values(
            pk="GRANTEE#U#a", low="1700000001000", high="1700000004000", skip="f7"
        ),
        "Limit": 2,
    },
    "count only": {
        "KeyConditionExpression": "gpk = :pk",
        "ExpressionAttributeValues": _values(pk="GRANTEE#G#b"),
        "Select": "COUNT",
    },
    "an index partition that does not exist": {
        "KeyConditionExpression": "gpk = :pk",
        "ExpressionAttributeValues": _values(pk="GRANTEE#U#nobody"),
    },
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_answers_match_motos_own_index_query(db: Any, case: str) -> None:
    request = {"TableName": TABLE, "IndexName": "grantee", **CASES[case]}
    dynamodb_index_query.uninstall()
    expected = _pages(db, request)
    dynamodb_index_query.install()
    assert _pages(db, request) == expected
    assert sum(page["Count"] for page in expected) > 0 or case == "an index partition that does not exist"


def test_a_value_of_another_type_is_another_partition(db: Any) -> None:
    db.put_item(TableName=TABLE, Item={**_grant(50, "GRANTEE#U#a", 5), "gpk": {"S": "7"}})
    found = db.query(
        TableName=TABLE,
        IndexName="grantee",
        KeyConditionExpression="gpk = :pk",
        ExpressionAttributeValues={":pk": _s("7")},
    )
    assert [i["fileId"]["S"] for i in found["Items"]] == ["050"]


def _counting_full_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original: Callable[[Any], list[Any]] = dynamodb_partition_query._ORIGINAL_ALL_ITEMS

    def counted(table: Any) -> list[Any]:
        reads.append(table.name)
        return original(table)

    monkeypatch.setattr(dynamodb_partition_query, "_ORIGINAL_ALL_ITEMS", counted)
    return reads


def test_an_index_query_never_sorts_the_whole_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dynamodb_index_query.installed()  # the emulator installed it when it started
    reads = _counting_full_reads(monkeypatch)
    found = db.query(TableName=TABLE, IndexName="grantee", **CASES["newest first, paged like GET /shared"])
    assert found["Count"] == 4
    assert reads == []


def test_without_it_moto_sorts_the_table_for_each_index_query(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _counting_full_reads(monkeypatch)
    dynamodb_index_query.uninstall()
    db.query(TableName=TABLE, IndexName="grantee", **CASES["newest first, paged like GET /shared"])
    db.scan(TableName=TABLE, Limit=1)  # Scans are moto's either way
    assert reads == [TABLE, TABLE]
