"""The invariant checker over in-process moto: a consistent world is clean, each break is named."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib import config, invariants
from chalicelib.dynamo_grants import DynamoGrants
from chalicelib.dynamo_groups import DynamoGroups
from chalicelib.dynamo_links import DynamoLinks
from chalicelib.dynamo_records import DynamoRecords, to_item
from chalicelib.invariants import Violation, find_violations
from chalicelib.links import new_token, token_hash
from chalicelib.model import PENDING, FileRecord, new_file_id
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.records import Quota
from chalicelib.service import Locker
from chalicelib.sharing_model import USER, Grant, Grantee, Group, Link
from chalicelib.stores import InMemoryStores
from chalicelib.validation import NewFile
from tests.unit.conftest import BUCKET, SETTINGS_ENV, TABLE

PNG = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)[:48]
ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
WINDOW = 600


@dataclass
class World:
    """A Locker on moto's DynamoDB and S3 with a ready file (granted, linked) and two pending ones."""

    aws: dict[str, Any]
    locker: Locker
    ready: FileRecord
    pending: FileRecord
    multipart: FileRecord

    def violations(self, later: int = 0, now: int | None = None) -> list[Violation]:
        """The stack's violations ``later`` seconds from ``now`` (default: the real clock)."""
        now = (int(time.time()) if now is None else now) + later
        return find_violations(self.aws["s3"], self.aws["dynamodb"], BUCKET, TABLE, now, WINDOW)

    def kinds(self, later: int = 0) -> set[str]:
        return {v.kind for v in self.violations(later)}


def make_locker(aws: dict[str, Any], later: float = 0) -> Locker:
    """Locker on the moto table and bucket, on the real clock (S3 stamps objects with it) + ``later``."""
    settings = config.load({**SETTINGS_ENV, "LOCKER_MULTIPART_THRESHOLD": "100"})
    db = aws["dynamodb"]
    stores = InMemoryStores(grants=DynamoGrants(db, TABLE), links=DynamoLinks(db, TABLE))
    storage = MultipartStorage(aws["s3"], BUCKET)
    return Locker(settings, DynamoRecords(db, TABLE), storage, lambda: time.time() + later, stores)


def ready_file(locker: Locker, aws: dict[str, Any], owner: str = ALICE) -> FileRecord:
    """A file uploaded and completed, as a client would."""
    created = locker.create(owner, NewFile("photo.png", "image/png", len(PNG), None))
    file_id = created["file"]["id"]
    aws["s3"].put_object(Bucket=BUCKET, Key=f"users/{owner}/{file_id}", Body=PNG, ContentType="image/png")
    locker.complete(owner, file_id)
    record = locker.records.get(owner, file_id)
    assert record is not None
    return record


def share(locker: Locker, record: FileRecord) -> None:
    """One user grant and one link on ``record``."""
    now_ms = int(time.time() * 1000)
    grantee = Grantee(USER, BOB, "bob")
    locker.stores.grants.put(
        Grant(new_file_id(now_ms), record.id, record.owner, "alice", grantee, now_ms, None)
    )
    link = Link(
        new_file_id(now_ms),
        record.id,
        record.owner,
        token_hash(new_token()),
        now_ms // 1000,
        now_ms // 1000 + 3600,
        3,
        0,
    )
    locker.stores.links.create(link)


@pytest.fixture
def world(aws: dict[str, Any]) -> World:
    locker = make_locker(aws)
    ready = ready_file(locker, aws)
    share(locker, ready)
    pending_id = locker.create(ALICE, NewFile("notes.txt", "text/plain", 5, None))["file"]["id"]
    multipart_id = locker.create(ALICE, NewFile("big.bin", "application/octet-stream", 200, None))["file"][
        "id"
    ]
    pending, multipart = locker.records.get(ALICE, pending_id), locker.records.get(ALICE, multipart_id)
    assert pending is not None and multipart is not None and multipart.upload_id is not None
    return World(aws, locker, ready, pending, multipart)


