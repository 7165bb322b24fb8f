"""``POST /uploads/sign``: Uppy's ``signRequest`` contract, with ownership checked on every request.

Uppy's own signer signs whatever ``{method, key, uploadId}`` it is sent. This one
chooses the key itself when an upload starts (creating the pending file like
``POST /files``: same rules, quota and errors), and afterwards signs only for a
key of one of the caller's pending files and the one upload id recorded for it.
The browser learns that id from storage, so the first id the owner names is
recorded once storage confirms the upload exists for that key; any other id
is a 404 from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import config, multipart, upload_requests
from chalicelib.errors import BadRequestError, file_not_found
from chalicelib.model import CLIENT_MULTIPART_UPLOAD, MULTIPART_UPLOAD, PENDING, PUT_UPLOAD, FileRecord
from chalicelib.storage import Presigned
from chalicelib.trail import user_actor
from chalicelib.upload_requests import SignRequest

if TYPE_CHECKING:
    from chalicelib.service import Locker


def _answer(presigned: Presigned, key: str | None = None) -> dict[str, Any]:
    # Content-Length is a browser-forbidden header: the URL still signs it, and
    # the browser sends the real length of what it uploads.
    headers = {k: v for k, v in presigned.headers.items() if k.lower() != "content-length"}
    answer: dict[str, Any] = {"url": presigned.url}
    if key is not None:
        answer["key"] = key
    if headers:
        answer["headers"] = headers
    return answer


class UppySigner:
    """Signs one caller's S3 requests for Uppy's ``@uppy/aws-s3`` 6.x."""

    def __init__(self, locker: Locker) -> None:
        self._locker = locker

    def sign_body(self, owner: str, body: Any) -> dict[str, Any]:
        """``sign`` for a JSON body, read as Uppy's ``PresignableRequest`` first.

        Raises:
            BadRequestError: the body is no PresignableRequest; and whatever ``sign`` raises.
        """
        return self.sign(owner, upload_requests.sign_request(body))

    def sign(self, owner: str, request: SignRequest) -> dict[str, Any]:
        """Uppy's ``PresignedResponse`` for ``request``.

        Raises:
            BadRequestError: an operation Locker does not sign, or a bad declaration.
            NotFoundError: a key or upload id that is not one of the caller's pending uploads.
            TooManyRequestsError: starting an upload would exceed the quota.
        """
        longest = self._locker.settings.upload_expires
        lifetime = min(request.expires_in or longest, longest)
        if request.starts_upload:
            return self._start(owner, request, lifetime)
        upload_id = request.upload_id
        if upload_id is None:  # upload_requests.sign_request refuses this already
            raise BadRequestError(upload_requests.UNSIGNABLE)
        record = self._pending(owner, request.key)
        self._bind(record, upload_id)
        storage, key = self._locker.storage, record.key
        if request.method == "PUT":
            return _answer(self._part(record, upload_id, request.part_number or 0, lifetime))
        if request.method == "GET":
            return _answer(storage.presign_list_parts(key, upload_id, lifetime))
        if request.method == "POST":
            return _answer(storage.presign_complete(key, upload_id, lifetime))
        # DELETE: the owner abandons the upload; the file goes as with DELETE /files/{id}
        # (the same first step: quota back and a `deleted` entry now; the sweep aborts
        # whatever the browser leaves in storage and removes the record).
        self._locker.begin_delete(record, user_actor(owner))
        return _answer(storage.presign_abort(key, upload_id, lifetime))

    def _start(self, owner: str, request: SignRequest, lifetime: int) -> dict[str, Any]:
        declared = upload_requests.new_file(request, self._locker.settings)
        storage = self._locker.storage
        if request.method == "PUT":
            if declared.size > config.MAX_PUT_SIZE:
                raise BadRequestError(f"size above {config.MAX_PUT_SIZE} must be sent as a multipart upload")
            record = self._locker.draft(owner, declared, PUT_UPLOAD)
            put = storage.presign_put(record.key, record.content_type, record.size, None, lifetime)
            self._locker.reserve(record)  # signed first: a signing failure leaves nothing behind
            return _answer(put, record.key)
        record = self._locker.draft(owner, declared, CLIENT_MULTIPART_UPLOAD)
        create = storage.presign_create(record.key, record.content_type, lifetime)
        self._locker.reserve(record)
        return _answer(create, record.key)

    def _pending(self, owner: str, key: str | None) -> FileRecord:
        """The caller's own pending multipart file at ``key``.

        Raises:
            ForbiddenError: the caller was only granted the file (the one access check).
            NotFoundError: anything else: no such key, someone else's, not a pending multipart file.
        """
        parts = (key or "").split("/")
        if len(parts) != 3 or parts[0] != "users":
            raise file_not_found()
        record = self._locker.own(owner, parts[2])
        if record.key != key or record.status != PENDING or not record.multipart:
            raise file_not_found()
        return record

    def _bind(self, record: FileRecord, upload_id: str) -> None:
        """Accept ``upload_id`` only if it is (or now becomes) the one recorded for the file."""
        if record.upload_id is None and record.upload_kind == CLIENT_MULTIPART_UPLOAD:
            if not self._locker.storage.upload_exists(record.key, upload_id):
                raise file_not_found()
            if not self._locker.records.set_upload_id(record, upload_id):
                current = self._locker.records.get(record.owner, record.id)
                if current is None or current.upload_id != upload_id:
                    raise file_not_found()
            return
        if record.upload_id != upload_id:
            raise file_not_found()

    def _part(self, record: FileRecord, upload_id: str, number: int, lifetime: int) -> Presigned:
        size = None
        if record.upload_kind == MULTIPART_UPLOAD:  # Locker chose the part size: pin the length
            if number > multipart.part_count(record):
                raise BadRequestError(
                    f"partNumber must be an integer from 1 to {multipart.part_count(record)}"
                )
            size = multipart.part_length(record, number)
        return self._locker.storage.presign_part(record.key, upload_id, number, size, None, lifetime)
