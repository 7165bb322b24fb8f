"""Corrects moto where it differs from S3 for requests the gate has verified.

A PUT's ``x-amz-checksum-sha256`` is stored by S3 and shown again by
``HeadObject`` with ``ChecksumMode=ENABLED``; moto stores it only when
``x-amz-sdk-checksum-algorithm`` names the algorithm too, which the SDK sends
and a presigned-URL client (curl, a browser) does not, so the declared
checksum would silently vanish locally (``name_checksum_algorithm``).

moto compares ``response-content-*`` query parameters with request headers
when the key does not exist (moto/s3/responses.py ``_invalid_headers``) and
then answers 403 SignatureDoesNotMatch in a non-S3 shape (``<ErrorResponse>``,
``X-Amzn-ErrorType`` header). A download link for a deleted file always hits this, and the
misleading "signature" error would send developers hunting for a signing bug.
Once the gate has verified the signature, S3 would say the key is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from devstack.emulator.s3errors import S3Error

if TYPE_CHECKING:
    from _typeshed import OptExcInfo


def name_checksum_algorithm(environ: WSGIEnvironment) -> None:
    """Name SHA256 as the algorithm of a verified ``x-amz-checksum-sha256``, so moto keeps it."""
    if environ.get("HTTP_X_AMZ_CHECKSUM_SHA256") and not environ.get("HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM"):
        environ["HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM"] = "SHA256"


def _is_moto_signature_error(status: str, headers: list[tuple[str, str]]) -> bool:
    error_type = next((v for k, v in headers if k.lower() == "x-amzn-errortype"), None)
    return status.startswith("403") and error_type == "SignatureDoesNotMatch"


def call_presigned(
    app: WSGIApplication, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """Run ``app`` for a presigned request whose signature is already verified."""
    captured: list[tuple[str, list[tuple[str, str]], OptExcInfo | None]] = []
    written: list[bytes] = []

    def capture(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        captured[:] = [(status, headers, exc_info)]
        return written.append

    answer = app(environ, capture)  # Flask calls start_response before returning
    status, headers, exc_info = captured[0]
    if not _is_moto_signature_error(status, headers):
        start_response(status, headers, exc_info)
        return [*written, *answer] if written else answer
    close = getattr(answer, "close", None)
    if close is not None:
        close()
    key = environ.get("PATH_INFO", "").lstrip("/").partition("/")[2]
    return S3Error(404, "NoSuchKey", "The specified key does not exist.", {"Key": key})(
        environ, start_response
    )
