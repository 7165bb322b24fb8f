"""The sweep's repairs: each safe one fixes its invariant, the rest are reported, live data is kept."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import invariants, metrics
from chalicelib.inventory import read_owner
from chalicelib.model import PENDING, FileRecord, new_file_id
from chalicelib.records import Quota, Usage
from chalicelib.repair import Repairs
from chalicelib.service import Locker
from chalicelib.validation import NewFile
from tests.unit.conftest import BUCKET, TABLE
from tests.unit.test_invariants import ALICE, BOB, PNG, WINDOW, World, make_locker, raw_delete, world
from tests.unit.test_recount import forget

__all__ = ["world"]  # the fixture, shared with the checker's tests


def repairs(world: World, later: float = WINDOW + 5) -> Repairs:
    """Repairs on a clock ``later`` than now (objects written now are then past the window)."""
    locker = make_locker(world.aws, later)
    return Repairs(locker, world.aws["s3"], world.aws["dynamodb"], TABLE, WINDOW)


def exists(world: World, key: str) -> bool:
    try:
        world.aws["s3"].head_object(Bucket=BUCKET, Key=key)
    except ClientError:
        return False
    return True


def add_to_counter(world: World, owner: str, size: int) -> None:
    world.aws["dynamodb"].update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": "QUOTA"}},
        UpdateExpression="ADD #b :b",
        ExpressionAttributeNames={"#b": "bytes"},
        ExpressionAttributeValues={":b": {"N": str(size)}},
    )


def test_a_consistent_world_needs_no_repair(world: World) -> None:
    assert repairs(world).run() == {}
    assert exists(world, world.ready.key) and world.violations() == []


def test_a_run_out_of_time_visits_nobody_and_says_so(world: World) -> None:
    add_to_counter(world, ALICE, 7)
    assert repairs(world).run(budget=0) == {"unvisited": 1}  # Alice, the one owner with bytes
    assert {v.kind for v in world.violations()} == {invariants.QUOTA_DRIFT}


def test_quota_drift_is_recounted(world: World) -> None:
    add_to_counter(world, ALICE, 7)
    raw_delete(world.aws, world.pending)  # as DynamoDB's TTL would
    assert repairs(world).run() == {"repaired": 1}
    assert world.locker.records.usage(ALICE) == Usage(48 + 200, 2)
    assert world.violations() == []


def test_an_orphan_object_past_the_window_is_deleted_a_fresh_one_kept(world: World) -> None:
    old, fresh = f"users/{BOB}/{new_file_id()}", f"users/{BOB}/{new_file_id()}"
    world.aws["s3"].put_object(Bucket=BUCKET, Key=old, Body=b"x")
    assert repairs(world, later=0).run() == {}
    world.aws["s3"].put_object(Bucket=BUCKET, Key=fresh, Body=b"x")
    assert repairs(world).run() == {"repaired": 2}
    assert not exists(world, old) and not exists(world, fresh)


def test_an_object_whose_record_appeared_since_the_read_is_kept(world: World) -> None:
    file_id = new_file_id()
    key = f"users/{BOB}/{file_id}"
    world.aws["s3"].put_object(Bucket=BUCKET, Key=key, Body=PNG)
    found = read_owner(world.aws["s3"], world.aws["dynamodb"], BUCKET, TABLE, BOB)
    now = int(world.locker.now())
    record = FileRecord(BOB, file_id, "a.png", "image/png", len(PNG), None, PENDING, now, now, now + 3600)
    world.locker.records.create(record, Quota(10_000, 5))
    assert repairs(world).repair(found) == {"left": 1}
    assert exists(world, key)


def test_an_upload_left_on_a_ready_file_is_aborted_a_pending_ones_kept(world: World) -> None:
    s3 = world.aws["s3"]
    s3.create_multipart_upload(Bucket=BUCKET, Key=world.ready.key)
    assert repairs(world).run() == {"repaired": 1}
    open_uploads = {u["Key"] for u in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])}
    assert open_uploads == {world.multipart.key}


def test_grants_and_links_of_a_gone_file_are_removed_with_its_bytes(world: World) -> None:
    raw_delete(world.aws, world.ready)
    assert {v.kind for v in world.violations()} >= {
        invariants.GRANT_MISSING_FILE,
        invariants.LINK_MISSING_FILE,
    }
    repairs(world).run()
    assert world.locker.stores.grants.for_file(world.ready.id) == []
    assert world.locker.stores.links.for_file(world.ready.id) == []
    assert not exists(world, world.ready.key)
    assert world.violations() == []


def test_what_cannot_be_repaired_is_reported_by_ids_with_a_metric(
    world: World, auth_log: pytest.LogCaptureFixture
) -> None:
    world.aws["s3"].delete_object(Bucket=BUCKET, Key=world.ready.key)
    with auth_log.at_level(logging.INFO, logger="locker.sweep"), metrics.scope() as counts:
        assert repairs(world).run() == {"left": 1}
    assert counts[metrics.INVARIANT_VIOLATIONS] == 1
    lines = [r.getMessage() for r in auth_log.records if r.levelno == logging.WARNING]
    assert lines == [
        f"invariant broken: ready_object_missing owner={ALICE} file={world.ready.id} no object at its key"
    ]
    assert all("photo" not in r.getMessage() for r in auth_log.records)


def test_each_repairable_invariant_broken_then_swept_leaves_no_violation(world: World) -> None:
    s3 = world.aws["s3"]
    add_to_counter(world, ALICE, 11)  # quota drift
    raw_delete(world.aws, world.pending)  # a record TTL removed
    raw_delete(world.aws, world.ready)  # its object, grant and link left behind
    s3.put_object(Bucket=BUCKET, Key=f"users/{BOB}/{new_file_id()}", Body=b"x")  # an orphan
    s3.put_object(Bucket=BUCKET, Key="users/Secret Plans/report.pdf", Body=b"x")  # one Locker never wrote
    s3.create_multipart_upload(Bucket=BUCKET, Key=f"users/{BOB}/{new_file_id()}")  # an upload with no record
    broken = {v.kind for v in world.violations(later=WINDOW + 5)}
    assert broken == {
        invariants.QUOTA_DRIFT,
        invariants.ORPHAN_OBJECT,
        invariants.GRANT_MISSING_FILE,
        invariants.LINK_MISSING_FILE,
        invariants.UPLOAD_OUTLIVES_RECORD,
    }
    tally = repairs(world).run()
    assert tally["left"] == 0 and tally["repaired"] >= len(broken)
    assert world.violations(later=WINDOW + 5) == []
    assert world.locker.records.get(ALICE, world.multipart.id) is not None  # live data untouched


def test_a_quota_refusal_recounts_what_ttl_removed(locker: Locker, aws: dict[str, Any]) -> None:
    quota_files = locker.settings.quota_files
    made = [
        locker.create(ALICE, NewFile(f"{i}.png", "image/png", 10, None))["file"]["id"]
        for i in range(quota_files)
    ]
    record = locker.records.get(ALICE, made[0])
    assert record is not None
    forget(locker.records, ALICE, made[0])
    created = locker.create(ALICE, NewFile("more.png", "image/png", 10, None))
    assert created["file"]["status"] == "pending"
    assert locker.records.usage(ALICE) == Usage(10 * quota_files, quota_files)