def raw_delete(aws: dict[str, Any], record: FileRecord) -> None:
    """Remove a record's item the way DynamoDB's TTL would: no quota given back."""
    key = {"pk": {"S": f"USER#{record.owner}"}, "sk": {"S": f"FILE#{record.id}"}}
    aws["dynamodb"].delete_item(TableName=TABLE, Key=key)


def test_a_consistent_world_has_no_violations_even_much_later(world: World) -> None:
    assert world.violations() == []
    # Pending uploads own their keys and quota until the sweep is due; two hours later it is overdue.
    assert world.kinds(later=3 * 3600 - 1) == set()
    overdue = world.violations(later=world.locker.settings.pending_ttl + invariants.SWEEP_LAG + 1)
    assert {(v.kind, v.file_id) for v in overdue} == {
        (invariants.SWEEP_OVERDUE, world.pending.id),
        (invariants.SWEEP_OVERDUE, world.multipart.id),
    }


def test_a_ready_record_without_its_object_is_named(world: World) -> None:
    world.aws["s3"].delete_object(Bucket=BUCKET, Key=world.ready.key)
    assert world.violations() == [
        Violation(invariants.READY_OBJECT_MISSING, ALICE, world.ready.id, detail="no object at its key")
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "detail"),
    [
        (PNG + b"x", "image/png", "object size 49, record size 48"),
        (PNG, "image/jpeg", "content type differs"),
    ],
)
def test_a_ready_record_with_another_object_is_named(
    world: World, body: bytes, content_type: str, detail: str
) -> None:
    world.aws["s3"].put_object(Bucket=BUCKET, Key=world.ready.key, Body=body, ContentType=content_type)
    assert world.violations() == [
        Violation(invariants.READY_OBJECT_MISMATCH, ALICE, world.ready.id, detail=detail)
    ]


def test_an_object_without_a_record_is_an_orphan_once_older_than_the_window(world: World) -> None:
    stray = new_file_id()
    world.aws["s3"].put_object(Bucket=BUCKET, Key=f"users/{BOB}/{stray}", Body=b"x")
    assert world.violations() == []  # an upload may land just as its record goes
    found = world.violations(later=WINDOW + 5)
    assert [(v.kind, v.owner, v.file_id) for v in found] == [(invariants.ORPHAN_OBJECT, BOB, stray)]


def test_an_unexpected_key_is_named_by_its_hash_only(world: World) -> None:
    world.aws["s3"].put_object(Bucket=BUCKET, Key="users/Secret Plans/report.pdf", Body=b"x")
    (found,) = world.violations(later=WINDOW + 5)
    assert found.kind == invariants.ORPHAN_OBJECT and found.ref is not None and found.ref.startswith("key#")
    assert "report" not in str(found) and "Secret" not in str(found)


def test_a_record_stored_under_another_owners_key_is_named(world: World) -> None:
    item = to_item(world.ready.evolve(owner=BOB))
    item["pk"] = {"S": f"USER#{ALICE}"}
    item["sk"] = {"S": f"FILE#{new_file_id()}"}
    world.aws["dynamodb"].put_item(TableName=TABLE, Item=item)
    found = world.violations()
    assert [v.kind for v in found] == [invariants.RECORD_KEY_MISMATCH]
    assert found[0].owner == ALICE


def test_a_counter_that_drifted_is_named(world: World) -> None:
    world.aws["dynamodb"].update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"USER#{ALICE}"}, "sk": {"S": "QUOTA"}},
        UpdateExpression="ADD #b :b",
        ExpressionAttributeNames={"#b": "bytes"},
        ExpressionAttributeValues={":b": {"N": "7"}},
    )
    expected = 48 + 5 + 200
    assert world.violations() == [
        Violation(
            invariants.QUOTA_DRIFT, ALICE, detail=f"counter {expected + 7}B/3 files, records {expected}B/3"
        )
    ]


def test_a_record_ttl_removed_leaves_quota_drift(world: World) -> None:
    raw_delete(world.aws, world.pending)
    assert world.kinds() == {invariants.QUOTA_DRIFT}


