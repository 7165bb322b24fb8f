"""The SPA in real headless Chromium against the local stack: what a user does, and what CORS forbids.

Needs Debian's chromium (``scripts/browser_deps.sh``); without it these tests fail, never skip.
On a failure the page is saved to ``tests/e2e/artifacts/<test name>.png``.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api import Api, sha256_b64
from tests.e2e.browser import PASSWORD, User, add_files, other_origin, sign_in, start_upload
from tests.e2e.stack import ROOT, Stack

pytestmark = pytest.mark.browser

# What a script on any page can try: the API with a stolen token, and a presigned PUT.
FETCH_FILES = """async ({url, token}) => {
  try {
    const answer = await fetch(url, {headers: {Authorization: 'Bearer ' + token}});
    return {status: answer.status, body: await answer.json()};
  } catch (err) {
    return {error: err.name};
  }
}"""
PUT_BYTES = """async ({url, headers, body}) => {
  const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  try {
    return {status: (await fetch(url, {method: 'PUT', headers, body: bytes})).status};
  } catch (err) {
    return {error: err.name};
  }
}"""
DOWNLOAD_BYTES = """async (id) => {
  const {downloadBytes} = await import('/app.js');
  return Array.from(new Uint8Array(await downloadBytes(id)));
}"""


def test_demo_user_signs_in_and_sees_the_seeded_files(
    page: Page, page_errors: list[str], stack: Stack
) -> None:
    demo = stack.info["demoUser"]
    sign_in(page, stack.info["webUrl"], demo["username"], demo["password"])
    expect(page.get_by_test_id("message")).to_have_attribute("data-kind", "success")
    seeded = sorted(p.name for p in (ROOT / "assets").iterdir() if p.is_file())
    assert seeded, "assets/ should hold the demo user's seeded files"
    for asset in seeded:
        row = page.locator(f'[data-testid=file-row][data-filename="{asset}"]')
        expect(row.get_by_test_id("file-status")).to_have_text("ready")
        expect(row.get_by_test_id("download-button")).to_be_visible()
    expect(page.get_by_test_id("files-empty")).to_be_hidden()
    assert page_errors == []


def test_a_user_named_bob_signs_in_with_a_plain_username(
    page: Page, page_errors: list[str], stack: Stack
) -> None:
    """Like the README's second user: a Cognito username that is not an email, and no email attribute."""
    idp = stack.aws("cognito-idp")
    pool = stack.info["userPoolId"]
    idp.admin_create_user(UserPoolId=pool, Username="bob", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="bob", Password=PASSWORD, Permanent=True)
    sign_in(page, stack.info["webUrl"], "bob", PASSWORD)
    expect(page.get_by_test_id("message")).to_have_text("Signed in as bob.")
    expect(page.get_by_test_id("files-empty")).to_be_visible()
    assert page_errors == []


def test_upload_download_and_delete_a_png(
    page: Page, page_errors: list[str], stack: Stack, user: User, tmp_path: Path
) -> None:
    original = tmp_path / "browser-upload.png"
    shutil.copyfile(ROOT / "assets" / "1.png", original)
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    expect(page.get_by_test_id("files-empty")).to_be_visible()

    add_files(page, original)
    start_upload(page)
    message = page.get_by_test_id("message")
    expect(message).to_have_text(re.compile(rf"^Uploaded {re.escape(original.name)} \(.+\): ready\.$"))
    expect(message).to_have_attribute("data-kind", "success")
    row = page.locator(f'[data-testid=file-row][data-filename="{original.name}"]')
    expect(row).to_have_attribute("data-status", "ready")
    expect(row.get_by_test_id("file-status")).to_have_text("ready")
    file_id = row.get_attribute("data-file-id")

    with page.expect_download() as caught:
        row.get_by_test_id("download-button").click()
    download = caught.value
    assert download.suggested_filename == original.name
    assert Path(download.path()).read_bytes() == original.read_bytes()
    assert bytes(page.evaluate(DOWNLOAD_BYTES, file_id)) == original.read_bytes()  # the bucket's CORS GET

    row.get_by_test_id("delete-button").click()
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(original.name)
    dialog.get_by_test_id("confirm-delete").click()
    expect(row).to_have_count(0)
    expect(message).to_have_text(f"Deleted {original.name}.")
    expect(page.get_by_test_id("files-empty")).to_be_visible()
    assert user.api.call("GET", f"/files/{file_id}").status_code == 404
    assert page_errors == []


