"""Sharing in the SPA, in headless Chromium: grants, "Shared with me", groups, links, activity.

Two browser contexts are two people: alice shares from her files, bob signs in elsewhere and
downloads; when alice stops sharing, bob's next download is refused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.api import Api
from tests.e2e.browser import ARTIFACTS, PASSWORD, TIMEOUT_MS, VIEWPORT, sign_in
from tests.e2e.stack import ROOT, Stack

pytestmark = pytest.mark.browser

PNG = (ROOT / "assets" / "1.png").read_bytes()


@dataclass
class Person:
    """A user with a password and their own browser context."""

    email: str
    api: Api
    page: Page


@pytest.fixture
def people(
    browser: Browser,
    stack: Stack,
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, Person]]:
    """alice, bob and carol, each signed up, with a page of their own (screenshots on failure)."""
    contexts: list[BrowserContext] = []
    made: dict[str, Person] = {}
    for name in ("alice", "bob", "carol"):
        email = f"{name}-{uuid.uuid4().hex[:10]}@example.com"
        sub, token = stack.new_user(email, PASSWORD)
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.info["webUrl"])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        made[name] = Person(email, Api(stack.api, token, sub), context.new_page())
    expect.set_options(timeout=TIMEOUT_MS)
    failures_before = request.session.testsfailed
    yield made
    if request.session.testsfailed > failures_before:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, person in made.items():
            person.page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
    for context in contexts:
        context.close()


def _row(page: Page, filename: str, testid: str = "file-row") -> Locator:
    return page.locator(f'[data-testid={testid}][data-filename="{filename}"]')


def _open_share(page: Page, filename: str) -> None:
    _row(page, filename).get_by_test_id("share-button").click()
    expect(page.get_by_test_id("share-dialog")).to_be_visible()


def _download(page: Page, row: Locator) -> bytes:
    with page.expect_download() as caught:
        row.get_by_test_id("shared-download").click()
    return Path(caught.value.path()).read_bytes()


def test_alice_shares_with_bob_who_downloads_until_she_revokes(
    stack: Stack, people: dict[str, Person]
) -> None:
    alice, bob = people["alice"], people["bob"]
    file = alice.api.upload(PNG, filename="payslip-2026-11.png")
    sign_in(alice.page, stack.info["webUrl"], alice.email, PASSWORD)
    _open_share(alice.page, "payslip-2026-11.png")
    dialog = alice.page.get_by_test_id("share-dialog")
    dialog.get_by_test_id("grantee-name").fill(bob.email)
    dialog.get_by_test_id("grant-submit").click()
    expect(dialog.get_by_test_id("share-message")).to_have_text(
        f"payslip-2026-11.png is shared with {bob.email}, no end date."
    )
    grant = dialog.locator(f'[data-testid=grant-item][data-grantee="{bob.email}"]')
    expect(grant).to_contain_text("no end date")

    sign_in(bob.page, stack.info["webUrl"], bob.email, PASSWORD)
    bob.page.get_by_test_id("nav-shared").click()
    row = _row(bob.page, "payslip-2026-11.png", "shared-row")
    expect(row.get_by_test_id("shared-owner")).to_have_text(alice.email)
    expect(row.get_by_test_id("shared-via")).to_have_text("you directly")
    assert _download(bob.page, row) == PNG

    grant.get_by_test_id("revoke-grant").click()
    expect(dialog.get_by_test_id("grants-empty")).to_be_visible()
    expect(dialog.get_by_test_id("grant-item")).to_have_count(0)

    row.get_by_test_id("shared-download").click()  # the page still shows the row: the API refuses
    expect(bob.page.get_by_test_id("message")).to_have_text(
        "Could not download payslip-2026-11.png: it is no longer shared with you."
    )
    expect(row).to_have_count(0)
    assert bob.api.call("GET", f"/files/{file['id']}/download").status_code == 404


def test_a_group_share_reaches_its_members_until_they_leave(stack: Stack, people: dict[str, Person]) -> None:
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    group = f"brokers-{uuid.uuid4().hex[:8]}"
    alice.api.upload(PNG, filename="statement.png")
    sign_in(alice.page, stack.info["webUrl"], alice.email, PASSWORD)
    page = alice.page
    page.get_by_test_id("nav-groups").click()
    page.get_by_test_id("group-name").fill(group)
    page.get_by_test_id("group-create").click()
    row = page.locator(f'[data-testid=group-row][data-group="{group}"]')
    expect(row).to_have_attribute("data-role", "manager")
    row.get_by_test_id("group-members").click()
    panel = page.get_by_test_id("members-panel")
    for person in (bob, carol):
        panel.get_by_test_id("member-user").fill(person.email)
        panel.get_by_test_id("member-add").click()
        expect(panel.locator(f'[data-testid=member-item][data-name="{person.email}"]')).to_be_visible()
    expect(row.locator("td.num")).to_have_text("3")  # the manager is a member too
    panel.locator(f'[data-testid=member-item][data-name="{carol.email}"]').get_by_test_id(
        "member-remove"
    ).click()
    expect(panel.get_by_test_id("member-item")).to_have_count(2)

    page.get_by_test_id("nav-files").click()
    _open_share(page, "statement.png")
    dialog = page.get_by_test_id("share-dialog")
    dialog.get_by_test_id("grantee-group").check()
    dialog.get_by_test_id("grantee-name").fill(group)
    dialog.get_by_test_id("grant-submit").click()
    expect(dialog.locator(f'[data-testid=grant-item][data-grantee="group {group}"]')).to_be_visible()
    dialog.get_by_test_id("share-close").click()

    sign_in(carol.page, stack.info["webUrl"], carol.email, PASSWORD)  # removed before the share
    carol.page.get_by_test_id("nav-shared").click()
    expect(carol.page.get_by_test_id("shared-empty")).to_be_visible()

    sign_in(bob.page, stack.info["webUrl"], bob.email, PASSWORD)
    bob.page.get_by_test_id("nav-shared").click()
    shared = _row(bob.page, "statement.png", "shared-row")
    expect(shared.get_by_test_id("shared-via")).to_have_text(f"group {group}")
    assert _download(bob.page, shared) == PNG
    bob.page.get_by_test_id("nav-groups").click()
    membership = bob.page.locator(f'[data-testid=group-row][data-group="{group}"]')
    expect(membership).to_have_attribute("data-role", "member")
    membership.get_by_test_id("group-leave").click()
    expect(bob.page.get_by_test_id("message")).to_have_text(f"You left {group}.")
    expect(membership).to_have_count(0)
    bob.page.get_by_test_id("nav-shared").click()
    expect(bob.page.get_by_test_id("shared-empty")).to_be_visible()

    page.get_by_test_id("nav-groups").click()  # alice deletes the group, after saying so twice
    confirm = page.get_by_test_id("confirm-group-dialog")
    row.get_by_test_id("group-delete").click()
    confirm.get_by_test_id("cancel-group-delete").click()
    expect(confirm).to_be_hidden()
    expect(row).to_be_visible()
    row.get_by_test_id("group-delete").click()
    confirm.get_by_test_id("confirm-group-delete").click()
    expect(page.get_by_test_id("message")).to_have_text(f"Deleted the group {group}.")
    expect(row).to_have_count(0)
    assert alice.api.call("GET", f"/groups/{group}/members").status_code == 404


def test_a_link_is_made_copied_used_and_revoked_and_the_activity_tells_it(
    stack: Stack, people: dict[str, Person]
) -> None:
    alice, bob = people["alice"], people["bob"]
    alice.api.upload(PNG, filename="course-video.png")
    sign_in(alice.page, stack.info["webUrl"], alice.email, PASSWORD)
    page = alice.page
    _open_share(page, "course-video.png")
    dialog = page.get_by_test_id("share-dialog")
    dialog.get_by_test_id("link-max").fill("3")
    dialog.get_by_test_id("link-expiry").select_option("3600")
    dialog.get_by_test_id("link-submit").click()
    expect(dialog.get_by_test_id("new-link")).to_be_visible()
    url = dialog.get_by_test_id("new-link-url").input_value()
    assert re.fullmatch(re.escape(stack.api) + r"/l/[A-Za-z0-9_-]{43}", url), url
    dialog.get_by_test_id("copy-link").click()
    expect(dialog.get_by_test_id("share-message")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    link = dialog.get_by_test_id("link-item")
    expect(link.get_by_test_id("link-left")).to_have_text("3 of 3 downloads left")

    outsider = bob.page  # no account needed: the link is the credential
    outsider.goto(url)
    with outsider.expect_download() as caught:
        outsider.get_by_role("button", name="Download").click()
    assert Path(caught.value.path()).read_bytes() == PNG

    dialog.get_by_test_id("share-close").click()
    _open_share(page, "course-video.png")  # reopening lists the links afresh; the URL is gone
    expect(dialog.get_by_test_id("new-link")).to_be_hidden()
    expect(link.get_by_test_id("link-left")).to_have_text("2 of 3 downloads left")
    link.get_by_test_id("revoke-link").click()
    expect(dialog.get_by_test_id("links-empty")).to_be_visible()
    outsider.goto(url)
    expect(outsider.get_by_role("heading", name="Link not found")).to_be_visible()
    dialog.get_by_test_id("share-close").click()

    _row(page, "course-video.png").get_by_test_id("activity-button").click()
    expect(page.get_by_test_id("activity-scope")).to_have_text(
        "What happened to course-video.png, newest first."
    )
    items = page.get_by_test_id("activity-item")
    expect(items.first).to_have_attribute("data-type", "link_removed")
    types = [items.nth(i).get_attribute("data-type") for i in range(items.count())]
    assert types[:3] == ["link_removed", "link_used", "link_created"], types
    expect(items.nth(1)).to_contain_text("Someone downloaded it through a link.")
    expect(items.nth(2)).to_contain_text("You made a download link for 3 downloads.")
    page.get_by_test_id("activity-all").click()
    expect(page.get_by_test_id("activity-scope")).to_have_text(
        "Everything that happened to your files, newest first."
    )
    expect(page.get_by_test_id("activity-item").first).to_contain_text("course-video.png")
