"""axe-core finds no accessibility violation on any view of the SPA, nor on the link page.

Each view is checked as a person sees it, with content in it, in both colour schemes: sign-in,
the files list, the share dialog with a grant and a fresh link, "Shared with me" with a group
share, Groups with the member list open, the activity list, and the link page /l/{token}.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.a11y import violations
from tests.e2e.api import Api
from tests.e2e.browser import ARTIFACTS, PASSWORD, TIMEOUT_MS, VIEWPORT, sign_in
from tests.e2e.stack import ROOT, Stack

pytestmark = pytest.mark.browser

PNG = (ROOT / "assets" / "1.png").read_bytes()


@pytest.fixture
def axe_page(
    browser: Browser,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A page whose CSP lets Playwright inject axe (the app's own policy stays as shipped)."""
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    failures_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failures_before:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def _person(stack: Stack, name: str) -> tuple[str, Api]:
    email = f"{name}-{uuid.uuid4().hex[:10]}@example.com"
    sub, token = stack.new_user(email, PASSWORD)
    return email, Api(stack.api, token, sub)


def _check(page: Page, view: str, seen: dict[str, list[dict[str, object]]]) -> None:
    """axe on the view in the light and the dark colour scheme (styles.css has both)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        seen[f"{view} ({scheme})"] = violations(page)
    page.emulate_media(color_scheme="light")


def test_no_view_of_the_app_has_an_accessibility_violation(axe_page: Page, stack: Stack) -> None:
    page = axe_page
    alice_email, alice = _person(stack, "alice")
    bob_email, _ = _person(stack, "bob")
    group = f"brokers-{uuid.uuid4().hex[:8]}"
    assert alice.call("POST", "/groups", json={"name": group}).status_code == 201
    assert alice.call("POST", f"/groups/{group}/members", json={"user": bob_email}).status_code == 201
    shared = alice.upload(PNG, filename="statement.png")
    grant = alice.call("POST", f"/files/{shared['id']}/grants", json={"group": group})
    assert grant.status_code == 201, grant.text
    seen: dict[str, list[dict[str, object]]] = {}

    page.goto(stack.info["webUrl"] + "/")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    _check(page, "sign-in", seen)

    sign_in(page, stack.info["webUrl"], alice_email, PASSWORD)
    expect(page.get_by_test_id("file-row")).to_have_count(1)
    _check(page, "files", seen)

    page.get_by_test_id("share-button").click()
    dialog = page.get_by_test_id("share-dialog")
    dialog.get_by_test_id("grantee-name").fill(bob_email)
    dialog.get_by_test_id("grant-submit").click()
    expect(dialog.get_by_test_id("grant-item")).to_have_count(2)
    dialog.get_by_test_id("link-submit").click()
    expect(dialog.get_by_test_id("link-item")).to_have_count(1)
    expect(dialog.get_by_test_id("new-link")).to_be_visible()
    link_url = dialog.get_by_test_id("new-link-url").input_value()
    _check(page, "share dialog", seen)
    dialog.get_by_test_id("share-close").click()

    page.get_by_test_id("nav-groups").click()
    page.get_by_test_id("group-members").click()
    expect(page.get_by_test_id("member-item")).to_have_count(2)
    _check(page, "groups and members", seen)

    page.get_by_test_id("nav-activity").click()
    expect(page.get_by_test_id("activity-item").first).to_be_visible()
    _check(page, "activity", seen)

    page.get_by_test_id("sign-out").click()
    sign_in(page, stack.info["webUrl"], bob_email, PASSWORD)
    page.get_by_test_id("nav-shared").click()
    expect(page.get_by_test_id("shared-row")).to_have_count(1)
    _check(page, "shared with me", seen)
    page.get_by_test_id("nav-groups").click()
    expect(page.get_by_test_id("group-leave")).to_be_visible()
    _check(page, "groups as a member", seen)

    page.goto(link_url)
    expect(page.get_by_role("button", name="Download")).to_be_visible()
    _check(page, "link page", seen)
    page.goto(stack.api + "/l/" + "x" * 43)
    expect(page.get_by_role("heading", name="Link not found")).to_be_visible()
    _check(page, "link page, unknown link", seen)

    assert {view: found for view, found in seen.items() if found} == {}
    assert len(seen) == 18
