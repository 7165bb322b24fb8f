"""S3's CORS preflight evaluation, which moto skips for methods and headers.

moto answers a preflight from an allowed origin with 200 whatever method or
headers it asks for, so a browser request the bucket's rules do not allow
would only fail in production. S3 allows a preflight only when one rule
matches the origin, the method and every requested header (``*`` wildcards
as S3 reads them), and answers 403 otherwise.
"""

from __future__ import annotations

import re
from wsgiref.types import WSGIEnvironment

from devstack.emulator import moto_s3
from devstack.emulator.s3errors import S3Error

_REFUSED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
    "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
    "whitelisted by the resource's CORS spec."
)


def _matches(value: str, patterns: list[str] | None) -> bool:
    """S3's matching: case-insensitive, one ``*`` standing for any characters."""
    for pattern in patterns or []:
        regex = ".*".join(re.escape(part) for part in pattern.lower().split("*"))
        if re.fullmatch(regex, value.lower()):
            return True
    return False


def check_preflight(environ: WSGIEnvironment) -> None:
    """Refuse a preflight that no CORS rule of the bucket allows (a bucket moto knows).

    Raises:
        S3Error: 403 AccessForbidden, as S3 answers.
    """
    name = environ.get("PATH_INFO", "").lstrip("/").partition("/")[0]
    found = moto_s3.bucket(name) if name else None
    if found is None:
        return  # moto answers unknown buckets itself
    origin = environ.get("HTTP_ORIGIN", "")
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
    raw = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")
    headers = [h.strip() for h in raw.split(",") if h.strip()]
    for rule in found.cors or []:
        if (
            _matches(origin, rule.allowed_origins)
            and method in (rule.allowed_methods or [])
            and all(_matches(h, rule.allowed_headers) for h in headers)
        ):
            return
    raise S3Error(403, "AccessForbidden", _REFUSED, {"Method": method, "ResourceType": "OBJECT"})
