"""``reads.fetch``: one consistent BatchGetItem for many stores' reads, whatever DynamoDB answers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import dynamo_util
from chalicelib.dynamo_grants import DynamoGrants
from chalicelib.dynamo_groups import DynamoGroups
from chalicelib.dynamo_records import DynamoRecords, to_item
from chalicelib.errors import ServiceUnavailableError
from chalicelib.model import new_file_id
from chalicelib.reads import Read, Table, fetch, in_memory, item_key, projection
from chalicelib.records import Quota
from tests.unit.conftest import TABLE
from tests.unit.test_records_contract import pending
from tests.unit.test_sharing_reads import Recording


def item(pk: str, sk: str, **extra: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in extra.items()}}


class Stub:
    """A DynamoDB client that holds ``items`` and answers BatchGetItem as ``script`` says.

    Each call takes the next step: "all" answers every key (last found first), "half" leaves
    the second half of the keys unprocessed, "none" leaves all of them, "throttle" raises.
    """

    def __init__(self, items: list[dict[str, Any]], script: list[str]) -> None:
        self.items = {item_key(i): i for i in items}
        self.script = list(script)
        self.requests: list[list[dict[str, Any]]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        ((table, request),) = RequestItems.items()
        assert request["ConsistentRead"] is True
        keys = request["Keys"]
        self.requests.append(keys)
        step = self.script.pop(0) if self.script else "all"
        if step == "throttle":
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchGetItem")
        cut = {"all": len(keys), "half": len(keys) // 2, "none": 0}[step]
        found = [self.items[item_key(k)] for k in keys[:cut] if item_key(k) in self.items]
        answer: dict[str, Any] = {"Responses": {table: list(reversed(found))}}
        if keys[cut:]:
            answer["UnprocessedKeys"] = {table: {"Keys": keys[cut:], "ConsistentRead": True}}
        return answer


def one(table: Table, pk: str, sk: str) -> Read[str | None]:
    wanted = item(pk, sk)
    return Read(
        table,
        (wanted,),
        lambda found: found[item_key(wanted)]["v"]["S"] if item_key(wanted) in found else None,
    )


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamo_util, "BACKOFF", 0.0)


def test_reads_of_three_stores_are_one_consistent_batch(aws: dict[str, Any]) -> None:
    db = Recording(aws["dynamodb"])
    records, grants, groups = DynamoRecords(db, TABLE), DynamoGrants(db, TABLE), DynamoGroups(db, TABLE)
    record = pending()
    records.create(record, Quota(10**6, 10))
    db.calls.clear()
    reads = (
        records.read_record(record.owner, record.id),
        grants.read_for_file(record.id),
        groups.read_member_of(record.owner, [new_file_id(), new_file_id()]),
    )
    found = fetch(*reads)
    assert [name for name, _ in db.calls] == ["batch_get_item"]
    (request,) = db.calls[0][1]["RequestItems"].values()
    assert request["ConsistentRead"] is True and len(request["Keys"]) == 1 + 1 + 4
    assert found[reads[0]] == record and found[reads[1]] == [] and found[reads[2]] == set()


def test_items_are_matched_to_their_reads_in_any_order_and_missing_ones_are_none() -> None:
    stub = Stub([item("A", "1", v="a"), item("B", "2", v="b")], ["all"])
    table = Table(stub, "t")
    a, b, c = one(table, "A", "1"), one(table, "B", "2"), one(table, "C", "3")
    found = fetch(a, b, c)
    assert (found[a], found[b], found[c]) == ("a", "b", None)
    assert len(stub.requests) == 1


def test_unprocessed_keys_are_asked_again_until_answered() -> None:
    stub = Stub([item("A", str(n), v=str(n)) for n in range(4)], ["half", "half"])
    table = Table(stub, "t")
    reads = [one(table, "A", str(n)) for n in range(4)]
    found = fetch(*reads)
    assert [found[r] for r in reads] == ["0", "1", "2", "3"]
    assert [len(keys) for keys in stub.requests] == [4, 2, 1]


@pytest.mark.parametrize(("script", "calls"), [(["none"] * 10, 4), (["throttle"], 1)])
def test_a_batch_dynamodb_will_not_answer_is_a_503_after_bounded_tries(script: list[str], calls: int) -> None:
    stub = Stub([item("A", "1", v="a")], script)
    with pytest.raises(ServiceUnavailableError):
        fetch(one(Table(stub, "t"), "A", "1"))
    assert len(stub.requests) == calls


def test_more_than_100_keys_go_100_a_call_and_in_memory_reads_need_no_call() -> None:
    stub = Stub([item("A", str(n), v=str(n)) for n in range(150)], [])
    table = Table(stub, "t")
    reads = [one(table, "A", str(n)) for n in range(150)]
    state = {"v": "before"}
    memory = in_memory(lambda: state["v"])
    state["v"] = "after"
    found = fetch(*reads, memory)
    assert [found[r] for r in reads] == [str(n) for n in range(150)]
    assert [len(keys) for keys in stub.requests] == [100, 50]
    assert found[memory] == "after"
    assert fetch(memory)[memory] == "after" and len(stub.requests) == 2


def test_the_same_file_record_read_twice_is_asked_once(aws: dict[str, Any]) -> None:
    db = Recording(aws["dynamodb"])
    records = DynamoRecords(db, TABLE)
    record = pending()
    aws["dynamodb"].put_item(TableName=TABLE, Item=to_item(record))
    first, second = records.read_record(record.owner, record.id), records.read_record(record.owner, record.id)
    found = fetch(first, second)
    assert found[first] == found[second] == record
    (request,) = db.calls[0][1]["RequestItems"].values()
    assert len(request["Keys"]) == 1


def test_projected_reads_share_one_call_and_read_back_only_their_fields(aws: dict[str, Any]) -> None:
    db = Recording(aws["dynamodb"])
    table = Table(db, TABLE)
    for made in (item("A", "1", v="a", w="x"), item("B", "1", v="b", w="y"), item("B", "2", v="c", w="z")):
        aws["dynamodb"].put_item(TableName=TABLE, Item=made)

    def projected(*keys: tuple[str, str]) -> Read[dict[tuple[str, str], dict[str, Any]]]:
        wanted = tuple(item(pk, sk) for pk, sk in keys)
        return Read(
            table, wanted, lambda found: {item_key(k): found.get(item_key(k), {}) for k in wanted}, (("v",),)
        )

    apart = projected(("A", "1"), ("B", "1"))
    found = fetch(apart)[apart]
    (request,) = [k["RequestItems"][TABLE] for n, k in db.calls if n == "batch_get_item"]
    # One key per partition: the partition key alone matches items to keys, sk is not read back.
    assert set(request["ExpressionAttributeNames"].values()) == {"pk", "v"}
    assert {k: (v["v"]["S"], "w" in v, v["sk"]["S"]) for k, v in found.items()} == {
        ("A", "1"): ("a", False, "1"),
        ("B", "1"): ("b", False, "1"),
    }
    db.calls.clear()
    shared, whole = projected(("B", "1"), ("B", "2")), one(table, "A", "1")
    answers = fetch(shared, whole)
    assert {k: v["v"]["S"] for k, v in answers[shared].items()} == {("B", "1"): "b", ("B", "2"): "c"}
    assert answers[whole] == "a"
    requests = [k["RequestItems"][TABLE] for n, k in db.calls if n == "batch_get_item"]
    assert sorted("ProjectionExpression" in r for r in requests) == [False, True]  # whole apart
    (narrow,) = [r for r in requests if "ProjectionExpression" in r]
    assert set(narrow["ExpressionAttributeNames"].values()) == {"pk", "sk", "v"}  # two keys share "B"


def test_a_projection_leaves_out_paths_inside_whole_ones() -> None:
    asked = projection([("G#1", "createdMs"), ("G#1",), ("name",), ("name",)])
    names = asked["ExpressionAttributeNames"]
    paths = [
        ".".join(names[p] for p in path.split(".")) for path in asked["ProjectionExpression"].split(", ")
    ]
    assert paths == ["pk", "sk", "G#1", "name"]
