"""WSGI middleware that makes moto's S3 refuse what real S3 refuses.

moto answers presigned requests without checking them, ignores
``x-amz-checksum-sha256`` and serves anonymous callers, so the bugs Locker
cares most about (expired or tampered upload URLs, wrong bytes, a public
bucket) would pass locally. The gate sits in front of moto's dispatcher and:

* verifies SigV4 presigned requests (see ``devstack.emulator.sigv4query``);
* checks ``x-amz-checksum-sha256`` (header or ``aws-chunked`` trailer) against
  the bytes moto will store, whatever the content encoding (400 BadDigest);
* refuses anonymous S3 requests (403 AccessDenied), except CORS preflights,
  which only pass when one of the bucket's CORS rules allows their origin,
  method and headers (``devstack.emulator.s3cors``), as in S3;
* answers ``NoSuchUpload`` for an upload id that is not the URL key's
  (see ``devstack.emulator.s3uploads``), where moto would answer 500 or
  let a part land in another key's upload.

Requests signed with an ``Authorization`` header (the SDK) pass through, and so
does everything moto routes to another service (DynamoDB, Cognito, moto-api).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from wsgiref.types import StartResponse, WSGIEnvironment

from devstack.emulator import awschunked, s3cors, s3uploads, sigv4query
from devstack.emulator.moto_quirks import call_presigned, name_checksum_algorithm
from devstack.emulator.s3errors import S3Error
from devstack.emulator.sigv4params import query_pairs

if TYPE_CHECKING:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_BODY_KEY = "locker.s3gate.body"
_DIGEST_KEY = "locker.s3gate.body-sha256"  # the body's SHA-256, taken while it arrived
_READ_CHUNK = 1024 * 1024
_UNSIGNED_STREAM = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
_TRAILER_SHA256 = "x-amz-checksum-sha256"
_NOT_S3_PATHS = ("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def routes_to_s3(dispatcher: DomainDispatcherApplication, environ: WSGIEnvironment) -> bool:
    """Whether moto would hand this *unsigned* request to its S3 backend.

    Uses moto's own routing so that Cognito's unsigned calls (``X-Amz-Target``,
    the JWKS path) and moto's API are never mistaken for S3.
    """
    path = environ.get("PATH_INFO", "")
    if environ.get("HTTP_X_AMZ_TARGET") or path.startswith(_NOT_S3_PATHS):
        return False  # S3 never uses X-Amz-Target; moto-api and metadata are moto's own
    host = dispatcher.infer_service_region_host(environ, path)
    return host is None or dispatcher.get_backend_for_host(host) in (None, "s3")


def read_body(environ: WSGIEnvironment) -> bytes:
    """Read the request body once and leave moto a stream that hands over the same bytes object.

    Raises:
        S3Error: 400 IncompleteBody when fewer bytes arrive than Content-Length says.
    """
    cached = environ.get(_BODY_KEY)
    if isinstance(cached, bytes):
        return cached
    declared = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        body = stream.read()
    elif declared.isdigit() and int(declared) > 0:
        body = _read_hashing(environ, stream, int(declared))
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    # The bytes are all here: werkzeug may hand them to moto as they are, in one
    # read of the BytesIO (no copy), instead of re-reading them in 64 KiB pieces.
    environ["wsgi.input_terminated"] = True
    environ[_BODY_KEY] = body
    if declared.isdigit() and len(body) != int(declared):
        raise S3Error(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        )
    return bytes(body)


def _read_hashing(environ: WSGIEnvironment, stream: Any, length: int) -> bytes:
    """Read ``length`` bytes (fewer at EOF); hash them as they arrive when a SHA-256 will be checked.

    Hashing each chunk while the next one is on the wire, not the whole body
    after its last byte, keeps the check off the part's latency.
    """
    checked = "HTTP_X_AMZ_CHECKSUM_SHA256" in environ and not environ.get(
        "HTTP_X_AMZ_CONTENT_SHA256", ""
    ).startswith("STREAMING-")
    if not checked:
        return bytes(stream.read(length))
    digest, chunks, left = hashlib.sha256(), [], length
    while left:
        chunk = stream.read(min(_READ_CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        chunks.append(chunk)
        left -= len(chunk)
    environ[_DIGEST_KEY] = digest.digest()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def stored_payload(environ: WSGIEnvironment, presigned: bool) -> awschunked.Decoded:
    """The bytes moto will store for this request, and any trailer headers.

    Whatever ``Content-Encoding`` says, moto stores the body as sent unless
    ``x-amz-content-sha256`` announces ``aws-chunked`` framing; then it stores
    the decoded payload, which the gate decodes strictly itself.

    Raises:
        S3Error: 411 MissingContentLength (no ``x-amz-decoded-content-length``),
            400 IncompleteBody (bad framing or decoded length), 403
            SignatureDoesNotMatch (signed chunks on a presigned URL).
    """
    mode = environ.get("HTTP_X_AMZ_CONTENT_SHA256", "")
    body = read_body(environ)
    if not mode.startswith("STREAMING-"):
        return awschunked.Decoded(body, {})
    if presigned and mode != _UNSIGNED_STREAM:
        # Chunk signatures chain from a signing key only the key's owner holds:
        # whoever was handed a presigned URL cannot produce them.
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    decoded_length = environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH", "")
    if not decoded_length.isascii() or not decoded_length.isdigit():
        raise S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
    decoded = awschunked.decode(body)
    if len(decoded.payload) != int(decoded_length):
        raise S3Error(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        )
    return decoded


def _check_sha256(claimed: str, payload: bytes, computed: bytes | None = None) -> None:
    """Compare ``claimed`` (base64) with ``payload``'s SHA-256 (``computed`` when already taken)."""
    try:
        digest = base64.b64decode(claimed, validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise S3Error(400, "InvalidRequest", "Value for x-amz-checksum-sha256 header is invalid.")
    if computed is None:
        computed = hashlib.sha256(payload).digest()
    if not hmac.compare_digest(computed, digest):
        raise S3Error(400, "BadDigest", "The sha256 you specified did not match the calculated checksum.")


def check_checksum(environ: WSGIEnvironment, presigned: bool = False) -> None:
    """Compare ``x-amz-checksum-sha256`` (header or trailer) with the stored bytes, as S3 does.

    Raises:
        S3Error: 400 InvalidRequest (not a base64 SHA-256, or a promised trailer
            missing), 400 BadDigest (mismatch), or a framing error of ``stored_payload``.
    """
    claimed = environ.get("HTTP_X_AMZ_CHECKSUM_SHA256")
    streaming = environ.get("HTTP_X_AMZ_CONTENT_SHA256", "").startswith("STREAMING-")
    if claimed is None and not streaming:
        return
    decoded = stored_payload(environ, presigned)
    if claimed is not None:
        # Unframed, the payload is the body, hashed while it was read.
        computed = environ.get(_DIGEST_KEY) if not streaming else None
        _check_sha256(claimed, decoded.payload, computed if isinstance(computed, bytes) else None)
        name_checksum_algorithm(environ)  # S3 keeps a checksum it verified; moto needs to be told
    promised = {
        name.strip().lower() for name in environ.get("HTTP_X_AMZ_TRAILER", "").split(",") if name.strip()
    }
    missing = sorted(promised - set(decoded.trailers))
    if missing:
        raise S3Error(400, "InvalidRequest", f"The trailer {missing[0]} was declared but not sent.")
    if _TRAILER_SHA256 in decoded.trailers:
        _check_sha256(decoded.trailers[_TRAILER_SHA256], decoded.payload)


def _refuse_anonymous(environ: WSGIEnvironment, names: set[str]) -> None:
    if {"Signature", "AWSAccessKeyId"} <= names:
        raise S3Error(
            400,
            "InvalidRequest",
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
        )
    if environ.get("REQUEST_METHOD") != "OPTIONS":
        raise S3Error(403, "AccessDenied", "Access Denied")
    if not environ.get("HTTP_ORIGIN"):
        raise S3Error(400, "BadRequest", "Insufficient information. Origin request header needed.")
    if not environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
        raise S3Error(400, "BadRequest", "Invalid Access-Control-Request-Method: null")


class S3Gate:
    """WSGI middleware: S3's authentication and integrity checks in front of moto."""

    def __init__(
        self,
        dispatcher: DomainDispatcherApplication,
        credentials: Mapping[str, str],
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._dispatcher = dispatcher
        self._credentials = credentials
        self._clock = clock

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            presigned = self._admit(environ)
        except S3Error as refusal:
            return refusal(environ, start_response)
        if presigned:
            return call_presigned(self._dispatcher, environ, start_response)
        answer: Iterable[bytes] = self._dispatcher(environ, start_response)
        return answer

    def _admit(self, environ: WSGIEnvironment) -> bool:
        """Raise S3's refusal, or tell whether the request was a verified presigned one."""
        pairs = query_pairs(environ.get("QUERY_STRING", ""))
        names = {name for name, _ in pairs}
        if environ.get("REQUEST_METHOD") == "OPTIONS" and routes_to_s3(self._dispatcher, environ):
            # Browsers send preflights to the presigned URL itself, query and all, but
            # never sign them: S3 answers them from the bucket's CORS rules alone.
            _refuse_anonymous(environ, set())
            s3cors.check_preflight(environ)
            return False
        signed_by_header = bool(environ.get("HTTP_AUTHORIZATION"))
        if names & {"X-Amz-Signature", "X-Amz-Algorithm", "X-Amz-Credential"}:
            if signed_by_header:
                raise S3Error(
                    400,
                    "InvalidArgument",
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                    "Signature query string parameter or the Authorization header should be specified",
                )
            auth = sigv4query.verify(environ, pairs, self._credentials, self._clock())
            if "content-length" in auth.signed_headers:
                read_body(environ)  # the signed length must be the length received
            check_checksum(environ, presigned=True)
            s3uploads.check(environ, pairs)
            return True
        is_s3 = routes_to_s3(self._dispatcher, environ)
        if not signed_by_header and is_s3:
            _refuse_anonymous(environ, names)
        check_checksum(environ)
        if is_s3:
            s3uploads.check(environ, pairs)
        return False
