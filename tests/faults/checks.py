"""What must hold once the sweep has run after a fault: Locker's invariants, and finished purges.

The invariants are ``chalicelib.invariants`` (the checker ``make doctor`` runs),
read straight from the table and the bucket. The harness adds what the sweep
must also finish that they do not cover: a deleted group's purge (its marker,
its members' memberships and its grants gone).
"""

from __future__ import annotations

from typing import Any

from chalicelib import invariants
from tests.unit.conftest import BUCKET, TABLE

UPLOAD_WINDOW = 300  # the upload URL lifetime: how long an object may wait for its record


def _items(db: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in db.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True):
        items += page["Items"]
    return items


def unfinished_purges(db: Any) -> list[str]:
    """Leftovers of deleted groups: a purge marker, memberships or grants of a group with no record."""
    items = _items(db)
    groups = {i["pk"]["S"].removeprefix("GROUP#") for i in items if i["sk"]["S"] == "META"}
    found = [f"purge unfinished: {i['sk']['S']}" for i in items if i["pk"]["S"] == "PURGE"]
    for item in items:
        sk = item["sk"]["S"]
        if sk.startswith("MEMBEROF#") and sk.removeprefix("MEMBEROF#") not in groups:
            found.append(f"membership of a deleted group: {sk}")
        if sk.startswith("GRANT#G#") and sk.removeprefix("GRANT#G#") not in groups:
            found.append(f"grant to a deleted group on {item['pk']['S']}")
    return found


def violations(s3: Any, db: Any, now: float) -> list[str]:
    """Every broken invariant now (empty: all hold)."""
    broken = invariants.find_violations(s3, db, BUCKET, TABLE, int(now), UPLOAD_WINDOW)
    return [str(v) for v in broken] + unfinished_purges(db)
