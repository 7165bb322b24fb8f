"""Locker's consistency invariants, checked over everything stored (``make doctor``, fault tests).

"Nothing is lost" must be checked, not hoped. The invariants:

- every ``ready`` record has exactly one object, of its size and content type;
- no object under ``users/`` lacks a live record, unless younger than the upload window;
- every record's key is under its owner's prefix (its item key matches its owner and id);
- each quota counter equals the sum of its owner's counted records (pending, expired
  or not, and ready: what ``records`` counts until the sweep reclaims it);
- no grant or link points at a missing file;
- no multipart upload outlives its record;
- no record waits for the sweep (expired upload, half-done delete) longer than ``sweep_lag``;
- the group ids a user's inbox keeps (``INBOX#<sub> / GROUPS``, where one was read) are
  exactly the groups of their memberships once known complete, and some of them before:
  every membership change writes both in one transaction (a user without complete ids
  is listed from their memberships instead).

A record is live while it is pending, ready or deleting: an expired pending upload
and a half-done delete still own their key until the sweep finishes them (the last
invariant catches a sweep that never does). The reading is
``inventory.read_inventory``: a full-table Scan, acceptable only in this offline
checker and the sweep's repair pass; Locker's request paths never Scan. A
``Violation`` names ids only: never a URL, token, filename or object key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from chalicelib.inventory import Inventory, read_inventory
from chalicelib.inventory import content_type as stored_type
from chalicelib.model import COUNTED_STATUSES, DELETING, PENDING, READY, FileRecord, id_time, is_file_id
from chalicelib.records import Usage, sweep_at

READY_OBJECT_MISSING = "ready_object_missing"
READY_OBJECT_MISMATCH = "ready_object_mismatch"
ORPHAN_OBJECT = "orphan_object"
RECORD_KEY_MISMATCH = "record_key_mismatch"
QUOTA_DRIFT = "quota_drift"
GRANT_MISSING_FILE = "grant_missing_file"
LINK_MISSING_FILE = "link_missing_file"
UPLOAD_OUTLIVES_RECORD = "upload_outlives_record"
SWEEP_OVERDUE = "sweep_overdue"
GROUP_IDS_DRIFT = "group_ids_drift"
KINDS = (
    READY_OBJECT_MISSING,
    READY_OBJECT_MISMATCH,
    ORPHAN_OBJECT,
    RECORD_KEY_MISMATCH,
    QUOTA_DRIFT,
    GRANT_MISSING_FILE,
    LINK_MISSING_FILE,
    UPLOAD_OUTLIVES_RECORD,
    SWEEP_OVERDUE,
    GROUP_IDS_DRIFT,
)
# Two hourly sweeps: a record due longer than this was missed, not merely not reached yet.
SWEEP_LAG = 2 * 3600
LIVE_STATUSES = (PENDING, READY, DELETING)
# The stored Content-Type of an object ("" if none), or None when it is gone.
TypeOf = Callable[[str], str | None]
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Violation:
    """One broken invariant: its kind, the ids it concerns and what is wrong (no names, no URLs)."""

    kind: str
    owner: str | None = None
    file_id: str | None = None
    ref: str | None = None  # a grant, link or upload id, or a hash of an unexpected object key
    detail: str = ""
    # The object key a repair acts on: never printed, never compared.
    target: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        ids = [f"{n}={v}" for n, v in (("owner", self.owner), ("file", self.file_id), ("ref", self.ref)) if v]
        return " ".join([self.kind, *ids, self.detail]).strip()


def _key_ids(key: str) -> tuple[str | None, str | None, str | None]:
    """(owner, file id, ref) naming an object key safely: an unexpected key only by its hash."""
    parts = key.split("/")
    if len(parts) == 3 and _SAFE_ID.match(parts[1]) and is_file_id(parts[2]):
        return parts[1], parts[2], None
    return None, None, "key#" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _live_keys(found: Inventory) -> dict[str, FileRecord]:
    return {r.key: r for r in found.records.values() if r.status in LIVE_STATUSES}


def _ready(found: Inventory, content_type: TypeOf) -> Iterator[Violation]:
    sizes = {o.key: o.size for o in found.objects}
    for record in found.records.values():
        if record.status != READY:
            continue
        if record.key not in sizes:
            yield Violation(READY_OBJECT_MISSING, record.owner, record.id, detail="no object at its key")
            continue
        if sizes[record.key] != record.size:
            detail = f"object size {sizes[record.key]}, record size {record.size}"
            yield Violation(READY_OBJECT_MISMATCH, record.owner, record.id, detail=detail)
            continue
        stored = content_type(record.key)
        if stored is not None and stored != record.content_type:
            yield Violation(READY_OBJECT_MISMATCH, record.owner, record.id, detail="content type differs")


def _orphans(found: Inventory, now: int, window: int) -> Iterator[Violation]:
    live = _live_keys(found)
    for obj in found.objects:
        if obj.key not in live and obj.modified <= now - window:
            owner, file_id, ref = _key_ids(obj.key)
            detail = f"{now - obj.modified}s old, no live record"
            yield Violation(ORPHAN_OBJECT, owner, file_id, ref, detail, target=obj.key)
    recorded = {r.key: r for r in found.records.values()}
    for upload in found.uploads:
        record = recorded.get(upload.key)
        if record is not None and record.status in (PENDING, DELETING):
            continue
        owner, file_id, _ = _key_ids(upload.key)
        # A Locker upload starts just before its record is written; its id dates it even
        # where storage's Initiated does not (moto's is a constant).
        started = max(upload.initiated, id_time(file_id) if file_id else 0)
        if record is not None or started <= now - window:
            state = f"record {record.status}" if record else "no record"
            yield Violation(
                UPLOAD_OUTLIVES_RECORD, owner, file_id, upload.upload_id, state, target=upload.key
            )


def _quota(found: Inventory) -> Iterator[Violation]:
    sums: dict[str, Usage] = {}
    for r in found.records.values():
        if r.status in COUNTED_STATUSES:
            used = sums.get(r.owner, Usage())
            sums[r.owner] = Usage(used.bytes + r.size, used.files + 1)
    for owner in sorted(set(sums) | set(found.counters)):
        counted, counter = sums.get(owner, Usage()), found.counters.get(owner, Usage())
        if counted != counter:
            detail = (
                f"counter {counter.bytes}B/{counter.files} files, records {counted.bytes}B/{counted.files}"
            )
            yield Violation(QUOTA_DRIFT, owner, detail=detail)


def _references(found: Inventory) -> Iterator[Violation]:
    files = {r.id: r.owner for r in found.records.values()}
    owners = {(r.kind, r.ref_id): r.owner for r in found.references if r.owner}  # a link's pointer has none
    for ref in found.references:
        owner = ref.owner or owners.get((ref.kind, ref.ref_id))
        if ref.file_id not in files or (owner is not None and files[ref.file_id] != owner):
            kind = GRANT_MISSING_FILE if ref.kind == "grant" else LINK_MISSING_FILE
            yield Violation(kind, owner, ref.file_id, ref.ref_id, "its file has no record")


def _overdue(found: Inventory, now: int, lag: int) -> Iterator[Violation]:
    for record in found.records.values():
        due = sweep_at(record)
        if due is not None and due <= now - lag:
            yield Violation(
                SWEEP_OVERDUE, record.owner, record.id, detail=f"{record.status} for {now - due}s"
            )


def _group_ids(found: Inventory) -> Iterator[Violation]:
    for user, kept in found.inbox_groups.items():
        members_of = found.memberships.get(user, set())
        # Complete ids equal the memberships; ids not yet known complete are some of them.
        drifted = kept != members_of if user in found.complete_groups else not kept <= members_of
        if drifted:
            detail = f"inbox keeps {len(kept)} group ids, memberships name {len(members_of)}"
            yield Violation(GROUP_IDS_DRIFT, user, detail=detail)


def check(
    found: Inventory, content_type: TypeOf, now: int, upload_window: int, sweep_lag: int = SWEEP_LAG
) -> list[Violation]:
    """Every violation in ``found``, once each; ``content_type`` heads a ready record's object."""
    bad = [Violation(RECORD_KEY_MISMATCH, b.owner, b.file_id, detail=b.detail) for b in found.bad_records]
    found_all = [
        *bad,
        *_ready(found, content_type),
        *_orphans(found, now, upload_window),
        *_quota(found),
        *_references(found),
        *_overdue(found, now, sweep_lag),
        *_group_ids(found),
    ]
    return list(dict.fromkeys(found_all))  # a grant's summary entry and its item: one violation


def find_violations(
    s3_client: Any,
    dynamodb_client: Any,
    bucket: str,
    table: str,
    now: int,
    upload_window: int,
    sweep_lag: int = SWEEP_LAG,
) -> list[Violation]:
    """Read everything stored (plain boto3 clients: in-process moto, the emulator or AWS) and check it.

    ``upload_window``: how long an object may sit without a record (an upload
    landing as its record goes), in seconds; ``sweep_lag``: how long a record may
    wait for the sweep.
    """
    found = read_inventory(s3_client, dynamodb_client, bucket, table)
    return check(found, partial(stored_type, s3_client, bucket), now, upload_window, sweep_lag)
