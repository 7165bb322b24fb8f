"""What the sharing paths ask DynamoDB: consistent base-table reads for access, no Scan, bounded calls."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.dynamo_records import DynamoRecords
from chalicelib.dynamo_stores import DynamoStores
from chalicelib.errors import ConflictError
from chalicelib.runtime import sharing_cases
from chalicelib.service import Locker
from chalicelib.storage import Storage
from chalicelib.users import InMemoryDirectory
from chalicelib.validation import ListQuery
from tests.unit.conftest import BUCKET, TABLE, FakeClock, SerializedClient
from tests.unit.test_service import PNG, declare, upload

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
READS = {"get_item", "batch_get_item", "query", "scan"}


class Recording(SerializedClient):
    """Records every DynamoDB call's name and arguments."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._record_lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = super().__getattr__(name)
        if not callable(attribute):
            return attribute

        def recorded(*args: Any, **kwargs: Any) -> Any:
            with self._record_lock:
                self.calls.append((name, kwargs))
            return attribute(*args, **kwargs)

        return recorded


@pytest.fixture
def world(settings: Any, aws: dict[str, Any], clock: FakeClock) -> dict[str, Any]:
    db = Recording(aws["dynamodb"])
    stores = DynamoStores(db, TABLE, lambda: None, "unused")
    stores.directory = InMemoryDirectory({"alice": ALICE, "bob": BOB})
    locker = Locker(settings, DynamoRecords(db, TABLE), Storage(aws["s3"], BUCKET), clock, stores)
    cases = sharing_cases(locker)
    created = declare(locker)
    upload(aws, created, PNG)
    file_id = created["file"]["id"]
    locker.complete(ALICE, file_id)
    groups = []
    for number in range(3):
        name = f"team-{number}"
        cases.groups.create(ALICE, "alice", name)
        cases.groups.add(ALICE, name, "bob")
        groups.append(name)
    cases.grants.grant(ALICE, "alice", file_id, {"group": groups[-1], "expiresAt": None})
    db.calls.clear()
    return {"db": db, "locker": locker, "cases": cases, "file_id": file_id, "aws": aws, "clock": clock}


def test_access_through_a_group_reads_only_the_base_table_consistently(world: dict[str, Any]) -> None:
    world["locker"].download(BOB, world["file_id"])  # the first: the hint lacks the file's group
    world["db"].calls.clear()
    world["locker"].download(BOB, world["file_id"])
    reads = [(name, kwargs) for name, kwargs in world["db"].calls if name in READS]
    # one batch: the grant summary, the owner's record, membership and group; not bob's own
    # record (the container knows the file's owner, and an owner never changes)
    assert [name for name, _ in reads] == ["batch_get_item"]
    (request,) = reads[0][1]["RequestItems"].values()
    assert sorted((k["pk"]["S"].split("#")[0], k["sk"]["S"].split("#")[0]) for k in request["Keys"]) == [
        ("FILE", "GRANTS"),
        ("GROUP", "MEMBER"),
        ("GROUP", "META"),
        ("USER", "FILE"),
    ]
    assert all(k["pk"]["S"] != f"USER#{BOB}" for k in request["Keys"])
    for name, kwargs in reads:
        assert "IndexName" not in kwargs, name
        if name == "batch_get_item":
            assert all(request["ConsistentRead"] for request in kwargs["RequestItems"].values())
        else:
            assert kwargs["ConsistentRead"] is True, name
    writes = [name for name, _ in world["db"].calls if name not in READS]
    assert writes == ["put_item"]  # the download_issued event, in its own partition
    event = next(kwargs for name, kwargs in world["db"].calls if name == "put_item")["Item"]
    assert event["pk"]["S"].startswith("ACT#") and not event["pk"]["S"].startswith("USER#")


