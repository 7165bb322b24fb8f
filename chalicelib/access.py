"""The one answer to "may this caller do this to this file".

Every files route asks ``AccessControl.check``. The owner may do anything; a
user with a live grant (to them, or to a live group they belong to) may only
read (``READ``: get and download); everyone else gets the same 404 as for a
file that does not exist. Every input is a consistent read of the base table
(the file record, the file's grant summary, group records and memberships),
never an index, so a revoked grant or a removed member is refused at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import file_not_found, owner_only
from chalicelib.grants import Grants
from chalicelib.groups import Groups
from chalicelib.model import DELETING, READY, FileRecord, is_file_id
from chalicelib.records import Records
from chalicelib.sharing_model import GROUP, USER, Grant

READ = "read"
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="access")
CHANGE = "change"


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


class AccessControl:
    """Decides access from the records, grants and groups stores."""

    def __init__(self, records: Records, grants: Grants, groups: Groups, now: Callable[[], int]) -> None:
        self._records = records
        self._grants = grants
        self._groups = groups
        self._now = now

    def check(self, caller: str, file_id: str, action: str = READ, *, deleting_too: bool = False) -> Access:
        """The caller's access to the file, for ``action``.

        Raises:
            NotFoundError: no such file, or the caller may not reach it.
            ForbiddenError: the caller may read the file but ``action`` is the owner's.
        """
        if not is_file_id(file_id):
            raise file_not_found()
        now = self._now()
        own = self._records.get(caller, file_id)
        if own is not None:
            if own.visible(now) or (deleting_too and own.status == DELETING):
                return Access(own)
            raise file_not_found()
        grants = [g for g in self._grants.for_file(file_id) if g.live(now) and g.owner != caller]
        if not grants:
            raise file_not_found()
        # The file's record and the caller's memberships are independent reads: side by side.
        record_read = _POOL.submit(self._records.get, grants[0].owner, file_id)
        grant = self._chosen(caller, grants)
        record = record_read.result()
        if grant is None or record is None or record.status != READY:
            raise file_not_found()
        if action != READ:
            raise owner_only()
        return Access(record, grant)

    def _chosen(self, caller: str, grants: list[Grant]) -> Grant | None:
        """The caller's newest live grant among the file's (direct, or through a live group)."""
        direct = [g for g in grants if g.grantee.type == USER and g.grantee.id == caller]
        if direct:
            return direct[0]
        by_group = {g.grantee.id: g for g in grants if g.grantee.type == GROUP}
        if not by_group:
            return None
        mine = self._groups.member_of(caller, by_group)
        found = sorted((by_group[g] for g in mine), key=lambda g: g.position, reverse=True)
        return found[0] if found else None
