"""The web app's large uploads: 120 MiB in parts through the real Uppy in Chromium.

A small file (one PUT) and a 120 MiB one (24 parts of 5 MiB, Uppy's size) go up together, end
``ready`` and download byte-identical. A reload, a pause or failing parts in the middle of the
multipart upload resume it without sending again what storage already holds: each test reads
which parts Uppy was told about (the ListParts answers the browser got) and counts every part
PUT the browser sends. The 120 MiB file is made on the fly. Needs Debian's chromium.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.e2e.browser import (
    PASSWORD,
    BucketTraffic,
    User,
    add_files,
    download,
    expect_message,
    sign_in,
    start_upload,
)
from tests.e2e.stack import ROOT, Stack

pytestmark = pytest.mark.browser

MiB = 1024 * 1024
BIG = 120 * MiB  # over Locker's 100 MiB multipart threshold
PARTS = 24  # Uppy's parts are 5 MiB at this size
UPLOAD_MS = 240_000  # a ceiling for 120 MiB on a busy machine; nothing is timed against it
PART_URL = re.compile(r".*[?&]partNumber=\d+.*")


class Storage(BucketTraffic):
    """The bucket traffic, plus the part numbers each ListParts answer told the page."""

    def __init__(self, bucket_url: str) -> None:
        super().__init__(bucket_url)
        self.listed: list[list[int]] = []

    def watch(self, page: Page) -> None:
        super().watch(page)
        page.on("requestfinished", self._finished)

    def _finished(self, request: Request) -> None:
        query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
        if request.url.startswith(self.bucket_url) and request.method == "GET" and "uploadId" in query:
            response = request.response()
            assert response is not None and response.ok, request.url
            tree = ElementTree.fromstring(response.body())
            self.listed.append(sorted(int(e.text or 0) for e in tree.iter() if e.tag.endswith("PartNumber")))

    def finished_parts(self) -> int:
        """How many UploadPart requests storage has answered with success."""
        done = 0
        for request in self.requests:
            if request.method == "PUT" and "partNumber=" in request.url:
                response = request.response()
                done += response is not None and response.ok
        return done


@pytest.fixture
def storage(page: Page, stack: Stack) -> Storage:
    watched = Storage(f"{stack.emulator}/{stack.info['bucket']}/")
    watched.watch(page)
    return watched


@pytest.fixture
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 120 MiB file Locker takes as application/pdf: the signature, then random bytes."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "lecture-scan.pdf"
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        left = BIG - 9
        while left:
            chunk = os.urandom(min(left, 8 * MiB))
            out.write(chunk)
            left -= len(chunk)
    yield path
    shutil.rmtree(folder)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(MiB), b""):
            sha.update(chunk)
    return sha.hexdigest()


def wait_for_parts(page: Page, storage: Storage, count: int) -> None:
    """Returns once at least ``count`` part uploads have succeeded."""
    while storage.finished_parts() < count:
        page.wait_for_event("requestfinished", timeout=UPLOAD_MS)


def missing(held: list[int]) -> list[int]:
    return [n for n in range(1, PARTS + 1) if n not in held]


def test_a_small_file_by_put_and_a_large_one_in_parts_at_once(
    page: Page,
    page_errors: list[str],
    stack: Stack,
    user: User,
    storage: Storage,
    big_file: Path,
    tmp_path: Path,
) -> None:
    small = tmp_path / "receipt.png"
    shutil.copyfile(ROOT / "assets" / "1.png", small)
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)

    add_files(page, small, big_file)
    start_upload(page)
    expect_message(page, "Uploaded 2 files: ready.", timeout_ms=UPLOAD_MS)

    puts = [r for r in storage.requests if r.method == "PUT" and "partNumber=" not in r.url]
    assert len(puts) == 1 and puts[0].headers.get("if-none-match") == "*", [r.url for r in puts]
    assert storage.part_puts() == list(range(1, PARTS + 1))
    creates = [r for r in storage.requests if r.method == "POST" and "uploads=" in r.url]
    completes = [r for r in storage.requests if r.method == "POST" and "uploadId=" in r.url]
    assert len(creates) == 1 and len(completes) == 1
    assert completes[0].headers.get("if-none-match") == "*"

    files = {f["filename"]: f for f in user.api.call("GET", "/files").json()["items"]}
    assert {name: f["status"] for name, f in files.items()} == {small.name: "ready", big_file.name: "ready"}
    assert files[big_file.name]["size"] == BIG
    assert download(page, small.name, tmp_path / "small.out").read_bytes() == small.read_bytes()
    assert digest(download(page, big_file.name, tmp_path / "big.out", UPLOAD_MS)) == digest(big_file)
    assert page_errors == []


def test_a_reload_mid_upload_resumes_without_resending_finished_parts(
    page: Page, stack: Stack, user: User, storage: Storage, big_file: Path, tmp_path: Path
) -> None:
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    add_files(page, big_file)
    start_upload(page)
    wait_for_parts(page, storage, 3)
    page.reload()  # signs the user out (tokens live in memory only) and cuts the upload short
    before_reload = len(storage.requests)
    sent_before = set(storage.part_puts())
    [pending] = user.api.call("GET", "/files?status=pending").json()["items"]

    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    add_files(page, big_file)  # the same file, picked again
    start_upload(page)
    expect_message(page, f"Uploaded {big_file.name} (120 MiB): ready.", timeout_ms=UPLOAD_MS)

    [held] = storage.listed  # what storage held when Uppy resumed
    assert len(held) >= 3 and set(held) <= sent_before, (held, sent_before)
    resent = storage.part_puts(since=before_reload)
    assert sorted(resent) == missing(held) and len(resent) == len(set(resent))
    file = user.api.call("GET", f"/files/{pending['id']}").json()["file"]
    assert file["status"] == "ready" and file["size"] == BIG
    assert digest(download(page, big_file.name, tmp_path / "big.out", UPLOAD_MS)) == digest(big_file)


def test_pause_resume_and_retry_continue_where_the_upload_stopped(
    page: Page, stack: Stack, user: User, storage: Storage, big_file: Path
) -> None:
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    add_files(page, big_file)
    start_upload(page)
    wait_for_parts(page, storage, 2)
    item = page.locator(".uppy-Dashboard-Item")
    item.get_by_role("button", name="Pause upload").click()
    expect(item.get_by_role("button", name="Resume upload")).to_be_visible()

    def refuse(route: Route) -> None:  # storage fails every part for a while
        route.fulfill(status=503, body="<Error><Code>SlowDown</Code></Error>")

    page.route(PART_URL, refuse)
    resumed_at = len(storage.requests)
    item.get_by_role("button", name="Resume upload").click()
    expect(item.get_by_role("button", name="Retry upload")).to_be_visible(timeout=UPLOAD_MS)
    page.unroute(PART_URL)
    refused = storage.part_puts(since=resumed_at)
    assert len(set(refused)) == 1, refused  # one part, tried again by Uppy, then the file failed

    retried_at = len(storage.requests)
    item.get_by_role("button", name="Retry upload").click()
    expect_message(page, f"Uploaded {big_file.name} (120 MiB): ready.", timeout_ms=UPLOAD_MS)
    assert len(storage.listed) == 2  # ListParts on resuming and on retrying
    held = storage.listed[-1]
    assert len(held) >= 2 and sorted(storage.part_puts(since=retried_at)) == missing(held)
    [file] = user.api.call("GET", "/files").json()["items"]
    assert file["status"] == "ready" and file["size"] == BIG
