"""Content-Disposition for downloads: the original filename, safely (RFC 6266/5987)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def _ascii_fallback(filename: str) -> str:
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    safe = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in folded).strip()
    return safe or "download"


def attachment(filename: str) -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>``."""
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{encoded}"
