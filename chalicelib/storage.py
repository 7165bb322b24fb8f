"""The private bucket: presigned URLs pinned to what was declared, and object checks.

Bytes never pass through Locker: clients PUT and GET them with SigV4 presigned
URLs whose signed headers pin the type, the size, the checksum and "create
only" (``If-None-Match: *``), so nothing declared can be swapped afterwards.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.disposition import attachment
from chalicelib.failures import error_code, unavailable, unclassified


class Presigned(NamedTuple):
    """A presigned request: where, how, with which headers, until when (epoch seconds)."""

    method: str
    url: str
    headers: dict[str, str]
    expires_at: int


class StoredObject(NamedTuple):
    """What S3 says about an uploaded object."""

    size: int
    content_type: str
    sha256: str | None
    content_encoding: str | None = None


# S3's documented answers for "no such key". Nothing else means missing:
# a 403 is a refusal (a permission or KMS problem), not a fact about the object.
# Deployed, the role's s3:ListBucket on users/ makes S3 answer 404 for a missing key.
_NOT_THERE = frozenset({"404", "NoSuchKey", "NotFound"})
# What every download is served with, whatever the uploader attached to the PUT.
DOWNLOAD_CACHE_CONTROL = "private, no-store"
DOWNLOAD_CONTENT_ENCODING = "identity"


class Storage:
    """Presigning and inspection for one bucket."""

    def __init__(self, client: Any, bucket: str, clock: Any = time.time) -> None:
        self._s3 = client
        self._bucket = bucket
        self._clock = clock

    def _lifetime(self, wanted: int) -> int:
        """``wanted`` seconds, or fewer if the signing credentials expire sooner.

        Lambda's role credentials are temporary: a URL signed with them dies
        with them, so expiresAt must say so rather than promise more. botocore
        has no public accessor for the expiry, so it is read from its internals
        in one guarded step: if they change, the URL keeps ``wanted`` (signing
        itself still fails loudly if the credentials are unusable).
        """
        try:
            credentials = self._s3._request_signer._credentials
            if credentials is None:
                return wanted
            credentials.get_frozen_credentials()  # refreshes credentials that are about to expire
            expiry = getattr(credentials, "_expiry_time", None)
            if expiry is None:
                return wanted
            left = int(expiry.timestamp() - self._clock())
        except Exception:  # private internals: any change degrades to the wanted lifetime
            return wanted
        return max(1, min(wanted, left))

    def _presign(self, operation: str, params: dict[str, Any], lifetime: int) -> str:
        with unclassified(f"S3 presign {operation}"):
            url: str = self._s3.generate_presigned_url(operation, Params=params, ExpiresIn=lifetime)
        return url

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
        url = self._presign("put_object", params, lifetime)
        return Presigned("PUT", url, headers, now + lifetime)

    def presign_get(self, key: str, filename: str, content_type: str, expires: int) -> Presigned:
        """A GET URL served as an attachment with the original filename and declared type.

        Every header a browser acts on is pinned by the URL (S3's ``response-*``
        overrides), so nothing an uploader attached to the PUT is served back.
        """
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseCacheControl": DOWNLOAD_CACHE_CONTROL,
            "ResponseContentDisposition": attachment(filename),
            "ResponseContentEncoding": DOWNLOAD_CONTENT_ENCODING,
            "ResponseContentType": content_type,
        }
        lifetime = self._lifetime(expires)
        now = int(self._clock())
        url = self._presign("get_object", params, lifetime)
        return Presigned("GET", url, {}, now + lifetime)

    def head(self, key: str) -> StoredObject | None:
        """The stored object's size, type, checksum and encoding, or None if nothing is there.

        Raises:
            ServiceUnavailableError: S3 failed or refused in any other way.
        """
        try:
            found = self._s3.head_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if error_code(exc) in _NOT_THERE:
                return None
            raise unavailable("S3 HeadObject", exc) from None
        except BotoCoreError as exc:
            raise unavailable("S3 HeadObject", exc) from None
        return StoredObject(
            size=int(found["ContentLength"]),
            content_type=found.get("ContentType", ""),
            sha256=found.get("ChecksumSHA256"),
            content_encoding=found.get("ContentEncoding") or None,
        )

    def first_bytes(self, key: str, count: int) -> bytes | None:
        """Up to ``count`` bytes from the start of the object, or None if it is not there (any more).

        Raises:
            ServiceUnavailableError: the read failed or was refused: never taken as empty content.
        """
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key, Range=f"bytes=0-{count - 1}")
        except ClientError as exc:
            if error_code(exc) in _NOT_THERE:
                return None
            raise unavailable("S3 GetObject", exc) from None
        except BotoCoreError as exc:
            raise unavailable("S3 GetObject", exc) from None
        with unclassified("S3 GetObject"):
            body: bytes = found["Body"].read(count)
        return body

    def delete(self, key: str) -> None:
        """Remove the object; absent objects are fine (deletes are retried).

        Raises:
            ServiceUnavailableError: S3 failed; the caller's retry finishes the job.
        """
        with unclassified("S3 DeleteObject"):
            self._s3.delete_object(Bucket=self._bucket, Key=key)
