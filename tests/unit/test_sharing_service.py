"""The sharing use cases on the in-memory stores with a fake clock: access, expiry, cleanup."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import BadRequestError, ConflictError, ForbiddenError, NotFoundError

from chalicelib import metrics
from chalicelib.runtime import SharingCases, sharing_cases
from chalicelib.service import Locker
from chalicelib.stores import InMemoryStores
from chalicelib.users import InMemoryDirectory
from chalicelib.validation import ListQuery
from tests.unit.conftest import FakeClock
from tests.unit.test_service import PNG, declare, upload

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
CAROL = "33333333-3333-4333-8333-333333333333"
PAGE = ListQuery(limit=50, cursor=None, status=None)


@pytest.fixture
def stores() -> InMemoryStores:
    return InMemoryStores(directory=InMemoryDirectory({"alice": ALICE, "bob": BOB, "carol": CAROL}))


@pytest.fixture
def shared_locker(
    settings: Any, records: Any, storage: Any, clock: FakeClock, stores: InMemoryStores
) -> Locker:
    return Locker(settings, records, storage, clock, stores)


@pytest.fixture
def cases(shared_locker: Locker) -> SharingCases:
    return sharing_cases(shared_locker)


def ready_file(locker: Locker, aws: dict[str, Any]) -> str:
    created = declare(locker)
    upload(aws, created, PNG)
    file_id: str = created["file"]["id"]
    locker.complete(ALICE, file_id)
    return file_id


def test_an_expired_grant_is_a_missing_grant(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": int(clock.now) + 60})
    assert shared_locker.get(BOB, file_id)["file"]["access"] == "shared"
    clock.advance(60)
    with pytest.raises(NotFoundError):
        shared_locker.download(BOB, file_id)
    assert cases.grants.shared(BOB, PAGE)["items"] == []


def test_grant_rules(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = ready_file(shared_locker, aws)
    with pytest.raises(BadRequestError):
        cases.grants.grant(ALICE, "alice", file_id, {"user": "alice", "expiresAt": None})
    with pytest.raises(NotFoundError):
        cases.grants.grant(ALICE, "alice", file_id, {"user": "nobody", "expiresAt": None})
    with pytest.raises(BadRequestError):
        cases.grants.grant(
            ALICE, "alice", file_id, {"user": "bob", "expiresAt": int(clock.now) + 367 * 86400}
        )
    pending = declare(shared_locker)["file"]["id"]
    with pytest.raises(ConflictError):
        cases.grants.grant(ALICE, "alice", pending, {"user": "bob", "expiresAt": None})
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    with pytest.raises(ForbiddenError):
        cases.grants.grant(BOB, "bob", file_id, {"user": "carol", "expiresAt": None})
    with pytest.raises(NotFoundError):
        cases.grants.list_grants(CAROL, file_id)


def test_every_owner_action_is_403_for_a_grantee(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any]
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    for action in (
        lambda: shared_locker.delete(BOB, file_id),
        lambda: shared_locker.complete(BOB, file_id),
        lambda: cases.links.create(BOB, file_id, 60, 1, "http://127.0.0.1"),
        lambda: cases.links.list(BOB, file_id),
    ):
        with pytest.raises(ForbiddenError):
            action()
    assert shared_locker.download(BOB, file_id)["method"] == "GET"


def test_deleting_a_file_removes_its_grants_and_links_and_a_stuck_delete_is_finished_by_the_sweep(
    shared_locker: Locker, cases: SharingCases, stores: InMemoryStores, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    cases.links.create(ALICE, file_id, 600, 5, "http://127.0.0.1")
    record = shared_locker.records.get(ALICE, file_id)
    assert record is not None and shared_locker.records.begin_delete(record, int(clock.now))  # crash here
    with pytest.raises(NotFoundError):
        shared_locker.get(BOB, file_id)  # a deleting file is nobody's to read
    assert stores.grants.for_file(file_id) and stores.links.for_file(file_id)
    clock.advance(3600)
    assert shared_locker.sweep() == 1
    assert stores.grants.for_file(file_id) == [] and stores.links.for_file(file_id) == []
    assert shared_locker.records.get(ALICE, file_id) is None


def test_a_deleted_groups_purge_is_finished_by_the_sweep(
    shared_locker: Locker, cases: SharingCases, stores: InMemoryStores, aws: dict[str, Any]
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.groups.create(ALICE, "alice", "brokers")
    cases.groups.add(ALICE, "brokers", "bob")
    cases.grants.grant(ALICE, "alice", file_id, {"group": "brokers", "expiresAt": None})
    group = stores.groups.by_name("brokers")
    assert group is not None and stores.groups.delete(group)  # crash before the purge
    with pytest.raises(NotFoundError):
        shared_locker.get(BOB, file_id)
    assert cases.groups.sweep() == 1
    assert stores.grants.for_file(file_id) == []
    assert stores.groups.pending_purges() == [] and stores.groups.members(group.id) == []


def test_group_roles(cases: SharingCases) -> None:
    cases.groups.create(ALICE, "alice", "team")
    cases.groups.add(ALICE, "team", "bob")
    with pytest.raises(ForbiddenError):
        cases.groups.add(BOB, "team", "carol")
    with pytest.raises(ForbiddenError):
        cases.groups.remove(BOB, "team", ALICE)
    with pytest.raises(NotFoundError):
        cases.groups.members(CAROL, "team")
    with pytest.raises(NotFoundError):
        cases.groups.add(ALICE, "team", "nobody")
    assert cases.groups.list(BOB)["items"] == [
        {
            "name": "team",
            "role": "member",
            "memberCount": 2,
            "createdAt": cases.groups.list(BOB)["items"][0]["createdAt"],
        }
    ]
    cases.groups.remove(BOB, "team", BOB)
    assert cases.groups.list(BOB)["items"] == []
    assert cases.groups.list(ALICE)["items"][0]["memberCount"] == 1


def test_the_manager_leaving_takes_the_group_with_them(
    shared_locker: Locker, cases: SharingCases, stores: Any, aws: dict[str, Any]
) -> None:
    """The contract lets any member leave; with its one manager gone the group fails closed."""
    file_id = ready_file(shared_locker, aws)
    cases.groups.create(BOB, "bob", "team")
    cases.groups.add(BOB, "team", "carol")
    cases.grants.grant(ALICE, "alice", file_id, {"group": "team"})
    assert shared_locker.get(CAROL, file_id)["file"]["access"] == "shared"
    cases.groups.remove(BOB, "team", BOB)
    assert cases.groups.list(BOB)["items"] == cases.groups.list(CAROL)["items"] == []
    with pytest.raises(NotFoundError):  # what the group shared stops at once
        shared_locker.get(CAROL, file_id)
    assert stores.grants.for_file(file_id) == []
    with pytest.raises(NotFoundError):
        cases.groups.remove(BOB, "team", BOB)


def test_a_link_is_described_without_being_used_and_used_only_max_times(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = ready_file(shared_locker, aws)
    url = cases.links.create(ALICE, file_id, 600, 2, "http://127.0.0.1:8000")["link"]["url"]
    token = url.rsplit("/", 1)[1]
    assert url.startswith("http://127.0.0.1:8000/l/") and len(token) >= 22  # >= 128 bits
    for _ in range(5):
        assert cases.links.describe(token)["downloadsLeft"] == 2
    issued = cases.links.consume(token)
    assert "X-Amz-Expires=30" in issued["url"]
    cases.links.consume(token)
    with pytest.raises(NotFoundError):
        cases.links.consume(token)
    with pytest.raises(NotFoundError):
        cases.links.describe(token)
    other = cases.links.create(ALICE, file_id, 60, 1, "http://127.0.0.1")["link"]["url"].rsplit("/", 1)[1]
    clock.advance(60)
    with pytest.raises(NotFoundError):
        cases.links.describe(other)


def test_expired_grants_do_not_hold_a_files_100_slots(
    shared_locker: Locker, cases: SharingCases, stores: InMemoryStores, aws: dict[str, Any], clock: FakeClock
) -> None:
    file_id = ready_file(shared_locker, aws)
    directory = stores.directory
    assert isinstance(directory, InMemoryDirectory)
    for number in range(100):
        directory.add(f"user{number}", f"{number:08d}-0000-4000-8000-000000000000")
        cases.grants.grant(
            ALICE, "alice", file_id, {"user": f"user{number}", "expiresAt": int(clock.now) + 60}
        )
    with pytest.raises(ConflictError):
        cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    clock.advance(60)
    assert cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})[1]
    assert [g["grantee"]["name"] for g in cases.grants.list_grants(ALICE, file_id)["items"]] == ["bob"]


def test_new_grants_and_link_uses_are_counted_once_each(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    file_id = ready_file(shared_locker, aws)
    token = cases.links.create(ALICE, file_id, 600, 1, "http://127.0.0.1")["link"]["url"].rsplit("/", 1)[1]
    with metrics.scope() as counted:
        cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
        cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})  # only an update
        cases.links.consume(token)
        with pytest.raises(NotFoundError):
            cases.links.consume(token)  # used up: not a use
    assert counted == {metrics.GRANTS: 1, metrics.LINK_USES: 1}
    capsys.readouterr()
