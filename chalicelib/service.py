"""Locker's use cases: each combines the ownership records with the bucket.

The owner always comes from the verified token; ids from the client are only
ever looked up under that owner, so another user's file is simply not found.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from chalicelib import cursor, multipart
from chalicelib.completion import Completion
from chalicelib.config import Settings
from chalicelib.errors import ConflictError, TooManyRequestsError, UnprocessableEntityError, file_not_found
from chalicelib.model import (
    DELETING,
    MULTIPART_UPLOAD,
    PENDING,
    PUT_UPLOAD,
    READY,
    REJECTED,
    FileRecord,
    is_file_id,
    iso,
    new_file_id,
)
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.records import Quota, QuotaExceeded, Records
from chalicelib.storage import Presigned
from chalicelib.validation import ListQuery, NewFile

log = logging.getLogger("locker.files")


def _upload(presigned: Presigned) -> dict[str, Any]:
    return {
        "method": presigned.method,
        "url": presigned.url,
        "headers": presigned.headers,
        "expiresAt": iso(presigned.expires_at),
    }


class Locker:
    """The files API, independent of HTTP."""

    def __init__(
        self,
        settings: Settings,
        records: Records,
        storage: MultipartStorage,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.records = records
        self.storage = storage
        self._clock = clock
        self._completion = Completion(records, storage, self._now)

    def _now(self) -> int:
        return int(self._clock())

    def _owned(self, owner: str, file_id: str, *, deleting_too: bool = False) -> FileRecord:
        """The caller's visible record (or half-deleted one, if asked), or the one 404 for everything else."""
        if not is_file_id(file_id):
            raise file_not_found()
        record = self.records.get(owner, file_id)
        if record is None:
            raise file_not_found()
        if not record.visible(self._now()) and not (deleting_too and record.status == DELETING):
            raise file_not_found()
        return record

    def now(self) -> int:
        """The current time in epoch seconds, by this Locker's clock."""
        return self._now()

    def own(self, owner: str, file_id: str) -> FileRecord:
        """The caller's own visible record, or the one 404 for everything else."""
        return self._owned(owner, file_id)

    def create(self, owner: str, declared: NewFile) -> dict[str, Any]:
        """Reserve quota, record a pending file and presign its upload (parts above the threshold).

        Raises:
            TooManyRequestsError: the owner's quota (bytes or files) is used up.
        """
        if declared.size > self.settings.multipart_threshold:
            record = self.reserve(owner, declared, MULTIPART_UPLOAD)
            return {"file": record.to_api(), "upload": multipart.declaration(record)}
        record = self.reserve(owner, declared)
        upload = self.storage.presign_put(
            record.key, record.content_type, record.size, record.sha256, self.settings.upload_expires
        )
        return {"file": record.to_api(), "upload": _upload(upload)}

    def reserve(self, owner: str, declared: NewFile, kind: str = PUT_UPLOAD) -> FileRecord:
        """Record a pending file and reserve its quota; a Locker multipart upload also starts in storage.

        Raises:
            TooManyRequestsError: the owner's quota (bytes or files) is used up.
        """
        now_ms = int(self._clock() * 1000)
        now = now_ms // 1000
        record = FileRecord(
            owner=owner,
            id=new_file_id(now_ms),
            filename=declared.filename,
            content_type=declared.content_type,
            size=declared.size,
            sha256=declared.sha256,
            status=PENDING,
            created_at=now,
            updated_at=now,
            expires_at=now + self.settings.pending_ttl,
            upload_kind=kind,
        )
        if kind != MULTIPART_UPLOAD:
            self._reserve(record)
            return record
        part_size, _ = multipart.plan(record.size, self.settings.part_size)
        upload_id = self.storage.create_multipart(record.key, record.content_type)
        record = record.evolve(upload_id=upload_id, part_size=part_size)
        try:
            self._reserve(record)
        except Exception:
            self.storage.abort_uploads(record.key)  # nothing half-made stays behind
            raise
        return record

    def _reserve(self, record: FileRecord) -> None:
        quota = Quota(self.settings.quota_bytes, self.settings.quota_files)
        try:
            self.records.create(record, quota)
        except QuotaExceeded:
            # Abandoned uploads may still hold quota that DynamoDB's TTL has not
            # given back yet: reclaim them, then try once more.
            if not self.sweep(record.owner):
                raise TooManyRequestsError("quota exceeded") from None
            try:
                self.records.create(record, quota)
            except QuotaExceeded:
                raise TooManyRequestsError("quota exceeded") from None

    def get(self, owner: str, file_id: str) -> dict[str, Any]:
        """The caller's file."""
        return {"file": self._owned(owner, file_id).to_api()}

    def list(self, owner: str, query: ListQuery) -> dict[str, Any]:
        """The caller's files, newest first, one page at a time.

        Raises:
            BadRequestError: the cursor is tampered with or someone else's.
        """
        after = cursor.decode(self.settings.cursor_key, owner, query.cursor) if query.cursor else None
        now = self._now()
        items: list[FileRecord] = []
        more = True
        # Fetch one extra visible item to know whether a next page exists.
        while more and len(items) <= query.limit:
            batch, more = self.records.page(owner, after, query.limit + 1)
            if not batch:
                break
            after = batch[-1].id
            items += [r for r in batch if r.visible(now) and query.status in (None, r.status)]
        page, rest = items[: query.limit], items[query.limit :]
        next_cursor = None
        if rest:
            next_cursor = cursor.encode(self.settings.cursor_key, owner, page[-1].id)
        return {"items": [r.to_api() for r in page], "nextCursor": next_cursor}

    def complete(self, owner: str, file_id: str) -> dict[str, Any]:
        """Check the uploaded object against the declaration and make the file ready.

        Raises:
            ConflictError: the bytes have not arrived yet, or the file was rejected.
            UnprocessableEntityError: the object does not match; it is deleted and the file rejected.
        """
        return {"file": self._completion.run(self._owned(owner, file_id)).to_api()}

    def download(self, owner: str, file_id: str) -> dict[str, Any]:
        """A short-lived GET URL for a ready file.

        Raises:
            ConflictError: the file is not ready.
        """
        record = self._owned(owner, file_id)
        if record.status != READY:
            raise ConflictError(f"file is {record.status}, only ready files can be downloaded")
        url = self.storage.presign_get(
            record.key, record.filename, record.content_type, self.settings.download_expires
        )
        return {"url": url.url, "expiresAt": iso(url.expires_at), "method": url.method}

    def delete(self, owner: str, file_id: str) -> None:
        """Remove the object, the record and its quota; a retry finishes a half-done delete."""
        self._delete(self._owned(owner, file_id, deleting_too=True))

    def _delete(self, record: FileRecord) -> None:
        if record.status != DELETING:
            if not self.records.begin_delete(record, self._now()):
                raise ConflictError("file changed while deleting, try again")
            record = record.evolve(status=DELETING)
        self._drop_bytes(record)
        self.records.finish_delete(record)

    def _drop_bytes(self, record: FileRecord) -> None:
        """Remove the object and, for multipart files, every upload still in progress for its key."""
        self.storage.delete(record.key)
        if record.multipart:
            self.storage.abort_uploads(record.key)

    def object_created(self, key: str) -> None:
        """Bucket event: complete the upload, or remove bytes nobody may keep."""
        parts = key.split("/")
        if len(parts) != 3 or parts[0] != "users" or not is_file_id(parts[2]):
            log.warning("ignoring object outside users/<sub>/<id>")
            return
        record = self.records.get(parts[1], parts[2])
        if record is None or record.status in (REJECTED, DELETING) or record.expired(self._now()):
            self.storage.delete(key)
            return
        try:
            self._completion.run(record)
        except (ConflictError, UnprocessableEntityError) as exc:
            log.info("completion of %s from the bucket event: %s", record.id, exc)

    def sweep(self, owner: str | None = None) -> int:
        """Finish what was abandoned: expired uploads, half-done deletes. Returns how many."""
        now = self._now()
        done = 0
        for item_owner, file_id in self.records.due(now, owner):
            record = self.records.get(item_owner, file_id)
            if record is None:
                continue
            if record.status == DELETING:
                self._delete(record)
                done += 1
            elif record.expired(now):
                self._drop_bytes(record)
                done += self.records.reclaim(record, now)
        return done