def test_shared_costs_a_bounded_number_of_calls_and_never_a_scan(world: dict[str, Any]) -> None:
    query = ListQuery(limit=50, cursor=None, status=None)
    first = world["cases"].grants.shared(BOB, query)
    # The first listing learns the caller's group ids from their memberships and keeps them.
    learned = [name for name, _ in world["db"].calls]
    assert sorted(learned) == ["batch_get_item", "query", "query", "update_item"]
    world["db"].calls.clear()
    found = world["cases"].grants.shared(BOB, query)
    assert found == first
    assert [i["id"] for i in found["items"]] == [world["file_id"]]
    names = [name for name, _ in world["db"].calls]
    assert "scan" not in names
    # One consistent Query of the caller's partition (their group ids and entries, each with
    # its file's card), then one projected BatchGetItem: the summaries and the groups. The
    # same two calls for 3 groups as for 100, and no index Query at all.
    assert sorted(names) == ["batch_get_item", "query"]
    assert all("IndexName" not in kwargs for _, kwargs in world["db"].calls)
    (entries,) = [k for n, k in world["db"].calls if n == "query"]
    assert entries["ExpressionAttributeValues"][":pk"] == {"S": f"INBOX#{BOB}"}
    assert entries["Limit"] == 52 and entries["ConsistentRead"] is True  # the groups item, then 51
    (batch,) = [next(iter(k["RequestItems"].values())) for n, k in world["db"].calls if n == "batch_get_item"]
    assert batch["ConsistentRead"] is True
    assert len(batch["Keys"]) == 2  # the grant summary and the group: not the record
    names_asked = set(batch["ExpressionAttributeNames"].values())
    assert {"pk", "name", "createdMs", "expiresAt", "deleting"} <= names_asked
    # Nothing else is read back, not even the sort key (each of these keys has its own partition).
    assert not names_asked & {"sk", "filename", "owner", "id", "gid", "ownerName"}


def _partition(world: dict[str, Any], pk: str) -> list[dict[str, Any]]:
    """Every item under ``pk``, read straight from the table."""
    return world["aws"]["dynamodb"].query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pk}},
        ConsistentRead=True,
    )["Items"]


def _summary_item(world: dict[str, Any], file_id: str) -> dict[str, Any]:
    """The file's grant summary item, read straight from the table."""
    return world["aws"]["dynamodb"].get_item(
        TableName=TABLE, Key={"pk": {"S": f"FILE#{file_id}"}, "sk": {"S": "GRANTS"}}, ConsistentRead=True
    )["Item"]


def _entry_key(world: dict[str, Any]) -> dict[str, Any]:
    (entry,) = [i for i in _partition(world, f"INBOX#{BOB}") if i["sk"]["S"] != "GROUPS"]
    return {"pk": entry["pk"], "sk": entry["sk"]}


def test_an_entry_written_without_a_card_reads_the_record(world: dict[str, Any]) -> None:
    """Entries from before cards (or with one that does not parse) still show, from the record."""
    query = ListQuery(limit=50, cursor=None, status=None)
    carded = world["cases"].grants.shared(BOB, query)
    db = world["aws"]["dynamodb"]
    for change in ("REMOVE #f", "SET #f = :bad"):
        values = {":bad": {"S": "[1, 2"}} if ":bad" in change else {}
        extra = {"ExpressionAttributeValues": values} if values else {}
        db.update_item(
            TableName=TABLE,
            Key=_entry_key(world),
            UpdateExpression=change,
            ExpressionAttributeNames={"#f": "file"},
            **extra,
        )
        world["db"].calls.clear()
        assert world["cases"].grants.shared(BOB, query) == carded
        batches = [
            next(iter(k["RequestItems"].values())) for n, k in world["db"].calls if n == "batch_get_item"
        ]
        whole = [b for b in batches if "ProjectionExpression" not in b]
        assert [len(b["Keys"]) for b in whole] == [1], change  # the record, read whole


