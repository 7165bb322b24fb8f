"""Locker's use cases: each combines the ownership records with the bucket.

The owner always comes from the verified token; ids from the client are only
ever looked up under that owner, so another user's file is simply not found.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib import cursor, failures, metrics, multipart
from chalicelib.config import Settings
from chalicelib.errors import (
    ConflictError,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnprocessableEntityError,
)
from chalicelib.model import (
    CHANGE,
    DELETING,
    MULTIPART_UPLOAD,
    PENDING,
    PUT_UPLOAD,
    READ,
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
from chalicelib.trail import SYSTEM, Trail, user_actor
from chalicelib.validation import ListQuery, NewFile

if TYPE_CHECKING:
    from chalicelib.access import AccessControl
    from chalicelib.completion import Completion
    from chalicelib.fanout import FanOut
    from chalicelib.stores import SharingStores

log = logging.getLogger("locker.files")
# A page of GET /files costs at most LIST_ROUNDS queries; with a status filter each
# reads FILTERED_READ records (or limit + 1, if more), matching or not.
LIST_ROUNDS = 3
FILTERED_READ = 100


def _upload(presigned: Presigned) -> dict[str, Any]:
    return {
        "method": presigned.method,
        "url": presigned.url,
        "headers": presigned.headers,
        "expiresAt": iso(presigned.expires_at),
    }


class Locker:
    """The files API, independent of HTTP.

    What a file's own upload does not need (the permission check for others'
    files, the "shared with me" fan-out, completion) is built on first use, so a
    cold ``POST /files`` never imports the sharing code.
    """

    def __init__(
        self,
        settings: Settings,
        records: Records,
        storage: MultipartStorage,
        clock: Callable[[], float] = time.time,
        stores: SharingStores | None = None,
    ) -> None:
        self.settings = settings
        self.records = records
        self.storage = storage
        self._clock = clock
        self.clock = clock
        self.stores = stores if stores is not None else _in_memory_stores()
        self.trail = Trail(self.stores.activity, settings.cursor_key, clock)

    @cached_property
    def access(self) -> AccessControl:
        """The one permission check on a file, against this Locker's stores."""
        from chalicelib.access import AccessControl

        return AccessControl(self.records, self.stores.grants, self.stores.groups, self._now)

    @cached_property
    def fanout(self) -> FanOut:
        """Keeps grantees' "shared with me" entries in step with grants and memberships."""
        from chalicelib.fanout import FanOut

        return FanOut(self.stores.grants, self.stores.groups, self.stores.inbox)

    @cached_property
    def _completion(self) -> Completion:
        from chalicelib.completion import Completion

        return Completion(self.records, self.storage, self._now, self._completed)

    def _now(self) -> int:
        return int(self._clock())

    def _owned(self, owner: str, file_id: str, *, deleting_too: bool = False) -> FileRecord:
        """The caller's own visible record (or half-deleted one, if asked).

        Raises:
            NotFoundError: the one 404 for unknown, malformed, gone and unreachable files.
            ForbiddenError: the caller may only read this file (a grantee).
        """
        return self.access.check(owner, file_id, CHANGE, deleting_too=deleting_too).record

    def _completed(self, record: FileRecord) -> None:
        kind = "uploaded" if record.status == READY else "rejected"
        detail = {"reason": record.rejected_reason} if record.rejected_reason else {}
        self.trail.add_committed(record.id, record.owner, kind, SYSTEM, detail)

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
            record = self.reserve(self.draft(owner, declared, MULTIPART_UPLOAD))
            return {"file": record.to_api(), "upload": multipart.declaration(record)}
        record = self.draft(owner, declared)
        # Signed before anything is written: a signing failure (503) leaves nothing behind.
        upload = self.storage.presign_put(
            record.key, record.content_type, record.size, record.sha256, self.settings.upload_expires
        )
        self.reserve(record)
        return {"file": record.to_api(), "upload": _upload(upload)}

    def draft(self, owner: str, declared: NewFile, kind: str = PUT_UPLOAD) -> FileRecord:
        """The pending record a declaration would make; nothing is written yet (sign its URLs now)."""
        now_ms = int(self._clock() * 1000)
        now = now_ms // 1000
        return FileRecord(
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

    def reserve(self, record: FileRecord) -> FileRecord:
        """Record a drafted file and reserve its quota; a Locker multipart upload also starts in storage.

        A refusal (quota) or a failure leaves nothing behind: the upload started
        for it is aborted, even one whose start was answered with a failure.

        Raises:
            TooManyRequestsError: the owner's quota (bytes or files) is used up.
        """
        if record.upload_kind != MULTIPART_UPLOAD:
            self._admit(record)
            return record
        part_size, _ = multipart.plan(record.size, self.settings.part_size)
        try:
            upload_id = self.storage.create_multipart(record.key, record.content_type)
        except ServiceUnavailableError:
            # The answer may be lost after storage started the upload: the key is new, so
            # any upload it has is this one's, and must not outlive the record never made.
            with contextlib.suppress(ServiceUnavailableError):
                self.storage.abort_uploads(record.key)
            raise
        record = record.evolve(upload_id=upload_id, part_size=part_size)
        try:
            self._admit(record)
        except Exception:
            self.storage.abort_uploads(record.key)  # nothing half-made stays behind
            raise
        return record

    def _admit(self, record: FileRecord) -> None:
        quota = Quota(self.settings.quota_bytes, self.settings.quota_files)
        # The file and its "created" event commit together: neither exists without the other.
        created = self.trail.write(
            record.id, record.owner, "created", user_actor(record.owner), {"filename": record.filename}
        )
        try:
            self.records.create(record, quota, (created,))
        except QuotaExceeded:
            # Abandoned uploads may still hold quota that DynamoDB's TTL has not
            # given back yet: reclaim them, then try once more.
            if not self.sweep(record.owner):
                metrics.count(metrics.QUOTA_REFUSALS)
                raise TooManyRequestsError("quota exceeded") from None
            try:
                self.records.create(record, quota, (created,))
            except QuotaExceeded:
                metrics.count(metrics.QUOTA_REFUSALS)
                raise TooManyRequestsError("quota exceeded") from None
        metrics.count(metrics.UPLOADS_CREATED)

    def get(self, owner: str, file_id: str) -> dict[str, Any]:
        """A file the caller owns or was granted."""
        return {"file": self.access.check(owner, file_id, READ).to_api()}

    def list(self, owner: str, query: ListQuery) -> dict[str, Any]:
        """The caller's files, newest first, one page at a time, for at most ``LIST_ROUNDS`` queries.

        A filter that matches little can end a page short (even empty) with a
        cursor, rather than read on: a page's cost never depends on the other files.

        Raises:
            BadRequestError: the cursor is tampered with, someone else's or another list's.
        """
        scope = f"files?status={query.status or ''}"
        after = cursor.decode(self.settings.cursor_key, owner, query.cursor, scope) if query.cursor else None
        now = self._now()
        wanted = query.limit + 1  # one extra visible item tells whether a next page exists
        read = wanted if query.status is None else max(wanted, FILTERED_READ)
        items: list[FileRecord] = []
        for _ in range(LIST_ROUNDS):
            batch, after = self.records.page(owner, after, read, query.status)
            items += [r for r in batch if r.visible(now)]
            if after is None or len(items) >= wanted:
                break
        page = items[: query.limit]
        resume = page[-1].id if len(items) > query.limit else after
        next_cursor = cursor.encode(self.settings.cursor_key, owner, resume, scope) if resume else None
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
        record = self.access.check(owner, file_id, READ).record
        if record.status != READY:
            raise ConflictError(f"file is {record.status}, only ready files can be downloaded")
        self.trail.add(record.id, record.owner, "download_issued", user_actor(owner))
        url = self.storage.presign_get(
            record.key, record.filename, record.content_type, self.settings.download_expires
        )
        metrics.count(metrics.DOWNLOADS_ISSUED)
        return {"url": url.url, "expiresAt": iso(url.expires_at), "method": url.method}

    def delete(self, owner: str, file_id: str) -> None:
        """Remove the object, its grants and links, the record and its quota.

        The commit point is the record turning ``deleting`` (its quota back, unreachable by
        anyone): after it the delete has happened, so a failure of a later step still
        answers 204, and a retry or the sweep finishes what is left.
        """
        self._delete(self._owned(owner, file_id, deleting_too=True), user_actor(owner))

    def begin_delete(self, record: FileRecord, actor: dict[str, str]) -> FileRecord:
        """The first step of every delete, one transaction: unreachable, quota back, its
        ``deleted`` event, and (a ready file, the only kind with grants) its grants marked as
        going away, so "shared with me" stops showing it at once.

        What is left (bytes, grants, links, the record) a retry or the sweep finishes.

        Raises:
            ConflictError: the file changed meanwhile.
        """
        also = [self.trail.write(record.id, record.owner, "deleted", actor, {"filename": record.filename})]
        if record.status == READY:
            also.append(self.stores.grants.write_deleting(record.id))
        if not self.records.begin_delete(record, self._now(), also):
            raise ConflictError("file changed while deleting, try again")
        return record.evolve(status=DELETING)

    def _delete(self, record: FileRecord, actor: dict[str, str]) -> None:
        if record.status != DELETING:
            record = self.begin_delete(record, actor)
        try:
            with failures.unclassified("finishing a delete"):
                self._drop_bytes(record)
                for grant in self.stores.grants.for_file(record.id):
                    self.fanout.revoked(grant)  # group grants' entries; user grants' go with them below
                self.stores.grants.remove_all(record.id)
                self.stores.links.remove_all(record.id)
                self.records.finish_delete(record)
        except ServiceUnavailableError:
            # Past the commit point: the file is gone for everyone (``deleting`` is visible to
            # no one), so the delete has happened; a retry or the sweep finishes the rest.
            log.info("delete of %s left for the sweep", record.id)

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
        """Finish what was abandoned: expired uploads, half-done deletes. Returns how many.

        For one owner (a quota refusal) it also recounts their quota, which gives
        back what records DynamoDB's TTL removed took (one Query of their partition).
        """
        now = self._now()
        done = 0 if owner is None or self.records.recount(owner) is None else 1
        for item_owner, file_id in self.records.due(now, owner):
            record = self.records.get(item_owner, file_id)
            if record is None:
                continue
            if record.status == DELETING:
                self._delete(record, SYSTEM)
                done += 1
            elif record.expired(now):
                self._drop_bytes(record)
                done += self.records.reclaim(record, now)
        return done


def _in_memory_stores() -> SharingStores:
    from chalicelib.stores import InMemoryStores

    return InMemoryStores()
