"""The file record: what Locker knows about one upload, and how clients see it."""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any, NamedTuple

PENDING = "pending"
READY = "ready"
REJECTED = "rejected"
DELETING = "deleting"
VISIBLE_STATUSES = (PENDING, READY, REJECTED)
# What a caller asks to do with a file (``access.AccessControl.check``): a grantee may
# READ (get and download); only the owner may CHANGE (delete, share, complete, ...).
READ = "read"
CHANGE = "change"
# Statuses whose bytes count against the owner's quota.
COUNTED_STATUSES = (PENDING, READY)
# How the bytes arrive: one presigned PUT; parts Locker signs with their exact
# lengths (POST /files above the threshold); or parts the browser sizes itself
# (Uppy's signRequest flow), whose upload id storage tells the browser.
PUT_UPLOAD = "put"
MULTIPART_UPLOAD = "multipart"
CLIENT_MULTIPART_UPLOAD = "client-multipart"

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_LENGTH = 36
_ID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{36}$")


def new_file_id(now_ms: int | None = None) -> str:
    """A random, unguessable id that sorts by creation time.

    48 bits of milliseconds (like a ULID, so ids sort newest-last) followed by
    128 random bits, in Crockford base32: 36 characters.
    """
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 128) | secrets.randbits(128)
    chars = []
    for _ in range(_ID_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "".join(reversed(chars))


def id_time(file_id: str) -> int:
    """When ``new_file_id`` made ``file_id``, in epoch seconds (its first 48 bits are milliseconds)."""
    value = 0
    for char in file_id:
        value = value * 32 + _CROCKFORD.index(char)
    return (value >> 128) // 1000


def is_file_id(value: str) -> bool:
    """Whether ``value`` has the shape of an id Locker hands out."""
    return bool(_ID_RE.match(value))


def object_key(owner: str, file_id: str) -> str:
    """The S3 key of a file: derived from the verified owner, never from the client."""
    return f"users/{owner}/{file_id}"


def iso(epoch: float) -> str:
    """An ISO 8601 UTC timestamp with a ``Z``, to the second."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FileRecord(NamedTuple):
    """One file owned by one user. ``expires_at`` is set while the upload is pending."""

    owner: str
    id: str
    filename: str
    content_type: str
    size: int
    sha256: str | None
    status: str
    created_at: int
    updated_at: int
    expires_at: int | None = None
    rejected_reason: str | None = None
    upload_kind: str = PUT_UPLOAD
    upload_id: str | None = None
    part_size: int | None = None

    @property
    def key(self) -> str:
        """Where the bytes live in the bucket."""
        return object_key(self.owner, self.id)

    @property
    def multipart(self) -> bool:
        """Whether the bytes arrive as a multipart upload (which storage must abort if abandoned)."""
        return self.upload_kind != PUT_UPLOAD

    @property
    def counted(self) -> bool:
        """Whether this file counts against the owner's quota."""
        return self.status in COUNTED_STATUSES

    def expired(self, now: float) -> bool:
        """A pending upload past its lifetime: treated as gone everywhere."""
        return self.status == PENDING and self.expires_at is not None and self.expires_at <= now

    def visible(self, now: float) -> bool:
        """Whether the owner may see this record at all."""
        return self.status in VISIBLE_STATUSES and not self.expired(now)

    def evolve(self, **changes: Any) -> FileRecord:
        """A copy with ``changes`` applied."""
        return self._replace(**changes)

    def to_api(self) -> dict[str, Any]:
        """The File object of the HTTP contract."""
        return {
            "id": self.id,
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "status": self.status,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "rejectedReason": self.rejected_reason,
            "access": "owner",
        }


def card(record: FileRecord) -> str:
    """What a ready file shows (its fields but owner, id and status) as compact JSON.

    A ready file's fields never change (its only way out of ready is deleting), so a
    copy kept beside a grant stays true while the grant does: ``GET /shared`` shows it
    without reading the record.
    """
    fields = [record.filename, record.content_type, record.size, record.sha256]
    return json.dumps([*fields, record.created_at, record.updated_at], separators=(",", ":"))


def from_card(owner: str, file_id: str, text: str | None) -> FileRecord | None:
    """The ready record a ``card`` copied; None without one, or one that does not parse
    (the reader then reads the record itself).
    """
    if text is None:
        return None
    try:
        filename, content_type, size, sha256, created_at, updated_at = json.loads(text)
        return FileRecord(
            owner,
            file_id,
            str(filename),
            str(content_type),
            int(size),
            None if sha256 is None else str(sha256),
            READY,
            int(created_at),
            int(updated_at),
        )
    except (TypeError, ValueError):
        return None
