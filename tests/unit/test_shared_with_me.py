"""``GET /shared`` from the callers' entries: fan-out on grant and membership, stale entries, cursors.

Each case runs on the in-memory stores and on the DynamoDB adapters (in-process moto).
"""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import BadRequestError

from chalicelib.dynamo_records import DynamoRecords
from chalicelib.dynamo_stores import DynamoStores
from chalicelib.inbox import Entry
from chalicelib.records import InMemoryRecords
from chalicelib.runtime import SharingCases, sharing_cases
from chalicelib.service import Locker
from chalicelib.storage import Storage
from chalicelib.stores import InMemoryStores
from chalicelib.users import InMemoryDirectory
from chalicelib.validation import ListQuery
from tests.unit.conftest import BUCKET, TABLE, FakeClock, SerializedClient
from tests.unit.test_service import PNG, declare, upload

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
CAROL = "33333333-3333-4333-8333-333333333333"
USERS = {"alice": ALICE, "bob": BOB, "carol": CAROL}


def page(limit: int = 50, cursor: str | None = None) -> ListQuery:
    return ListQuery(limit=limit, cursor=cursor, status=None)


@pytest.fixture(params=["memory", "dynamodb"])
def world(request: pytest.FixtureRequest, settings: Any, aws: dict[str, Any], clock: FakeClock) -> Any:
    if request.param == "memory":
        stores = InMemoryStores(directory=InMemoryDirectory(USERS))
        records: Any = InMemoryRecords()
    else:
        db = SerializedClient(aws["dynamodb"])
        stores = DynamoStores(db, TABLE, None, "unused")
        stores.directory = InMemoryDirectory(USERS)
        records = DynamoRecords(db, TABLE)
    locker = Locker(settings, records, Storage(aws["s3"], BUCKET), clock, stores)
    return locker, sharing_cases(locker), aws, clock


def ready(world: Any, owner: str = ALICE) -> str:
    locker, _, aws, clock = world
    created = declare(locker, owner)
    upload(aws, created, PNG)
    file_id: str = created["file"]["id"]
    locker.complete(owner, file_id)
    clock.advance(1)  # every grant made after this one sorts newer
    return file_id


def grant(world: Any, file_id: str, owner: str = ALICE, **to: str) -> dict[str, Any]:
    clock = world[3]
    owner_name = next(name for name, sub in USERS.items() if sub == owner)
    made: dict[str, Any] = world[1].grants.grant(owner, owner_name, file_id, {**to, "expiresAt": None})[0]
    clock.advance(1)
    return made


def listed(cases: SharingCases, user: str, limit: int = 50) -> list[tuple[str, dict[str, str]]]:
    """Every page of the user's list, walked with its cursors: (file id, sharedVia) in order."""
    found, cursor = [], None
    while True:
        answer = cases.grants.shared(user, page(limit, cursor))
        found += [(item["id"], item["sharedVia"]) for item in answer["items"]]
        cursor = answer["nextCursor"]
        if cursor is None:
            return found


def test_a_group_grant_reaches_members_added_before_and_after_and_leaves_with_them(world: Any) -> None:
    locker, cases, _, _ = world
    cases.groups.create(ALICE, "alice", "brokers")
    cases.groups.add(ALICE, "brokers", "bob")
    file_id = ready(world)
    grant(world, file_id, group="brokers")
    via = {"type": "group", "name": "brokers"}
    assert listed(cases, BOB) == [(file_id, via)]
    assert listed(cases, CAROL) == []
    cases.groups.add(ALICE, "brokers", "carol")  # joins later: the group's grants are copied
    assert listed(cases, CAROL) == [(file_id, via)]
    assert listed(cases, ALICE) == []  # the manager is a member, but it is their own file
    cases.groups.remove(CAROL, "brokers", CAROL)
    assert listed(cases, CAROL) == []
    assert locker.stores.inbox.page(CAROL, None, 10) == []
    assert locker.fanout.sweep() == 0  # every fan-out finished in its request


def test_revoke_delete_and_group_deletion_take_the_entries_away(world: Any) -> None:
    locker, cases, _, _ = world
    cases.groups.create(ALICE, "alice", "team")
    cases.groups.add(ALICE, "team", "bob")
    direct, by_group, deleted = ready(world), ready(world), ready(world)
    revoked = grant(world, direct, user="bob")["grant"]
    grant(world, by_group, group="team")
    grant(world, deleted, user="bob")
    grant(world, deleted, group="team")
    assert {f for f, _ in listed(cases, BOB)} == {direct, by_group, deleted}
    cases.grants.revoke(ALICE, direct, revoked["id"])
    locker.delete(ALICE, deleted)
    assert listed(cases, BOB) == [(by_group, {"type": "group", "name": "team"})]
    cases.groups.delete(ALICE, "team")
    assert listed(cases, BOB) == []
    assert locker.stores.inbox.page(BOB, None, 10) == []


