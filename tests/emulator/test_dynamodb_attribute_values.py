"""The emulator writes DynamoDB items in one pass, byte for byte as moto's own serializer does.

Every case runs the same requests twice on a freshly reset emulator, once with moto's
shape walk and once with ``dynamodb_attribute_values``, and compares the raw HTTP
bodies of the answers (not what boto3 parses from them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from devstack.emulator import dynamodb_attribute_values
from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

TABLE = "attribute-values"

EVERY_TYPE: dict[str, Any] = {
    "pk": {"S": "FILE#1"},
    "sk": {"S": "META"},
    "empty": {"S": ""},
    "text": {"S": "Gehaltsabrechnung März 2026.pdf"},
    "int": {"N": "42"},
    "decimal": {"N": "-0.125"},
    "blob": {"B": b"\x00\xff\x10 not utf-8 \xc3"},
    "strings": {"SS": ["a", "b"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"\x01", b"\xfe\xfd"]},
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "nothing": {"NULL": True},
    "map": {
        "M": {
            "inner": {"M": {"deep": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x02"}]}}},
            "empty map": {"M": {}},
            "empty list": {"L": []},
            "flag": {"BOOL": False},
        }
    },
    "list": {"L": [{"M": {"k": {"SS": ["s"]}}}, {"L": [{"NULL": True}]}, {"BS": [b"\x03"]}]},
}
ITEMS = [EVERY_TYPE] + [
    {"pk": {"S": "FILE#1"}, "sk": {"S": f"GRANT#{n}"}, "n": {"N": str(n)}, "who": {"S": f"u{n}"}}
    for n in range(4)
]
KEY = {"pk": EVERY_TYPE["pk"], "sk": EVERY_TYPE["sk"]}


def _requests(db: Any) -> None:
    """Every kind of answer that carries items, keys or old and new values."""
    db.get_item(TableName=TABLE, Key=KEY, ConsistentRead=True)
    db.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "none"}})
    db.batch_get_item(RequestItems={TABLE: {"Keys": [KEY, {**KEY, "sk": {"S": "GRANT#2"}}]}})
    db.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "FILE#1"}},
        Limit=3,
    )
    db.scan(TableName=TABLE, ProjectionExpression="pk, sk, #m.inner", ExpressionAttributeNames={"#m": "map"})
    db.put_item(TableName=TABLE, Item=EVERY_TYPE, ReturnValues="ALL_OLD")
    db.update_item(
        TableName=TABLE,
        Key=KEY,
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "int"},
        ExpressionAttributeValues={":n": {"N": "42"}},
        ReturnValues="ALL_NEW",
    )
    db.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": KEY}}])
    with pytest.raises(db.exceptions.ConditionalCheckFailedException):
        db.put_item(
            TableName=TABLE,
            Item=EVERY_TYPE,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    db.delete_item(TableName=TABLE, Key=KEY, ReturnValues="ALL_OLD")


def _bodies(emulator: Emulator) -> list[bytes]:
    """The raw answer of every request in ``_requests``, on a fresh table."""
    emulator.reset()
    db = boto3.client("dynamodb", endpoint_url=emulator.url)
    db.create_table(**create_table_request(TABLE))
    for item in ITEMS:
        db.put_item(TableName=TABLE, Item=item)
    bodies: list[bytes] = []
    db.meta.events.register(
        "after-call.dynamodb", lambda http_response, **_: bodies.append(http_response.content)
    )
    _requests(db)
    return bodies


@pytest.fixture
def restore() -> Iterator[None]:
    yield
    dynamodb_attribute_values.install()


def test_answers_are_motos_own_byte_for_byte(emulator: Emulator, restore: None) -> None:
    dynamodb_attribute_values.uninstall()
    expected = _bodies(emulator)
    dynamodb_attribute_values.install()
    got = _bodies(emulator)
    assert len(expected) == 10
    assert b'"B": "AP8QIG5vdCB1dGYtOCDD"' in expected[0]  # the blob, base64-encoded once
    assert got == expected


def test_the_emulator_writes_items_in_one_pass(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dynamodb_attribute_values.installed()  # the emulator installed it when it started
    written: list[dict[str, Any]] = []
    original: Callable[..., dict[str, Any]] = dynamodb_attribute_values.wire

    def counted(value: dict[str, Any], base64: Callable[[bytes], str]) -> dict[str, Any]:
        written.append(value)
        return original(value, base64)

    monkeypatch.setattr(dynamodb_attribute_values, "wire", counted)
    _bodies(emulator)
    assert {"S": "Gehaltsabrechnung März 2026.pdf"} in written


def test_other_services_keep_motos_walk(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[object] = []
    monkeypatch.setattr(dynamodb_attribute_values, "wire", lambda value, base64: written.append(value))
    idp = boto3.client("cognito-idp", endpoint_url=emulator.url, region_name="us-east-1")
    pool = idp.create_user_pool(PoolName="values")["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pool, Username="ann", UserAttributes=[{"Name": "email", "Value": "a@x.io"}]
    )
    assert idp.admin_get_user(UserPoolId=pool, Username="ann")["Username"] == "ann"
    assert written == []
