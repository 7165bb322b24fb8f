"""S3's answers to a browser's multipart requests, where moto's differ.

Two differences break a browser multipart upload (Uppy's) against moto:

- S3 sends the bucket's CORS headers on every answer to an allowed origin;
  moto omits them from CreateMultipartUpload (``POST ?uploads``),
  CompleteMultipartUpload (``POST ?uploadId``) and AbortMultipartUpload
  (``DELETE ?uploadId``), so the browser blocks those answers.
- S3's ListParts answer is ``<ListPartsResult>``; moto's root element is
  ``<ListPartsResponse>``, which a client reading S3's shape (Uppy 6.x) finds
  empty, so a resumed upload re-sends every part.

While ``install()`` is in effect moto's own handlers still do all the work;
only their answers are corrected (moto's ``_get_cors_headers_other`` picks
the headers from the bucket's rules, as its other handlers do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3.responses import S3Response

Answer = tuple[int, dict[str, Any], str | bytes]
Handler = Callable[..., Answer]
_WITHOUT_CORS = ("_key_response_post", "abort_multipart_upload")
_LIST_PARTS = "list_parts"
_ORIGINAL: dict[str, Handler] = {name: getattr(S3Response, name) for name in (*_WITHOUT_CORS, _LIST_PARTS)}
_MOTO_ROOT, _S3_ROOT = "ListPartsResponse", "ListPartsResult"


def _root_as_s3(body: str | bytes) -> str | bytes:
    """``body`` with the root element renamed as S3 names it (the first open and last close tags)."""
    if isinstance(body, bytes):
        return _rename_root(body.decode()).encode() if _MOTO_ROOT.encode() in body else body
    return _rename_root(body)


def _rename_root(body: str) -> str:
    opening, closing = f"<{_MOTO_ROOT}", f"</{_MOTO_ROOT}>"
    body = body.replace(opening, f"<{_S3_ROOT}", 1)
    head, found, tail = body.rpartition(closing)
    return f"{head}</{_S3_ROOT}>{tail}" if found else body


def _corrected(name: str) -> Handler:
    original = _ORIGINAL[name]

    def handler(self: S3Response, *args: Any, **kwargs: Any) -> Answer:
        status, headers, body = original(self, *args, **kwargs)
        headers = {**self._get_cors_headers_other(), **headers}
        if name == _LIST_PARTS:
            body = _root_as_s3(body)
        return status, headers, body

    handler.__name__ = name
    handler.__wrapped__ = original  # type: ignore[attr-defined]
    return handler


_CORRECTED: dict[str, Handler] = {name: _corrected(name) for name in _ORIGINAL}


def install() -> None:
    """Answer multipart requests as S3 does (idempotent)."""
    for name, handler in _CORRECTED.items():
        setattr(S3Response, name, handler)


def uninstall() -> None:
    """Restore moto's own answers (tests compare the two)."""
    for name, handler in _ORIGINAL.items():
        setattr(S3Response, name, handler)


def installed() -> bool:
    """Whether multipart answers are currently S3's."""
    return all(getattr(S3Response, name) is handler for name, handler in _CORRECTED.items())
