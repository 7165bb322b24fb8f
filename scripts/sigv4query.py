"""Checks presigned (SigV4 query-string) requests the way S3 does.

moto accepts any presigned URL: expired, tampered, re-targeted or sent with
other headers, it answers 200, so such bugs would only show in production.
This module recomputes the signature with botocore's own signer classes (no
crypto of our own) from what the client actually sent, and refuses with S3's
error codes and messages.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit
from wsgiref.types import WSGIEnvironment

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from scripts.s3errors import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES = 604800  # one week, S3's limit
CLOCK_SKEW = timedelta(minutes=15)
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_REQUIRED = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")
_CREDENTIAL = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")
_UNSIGNED_ALLOWED = frozenset({"x-amz-content-sha256"})  # S3 tolerates it unsigned

Pairs = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class QueryAuth:
    """The authentication parameters of a presigned URL."""

    access_key: str
    region: str
    service: str
    timestamp: str
    signed_at: datetime
    expires: int
    signed_headers: tuple[str, ...]
    signature: str


def query_pairs(query: str) -> list[tuple[str, str]]:
    """Decode a raw query string into (name, value) pairs, keeping order and repeats."""
    pairs = (part.partition("=") for part in query.split("&") if part)
    return [(unquote(name), unquote(value)) for name, _, value in pairs]


def _bad_query(message: str) -> S3Error:
    return S3Error(400, "AuthorizationQueryParametersError", message)


def parse(pairs: Pairs) -> QueryAuth:
    """Read and validate the X-Amz-* parameters.

    Raises:
        S3Error: 400 AuthorizationQueryParametersError, as S3 words it.
    """
    params = dict(pairs)
    if params.get("X-Amz-Algorithm") != ALGORITHM:
        raise _bad_query(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
    if any(not params.get(name) for name in _REQUIRED):
        raise _bad_query(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    credential = _CREDENTIAL.match(params["X-Amz-Credential"])
    if credential is None:
        raise _bad_query(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
        )
    access_key, day, region, service = credential.groups()
    timestamp = params["X-Amz-Date"]
    try:
        signed_at = datetime.strptime(timestamp, _TIMESTAMP).replace(tzinfo=UTC)
    except ValueError:
        raise _bad_query("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"") from None
    if day != timestamp[:8]:
        raise _bad_query("Invalid credential date. Date is not the same as X-Amz-Date.")
    if service != "s3":
        raise _bad_query(
            f'Error parsing the X-Amz-Credential parameter; incorrect service "{service}". '
            'This endpoint belongs to "s3".'
        )
    raw_expires = params["X-Amz-Expires"]
    if not raw_expires.isascii() or not raw_expires.isdigit():
        raise _bad_query("X-Amz-Expires should be a number")
    if int(raw_expires) > MAX_EXPIRES:
        raise _bad_query(f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES}")
    signed = tuple(params["X-Amz-SignedHeaders"].split(";"))
    return QueryAuth(
        access_key, region, service, timestamp, signed_at, int(raw_expires), signed, params["X-Amz-Signature"]
    )


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
