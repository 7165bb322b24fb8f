"""Locker's HTTP routes. Each view parses, calls chalicelib, and returns a dict."""

from __future__ import annotations

from chalice.app import Chalice

app = Chalice(app_name="locker")


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    """Liveness probe; the only route that needs no token."""
    return {"status": "ok"}
