"""Large files as multipart uploads: how they are cut into parts, and how they are assembled.

Locker chooses the part size (at least the ``LOCKER_PART_SIZE`` setting, never
more than S3's 10,000 parts), so every part but the last has the same length
and every part URL can sign its exact ``Content-Length``. Completion never
trusts a client's part list: it lists what storage holds, names what is
missing or the wrong size (409, the file stays pending), and otherwise
assembles the object with ``If-None-Match: *`` before the usual checks.
"""

from __future__ import annotations

import contextlib
from typing import Any

from chalicelib.errors import ConflictError
from chalicelib.model import MULTIPART_UPLOAD, FileRecord, iso
from chalicelib.multipart_storage import MultipartStorage, NoSuchUpload, StoredPart
from chalicelib.storage import StoredObject

MAX_PARTS = 10_000
_MIB = 1024 * 1024
_NAMED = 20  # part numbers a 409 names before it summarises the rest


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def plan(size: int, minimum: int) -> tuple[int, int]:
    """``(part size, part count)`` for ``size`` bytes: parts of at least ``minimum``, at most 10,000."""
    part = minimum
    if size > minimum * MAX_PARTS:
        part = _ceil_div(_ceil_div(size, MAX_PARTS), _MIB) * _MIB
    return part, max(1, _ceil_div(size, part))


def _part_size(record: FileRecord) -> int:
    if record.part_size is None:
        raise ValueError("not one of Locker's multipart uploads")
    return record.part_size


def part_count(record: FileRecord) -> int:
    """How many parts a Locker multipart upload has."""
    return max(1, _ceil_div(record.size, _part_size(record)))


def part_length(record: FileRecord, number: int) -> int:
    """The exact length of part ``number`` (the last one holds the remainder)."""
    count = part_count(record)
    return _part_size(record) if number < count else record.size - (count - 1) * _part_size(record)


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_NAMED])
    return shown + (f" and {len(numbers) - _NAMED} more" if len(numbers) > _NAMED else "")


def problem(record: FileRecord, stored: list[StoredPart]) -> str | None:
    """Why the stored parts cannot make the declared file yet (None: they can)."""
    if record.upload_kind == MULTIPART_UPLOAD:
        held = {p.number: p.size for p in stored}
        count = part_count(record)
        missing = [n for n in range(1, count + 1) if n not in held]
        wrong = [n for n in range(1, count + 1) if n in held and held[n] != part_length(record, n)]
        reasons = []
        if missing:
            reasons.append(f"missing parts: {_numbers(missing)}")
        if wrong:
            reasons.append(f"parts of the wrong size: {_numbers(wrong)}")
        return "; ".join(reasons) or None
    if not stored:
        return "upload not received yet"
    total = sum(p.size for p in stored)
    if total != record.size:
        return f"the parts hold {total} bytes, {record.size} were declared"
    return None


def assemble(storage: MultipartStorage, record: FileRecord) -> StoredObject | None:
    """Complete the record's multipart upload from what storage holds; the object, or None.

    Raises:
        ConflictError: parts are missing or the wrong size (nothing changes, the file stays pending).
    """
    if record.upload_id is None:
        return None
    try:
        stored = storage.list_parts(record.key, record.upload_id)
    except NoSuchUpload:
        return storage.head(record.key)  # completed meanwhile (or aborted: then nothing is there)
    found = problem(record, stored)
    if found is not None:
        raise ConflictError(found)
    if record.upload_kind == MULTIPART_UPLOAD:
        stored = [p for p in stored if p.number <= part_count(record)]
    with contextlib.suppress(NoSuchUpload):  # a concurrent completion assembled it first
        storage.complete_multipart(record.key, record.upload_id, stored)
    return storage.head(record.key)


def declaration(record: FileRecord) -> dict[str, Any]:
    """The ``upload`` answer of ``POST /files`` for a Locker multipart upload."""
    return {
        "method": "MULTIPART",
        "partSize": record.part_size,
        "partCount": part_count(record),
        "expiresAt": iso(record.expires_at or record.created_at),
    }
