"""One contract for the sharing stores (grants, groups, links, activity): the fakes and DynamoDB."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest

from chalicelib.activity import Event, InMemoryActivity
from chalicelib.dynamo_activity import DynamoActivity
from chalicelib.dynamo_grants import DynamoGrants
from chalicelib.dynamo_groups import DynamoGroups
from chalicelib.dynamo_inbox import DynamoInbox
from chalicelib.dynamo_links import DynamoLinks
from chalicelib.grants import MAX_GRANTS_PER_FILE, FileDeleting, GrantTime, InMemoryGrants, TooManyGrants
from chalicelib.groups import GroupGone, InMemoryGroups, NameTaken
from chalicelib.inbox import GRANT_JOB, MEMBER_JOB, Entry, InMemoryInbox, Job, entry
from chalicelib.links import InMemoryLinks, new_token, token_hash
from chalicelib.model import READY, FileRecord, new_file_id
from chalicelib.reads import fetch
from chalicelib.sharing_model import GROUP, USER, Grant, Grantee, Group, Link
from tests.unit.conftest import SerializedClient

NOW = 1_800_000_000
OWNER = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
CAROL = "33333333-3333-4333-8333-333333333333"


@pytest.fixture(params=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "memory":
        inbox = InMemoryInbox()
        return {
            "inbox": inbox,
            "grants": InMemoryGrants(inbox),
            "groups": InMemoryGroups(),
            "links": InMemoryLinks(),
            "activity": InMemoryActivity(),
        }
    aws = request.getfixturevalue("aws")
    db = SerializedClient(aws["dynamodb"])
    table = aws["dynamodb"].list_tables()["TableNames"][0]  # unit or integration table
    return {
        "inbox": DynamoInbox(db, table),
        "grants": DynamoGrants(db, table),
        "groups": DynamoGroups(db, table),
        "links": DynamoLinks(db, table),
        "activity": DynamoActivity(db, table),
        "db": aws["dynamodb"],
        "table": table,
    }


def grant(
    file_id: str, who: str = BOB, at_ms: int = NOW * 1000, kind: str = USER, expires: int | None = None
) -> Grant:
    return Grant(
        new_file_id(at_ms),
        file_id,
        OWNER,
        "owner@example.com",
        Grantee(kind, who, f"name-{who[:4]}"),
        at_ms,
        expires,
    )


def test_a_grant_round_trips_and_a_second_one_only_updates_the_expiry(stores: dict[str, Any]) -> None:
    file_id = new_file_id()
    first, created = stores["grants"].put(grant(file_id))
    assert created
    again, created_again = stores["grants"].put(grant(file_id, expires=NOW + 60))
    assert not created_again
    assert again.id == first.id and again.expires_at == NOW + 60
    assert stores["grants"].for_file(file_id) == [again]
    assert stores["grants"].for_files([file_id, new_file_id()])[file_id] == [again]


def test_revoking_removes_the_grant_from_the_file_and_the_grantee_list(stores: dict[str, Any]) -> None:
    file_id = new_file_id()
    stored, _ = stores["grants"].put(grant(file_id))
    assert [g.id for g in stores["grants"].by_grantee(f"U#{BOB}", None, 10)] == [stored.id]
    assert stores["grants"].remove(file_id, stored.id) == stored
    assert stores["grants"].remove(file_id, stored.id) is None
    assert stores["grants"].for_file(file_id) == []
    assert stores["grants"].by_grantee(f"U#{BOB}", None, 10) == []


def test_grantee_lists_are_newest_first_and_resume_before_a_position(stores: dict[str, Any]) -> None:
    made = [
        stores["grants"].put(grant(new_file_id((NOW + i) * 1000), at_ms=(NOW + i) * 1000))[0]
        for i in range(5)
    ]
    first = stores["grants"].by_grantee(f"U#{BOB}", None, 2)
    assert [g.id for g in first] == [made[4].id, made[3].id]
    rest = stores["grants"].by_grantee(f"U#{BOB}", first[-1].position, 10)
    assert [g.id for g in rest] == [made[2].id, made[1].id, made[0].id]
    assert stores["grants"].by_grantee(f"U#{CAROL}", None, 10) == []


def test_a_file_has_at_most_100_grants_and_remove_all_clears_them(stores: dict[str, Any]) -> None:
    file_id = new_file_id()
    for i in range(MAX_GRANTS_PER_FILE):
        stores["grants"].put(grant(file_id, who=f"{i:08d}-0000-4000-8000-000000000000"))
    with pytest.raises(TooManyGrants):
        stores["grants"].put(grant(file_id, who=CAROL))
    stores["grants"].remove_all(file_id)
    stores["grants"].remove_all(file_id)  # safe to repeat
    assert stores["grants"].for_file(file_id) == []
    with pytest.raises(FileDeleting):  # remove_all is a deleted file's end: no grant after it
        stores["grants"].put(grant(file_id, who=CAROL))


def test_a_user_grant_brings_its_entry_and_takes_it_away(stores: dict[str, Any]) -> None:
    grants, inbox = stores["grants"], stores["inbox"]
    file_id, other = new_file_id(), new_file_id()
    stored, _ = grants.put(grant(file_id))
    grants.put(grant(file_id, expires=NOW + 60))  # an expiry update keeps the one entry
    grants.put(grant(file_id, who=CAROL, kind=GROUP))  # a group's entries are the fan-out's
    shown = Entry(BOB, file_id, OWNER, "owner@example.com", f"U#{BOB}", stored.created_ms)
    assert inbox.page(BOB, None, 10) == [shown]
    times = grants.grant_times([file_id, other], [f"U#{BOB}", f"G#{CAROL}", f"U#{OWNER}"])
    assert times == {
        file_id: {
            f"U#{BOB}": GrantTime(stored.created_ms, NOW + 60),
            f"G#{CAROL}": GrantTime(NOW * 1000, None),
        },
        other: {},
    }
    assert inbox.page(CAROL, None, 10) == []
    grants.remove(file_id, stored.id)
    assert inbox.page(BOB, None, 10) == []
    grants.put(grant(other))
    grants.remove_all(other)
    assert inbox.page(BOB, None, 10) == []


def test_entries_are_newest_first_per_user_and_resume_before_a_place(stores: dict[str, Any]) -> None:
    inbox = stores["inbox"]
    made = [grant(new_file_id((NOW + i) * 1000), at_ms=(NOW + i) * 1000, kind=GROUP) for i in range(4)]
    inbox.put([entry(g, BOB) for g in made])
    inbox.put([entry(made[0], BOB), entry(made[0], CAROL)])  # repeating one is harmless
    first = inbox.page(BOB, None, 3)
    assert [e.file_id for e in first] == [made[3].file_id, made[2].file_id, made[1].file_id]
    assert first[0].source == f"G#{BOB}" and first[0].position == made[3].position
    assert [e.file_id for e in inbox.page(BOB, first[-1].place, 10)] == [made[0].file_id]
    inbox.remove([entry(made[3], BOB), entry(made[3], CAROL)])  # absent ones are fine
    assert [e.file_id for e in inbox.page(BOB, None, 1)] == [made[2].file_id]
    assert [e.user for e in inbox.page(CAROL, None, 10)] == [CAROL]


def test_a_first_page_holds_the_newest_entries_and_the_group_ids_as_memberships_change(
    stores: dict[str, Any],
) -> None:
    inbox, groups = stores["inbox"], stores["groups"]
    made = [grant(new_file_id((NOW + i) * 1000), at_ms=(NOW + i) * 1000, kind=GROUP) for i in range(3)]
    inbox.put([entry(g, BOB) for g in made])
    first, second = _group("brokers"), _group("auditors")
    groups.create(first, "owner")
    groups.create(second, "owner")

    def kept(user: str) -> set[str] | None:
        page = inbox.first_page(user, 2)
        assert [e.file_id for e in page.entries] == (
            [made[2].file_id, made[1].file_id] if user == BOB else []
        )
        assert page.entries == inbox.page(user, None, 2)
        # A store that keeps no group ids says None (the listing asks the groups store then).
        assert page.group_ids is None or page.group_ids == groups.group_ids(user)
        return page.group_ids

    def keep(user: str) -> None:
        inbox.keep_group_ids(user, groups.group_ids(user), inbox.first_page(user, 2).groups_version)

    expect_kept = "db" in stores  # the DynamoDB inbox keeps them, the fake does not
    assert kept(BOB) is None  # not in any group yet: no such item at all
    groups.add_member(first, BOB, "bob", NOW + 1)
    groups.add_member(second, BOB, "bob", NOW + 2)
    assert kept(BOB) is None  # made by membership changes alone: not known to be complete
    keep(BOB)  # what a listing does when the ids are not kept
    assert kept(BOB) == ({first.id, second.id} if expect_kept else None)
    groups.add_member(first, BOB, "bob", NOW + 3)  # a repeat changes nothing
    assert kept(BOB) == ({first.id, second.id} if expect_kept else None)
    assert groups.remove_member(first, BOB)
    assert kept(BOB) == ({second.id} if expect_kept else None)
    assert groups.delete(second)
    groups.purge(second.id)
    assert kept(BOB) == (set() if expect_kept else None)  # kept, and empty: no memberships at all
    assert kept(OWNER) is None  # the manager of the one left: never listed, so never known complete
    keep(OWNER)
    assert kept(OWNER) == ({first.id} if expect_kept else None)


def test_a_membership_change_between_reading_and_keeping_the_group_ids_wins(
    stores: dict[str, Any],
) -> None:
    inbox, groups = stores["inbox"], stores["groups"]
    first, second = _group("brokers"), _group("auditors")
    groups.create(first, "owner")
    groups.create(second, "owner")
    groups.add_member(first, BOB, "bob", NOW + 1)
    read = inbox.first_page(BOB, 2)
    seen = groups.group_ids(BOB)
    groups.add_member(second, BOB, "bob", NOW + 2)  # lands after the listing read both
    inbox.keep_group_ids(BOB, seen, read.groups_version)
    assert inbox.first_page(BOB, 2).group_ids is None  # stale: not kept, the next listing asks again
    inbox.keep_group_ids(BOB, groups.group_ids(BOB), inbox.first_page(BOB, 2).groups_version)
    expected = {first.id, second.id} if "db" in stores else None
    assert inbox.first_page(BOB, 2).group_ids == expected


def test_fan_outs_queue_until_finished(stores: dict[str, Any]) -> None:
    inbox = stores["inbox"]
    jobs = [Job(GRANT_JOB, new_file_id(), new_file_id()), Job(MEMBER_JOB, new_file_id(), BOB)]
    for job in jobs:
        inbox.begin(job)
        inbox.begin(job)
    assert sorted(inbox.pending(), key=lambda j: j.key) == sorted(jobs, key=lambda j: j.key)
    inbox.finish(jobs[0])
    inbox.finish(jobs[0])
    assert inbox.pending() == [jobs[1]]


def _group(name: str = "brokers", manager: str = OWNER) -> Group:
    return Group(new_file_id(), name, manager, NOW)


def test_a_group_starts_with_its_manager_and_names_are_unique(stores: dict[str, Any]) -> None:
    groups = stores["groups"]
    group = _group()
    groups.create(group, "owner@example.com")
    with pytest.raises(NameTaken):
        groups.create(_group(manager=BOB), "bob")
    found = groups.by_name("brokers")
    assert found is not None and found.id == group.id and found.member_count == 1
    assert [m.user_id for m in groups.members(group.id)] == [OWNER]
    assert [m.group_id for m in groups.memberships(OWNER)] == [group.id]


def test_members_are_added_once_and_removed_at_once(stores: dict[str, Any]) -> None:
    groups = stores["groups"]
    group = _group()
    groups.create(group, "owner")
    member, added = groups.add_member(group, BOB, "bob", NOW + 1)
    assert added and member.username == "bob"
    assert groups.add_member(group, BOB, "bob", NOW + 2) == (member, False)
    assert groups.by_name("brokers").member_count == 2
    assert groups.member_of(BOB, [group.id]) == {group.id}
    assert groups.group_ids(BOB) == {group.id} and groups.group_ids(CAROL) == set()
    assert groups.remove_member(group, BOB)
    assert not groups.remove_member(group, BOB)
    assert groups.member_of(BOB, [group.id]) == set()
    assert groups.group_ids(BOB) == set()
    assert groups.by_name("brokers").member_count == 1


def test_deleting_a_group_ends_every_membership_at_once_and_frees_the_name(stores: dict[str, Any]) -> None:
    groups = stores["groups"]
    group = _group()
    groups.create(group, "owner")
    groups.add_member(group, BOB, "bob", NOW)
    assert groups.delete(group)
    assert not groups.delete(group)
    assert groups.member_of(BOB, [group.id]) == set()  # before any purge
    assert groups.memberships(BOB) == []
    assert groups.group_ids(BOB) == {group.id}  # until the purge: live() says it is gone
    assert groups.live([group.id]) == {}
    assert groups.by_name("brokers") is None
    with pytest.raises(GroupGone):
        groups.add_member(group, CAROL, "carol", NOW)
    assert groups.pending_purges() == [group.id]
    groups.purge(group.id)
    groups.finish_purge(group.id)
    assert groups.pending_purges() == []
    again = _group(manager=BOB)
    groups.create(again, "bob")  # the name is free, and the new group inherits nobody
    assert [m.user_id for m in groups.members(again.id)] == [BOB]
    assert groups.member_of(OWNER, [again.id]) == set()


def test_reads_answer_as_the_lookups_do_and_fetch_together(stores: dict[str, Any]) -> None:
    grants, groups = stores["grants"], stores["groups"]
    file_id = new_file_id()
    stored, _ = grants.put(grant(file_id))
    live, deleted, other = _group("live"), _group("deleted"), _group("other")
    for group in (live, deleted, other):
        groups.create(group, "owner")
    for group in (live, deleted):
        groups.add_member(group, BOB, "bob", NOW)
    groups.delete(deleted)  # its membership items stay until the purge
    summary, empty = grants.read_for_file(file_id), grants.read_for_file(new_file_id())
    member = groups.read_member_of(BOB, [live.id, deleted.id, other.id, new_file_id()])
    none = groups.read_member_of(BOB, [])
    grants.put(grant(file_id, who=CAROL))  # a Read is answered when fetched, not when made
    found = fetch(summary, empty, member, none)
    assert found[summary] == grants.for_file(file_id) and stored in found[summary]
    assert len(found[summary]) == 2 and found[empty] == []
    assert found[member] == {live.id} == groups.member_of(BOB, [live.id, deleted.id, other.id])
    assert found[none] == set()


def _link(file_id: str, max_downloads: int = 1, expires: int = NOW + 600) -> tuple[str, Link]:
    token = new_token()
    hashed = token_hash(token)
    assert hashed is not None
    return token, Link(new_file_id(NOW * 1000), file_id, OWNER, hashed, NOW, expires, max_downloads)


def test_a_link_is_found_only_by_its_token_hash(stores: dict[str, Any]) -> None:
    token, link = _link(new_file_id())
    stores["links"].create(link)
    assert stores["links"].by_hash(token_hash(token)) == link
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert token_hash("not-a-token") is None
    assert stores["links"].by_hash(token_hash(new_token())) is None
    if "db" in stores:  # the token itself is nowhere in the table
        items = stores["db"].scan(TableName=stores["table"])["Items"]  # test inspection only
        assert token not in repr(items)


def test_consuming_uses_exactly_max_downloads_under_concurrency(stores: dict[str, Any]) -> None:
    _, link = _link(new_file_id(), max_downloads=3)
    stores["links"].create(link)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: stores["links"].consume(link.token_hash, NOW), range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 3
    assert sorted(w.downloads_left for w in winners) == [0, 1, 2]
    assert stores["links"].by_hash(link.token_hash).downloads_left == 0


def test_expired_and_revoked_links_cannot_be_consumed(stores: dict[str, Any]) -> None:
    file_id = new_file_id()
    _, expired = _link(file_id, expires=NOW)
    _, live = _link(file_id, max_downloads=2)
    stores["links"].create(expired)
    stores["links"].create(live)
    assert stores["links"].consume(expired.token_hash, NOW) is None
    assert {x.id for x in stores["links"].for_file(file_id)} == {expired.id, live.id}
    assert stores["links"].remove(file_id, live.id) is not None
    assert stores["links"].consume(live.token_hash, NOW) is None
    stores["links"].remove_all(file_id)
    assert stores["links"].for_file(file_id) == []
    assert stores["links"].by_hash(expired.token_hash) is None


def _event(file_id: str, owner: str, at_ms: int, kind: str = "download_issued") -> Event:
    return Event(new_file_id(at_ms), at_ms, file_id, owner, kind, {"type": "system"}, {"n": 1})


def test_activity_pages_merge_every_shard_newest_first(stores: dict[str, Any]) -> None:
    file_a, file_b = new_file_id(), new_file_id()
    made = [_event(file_a if i % 2 else file_b, OWNER, (NOW + i) * 1000) for i in range(12)]
    for event in made:
        stores["activity"].record(event)
    stores["activity"].record(_event(new_file_id(), BOB, NOW * 1000))
    newest = sorted(made, key=lambda e: e.position, reverse=True)
    page = stores["activity"].for_owner(OWNER, None, 5)
    assert page == newest[:5]
    assert stores["activity"].for_owner(OWNER, page[-1].position, 100) == newest[5:]
    only_a = [e for e in newest if e.file_id == file_a]
    assert stores["activity"].for_file(file_a, None, 100) == only_a


def test_a_grant_keeps_its_file_card_for_the_grantee_list_and_entries(stores: dict[str, Any]) -> None:
    file_id = new_file_id()
    card = FileRecord(OWNER, file_id, "pay slip.pdf", "application/pdf", 42, "ab" * 32, READY, NOW, NOW + 1)
    for kind, who in ((USER, BOB), (GROUP, "group-1")):
        stored, _ = stores["grants"].put(replace(grant(file_id, who, kind=kind), file=card))
        assert stored.file == card
        (listed,) = stores["grants"].by_grantee(stored.grantee.key, None, 10)
        assert listed.file == card  # what a new member's entries copy
    again, _ = stores["grants"].put(replace(grant(file_id, expires=NOW + 60), file=card))
    assert again.file == card  # an expiry update keeps the card in the user's entry too
    (mine,) = stores["inbox"].page(BOB, None, 10)
    assert mine.file == card
    stores["inbox"].put([entry(replace(stored, file=None), CAROL)])
    (carols,) = stores["inbox"].page(CAROL, None, 10)
    assert carols.file is None  # written without one: the listing reads the record


def test_a_file_marked_deleting_grants_nothing_and_takes_no_grant_even_after_remove_all(
    stores: dict[str, Any],
) -> None:
    file_id, bare = new_file_id(), new_file_id()
    stores["grants"].put(grant(file_id))
    assert set(stores["grants"].grant_times([file_id], [f"U#{BOB}"])[file_id]) == {f"U#{BOB}"}
    for marked in (file_id, bare):  # a file with grants, and one without any
        write = stores["grants"].write_deleting(marked)
        if "db" in stores:
            stores["db"].transact_write_items(TransactItems=list(write.actions))
        write.applied()
    assert stores["grants"].grant_times([file_id, bare], [f"U#{BOB}"]) == {file_id: {}, bare: {}}
    assert len(stores["grants"].for_file(file_id)) == 1  # still there for remove_all to find
    for late in (grant(file_id), grant(file_id, CAROL), grant(bare)):  # an update, a new grantee
        with pytest.raises(FileDeleting):
            stores["grants"].put(late)
    for marked in (file_id, bare):
        stores["grants"].remove_all(marked)
        stores["grants"].remove_all(marked)  # safe to repeat
        assert stores["grants"].for_file(marked) == []
        # A grant request that read the file as ready before the delete began lands after it.
        with pytest.raises(FileDeleting):
            stores["grants"].put(grant(marked, CAROL))
    assert stores["inbox"].page(BOB, None, 10) == [] and stores["inbox"].page(CAROL, None, 10) == []
    if "db" in stores:
        for marked in (file_id, bare):
            left = stores["db"].get_item(
                TableName=stores["table"], Key={"pk": {"S": f"FILE#{marked}"}, "sk": {"S": "GRANTS"}}
            )["Item"]
            assert set(left) == {"pk", "sk", "deleting", "ttl"}  # the mark alone, tidied by TTL
            assert int(left["ttl"]["N"]) > time.time() + 3600


def test_a_grant_write_is_conditional_on_the_mark_not_only_the_read_before_it(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The delete's mark lands between the grant's read of the summary and its write."""
    table = aws["dynamodb"].list_tables()["TableNames"][0]
    grants = DynamoGrants(SerializedClient(aws["dynamodb"]), table)
    file_id = new_file_id()
    aws["dynamodb"].transact_write_items(TransactItems=list(grants.write_deleting(file_id).actions))
    stale = [{}]  # the first read is from before the mark
    real = grants._summary
    monkeypatch.setattr(grants, "_summary", lambda f: stale.pop() if stale else real(f))
    with pytest.raises(FileDeleting):
        grants.put(grant(file_id))
    left = aws["dynamodb"].get_item(
        TableName=table, Key={"pk": {"S": f"FILE#{file_id}"}, "sk": {"S": "GRANTS"}}
    )
    assert set(left["Item"]) == {"pk", "sk", "deleting"}
    assert grants.by_grantee(f"U#{BOB}", None, 10) == []
