"""The emulator's projections convert only what they name, with moto's exact answers.

Every case runs twice over HTTP against the same items: once with moto's own
``Item.project`` (which rebuilds the whole item per path) and once with the emulator's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from devstack.emulator import dynamodb_projection
from devstack.emulator.server import Emulator
from devstack.resources import create_table_request

TABLE = "projection-files"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _grant(ms: int, expires: int | None = None) -> dict[str, Any]:
    grant: dict[str, Any] = {"id": _s(f"G{ms}"), "createdMs": {"N": str(ms)}, "name": _s("brokers")}
    if expires is not None:
        grant["expiresAt"] = {"N": str(expires)}
    return {"M": grant}


ITEMS = [
    {
        "pk": _s(f"FILE#{n}"),
        "sk": _s("GRANTS"),
        "n": {"N": str(n)},
        "U#bob": _grant(100 + n, 900 if n % 2 else None),
        **({"G#team": _grant(200 + n)} if n % 3 else {}),
        "tags": {"L": [_s("a"), {"M": {"deep": _s(f"d{n}")}}, {"N": "3"}]},
        "set": {"SS": ["x", "y"]},
        "blob": {"B": b"\x00\x01"},
        "more": {
            "M": {"bs": {"BS": [b"\x01", b"\xff"]}, "ns": {"NS": ["1", "2.5"]}, "yes": {"BOOL": n % 2 == 0}}
        },
        "nulls": {"L": [{"NULL": True}, {"L": [{"B": b"\x02"}, {"M": {}}]}]},
    }
    for n in range(6)
]
PATHS = {
    "nested times, many naming nothing": (
        "pk, #u.#c, #u.#e, #g.#c, #g.#e, #x.#c, #x.#e",
        {"#u": "U#bob", "#g": "G#team", "#x": "G#none", "#c": "createdMs", "#e": "expiresAt"},
    ),
    "whole attributes": ("pk, sk, #u, #set, #b", {"#u": "U#bob", "#set": "set", "#b": "blob"}),
    "overlapping paths": ("#u, #u.#c, #u.id", {"#u": "U#bob", "#c": "createdMs"}),
    "list items": ("tags[1].deep, tags[0], tags[7], n", {}),
    "every type, nested": ("more, more.bs, nulls[1], nulls[0]", {}),
    "nothing at all": ("#x.#c, absent", {"#x": "G#none", "#c": "createdMs"}),
}


@pytest.fixture
def db(emulator: Emulator) -> Iterator[Any]:
    client = boto3.client("dynamodb", endpoint_url=emulator.url)
    client.create_table(**create_table_request(TABLE))
    for item in ITEMS:
        client.put_item(TableName=TABLE, Item=item)
    yield client
    dynamodb_projection.install()


def _reads(db: Any, expression: str, names: dict[str, str]) -> list[Any]:
    projection: dict[str, Any] = {"ProjectionExpression": expression}
    if names:
        projection["ExpressionAttributeNames"] = names
    keys = [{"pk": item["pk"], "sk": item["sk"]} for item in ITEMS] + [
        {"pk": _s("FILE#x"), "sk": _s("GRANTS")}
    ]
    batch = db.batch_get_item(RequestItems={TABLE: {"Keys": keys, "ConsistentRead": True, **projection}})
    query = db.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": _s("FILE#4")},
        **projection,
    )
    got = db.get_item(TableName=TABLE, Key=keys[1], **projection)
    return [sorted(batch["Responses"][TABLE], key=str), query["Items"], got.get("Item")]


@pytest.mark.parametrize("case", PATHS, ids=list(PATHS))
def test_answers_match_motos_own_projection(db: Any, case: str) -> None:
    expression, names = PATHS[case]
    dynamodb_projection.uninstall()
    expected = _reads(db, expression, names)
    dynamodb_projection.install()
    assert _reads(db, expression, names) == expected
    assert expected[0] != [] or case == "nothing at all"


def test_a_path_converts_only_its_own_attribute(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert dynamodb_projection.installed()  # the emulator installed it when it started
    converted: list[str] = []
    original = dynamodb_projection._attribute_json

    def counted(item: Any, name: str) -> dict[str, Any]:
        found = original(item, name)
        converted.extend(found)
        return found

    monkeypatch.setattr(dynamodb_projection, "_attribute_json", counted)
    expression, names = PATHS["nested times, many naming nothing"]
    db.get_item(
        TableName=TABLE,
        Key={"pk": _s("FILE#1"), "sk": _s("GRANTS")},
        ProjectionExpression=expression,
        ExpressionAttributeNames=names,
    )
    # FILE#1 has pk, U#bob and G#team among the named: nothing else is converted.
    assert converted == ["pk", "U#bob", "U#bob", "G#team", "G#team"]


def test_a_path_naming_an_absent_attribute_costs_no_lookup(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[list[str]] = []
    original = dynamodb_projection.find_nested_key

    def counted(path: list[str], found: dict[str, Any]) -> dict[str, Any]:
        looked.append(path)
        return original(path, found)

    monkeypatch.setattr(dynamodb_projection, "find_nested_key", counted)
    expression, names = PATHS["nested times, many naming nothing"]
    answer = db.get_item(
        TableName=TABLE,
        Key={"pk": _s("FILE#1"), "sk": _s("GRANTS")},
        ProjectionExpression=expression,
        ExpressionAttributeNames=names,
    )["Item"]
    # G#none is named twice and absent: its two paths are skipped, the answer is moto's.
    assert [p[0] for p in looked] == ["pk", "U#bob", "U#bob", "G#team", "G#team"]
    assert set(answer) == {"pk", "U#bob", "G#team"}
