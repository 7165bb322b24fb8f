"""The one answer to "may this caller do this to this file".

Every files route asks ``AccessControl.check``. The owner may do anything; a
user with a live grant (to them, or to a live group they belong to) may only
read (``READ``: get and download); everyone else gets the same 404 as for a
file that does not exist. Every input is a consistent read of the base table
(the file record, the file's grant summary, group records and memberships),
never an index, so a revoked grant or a removed member is refused at once.

Rounds: the owner's check is one GetItem of their record once this container knows
the file's owner (``access_hints``; the first check of a file asks for the record
and the summary together). Anyone else's check is one BatchGetItem holding every
key the decision needs: the file's grant summary, the owner's record and the
membership and group records of the groups the hint names (and the caller's own
record while the owner is not known yet); the summary read in that batch decides,
and only what it shows the hint lacked (a new group grant, a hint not yet learned)
costs one more round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.access_hints import Hints
from chalicelib.errors import file_not_found, owner_only
from chalicelib.grants import Grants
from chalicelib.groups import Groups
from chalicelib.model import DELETING, READ, READY, FileRecord, is_file_id
from chalicelib.reads import Found, Read, fetch
from chalicelib.records import Records
from chalicelib.sharing_model import GROUP, USER, Grant


@dataclass(frozen=True)
class Access:
    """A file the caller may reach, and how: as its owner (``grant`` None) or through a grant."""

    record: FileRecord
    grant: Grant | None = None

    def to_api(self) -> dict[str, Any]:
        """The File object as this caller sees it."""
        if self.grant is None:
            return self.record.to_api()
        owner = {"id": self.record.owner, "name": self.grant.owner_name}
        return {**self.record.to_api(), "owner": owner, "access": "shared"}


def via(grant: Grant) -> dict[str, str]:
    """``sharedVia`` of a file reached through ``grant``."""
    if grant.grantee.type == GROUP:
        return {"type": GROUP, "name": grant.grantee.name}
    return {"type": USER}


@dataclass
class _Facts:
    """What one check has read so far: owners' records, and the caller's groups among those asked."""

    records: dict[str, FileRecord | None] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)
    mine: set[str] = field(default_factory=set)


class AccessControl:
    """Decides access from the records, grants and groups stores."""

    def __init__(self, records: Records, grants: Grants, groups: Groups, now: Callable[[], int]) -> None:
        self._records = records
        self._grants = grants
        self._groups = groups
        self._now = now
        self._hints = Hints()

    def check(self, caller: str, file_id: str, action: str = READ, *, deleting_too: bool = False) -> Access:
        """The caller's access to the file, for ``action``.

        Raises:
            NotFoundError: no such file, or the caller may not reach it.
            ForbiddenError: the caller may read the file but ``action`` is the owner's.
        """
        if not is_file_id(file_id):
            raise file_not_found()
        now = self._now()
        hint = self._hints.get(file_id)
        if hint is not None and hint.owner == caller:
            # The owner never changes: their record alone decides, and no grant can reach them.
            return _as_owner(self._records.get(caller, file_id), now, deleting_too)
        facts = _Facts()
        summary_read = self._grants.read_for_file(file_id)
        if hint is None:  # the caller may be the owner: their record is read beside the summary
            own_read = self._records.read_record(caller, file_id)
            found = self._round(facts, caller, file_id, [own_read, summary_read], None, ())
            own = found[own_read]
            if own is not None:
                self._hints.owned(file_id, caller)
                return _as_owner(own, now, deleting_too)
        else:  # someone else owns it, for good: the caller holds no record of it to read
            found = self._round(facts, caller, file_id, [summary_read], hint.owner, hint.groups_for(caller))
        every = found[summary_read]
        self._hints.granted(file_id, every, now)
        grants = [g for g in every if g.live(now) and g.owner != caller]
        if not grants:
            raise file_not_found()
        owner = grants[0].owner
        grant, missing = _chosen(caller, grants, facts)
        if missing or (grant is not None and owner not in facts.records):
            # The hint lacked something the summary shows: one more round reads it all.
            self._round(facts, caller, file_id, [], owner, missing)
            grant, _ = _chosen(caller, grants, facts)
        record = facts.records.get(owner)
        if grant is None or record is None or record.status != READY:
            raise file_not_found()
        if action != READ:
            raise owner_only()
        return Access(record, grant)

    def _round(
        self,
        facts: _Facts,
        caller: str,
        file_id: str,
        reads: list[Read[Any]],
        owner: str | None,
        groups: Iterable[str],
    ) -> Found:
        """One round trip: ``reads``, the owner's record and the caller's membership of ``groups``.

        Only what ``facts`` does not hold yet is read; what is read is added to ``facts``.
        """
        reads = list(reads)
        record_read = groups_read = None
        if owner is not None and owner not in facts.records:
            record_read = self._records.read_record(owner, file_id)
            reads.append(record_read)
        unasked = set(groups) - facts.asked
        if unasked:
            groups_read = self._groups.read_member_of(caller, unasked)
            reads.append(groups_read)
        found = fetch(*reads)
        if owner is not None and record_read is not None:
            facts.records[owner] = found[record_read]
        if groups_read is not None:
            member_of: set[str] = found[groups_read]
            facts.asked |= unasked
            facts.mine |= member_of
        return found


def _as_owner(record: FileRecord | None, now: int, deleting_too: bool) -> Access:
    if record is not None and (record.visible(now) or (deleting_too and record.status == DELETING)):
        return Access(record)
    raise file_not_found()


def _chosen(caller: str, grants: list[Grant], facts: _Facts) -> tuple[Grant | None, set[str]]:
    """The caller's newest live grant among the file's (direct, or through a live group) so far.

    Also returns the groups whose membership is still unread and could give a newer grant.
    """
    direct = [g for g in grants if g.grantee.type == USER and g.grantee.id == caller]
    if direct:
        return direct[0], set()
    by_group = {g.grantee.id: g for g in grants if g.grantee.type == GROUP}
    best = max((by_group[g] for g in facts.mine & by_group.keys()), key=lambda g: g.position, default=None)
    missing = {
        g
        for g, grant in by_group.items()
        if g not in facts.asked and (best is None or grant.position > best.position)
    }
    return best, missing