def test_stale_entries_are_dropped_and_a_short_page_reads_on(world: Any) -> None:
    locker, cases, _, clock = world
    cases.groups.create(ALICE, "alice", "gone")
    cases.groups.add(ALICE, "gone", "bob")
    files = [ready(world) for _ in range(3)]
    for file_id in files:
        grant(world, file_id, user="bob")
    group_id = locker.stores.groups.by_name("gone").id  # type: ignore[union-attr]
    now_ms = int(clock.now * 1000)
    # Entries nothing stands behind, newer than every real one: a grant never made, one to a
    # group bob is not in, one of a file that does not exist, and a real file's second entry.
    stale = [
        Entry(BOB, files[0], ALICE, "alice", f"U#{BOB}", now_ms + 1),
        Entry(BOB, files[1], ALICE, "alice", f"G#{group_id}", now_ms + 2),
        Entry(BOB, "0" * 36, ALICE, "alice", f"U#{BOB}", now_ms + 3),
        Entry(BOB, files[2], CAROL, "carol", f"U#{BOB}", now_ms + 4),
    ]
    cases.groups.remove(BOB, "gone", BOB)
    locker.stores.inbox.put(stale)
    first = cases.grants.shared(BOB, page(limit=2))
    # limit + 1 = 3 entries a round: the first round is all stale, the second finds the page.
    assert [i["id"] for i in first["items"]] == [files[2], files[1]]
    rest = cases.grants.shared(BOB, page(limit=2, cursor=first["nextCursor"]))
    assert [i["id"] for i in rest["items"]] == [files[0]] and rest["nextCursor"] is None


def test_pages_merge_direct_and_group_grants_newest_first_each_file_once(world: Any) -> None:
    _, cases, _, _ = world
    for name in ("one", "two"):
        cases.groups.create(ALICE, "alice", name)
        cases.groups.add(ALICE, name, "bob")
    cases.groups.create(CAROL, "carol", "three")
    cases.groups.add(CAROL, "three", "bob")
    a, b, c, d = ready(world), ready(world), ready(world), ready(world)
    e = ready(world, CAROL)
    grant(world, a, user="bob")
    grant(world, b, group="one")
    grant(world, a, group="two")  # a again, newer: a shows once, here
    grant(world, c, group="two")
    grant(world, e, CAROL, group="three")
    grant(world, d, group="one")
    grant(world, b, user="bob")  # b again, newest of all
    one, two = {"type": "group", "name": "one"}, {"type": "group", "name": "two"}
    expected = [(b, {"type": "user"}), (d, one), (e, {"type": "group", "name": "three"}), (c, two), (a, two)]
    for limit in (1, 2, 3, 50):
        assert listed(cases, BOB, limit) == expected


def test_a_cursor_is_bound_to_its_caller_and_list(world: Any) -> None:
    _, cases, _, _ = world
    for _ in range(2):
        grant(world, ready(world), user="bob")
        grant(world, ready(world), user="carol")
    cursor = cases.grants.shared(BOB, page(limit=1))["nextCursor"]
    assert cursor is not None
    with pytest.raises(BadRequestError):
        cases.grants.shared(CAROL, page(limit=1, cursor=cursor))
    with pytest.raises(BadRequestError):
        world[0].list(BOB, page(limit=1, cursor=cursor))


class Flaky:
    """Fails the first ``fail`` calls of one store method, then behaves."""

    def __init__(self, method: Any, fail: int = 1) -> None:
        self._method, self._left = method, fail

    def __call__(self, *args: Any) -> Any:
        if self._left:
            self._left -= 1
            raise RuntimeError("DynamoDB went away")
        return self._method(*args)


def test_a_fan_out_cut_short_is_finished_by_the_sweep(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    locker, cases, _, _ = world
    cases.groups.create(ALICE, "alice", "course")
    cases.groups.add(ALICE, "course", "bob")
    file_id = ready(world)
    inbox = locker.stores.inbox
    monkeypatch.setattr(inbox, "put", Flaky(inbox.put))
    with pytest.raises(RuntimeError):
        grant(world, file_id, group="course")  # the grant is stored; its fan-out failed
    assert listed(cases, BOB) == []
    monkeypatch.setattr(inbox, "put", Flaky(inbox.put))
    with pytest.raises(RuntimeError):
        cases.groups.add(ALICE, "course", "carol")  # carol is a member; her copy failed
    assert [j.kind for j in inbox.pending()] == ["GRANT", "MEMBER"]
    assert locker.fanout.sweep() == 2
    via = {"type": "group", "name": "course"}
    assert listed(cases, BOB) == [(file_id, via)] and listed(cases, CAROL) == [(file_id, via)]
    assert inbox.pending() == []


def test_a_deleted_group_stops_showing_before_its_purge(world: Any) -> None:
    locker, cases, _, _ = world
    cases.groups.create(ALICE, "alice", "old")
    cases.groups.add(ALICE, "old", "bob")
    cases.groups.create(ALICE, "alice", "new")
    cases.groups.add(ALICE, "new", "bob")
    both, only_old = ready(world), ready(world)
    grant(world, both, group="new")
    grant(world, only_old, group="old")
    old = locker.stores.groups.by_name("old")
    assert old is not None and locker.stores.groups.delete(old)  # the purge has not run yet
    assert listed(cases, BOB) == [(both, {"type": "group", "name": "new"})]
