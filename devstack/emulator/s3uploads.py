"""S3's multipart bookkeeping, where moto's differs: upload ids belong to one key.

moto answers UploadPart and CompleteMultipartUpload with an unknown upload id
with an HTTP 500, accepts a part whose URL names another key into that other
key's upload, and answers 500 to a part sent with a form Content-Type (the
form parser swallows the query). S3 answers ``NoSuchUpload`` (404) to the
first two and stores the third like any part. The gate asks this module
before moto sees any request that names an ``uploadId``.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote
from wsgiref.types import WSGIEnvironment

from devstack.emulator import moto_s3
from devstack.emulator.s3errors import S3Error

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_NO_SUCH_UPLOAD = (
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
    "aborted or completed."
)


def _bucket_and_key(environ: WSGIEnvironment) -> tuple[str, str]:
    """Path-style addressing (the only kind the emulator's clients can resolve locally)."""
    bucket, _, key = unquote(environ.get("PATH_INFO", "")).lstrip("/").partition("/")
    return bucket, key


def _upload_key(bucket_name: str, upload_id: str) -> str | None:
    """The key the upload was created for, or None when the bucket has no such upload."""
    bucket = moto_s3.bucket(bucket_name)
    upload = bucket.multiparts.get(upload_id) if bucket is not None else None
    return None if upload is None else str(upload.key_name)


def check(environ: WSGIEnvironment, pairs: Sequence[tuple[str, str]]) -> None:
    """Refuse a request for an upload that does not exist for the URL's key, as S3 does.

    Raises:
        S3Error: 404 NoSuchUpload.
    """
    upload_ids = [value for name, value in pairs if name == "uploadId"]
    if not upload_ids:
        return
    bucket, key = _bucket_and_key(environ)
    if not bucket or moto_s3.bucket(bucket) is None:
        return  # moto answers NoSuchBucket itself
    if _upload_key(bucket, upload_ids[0]) != key:
        raise S3Error(404, "NoSuchUpload", _NO_SUCH_UPLOAD, {"UploadId": upload_ids[0]})
    content_type = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    if environ.get("REQUEST_METHOD") == "PUT" and content_type in _FORM_TYPES:
        # A part's Content-Type means nothing to S3; moto would parse the bytes as a form.
        environ["CONTENT_TYPE"] = "application/octet-stream"
