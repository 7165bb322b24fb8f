"""How many round trips an access check makes, and that a wrong hint never gives a wrong answer.

The check runs on the DynamoDB adapters (in-process moto) through a client that records
every call, so a round is one ``get_item`` or ``batch_get_item``. Between two checks the
world changes in each way a hint can go stale (owner unknown, membership, group, grant).
"""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import ForbiddenError, NotFoundError

from chalicelib.access import AccessControl, via
from chalicelib.dynamo_grants import DynamoGrants
from chalicelib.dynamo_groups import DynamoGroups
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.model import CHANGE, READ, new_file_id
from chalicelib.records import Quota
from chalicelib.sharing_model import GROUP, USER, Grant, Grantee, Group
from tests.unit.conftest import TABLE
from tests.unit.test_records_contract import NOW, pending
from tests.unit.test_sharing_reads import Recording

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
CAROL = "33333333-3333-4333-8333-333333333333"
ROUNDS = {"get_item", "batch_get_item", "query", "scan"}


class World:
    """Alice's ready file, groups and grants in the table, and a check that counts its rounds."""

    def __init__(self, aws: dict[str, Any]) -> None:
        self.db = Recording(aws["dynamodb"])
        self.records = DynamoRecords(self.db, TABLE)
        self.grants = DynamoGrants(self.db, TABLE)
        self.groups = DynamoGroups(self.db, TABLE)
        self.now = NOW
        self.access = AccessControl(
            self.records, self.grants, self.groups, lambda: self.now
        )  # nothing learned
        record = pending(owner=ALICE)
        self.records.create(record, Quota(10**9, 100))
        self.records.mark_ready(record, NOW)
        self.file_id = record.id
        self._made = 0

    def group(self, name: str, *members: str) -> Group:
        group = Group(new_file_id(NOW * 1000), name, ALICE, NOW)
        self.groups.create(group, "alice")
        for member in members:
            self.groups.add_member(group, member, member[:4], NOW)
        return group

    def grant(self, grantee: Grantee, expires: int | None = None) -> Grant:
        self._made += 1  # later grants are newer
        made = Grant(
            new_file_id(NOW * 1000), self.file_id, ALICE, "alice", grantee, NOW * 1000 + self._made, expires
        )
        stored, _ = self.grants.put(made)
        return stored

    def check(self, caller: str, action: str = READ) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
        """The check's answer (or the error it raised) and the read calls it made."""
        self.db.calls.clear()
        try:
            answer: Any = self.access.check(caller, self.file_id, action)
        except (NotFoundError, ForbiddenError) as exc:
            answer = exc
        return answer, [(name, kwargs) for name, kwargs in self.db.calls if name in ROUNDS]


def to_group(group: Group) -> Grantee:
    return Grantee(GROUP, group.id, group.name)


def keys(call: tuple[str, dict[str, Any]]) -> set[tuple[str, str]]:
    name, kwargs = call
    if name == "get_item":
        asked = [kwargs["Key"]]
    else:
        (request,) = kwargs["RequestItems"].values()
        assert request["ConsistentRead"] is True
        asked = request["Keys"]
    return {(k["pk"]["S"], k["sk"]["S"]) for k in asked}


@pytest.fixture
def world(aws: dict[str, Any]) -> World:
    return World(aws)


def test_the_owner_pays_one_batch_once_then_one_get_item(world: World) -> None:
    answer, reads = world.check(ALICE, CHANGE)
    assert answer.record.id == world.file_id and answer.grant is None
    # Nothing known yet: the caller's record and the grant summary, together.
    assert [n for n, _ in reads] == ["batch_get_item"]
    assert keys(reads[0]) == {(f"USER#{ALICE}", f"FILE#{world.file_id}"), (f"FILE#{world.file_id}", "GRANTS")}
    answer, reads = world.check(ALICE, CHANGE)
    assert answer.grant is None
    assert [n for n, _ in reads] == ["get_item"] and reads[0][1]["ConsistentRead"] is True
    assert keys(reads[0]) == {(f"USER#{ALICE}", f"FILE#{world.file_id}")}


