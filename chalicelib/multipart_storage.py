"""The bucket's multipart calls: create, sign parts, list, complete and abort uploads.

Large files never pass through Locker either: it creates the upload, signs one
URL per part (pinning the part's exact length, and its SHA-256 when the client
gives one) and completes the upload itself from what storage lists, with
``If-None-Match: *`` so that a completed object can never be replaced. The same
class presigns the raw S3 operations Uppy's ``signRequest`` flow sends from the
browser. Every S3 answer it does not understand is a 503 (``chalicelib.failures``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.failures import error_code, unavailable, unclassified
from chalicelib.storage import Presigned, Storage


class StoredPart(NamedTuple):
    """One part storage holds for an upload (``etag`` without S3's quotes)."""

    number: int
    size: int
    etag: str


class NoSuchUpload(Exception):
    """Storage has no multipart upload with that id for that key."""


def _no_such_upload(exc: ClientError) -> bool:
    return error_code(exc) in ("NoSuchUpload", "404")


class MultipartStorage(Storage):
    """``Storage`` plus multipart uploads."""

    def _request(
        self, method: str, operation: str, params: dict[str, Any], headers: dict[str, str], expires: int
    ) -> Presigned:
        lifetime = self._lifetime(expires)
        now = int(self._clock())
        url = self._presign(operation, {"Bucket": self._bucket, **params}, lifetime)
        return Presigned(method, url, headers, now + lifetime)

    def create_multipart(self, key: str, content_type: str) -> str:
        """Start a multipart upload whose object will carry ``content_type``; returns its id."""
        with unclassified("S3 CreateMultipartUpload"):
            created = self._s3.create_multipart_upload(Bucket=self._bucket, Key=key, ContentType=content_type)
        return str(created["UploadId"])

    def presign_part(
        self, key: str, upload_id: str, number: int, size: int | None, sha256: str | None, expires: int
    ) -> Presigned:
        """An UploadPart URL for part ``number``: its length (when known) and checksum are signed."""
        params: dict[str, Any] = {"Key": key, "UploadId": upload_id, "PartNumber": number}
        headers: dict[str, str] = {}
        if size is not None:
            params["ContentLength"] = size
            headers["Content-Length"] = str(size)
        if sha256 is not None:
            params["ChecksumSHA256"] = sha256
            headers["x-amz-checksum-sha256"] = sha256
        return self._request("PUT", "upload_part", params, headers, expires)

    def presign_create(self, key: str, content_type: str, expires: int) -> Presigned:
        """A CreateMultipartUpload URL whose object type is pinned."""
        params = {"Key": key, "ContentType": content_type}
        return self._request(
            "POST", "create_multipart_upload", params, {"Content-Type": content_type}, expires
        )

    def presign_list_parts(self, key: str, upload_id: str, expires: int) -> Presigned:
        """A ListParts URL for one upload."""
        return self._request("GET", "list_parts", {"Key": key, "UploadId": upload_id}, {}, expires)

    def presign_complete(self, key: str, upload_id: str, expires: int) -> Presigned:
        """A CompleteMultipartUpload URL that cannot replace an existing object."""
        params = {"Key": key, "UploadId": upload_id, "IfNoneMatch": "*"}
        return self._request("POST", "complete_multipart_upload", params, {"If-None-Match": "*"}, expires)

    def presign_abort(self, key: str, upload_id: str, expires: int) -> Presigned:
        """An AbortMultipartUpload URL for one upload."""
        return self._request(
            "DELETE", "abort_multipart_upload", {"Key": key, "UploadId": upload_id}, {}, expires
        )

    def list_parts(self, key: str, upload_id: str) -> list[StoredPart]:
        """Every part storage holds for the upload, all pages, by part number.

        Raises:
            NoSuchUpload: the upload is not there (completed, aborted, or another key's).
        """
        parts: list[StoredPart] = []
        request: dict[str, Any] = {"Bucket": self._bucket, "Key": key, "UploadId": upload_id}
        while True:
            try:
                page = self._s3.list_parts(**request)
            except ClientError as exc:
                if _no_such_upload(exc):
                    raise NoSuchUpload from None
                raise unavailable("S3 ListParts", exc) from None
            except BotoCoreError as exc:
                raise unavailable("S3 ListParts", exc) from None
            parts += [
                StoredPart(int(p["PartNumber"]), int(p["Size"]), str(p["ETag"]).strip('"'))
                for p in page.get("Parts", [])
            ]
            if not page.get("IsTruncated"):
                return sorted(parts, key=lambda p: p.number)
            request["PartNumberMarker"] = page["NextPartNumberMarker"]

    def upload_exists(self, key: str, upload_id: str) -> bool:
        """Whether storage holds a multipart upload with this id *for this key*.

        Read from the key's list of uploads, not from ListParts, so the answer
        never depends on storage binding upload ids to keys (moto does not).
        """
        return upload_id in self._uploads(key)

    def _uploads(self, key: str) -> list[str]:
        """The ids of every multipart upload in progress for exactly ``key``."""
        found: list[str] = []
        request: dict[str, Any] = {"Bucket": self._bucket, "Prefix": key}
        while True:
            with unclassified("S3 ListMultipartUploads"):
                page = self._s3.list_multipart_uploads(**request)
            found += [u["UploadId"] for u in page.get("Uploads", []) if u["Key"] == key]
            if not page.get("IsTruncated"):
                return found
            request["KeyMarker"] = page["NextKeyMarker"]
            request["UploadIdMarker"] = page["NextUploadIdMarker"]

    def complete_multipart(self, key: str, upload_id: str, parts: list[StoredPart]) -> None:
        """Assemble the object from ``parts``; an object already there is never replaced.

        Raises:
            NoSuchUpload: the upload is gone (e.g. a concurrent completion finished it).
        """
        try:
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=key,
                UploadId=upload_id,
                IfNoneMatch="*",
                MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": f'"{p.etag}"'} for p in parts]},
            )
        except ClientError as exc:
            if _no_such_upload(exc):
                raise NoSuchUpload from None
            if error_code(exc) not in ("PreconditionFailed", "412"):
                raise unavailable("S3 CompleteMultipartUpload", exc) from None
        except BotoCoreError as exc:
            raise unavailable("S3 CompleteMultipartUpload", exc) from None
            # 412: an object is already there (a concurrent completion won); the checks judge it.

    def abort_uploads(self, key: str) -> None:
        """Abort every multipart upload in progress for ``key`` (aborted ones are fine: retried)."""
        for upload_id in self._uploads(key):
            try:
                self._s3.abort_multipart_upload(Bucket=self._bucket, Key=key, UploadId=upload_id)
            except ClientError as exc:
                if not _no_such_upload(exc):
                    raise unavailable("S3 AbortMultipartUpload", exc) from None
            except BotoCoreError as exc:
                raise unavailable("S3 AbortMultipartUpload", exc) from None
