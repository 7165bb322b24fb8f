"""Helpers for the browser test: Debian's chromium under Playwright, and a page on another origin.

Playwright drives the system's ``/usr/bin/chromium`` (``scripts/browser_deps.sh`` installs it);
``playwright install`` would download a browser of its own, which this project never does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Request, expect

from tests.e2e.api import Api

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
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots of failed browser tests
PASSWORD = "Browser-user-2026"  # every browser test user's
VIEWPORT = {"width": 1200, "height": 800}


@dataclass
class User:
    """A signed-up user: the page signs in with the email, the test checks with the API."""

    email: str
    api: Api


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


def add_files(page: Page, *paths: Path) -> None:
    """Pick files in the upload panel (Uppy's Dashboard), as its "browse files" does.

    Once the panel lists files, its file input is behind "Add more", as for a user.
    """
    picker = page.locator(".uppy-Dashboard-input")
    if picker.count() == 0:
        page.locator(".uppy-DashboardContent-addMore").click()
    picker.first.set_input_files([str(path) for path in paths])


def start_upload(page: Page) -> None:
    """Press the Dashboard's "Upload N files" button."""
    page.locator(".uppy-StatusBar-actionBtn--upload").click()


def expect_message(page: Page, text: str, kind: str = "success", timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the page's message area says ``text`` (of ``kind``)."""
    message = page.get_by_test_id("message")
    expect(message).to_have_text(text, timeout=timeout_ms)
    expect(message).to_have_attribute("data-kind", kind)


def download(page: Page, filename: str, target: Path, timeout_ms: float = TIMEOUT_MS) -> Path:
    """Click the file row's Download button and save what the browser receives to ``target``."""
    row = page.locator(f'[data-testid=file-row][data-filename="{filename}"]')
    expect(row).to_have_attribute("data-status", "ready")
    with page.expect_download(timeout=timeout_ms) as caught:
        row.get_by_test_id("download-button").click()
    caught.value.save_as(target)
    return target


@dataclass
class BucketTraffic:
    """Every request (but CORS preflights) that a page sends to the bucket, in order."""

    bucket_url: str
    requests: list[Request] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("request", self._sent)

    def _sent(self, request: Request) -> None:
        if request.url.startswith(self.bucket_url) and request.method != "OPTIONS":
            self.requests.append(request)

    def part_puts(self, since: int = 0) -> list[int]:
        """Part numbers of the UploadPart requests sent, in order (from request ``since`` on)."""
        numbers = []
        for request in self.requests[since:]:
            query = parse_qs(urlsplit(request.url).query)
            if request.method == "PUT" and "partNumber" in query:
                numbers.append(int(query["partNumber"][0]))
        return numbers


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
