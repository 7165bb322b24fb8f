"""The emulator's DynamoDB is as atomic as DynamoDB where Locker's quota depends on it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.exceptions import ClientError

from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

LIMIT = 10


def _reserve(db: Any, table: str, n: int) -> bool:
    try:
        db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "USER#u"}, "sk": {"S": f"FILE#{n:04d}"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "USER#u"}, "sk": {"S": "QUOTA"}},
                        "UpdateExpression": "ADD #f :one",
                        "ConditionExpression": "attribute_not_exists(#f) OR #f <= :max",
                        "ExpressionAttributeNames": {"#f": "files"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": str(LIMIT - 1)}},
                    }
                },
            ]
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "TransactionCanceledException"
        return False
    return True


def test_concurrent_conditional_transactions_never_overshoot(emulator: Emulator) -> None:
    db = boto3.client("dynamodb", endpoint_url=emulator.url)
    db.create_table(**create_table_request("atomicity"))
    with ThreadPoolExecutor(30) as pool:
        admitted = sum(pool.map(lambda n: _reserve(db, "atomicity", n), range(60)))
    counter = db.get_item(TableName="atomicity", Key={"pk": {"S": "USER#u"}, "sk": {"S": "QUOTA"}})["Item"]
    files = db.query(
        TableName="atomicity",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :f)",
        ExpressionAttributeValues={":pk": {"S": "USER#u"}, ":f": {"S": "FILE#"}},
    )["Count"]
    assert admitted == LIMIT
    assert int(counter["files"]["N"]) == LIMIT
    assert files == LIMIT  # no admitted write was lost to another transaction's rollback
