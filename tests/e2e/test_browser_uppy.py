"""The web app's uploads through the real Uppy (web/vendor/, bundled by ``make web-bundle``) in Chromium.

Several small files go up at once, each as one presigned PUT carrying the headers Locker signed,
end ``ready`` and download byte-identical; files outside Locker's limits are refused before any
request leaves the page. Needs Debian's chromium; without it these tests fail, never skip.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

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


@pytest.fixture
def storage(page: Page, stack: Stack) -> BucketTraffic:
    watched = BucketTraffic(f"{stack.emulator}/{stack.info['bucket']}/")
    watched.watch(page)
    return watched


def test_several_small_files_at_once_each_by_one_signed_put(
    page: Page, page_errors: list[str], stack: Stack, user: User, storage: BucketTraffic, tmp_path: Path
) -> None:
    image, note = tmp_path / "receipt.png", tmp_path / "notes.txt"
    shutil.copyfile(ROOT / "assets" / "1.png", image)
    note.write_text("Locker keeps this note.\n" * 1000)
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)

    add_files(page, image, note)
    start_upload(page)
    expect_message(page, "Uploaded 2 files: ready.")

    puts = [r for r in storage.requests if r.method == "PUT"]
    assert len(puts) == 2 and storage.part_puts() == [], [r.url for r in puts]
    assert [r.headers.get("if-none-match") for r in puts] == ["*", "*"]  # signed by Locker, sent by Uppy
    files = {f["filename"]: f for f in user.api.call("GET", "/files").json()["items"]}
    assert {name: f["status"] for name, f in files.items()} == {image.name: "ready", note.name: "ready"}
    assert download(page, image.name, tmp_path / "image.out").read_bytes() == image.read_bytes()
    assert download(page, note.name, tmp_path / "note.out").read_bytes() == note.read_bytes()
    assert page_errors == []


def test_files_outside_the_limits_are_refused_before_any_upload(
    page: Page, stack: Stack, user: User, storage: BucketTraffic, tmp_path: Path
) -> None:
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    limits = page.get_by_test_id("upload-limits")
    expect(limits).to_have_text(re.compile(r"^PNG, JPEG, GIF, WebP, PDF or plain text, up to 5 GB each\."))
    too_big = tmp_path / "backup.pdf"
    with too_big.open("wb") as sparse:  # 5 GiB + 1 byte on disk costs nothing: a sparse file
        sparse.truncate(5 * 1024**3 + 1)
    archive = tmp_path / "photos.zip"
    archive.write_bytes(b"PK\x03\x04")
    signs: list[str] = []
    page.on("request", lambda r: signs.append(r.url) if r.url.endswith("/uploads/sign") else None)

    add_files(page, too_big)
    message = page.get_by_test_id("message")
    expect(message).to_have_text(
        "Could not upload backup.pdf: The file is too large (5 GB): the limit is 5 GB."
    )
    expect(message).to_have_attribute("data-kind", "error")
    add_files(page, archive)
    expect(message).to_have_text(
        "Could not upload photos.zip: This type is not allowed (application/zip). "
        "Allowed types: PNG, JPEG, GIF, WebP, PDF, plain text."
    )
    # The Dashboard 6.0.3 renders its Informer twice, one over the other: either one will do.
    expect(page.locator(".uppy-Informer").first).to_contain_text("You can only upload")
    expect(page.locator(".uppy-Dashboard-Item")).to_have_count(0)
    assert signs == [] and storage.requests == []
    assert user.api.call("GET", "/files").json()["items"] == []
