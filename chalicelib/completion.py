"""Completion: the one check that turns a pending upload into a ready file, or rejects it.

``POST /files/{id}/complete`` and the bucket's Object Created event both run
``Completion.run``. The object must exist and match what was declared (size,
stored type, no content encoding, the checksum when one was declared, first
bytes); a mismatch deletes the object and rejects the file, giving its quota
back. A multipart upload is first assembled from the parts storage holds
(``chalicelib.multipart``). A read that fails is never a mismatch: it answers
503 and changes nothing. ``pending -> ready`` is one conditional write, so any
number of concurrent completions make exactly one transition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from chalicelib import metrics, multipart, sniff
from chalicelib.errors import ConflictError, UnprocessableEntityError, file_not_found
from chalicelib.model import PENDING, READY, REJECTED, FileRecord
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.records import Records
from chalicelib.storage import StoredObject

log = logging.getLogger("locker.files")


class Completion:
    """Completes uploads for one records store and bucket."""

    def __init__(
        self,
        records: Records,
        storage: MultipartStorage,
        now: Callable[[], int],
        notify: Callable[[FileRecord], None] | None = None,
    ) -> None:
        self.records = records
        self.storage = storage
        self._now = now
        self._notify = notify or (lambda _record: None)

    def run(self, record: FileRecord) -> FileRecord:
        """Check the uploaded object against ``record`` and make the file ready.

        Raises:
            ConflictError: the bytes have not arrived yet, or the file was rejected.
            UnprocessableEntityError: the object does not match; it is deleted and the file rejected.
            NotFoundError: the file vanished meanwhile.
            ServiceUnavailableError: storage or the database failed; nothing was changed.
        """
        if record.status == READY:
            return record
        if record.status == REJECTED:
            raise ConflictError(f"file was rejected: {record.rejected_reason}")
        stored = self.storage.head(record.key)
        if stored is None and record.upload_id is not None:
            stored = multipart.assemble(self.storage, record)  # 409 naming missing parts
        if stored is None:
            raise ConflictError("upload not received yet")
        head = self.storage.first_bytes(record.key, sniff.SNIFF_BYTES)
        if head is None:  # gone since HeadObject: another completion rejected it, or a delete
            return self._after_race(record)
        problem = self._mismatch(record, stored, head)
        if problem is None:
            now = self._now()
            if self.records.mark_ready(record, now):
                log.info("file %s is ready", record.id)
                metrics.count(metrics.UPLOADS_COMPLETED)
                ready = record.evolve(status=READY, updated_at=now, expires_at=None)
                self._notify(ready)
                return ready
            return self._after_race(record)
        self.storage.delete(record.key)
        if not self.records.reject(record, problem, self._now()):
            return self._after_race(record)
        log.info("rejected upload %s: %s", record.id, problem)
        metrics.count(metrics.UPLOADS_REJECTED)
        self._notify(record.evolve(status=REJECTED, rejected_reason=problem))
        raise UnprocessableEntityError(f"upload does not match what was declared: {problem}")

    def _mismatch(self, record: FileRecord, stored: StoredObject, head: bytes) -> str | None:
        if stored.size != record.size:
            return f"size is {stored.size} bytes, {record.size} were declared"
        if stored.content_type != record.content_type:
            return f"content type is {stored.content_type or 'missing'}, {record.content_type} was declared"
        if stored.content_encoding is not None:
            # Not signed on the PUT: the uploader attached it, and downloads must not inherit it.
            return "content encoding was not declared"
        # A declared digest is verified or the file is rejected: no stored checksum is no match.
        if record.sha256 is not None and stored.sha256 != record.sha256:
            return "sha256 does not match the declared digest"
        if not sniff.matches(record.content_type, head):
            return f"content is not {record.content_type}"
        return None

    def _after_race(self, record: FileRecord) -> FileRecord:
        """Another completion moved the file first: answer from where it ended up."""
        current = self.records.get(record.owner, record.id)
        if current is None or not current.visible(self._now()):
            raise file_not_found()
        if current.status == PENDING:
            raise ConflictError("upload is being completed, try again")
        return self.run(current)
