"""The part routes of Locker's own multipart uploads: part URLs, and what storage already holds.

Everything about the upload (its key, its upload id, each part's length) comes
from the owner's record; the client only names part numbers, and may pin each
part's SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib import multipart, upload_requests
from chalicelib.errors import ConflictError
from chalicelib.model import MULTIPART_UPLOAD, PENDING, FileRecord, iso
from chalicelib.multipart_storage import NoSuchUpload

if TYPE_CHECKING:
    from chalicelib.service import Locker

NOT_MULTIPART = "file is not a pending multipart upload"


class Parts:
    """Part URLs and part listings for one caller's files."""

    def __init__(self, locker: Locker) -> None:
        self._locker = locker

    def _multipart(self, owner: str, file_id: str, *, own_parts: bool) -> FileRecord:
        record = self._locker.own(owner, file_id)
        kind_ok = record.upload_kind == MULTIPART_UPLOAD if own_parts else record.multipart
        if record.status != PENDING or not kind_ok:
            raise ConflictError(NOT_MULTIPART)
        return record

    def sign(self, owner: str, file_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Presigned UploadPart URLs, each pinned to its part's exact length (and sha256 if given).

        Raises:
            NotFoundError: not the caller's file.
            ConflictError: the file is not a pending Locker multipart upload.
            BadRequestError: a malformed body, part number or sha256.
        """
        record = self._multipart(owner, file_id, own_parts=True)
        if record.upload_id is None:
            raise ConflictError(NOT_MULTIPART)
        wanted = upload_requests.part_requests(body, multipart.part_count(record))
        storage, lifetime = self._locker.storage, self._locker.settings.upload_expires
        signed = [
            (
                part.number,
                storage.presign_part(
                    record.key,
                    record.upload_id,
                    part.number,
                    multipart.part_length(record, part.number),
                    part.sha256,
                    lifetime,
                ),
            )
            for part in wanted
        ]
        return {
            "parts": [{"partNumber": n, "url": p.url, "headers": p.headers} for n, p in signed],
            "expiresAt": iso(min(p.expires_at for _, p in signed)),
        }

    def list(self, owner: str, file_id: str) -> dict[str, Any]:
        """The parts storage holds for the caller's pending multipart upload (to resume it).

        Raises:
            NotFoundError: not the caller's file.
            ConflictError: the file is not a pending multipart upload, or its upload is gone.
        """
        record = self._multipart(owner, file_id, own_parts=False)
        if record.upload_id is None:
            return {"parts": []}  # a browser-started upload whose id Locker has not learnt yet
        try:
            stored = self._locker.storage.list_parts(record.key, record.upload_id)
        except NoSuchUpload:
            raise ConflictError("the upload is no longer in progress") from None
        return {"parts": [{"partNumber": p.number, "size": p.size, "etag": p.etag} for p in stored]}
