"""The emulator's transactions back up only the items they name, with moto's exact answers.

Every sequence runs twice over HTTP on the same starting items: once with moto's
own whole-table backup and once with the emulator's; the answers (or error codes
and cancellation reasons) and the whole table afterwards must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.table import Table

from devstack.emulator import dynamodb_transactions
from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

TABLE = "transaction-files"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": _s(pk), "sk": _s(sk)}


START = [
    {**_key("USER#a", "QUOTA"), "files": {"N": "1"}},
    {**_key("USER#a", "FILE#1"), "status": _s("ready")},
    {**_key("USER#b", "FILE#9"), "status": _s("pending")},
]


def _put(pk: str, sk: str, condition: str | None = None, **attrs: Any) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": TABLE, "Item": {**_key(pk, sk), **attrs}}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


def _add_file(pk: str, limit: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": _key(pk, "QUOTA"),
            "UpdateExpression": "ADD #f :one",
            "ConditionExpression": "attribute_not_exists(#f) OR #f < :max",
            "ExpressionAttributeNames": {"#f": "files"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": str(limit)}},
        }
    }


def _delete(pk: str, sk: str, condition: str | None = None) -> dict[str, Any]:
    delete: dict[str, Any] = {"TableName": TABLE, "Key": _key(pk, sk)}
    if condition:
        delete["ConditionExpression"] = condition
    return {"Delete": delete}


NEW = "attribute_not_exists(pk)"
SEQUENCES: dict[str, list[list[dict[str, Any]]]] = {
    "a create that commits, then one the quota cancels": [
        [_put("USER#a", "FILE#2", NEW), _add_file("USER#a", 3), _put("ACT#2#1", "E1", type=_s("created"))],
        [_put("USER#a", "FILE#3", NEW), _add_file("USER#a", 2), _put("ACT#3#0", "E2", type=_s("created"))],
    ],
    "a cancelled write in a new partition leaves no partition": [
        [
            _put("USER#c", "FILE#1", NEW),
            {
                "Delete": {
                    "TableName": TABLE,
                    "Key": _key("USER#b", "FILE#9"),
                    "ConditionExpression": "#s = :r",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":r": _s("ready")},
                }
            },
        ],
    ],
    "an update then a failed condition puts the updated item back": [
        [_add_file("USER#a", 9), _put("USER#a", "FILE#1", NEW)],
    ],
    "a delete that commits, and one cancelled": [
        [_delete("USER#b", "FILE#9"), _add_file("USER#b", 5)],
        [_delete("USER#a", "FILE#1"), _put("USER#b", "FILE#9", NEW), _put("USER#a", "FILE#1", NEW)],
    ],
    "one item named twice": [
        [_put("USER#a", "FILE#5"), _delete("USER#a", "FILE#5")],
    ],
    "a malformed item": [
        [_put("USER#a", "FILE#6"), {"Put": {"TableName": TABLE, "Item": {"pk": _s("USER#a")}}}],
    ],
}


@pytest.fixture
def db(emulator: Emulator) -> Iterator[Any]:
    client = boto3.client("dynamodb", endpoint_url=emulator.url)
    yield client
    dynamodb_transactions.install()


def _fresh(db: Any) -> None:
    tables = db.list_tables()["TableNames"]
    if TABLE in tables:
        db.delete_table(TableName=TABLE)
    db.create_table(**create_table_request(TABLE))
    for item in START:
        db.put_item(TableName=TABLE, Item=item)


def _run(db: Any, sequence: list[list[dict[str, Any]]]) -> list[Any]:
    """Each transaction's outcome, then the whole table."""
    _fresh(db)
    outcomes: list[Any] = []
    for transaction in sequence:
        try:
            db.transact_write_items(TransactItems=transaction)
            outcomes.append("committed")
        except ClientError as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            outcomes.append((exc.response["Error"]["Code"], reasons))
    items = db.scan(TableName=TABLE, ConsistentRead=True)["Items"]
    return [outcomes, sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))]


@pytest.mark.parametrize("case", SEQUENCES, ids=list(SEQUENCES))
def test_outcomes_and_tables_match_motos_own_transactions(db: Any, case: str) -> None:
    dynamodb_transactions.uninstall()
    expected = _run(db, SEQUENCES[case])
    dynamodb_transactions.install()
    assert _run(db, SEQUENCES[case]) == expected
    assert expected[1], "every sequence leaves items to compare"


def test_a_transaction_copies_no_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dynamodb_transactions.installed()  # the emulator installed it when it started
    _fresh(db)

    def refuse(self: Table, memo: dict[int, Any]) -> Table:
        raise AssertionError("a whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", refuse, raising=False)
    committed, cancelled = SEQUENCES["a create that commits, then one the quota cancels"]
    db.transact_write_items(TransactItems=committed)
    with pytest.raises(ClientError, match="TransactionCanceled"):
        db.transact_write_items(TransactItems=cancelled)
    found = db.get_item(TableName=TABLE, Key=_key("USER#a", "QUOTA"), ConsistentRead=True)["Item"]
    assert found["files"] == {"N": "2"}  # the first committed; the second changed nothing
