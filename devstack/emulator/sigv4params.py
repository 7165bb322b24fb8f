"""The X-Amz-* parameters of a presigned (SigV4 query-string) URL, read as S3 reads them.

Malformed, missing or out-of-range parameters are refused with S3's
``AuthorizationQueryParametersError`` before any signature is computed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from devstack.emulator.s3errors import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES = 604800  # one week, S3's limit
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_REQUIRED = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")
_CREDENTIAL = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")

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
