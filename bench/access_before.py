"""P6's control: the access check as it was before it read everything in one round trip.

Three rounds in a row for a grantee (the caller's own record; the file's grant summary; then
the caller's memberships beside the owner's record), one GetItem for the owner, on the same
stores and decision rule as ``chalicelib.access``. ``three_rounds`` swaps it in for one
Locker's check while P6 times the control row, so the ratio before and after comes from the
same run, on the same machine load.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from chalicelib.access import Access
from chalicelib.errors import file_not_found, owner_only
from chalicelib.model import DELETING, READ, READY, is_file_id
from chalicelib.service import Locker
from chalicelib.sharing_model import GROUP, USER, Grant


def _check(locker: Locker, pool: ThreadPoolExecutor) -> Any:
    records, grants, groups = locker.records, locker.stores.grants, locker.stores.groups

    def chosen(caller: str, found: list[Grant]) -> Grant | None:
        direct = [g for g in found if g.grantee.type == USER and g.grantee.id == caller]
        if direct:
            return direct[0]
        by_group = {g.grantee.id: g for g in found if g.grantee.type == GROUP}
        mine = groups.member_of(caller, by_group) if by_group else set()
        return max((by_group[g] for g in mine), key=lambda g: g.position, default=None)

    def check(caller: str, file_id: str, action: str = READ, *, deleting_too: bool = False) -> Access:
        if not is_file_id(file_id):
            raise file_not_found()
        now = locker.now()
        own = records.get(caller, file_id)
        if own is not None:
            if own.visible(now) or (deleting_too and own.status == DELETING):
                return Access(own)
            raise file_not_found()
        live = [g for g in grants.for_file(file_id) if g.live(now) and g.owner != caller]
        if not live:
            raise file_not_found()
        record_read = pool.submit(records.get, live[0].owner, file_id)
        grant = chosen(caller, live)
        record = record_read.result()
        if grant is None or record is None or record.status != READY:
            raise file_not_found()
        if action != READ:
            raise owner_only()
        return Access(record, grant)

    return check


@contextmanager
def three_rounds(locker: Locker) -> Iterator[None]:
    """Inside the block, ``locker`` (and every use case sharing its AccessControl) checks the old way."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="access-before") as pool:
        locker.access.check = _check(locker, pool)  # type: ignore[method-assign]
        try:
            yield
        finally:
            del locker.access.check
