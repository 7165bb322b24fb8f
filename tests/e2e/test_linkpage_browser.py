"""The link page in headless Chromium: it renders under its own CSP, and its button downloads once."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.api import Api
from tests.e2e.stack import ROOT
from tests.e2e.test_browser import browser, page, page_errors  # noqa: F401 (fixtures)

PNG = (ROOT / "assets" / "1.png").read_bytes()


def test_a_person_opens_the_link_and_downloads_the_file_once(
    page: Page,  # noqa: F811 (the fixture above)
    page_errors: list[str],  # noqa: F811
    alice: Api,
) -> None:
    file = alice.upload(PNG, filename="statement.png")
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
    assert Path(download.path()).read_bytes() == PNG
    assert page_errors == [], page_errors  # no CSP violation, nothing failed to load
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Link not found")).to_be_visible()
