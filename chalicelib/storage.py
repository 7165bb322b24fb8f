"""The private bucket: presigned URLs pinned to what was declared, and object checks.

Bytes never pass through Locker: clients PUT and GET them with SigV4 presigned
URLs whose signed headers pin the type, the size, the checksum and "create
only" (``If-None-Match: *``), so nothing declared can be swapped afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.disposition import attachment


@dataclass(frozen=True)
class Presigned:
    """A presigned request: where, how, with which headers, until when (epoch seconds)."""

    method: str
    url: str
    headers: dict[str, str]
    expires_at: int


@dataclass(frozen=True)
class StoredObject:
    """What S3 says about an uploaded object."""

    size: int
    content_type: str
    sha256: str | None


def _missing(exc: ClientError) -> bool:
    # Without s3:ListBucket (Locker's role deliberately lacks it), S3 answers a
    # missing key with 403 rather than 404; the key is Locker's own, so 403
    # here means "not there" as far as any caller can tell.
    code = exc.response.get("Error", {}).get("Code")
    return code in ("404", "NoSuchKey", "NotFound", "403", "AccessDenied")


class Storage:
    """Presigning and inspection for one bucket."""

    def __init__(self, client: Any, bucket: str, clock: Any = time.time) -> None:
        self._s3 = client
        self._bucket = bucket
        self._clock = clock

    def _lifetime(self, wanted: int) -> int:
        """``wanted`` seconds, or fewer if the signing credentials expire sooner.

        Lambda's role credentials are temporary: a URL signed with them dies
        with them, so expiresAt must say so rather than promise more.
        """
        credentials = self._s3._request_signer._credentials
        if credentials is None:
            return wanted
        credentials.get_frozen_credentials()  # refreshes credentials that are about to expire
        expiry = getattr(credentials, "_expiry_time", None)
        if expiry is None:
            return wanted
        return max(1, min(wanted, int(expiry.timestamp() - self._clock())))

    def presign_put(
        self, key: str, content_type: str, size: int, sha256: str | None, expires: int
    ) -> Presigned:
        """A PUT URL that only accepts exactly the declared bytes, once."""
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": size,
            "IfNoneMatch": "*",
        }
        headers = {"Content-Type": content_type, "Content-Length": str(size), "If-None-Match": "*"}
        if sha256 is not None:
            params["ChecksumSHA256"] = sha256
            headers["x-amz-checksum-sha256"] = sha256
        lifetime = self._lifetime(expires)
        now = int(self._clock())
        url = self._s3.generate_presigned_url("put_object", Params=params, ExpiresIn=lifetime)
        return Presigned("PUT", url, headers, now + lifetime)

    def presign_get(self, key: str, filename: str, content_type: str, expires: int) -> Presigned:
        """A GET URL served as an attachment with the original filename and declared type."""
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": attachment(filename),
            "ResponseContentType": content_type,
        }
        lifetime = self._lifetime(expires)
        now = int(self._clock())
        url = self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=lifetime)
        return Presigned("GET", url, {}, now + lifetime)

    def head(self, key: str) -> StoredObject | None:
        """The stored object's size, type and checksum, or None if nothing is there."""
        try:
            found = self._s3.head_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return StoredObject(
            size=int(found["ContentLength"]),
            content_type=found.get("ContentType", ""),
            sha256=found.get("ChecksumSHA256"),
        )

    def first_bytes(self, key: str, count: int) -> bytes:
        """Up to ``count`` bytes from the start of the object (b"" if it vanished)."""
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{count - 1}")
        except ClientError as exc:
            if _missing(exc):
                return b""
            raise
        body: bytes = found["Body"].read(count)
        return body

    def delete(self, key: str) -> None:
        """Remove the object; absent objects are fine (deletes are retried)."""
        self._s3.delete_object(Bucket=self._bucket, Key=key)
