"""Helpers for the browser test: Debian's chromium under Playwright, and a page on another origin.

Playwright drives the system's ``/usr/bin/chromium`` (``scripts/browser_deps.sh`` installs it);
``playwright install`` would download a browser of its own, which this project never does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
VIEWPORT = {"width": 1200, "height": 800}


def launch(playwright: Playwright) -> Browser:
    """Start headless chromium, or fail (never skip) saying how to install it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/browser_deps.sh (or `make browser-deps`) first")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)


def sign_in(page: Page, web_url: str, username: str, password: str) -> None:
    """Open the SPA and sign in through its form; returns once the files view shows the user."""
    page.goto(web_url + "/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("user-label")).to_have_text(username)
    expect(page.get_by_test_id("files-table")).to_have_attribute("aria-busy", "false")


class _BlankPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>another origin</title><p>not Locker</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def other_origin() -> Iterator[str]:
    """Serve a blank page on a free local port: an origin the stack's CORS rules do not name."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BlankPage)
    thread = threading.Thread(target=server.serve_forever, name="other-origin", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