def test_a_file_being_deleted_leaves_shared_with_me_in_the_same_transaction(world: dict[str, Any]) -> None:
    """Between a delete's first step and its cleanup, the grantee's card alone must not show it."""
    locker, file_id = world["locker"], world["file_id"]
    assert [i["id"] for i in world["cases"].grants.shared(BOB, ListQuery(50, None, None))["items"]] == [
        file_id
    ]
    locker.begin_delete(locker.records.get(ALICE, file_id), {"type": "user", "id": ALICE})
    assert world["cases"].grants.shared(BOB, ListQuery(50, None, None))["items"] == []
    assert _summary_item(world, file_id)["deleting"] == {"BOOL": True}
    locker.delete(ALICE, file_id)  # finishes the delete: the grants go, the mark stays
    assert set(_summary_item(world, file_id)) == {"pk", "sk", "deleting", "ttl"}


def test_a_grant_racing_the_files_delete_is_refused_and_shows_nowhere(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grant read the file as ready; the delete began and finished before the grant's write."""
    locker, cases, file_id = world["locker"], world["cases"], world["file_id"]
    read_before = cases.grants._owned(ALICE, file_id)
    locker.delete(ALICE, file_id)
    monkeypatch.setattr(cases.grants, "_owned", lambda caller, file: read_before)
    with pytest.raises(ConflictError, match="deleting"):
        cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    assert cases.grants.shared(BOB, ListQuery(50, None, None))["items"] == []
    assert [i["sk"]["S"] for i in _partition(world, f"FILE#{file_id}")] == [
        "GRANTS"
    ]  # the mark alone: no grant item


def test_a_later_page_reads_the_memberships_beside_the_entries(world: dict[str, Any]) -> None:
    cases, db, locker = world["cases"], world["db"], world["locker"]
    created = declare(locker)
    upload(world["aws"], created, PNG)
    locker.complete(ALICE, created["file"]["id"])
    world["clock"].advance(1)  # newer than the first grant, whatever the two file ids
    cases.grants.grant(ALICE, "alice", created["file"]["id"], {"group": "team-0", "expiresAt": None})
    first = cases.grants.shared(BOB, ListQuery(limit=1, cursor=None, status=None))
    assert first["nextCursor"] is not None
    db.calls.clear()
    second = cases.grants.shared(BOB, ListQuery(limit=1, cursor=first["nextCursor"], status=None))
    assert [i["id"] for i in first["items"] + second["items"]] == [created["file"]["id"], world["file_id"]]
    queries = [k for n, k in db.calls if n == "query"]
    pks = sorted(q["ExpressionAttributeValues"][":pk"]["S"] for q in queries)
    assert pks == [f"INBOX#{BOB}", f"USER#{BOB}"]  # the entries after the cursor, the memberships
    memberships = next(q for q in queries if q["ExpressionAttributeValues"][":pk"]["S"] == f"USER#{BOB}")
    assert memberships["ConsistentRead"] is True


def test_memberships_older_than_the_kept_group_ids_still_show_their_shares(world: dict[str, Any]) -> None:
    """A deployment upgraded from before the inbox kept group ids: nothing shared may hide."""
    cases, aws, query = world["cases"], world["aws"], ListQuery(limit=50, cursor=None, status=None)
    inbox_groups = {"pk": {"S": f"INBOX#{BOB}"}, "sk": {"S": "GROUPS"}}
    aws["dynamodb"].delete_item(TableName=TABLE, Key=inbox_groups)  # as before the upgrade
    cases.groups.create(ALICE, "alice", "newcomers")
    cases.groups.add(ALICE, "newcomers", "bob")  # makes the item, holding this group's id alone
    held = aws["dynamodb"].get_item(TableName=TABLE, Key=inbox_groups, ConsistentRead=True)["Item"]
    assert len(held["groups"]["SS"]) == 1 and "complete" not in held
    for _ in range(2):  # the first listing asks the memberships and keeps them; the second reads them
        found = cases.grants.shared(BOB, query)
        assert [i["id"] for i in found["items"]] == [world["file_id"]]  # granted to an older group
    held = aws["dynamodb"].get_item(TableName=TABLE, Key=inbox_groups, ConsistentRead=True)["Item"]
    assert len(held["groups"]["SS"]) == 4 and held["complete"] == {"BOOL": True}