def test_grants_and_links_of_a_missing_file_are_named(world: World) -> None:
    raw_delete(world.aws, world.ready)
    found = world.violations()
    shared = [
        (v.kind, v.file_id)
        for v in found
        if v.kind in (invariants.GRANT_MISSING_FILE, invariants.LINK_MISSING_FILE)
    ]
    # Once each, though the summary entry and the grant item, the link and its pointer all name the file.
    assert shared == [
        (invariants.GRANT_MISSING_FILE, world.ready.id),
        (invariants.LINK_MISSING_FILE, world.ready.id),
    ]
    assert invariants.QUOTA_DRIFT in world.kinds()


def test_a_multipart_upload_without_a_live_record_is_named(world: World) -> None:
    s3 = world.aws["s3"]
    raw_delete(world.aws, world.multipart)
    stray_id = new_file_id()
    stray_upload = s3.create_multipart_upload(Bucket=BUCKET, Key=f"users/{BOB}/{stray_id}")["UploadId"]
    # An upload starts just before its record is written: one without a record waits for the window.
    assert {v.kind for v in world.violations()} == {invariants.QUOTA_DRIFT}
    later = [
        (v.file_id, v.ref)
        for v in world.violations(later=WINDOW + 5)
        if v.kind == invariants.UPLOAD_OUTLIVES_RECORD
    ]
    assert sorted(later) == sorted(
        [(world.multipart.id, world.multipart.upload_id), (stray_id, stray_upload)]
    )


def test_an_upload_left_open_on_a_ready_file_is_named(world: World) -> None:
    upload_id = world.aws["s3"].create_multipart_upload(Bucket=BUCKET, Key=world.ready.key)["UploadId"]
    assert world.violations() == [
        Violation(invariants.UPLOAD_OUTLIVES_RECORD, ALICE, world.ready.id, upload_id, "record ready")
    ]


def test_an_overdue_record_is_named(world: World) -> None:
    now = int(time.time())
    stuck = FileRecord(
        BOB, new_file_id(), "a.txt", "text/plain", 1, None, PENDING, now - 9999, now - 9999, now - 9000
    )
    world.locker.records.create(stuck, Quota(100, 10))
    assert world.violations(now=now) == [  # the same second: a tick in between would read 9001
        Violation(invariants.SWEEP_OVERDUE, BOB, stuck.id, detail="pending for 9000s")
    ]


def test_the_group_ids_an_inbox_keeps_match_the_memberships(world: World) -> None:
    db = world.aws["dynamodb"]
    groups = DynamoGroups(db, TABLE)
    team = Group(new_file_id(), "team", ALICE, 1)
    groups.create(team, "alice")
    groups.add_member(team, BOB, "bob", 2)
    assert world.violations() == []
    groups.remove_member(team, BOB)
    assert world.violations() == []  # the set emptied with the membership
    db.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"INBOX#{BOB}"}, "sk": {"S": "GROUPS"}},
        UpdateExpression="ADD #g :id",
        ExpressionAttributeNames={"#g": "groups"},
        ExpressionAttributeValues={":id": {"SS": [team.id]}},
    )  # a membership the inbox says bob has, and he has not
    assert world.violations() == [
        Violation(invariants.GROUP_IDS_DRIFT, BOB, detail="inbox keeps 1 group ids, memberships name 0")
    ]


def test_item_types_it_does_not_know_are_ignored(world: World) -> None:
    for pk, sk in [
        ("SHARED#x", "anything"),
        (f"FILE#{world.ready.id}", "SOMETHING#new"),
        (f"USER#{BOB}", "NEW"),
    ]:
        world.aws["dynamodb"].put_item(TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": sk}})
    assert world.violations() == []


def test_a_violation_prints_its_kind_and_ids_only() -> None:
    found = Violation(invariants.GRANT_MISSING_FILE, ALICE, "F1", "G1", "its file has no record")
    assert str(found) == f"grant_missing_file owner={ALICE} file=F1 ref=G1 its file has no record"
    assert str(Violation(invariants.QUOTA_DRIFT, BOB)) == f"quota_drift owner={BOB}"
