"""Checks that an object's first bytes match the content type its owner declared."""

from __future__ import annotations

SNIFF_BYTES = 4096

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}


def _is_webp(head: bytes) -> bool:
    return len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 4 KiB window is still valid text.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def matches(content_type: str, head: bytes) -> bool:
    """Whether ``head`` (the first bytes of an object) looks like ``content_type``.

    Types without a known signature are accepted: the allow-list decides those.
    """
    if content_type == "image/webp":
        return _is_webp(head)
    if content_type == "text/plain":
        return _is_text(head[:SNIFF_BYTES])
    signatures = _SIGNATURES.get(content_type)
    if signatures is None:
        return True
    return head.startswith(signatures)
