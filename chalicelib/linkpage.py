"""The link page: a small server-rendered HTML page for ``/l/{token}``, and its headers.

The page shows the file's name (escaped) and size and a Download button that
POSTs a plain form back to the same URL. It loads nothing: no script, no
style sheet, no image; its Content-Security-Policy allows only its own inline
style (by hash), posting the form to itself and the redirect on to storage.
Every answer under ``/l/`` is ``no-store`` and sends no Referer onwards (the
token is in the URL).
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping
from typing import Any

from chalice.app import Response

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#111}"
    "button{font-size:1rem;padding:.6rem 1.2rem;background:#0b57d0;color:#fff;border:0;border-radius:.4rem}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
# Only the page's own inline style (by hash), and a form that posts to itself.
CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'{{storage}}; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def wants_html(headers: Mapping[str, str]) -> bool:
    """Whether to answer a browser (HTML) rather than a JSON client."""
    accept = headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def html_response(status: int, text: str, storage_origin: str | None = None) -> Response:
    """An HTML answer with the link page's headers; the form may lead to ``storage_origin``."""
    headers: dict[str, str | list[str]] = {
        **HEADERS,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CSP.format(storage=f" {storage_origin}" if storage_origin else ""),
    }
    return Response(body=text, status_code=status, headers=headers)


def json_response(status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> Response:
    """A JSON answer with the link page's headers."""
    headers: dict[str, str | list[str]] = {**HEADERS, **(extra or {})}
    return Response(body=body, status_code=status, headers=headers)


def download_page(described: dict[str, Any]) -> str:
    """The page for a usable link."""
    name = html.escape(described["filename"])
    left = described["downloadsLeft"]
    body = (
        f"<h1>{name}</h1><p>{_size(described['size'])} · {left} download{'s' if left != 1 else ''} left</p>"
        '<form method="post"><button type="submit">Download</button></form>'
    )
    return _page(f"Download {described['filename']}", body)


def not_found_page() -> str:
    """The page for every link that cannot be used."""
    return _page("Link not found", "<h1>Link not found</h1><p>This link is unknown, expired or used up.</p>")


def unavailable_page() -> str:
    """The page for a link Locker could not look at just now (storage or database failed)."""
    body = "<h1>Try again</h1><p>This link cannot be opened just now; please try again shortly.</p>"
    return _page("Try again", body)