def test_a_group_reader_pays_two_rounds_cold_then_one_batch_of_every_key(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team))
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": GROUP, "name": "team"} and answer.record.owner == ALICE
    assert [n for n, _ in reads] == ["batch_get_item", "batch_get_item"]  # owner unknown: a miss
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": GROUP, "name": "team"}
    assert [n for n, _ in reads] == ["batch_get_item"]
    assert keys(reads[0]) == {  # not bob's own record: the file's owner is known, and never changes
        (f"FILE#{world.file_id}", "GRANTS"),
        (f"USER#{ALICE}", f"FILE#{world.file_id}"),
        (f"GROUP#{team.id}", f"MEMBER#{BOB}"),
        (f"GROUP#{team.id}", "META"),
    }
    with pytest.raises(ForbiddenError):
        world.access.check(BOB, world.file_id, CHANGE)


def test_a_removed_member_is_refused_on_the_next_request_in_one_round(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team))
    world.check(BOB)
    world.groups.remove_member(team, BOB)
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1


def test_a_new_member_is_let_in_on_the_next_request_in_one_round(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team))
    world.check(BOB)
    answer, reads = world.check(CAROL)
    assert isinstance(answer, NotFoundError) and len(reads) == 1
    world.groups.add_member(team, CAROL, "carol", NOW)
    answer, reads = world.check(CAROL)
    assert via(answer.grant) == {"type": GROUP, "name": "team"} and len(reads) == 1


def test_a_deleted_group_is_refused_on_the_next_request_in_one_round(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team))
    world.check(BOB)
    world.groups.delete(team)  # its memberships stay until the purge: the group record decides
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1


def test_a_revoked_grant_is_refused_on_the_next_request_in_one_round(world: World) -> None:
    team = world.group("team", BOB)
    grant = world.grant(to_group(team))
    world.check(BOB)
    world.grants.remove(world.file_id, grant.id)
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1


def test_an_expired_grant_is_refused_though_the_hint_still_names_its_group(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team), expires=NOW + 60)
    world.check(BOB)
    world.now += 60
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1


def test_a_grant_the_hint_lacks_costs_one_more_round_and_wins_if_newer(world: World) -> None:
    old, new = world.group("old", BOB), world.group("new", BOB)
    world.grant(to_group(old))
    world.check(BOB)
    world.check(BOB)  # warm: the hint names "old" only
    world.grant(to_group(new))
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": GROUP, "name": "new"}  # the newest grant, as ever
    assert [n for n, _ in reads] == ["batch_get_item", "batch_get_item"]
    assert keys(reads[1]) == {(f"GROUP#{new.id}", f"MEMBER#{BOB}"), (f"GROUP#{new.id}", "META")}
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": GROUP, "name": "new"} and len(reads) == 1


def test_a_revoked_direct_grant_falls_back_to_a_group_in_one_more_round(world: World) -> None:
    team = world.group("team", BOB)
    world.grant(to_group(team))
    direct = world.grant(Grantee(USER, BOB, "bob"))
    world.check(BOB)
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": USER} and len(reads) == 1
    assert not any(pk.startswith("GROUP#") for pk, _ in keys(reads[0]))  # the direct grant wins
    world.grants.remove(world.file_id, direct.id)
    answer, reads = world.check(BOB)
    assert via(answer.grant) == {"type": GROUP, "name": "team"} and len(reads) == 2


def test_a_stranger_is_refused_cold_and_warm_and_never_learns_the_owner(world: World) -> None:
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1  # no grants: nothing more to read
    team = world.group("team", CAROL)
    world.grant(to_group(team))
    for _ in range(2):
        answer, _ = world.check(BOB)
        assert isinstance(answer, NotFoundError)


def test_the_owner_is_learned_from_a_grantees_check_and_a_deleted_file_is_gone_for_all(world: World) -> None:
    world.grant(Grantee(USER, BOB, "bob"))
    world.check(BOB)  # learns that Alice owns the file
    answer, reads = world.check(ALICE)
    assert answer.grant is None and [n for n, _ in reads] == ["get_item"]
    record = world.records.get(ALICE, world.file_id)
    assert record is not None and world.records.begin_delete(record, NOW)
    answer, reads = world.check(BOB)
    assert isinstance(answer, NotFoundError) and len(reads) == 1
    answer, _ = world.check(ALICE)
    assert isinstance(answer, NotFoundError)
    assert world.access.check(ALICE, world.file_id, CHANGE, deleting_too=True).record.status == "deleting"
