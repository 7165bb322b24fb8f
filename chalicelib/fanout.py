"""Keeps the "shared with me" entries of group grants in step with grants and memberships.

A user grant's entry is written by the grants store itself, in the grant's
transaction. A group grant reaches up to 1,000 members, too many for one
transaction, so its entries are written here, 25 a call; a new member gets one
entry per grant of the group, read page by page from the ``grantee`` index.
Each such fan-out is queued (``Inbox.begin``) before its first write and
dropped when done, so one cut short by a failure is finished by the sweep
(``run``); repeating one is harmless. Removals (revoke, leave, delete) are
best effort: an entry left behind is stale, and the listing, which verifies
every entry against the grants, memberships and records, drops it.
"""

from __future__ import annotations

from chalicelib.grants import Grants
from chalicelib.groups import Groups
from chalicelib.inbox import GRANT_JOB, MEMBER_JOB, Entry, Inbox, Job, entry
from chalicelib.sharing_model import GROUP, Grant

GRANTS_PAGE = 100
# A new member's copy reads at most this many pages of the group's grants (10,000 grants).
MAX_GRANT_PAGES = 100


def grant_job(grant: Grant) -> Job:
    """The fan-out of a group grant to the group's members."""
    return Job(GRANT_JOB, grant.grantee.id, grant.file_id)


def member_job(group_id: str, user_id: str) -> Job:
    """The copy of a group's grants to a new member."""
    return Job(MEMBER_JOB, group_id, user_id)


class FanOut:
    """Writes and removes the entries that group grants give their members."""

    def __init__(self, grants: Grants, groups: Groups, inbox: Inbox) -> None:
        self._grants = grants
        self._groups = groups
        self._inbox = inbox

    def _member_entries(self, grant: Grant) -> list[Entry]:
        members = self._groups.members(grant.grantee.id)
        return [entry(grant, m.user_id) for m in members if m.user_id != grant.owner]

    def granted(self, grant: Grant) -> None:
        """Give every member of the grant's group its entry (a user grant has its own already)."""
        if grant.grantee.type == GROUP:
            self._inbox.put(self._member_entries(grant))

    def revoked(self, grant: Grant) -> None:
        """Remove the entries a revoked group grant gave its members."""
        if grant.grantee.type == GROUP:
            self._inbox.remove(self._member_entries(grant))

    def _group_grants(self, group_id: str) -> list[Grant]:
        found: list[Grant] = []
        before = None
        for _ in range(MAX_GRANT_PAGES):
            page = self._grants.by_grantee(f"G#{group_id}", before, GRANTS_PAGE)
            found += page
            if len(page) < GRANTS_PAGE:
                break
            before = page[-1].position
        return found

    def joined(self, group_id: str, user_id: str) -> None:
        """Give a new member one entry per grant of the group (not for their own files)."""
        grants = self._group_grants(group_id)
        self._inbox.put(entry(g, user_id) for g in grants if g.owner != user_id)

    def left(self, group_id: str, user_id: str) -> None:
        """Remove the entries a former member had through the group."""
        self._inbox.remove(entry(g, user_id) for g in self._group_grants(group_id))

    def begin(self, job: Job) -> None:
        """Queue a fan-out before its first write (``run`` does it and drops it)."""
        self._inbox.begin(job)

    def finish(self, job: Job) -> None:
        """Drop a fan-out done (or refused) by the request that queued it."""
        self._inbox.finish(job)

    def disbanded(self, group_id: str) -> None:
        """Remove every entry a deleted group gave its members (before its memberships go)."""
        grants = self._group_grants(group_id)
        members = self._groups.members(group_id)
        self._inbox.remove(entry(g, m.user_id) for m in members for g in grants)

    def run(self, job: Job) -> None:
        """Finish a queued fan-out from what the base table says now, then drop it."""
        if job.kind == GRANT_JOB:
            key = f"G#{job.group_id}"
            for grant in self._grants.for_file(job.subject):
                if grant.grantee.key == key:
                    self.granted(grant)
        elif job.kind == MEMBER_JOB and self._groups.member_of(job.subject, [job.group_id]):
            self.joined(job.group_id, job.subject)
        self._inbox.finish(job)

    def sweep(self) -> int:
        """Finish every fan-out cut short; returns how many."""
        pending = self._inbox.pending()
        for job in pending:
            self.run(job)
        return len(pending)
