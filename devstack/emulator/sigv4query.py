"""Checks presigned (SigV4 query-string) requests the way S3 does.

moto accepts any presigned URL: expired, tampered, re-targeted or sent with
other headers, it answers 200, so such bugs would only show in production.
This module recomputes the signature with botocore's own signer classes (no
crypto of our own) from what the client actually sent, and refuses with S3's
error codes and messages.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from wsgiref.types import WSGIEnvironment

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from devstack.emulator.s3errors import S3Error
from devstack.emulator.sigv4params import Pairs, QueryAuth, parse

CLOCK_SKEW = timedelta(minutes=15)
_UNSIGNED_ALLOWED = frozenset({"x-amz-content-sha256"})  # S3 tolerates it unsigned


def header(environ: WSGIEnvironment, name: str) -> str | None:
    """The value the client sent for header ``name`` (None when absent)."""
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}")
    return value if isinstance(value, str) else None


def _raw_path(environ: WSGIEnvironment) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    if not raw.startswith("/"):
        raw = urlsplit(raw).path if raw else environ.get("PATH_INFO", "/")
    return str(raw).split("?", 1)[0]


def _check_time(auth: QueryAuth, now: datetime) -> None:
    if auth.signed_at - now > CLOCK_SKEW:
        raise S3Error(403, "AccessDenied", "Request is not yet valid")
    if now > auth.signed_at + timedelta(seconds=auth.expires):
        raise S3Error(
            403,
            "AccessDenied",
            "Request has expired",
            {
                "X-Amz-Expires": str(auth.expires),
                "Expires": (auth.signed_at + timedelta(seconds=auth.expires)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )


def _check_headers_signed(environ: WSGIEnvironment, auth: QueryAuth) -> None:
    sent = {key[5:].lower().replace("_", "-") for key in environ if key.startswith("HTTP_X_AMZ_")}
    unsigned = sorted(sent - set(auth.signed_headers) - _UNSIGNED_ALLOWED)
    if "host" not in auth.signed_headers:
        unsigned.insert(0, "host")
    if unsigned:
        raise S3Error(
            403,
            "AccessDenied",
            "There were headers present in the request which were not signed",
            {"HeadersNotSigned": ", ".join(unsigned)},
        )


def _check_signature(environ: WSGIEnvironment, pairs: Pairs, auth: QueryAuth, secret: str) -> None:
    sent = {name: value for name in auth.signed_headers if (value := header(environ, name)) is not None}
    request = AWSRequest(
        method=environ["REQUEST_METHOD"],
        url=f"http://{environ.get('HTTP_HOST', '')}{_raw_path(environ)}",
        headers=sent,
        params=[(name, value) for name, value in pairs if name != "X-Amz-Signature"],
    )
    request.context["timestamp"] = auth.timestamp
    signer = S3SigV4QueryAuth(Credentials(auth.access_key, secret), auth.service, auth.region, auth.expires)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    expected: str = signer.signature(string_to_sign, request)
    if not hmac.compare_digest(expected, auth.signature):
        raise S3Error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            {
                "AWSAccessKeyId": auth.access_key,
                "StringToSign": string_to_sign,
                "SignatureProvided": auth.signature,
                "CanonicalRequest": canonical,
            },
        )


def verify(
    environ: WSGIEnvironment, pairs: Pairs, credentials: Mapping[str, str], now: datetime
) -> QueryAuth:
    """Admit a presigned request only if S3 would.

    Raises:
        S3Error: AuthorizationQueryParametersError (400), InvalidAccessKeyId,
            AccessDenied (expired, not yet valid, unsigned headers) or
            SignatureDoesNotMatch (403).
    """
    auth = parse(pairs)
    secret = credentials.get(auth.access_key)
    if secret is None:
        raise S3Error(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            {"AWSAccessKeyId": auth.access_key},
        )
    _check_time(auth, now)
    _check_headers_signed(environ, auth)
    _check_signature(environ, pairs, auth, secret)
    return auth
