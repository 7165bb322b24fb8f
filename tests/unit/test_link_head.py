"""HEAD /l/{token}: public like GET, the same status and headers without a body, never consuming."""

from __future__ import annotations

from typing import Any

from chalice.test import Client

from tests.unit.test_idempotency_routes import call, client, ready_file

__all__ = ["client"]  # the fixture


def test_head_on_a_link_is_public_bodiless_and_uses_nothing(client: Client, aws: dict[str, Any]) -> None:
    file_id = ready_file(client, aws)
    url = call(client, "POST", f"/files/{file_id}/links", {"maxDownloads": 1}).json_body["link"]["url"]
    token = url.rsplit("/", 1)[1]
    for accept in ("text/html", "application/json"):
        head = client.http.request("HEAD", f"/l/{token}", headers={"Accept": accept})
        assert head.status_code == 200
        assert head.body in (b"", None)
        assert head.headers["Cache-Control"] == "no-store"
        assert head.headers["Referrer-Policy"] == "no-referrer"
    page = client.http.request("GET", f"/l/{token}", headers={"Accept": "application/json"})
    assert page.json_body["downloadsLeft"] == 1  # two HEADs used nothing
    missing = client.http.request("HEAD", "/l/" + "x" * 43)
    assert missing.status_code == 404 and missing.body in (b"", None)