def test_another_origin_is_refused_by_cors(page: Page, stack: Stack, user: User) -> None:
    png = (ROOT / "assets" / "1.png").read_bytes()
    listing = {"url": stack.api + "/files", "token": user.api.token}
    with other_origin() as elsewhere:
        page.goto(elsewhere + "/")
        assert page.evaluate(FETCH_FILES, listing) == {"error": "TypeError"}
        declared = user.api.declare(png, sha256=sha256_b64(png)).json()
        put = _put_args(declared["upload"], png)
        assert page.evaluate(PUT_BYTES, put) == {"error": "TypeError"}

    page.goto(stack.info["webUrl"] + "/")  # the same calls from the SPA's origin are allowed
    listed = page.evaluate(FETCH_FILES, listing)
    assert listed["status"] == 200 and [f["status"] for f in listed["body"]["items"]] == ["pending"], listed
    assert page.evaluate(PUT_BYTES, put) == {"status": 200}
    completed = user.api.call("POST", f"/files/{declared['file']['id']}/complete")
    assert completed.json()["file"]["status"] == "ready", completed.text


def _put_args(upload: dict[str, Any], body: bytes) -> dict[str, Any]:
    headers = {k: v for k, v in upload["headers"].items() if k.lower() != "content-length"}
    return {"url": upload["url"], "headers": headers, "body": base64.b64encode(body).decode()}


def test_every_download_click_asks_for_a_fresh_url_and_none_is_shown(
    page: Page, page_errors: list[str], stack: Stack, user: User
) -> None:
    png = (ROOT / "assets" / "1.png").read_bytes()
    file_id = user.api.upload(png)["id"]
    asked: list[str] = []
    page.on(
        "request", lambda r: asked.append(r.url) if r.url.endswith(f"/files/{file_id}/download") else None
    )
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    row = page.locator(f'[data-testid=file-row][data-file-id="{file_id}"]')
    message = page.get_by_test_id("message")
    for clicks in (1, 2):
        with page.expect_download() as caught:
            row.get_by_test_id("download-button").click()
        assert Path(caught.value.path()).read_bytes() == png
        expect(message).to_contain_text("Downloading photo.png")
        assert len(asked) == clicks
    with page.expect_download():
        message.get_by_test_id("download-again").click()
    assert len(asked) == 3
    # Nothing on the page keeps a presigned URL that could have expired by the time it is clicked.
    assert page.locator('a[href*="X-Amz-Signature"]').count() == 0
    assert "X-Amz-" not in page.content()
    assert page_errors == []


def test_api_errors_are_told_in_plain_words(
    page: Page, page_errors: list[str], stack: Stack, user: User, tmp_path: Path
) -> None:
    sign_in(page, stack.info["webUrl"], user.email, PASSWORD)
    message = page.get_by_test_id("message")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    add_files(page, empty)
    start_upload(page)
    expect(message).to_have_text("Could not upload empty.txt: The file is empty.")
    expect(message).to_have_attribute("data-kind", "error")
    archive = tmp_path / "notes.zip"
    archive.write_bytes(b"PK\x03\x04 not really a zip")
    add_files(page, archive)  # refused before any upload, in the same words as the API's refusal
    expect(message).to_have_text(
        "Could not upload notes.zip: This type is not allowed (application/zip). "
        "Allowed types: PNG, JPEG, GIF, WebP, PDF, plain text."
    )
    # Chromium logs the refused request (the empty file's 400); nothing else may go wrong.
    assert [e for e in page_errors if "status of 400" not in e] == []


def test_a_person_opens_a_download_link_and_downloads_the_file_once(
    page: Page, page_errors: list[str], alice: Api
) -> None:
    """The link page renders under its own CSP (its style applies) and its button downloads once."""
    png = (ROOT / "assets" / "1.png").read_bytes()
    file = alice.upload(png, filename="statement.png")
    link = alice.call("POST", f"/files/{file['id']}/links", json={"maxDownloads": 1}).json()["link"]
    page.goto(link["url"])
    page.goto(link["url"])  # opening it again (a scanner, a reload) uses nothing
    expect(page.get_by_role("heading", name="statement.png")).to_be_visible()
    expect(page.get_by_text("1 download left")).to_be_visible()
    button = page.get_by_role("button", name="Download")
    # The inline style applies: the CSP allows it by hash.
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 87, 208)"
    with page.expect_download() as caught:
        button.click()
    download = caught.value
    assert download.suggested_filename == "statement.png"
    assert Path(download.path()).read_bytes() == png
    assert page_errors == [], page_errors  # no CSP violation, nothing failed to load
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Link not found")).to_be_visible()
