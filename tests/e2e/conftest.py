"""End-to-end fixtures: one real local stack per test session, fresh users per test, and the
browser the SPA's tests drive (one Chromium per session, a fresh context per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.api import Api
from tests.e2e.browser import ARTIFACTS, PASSWORD, TIMEOUT_MS, VIEWPORT, User, launch
from tests.e2e.stack import Stack, start


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``last`` run after all others: they check what the others left behind."""
    items.sort(key=lambda item: item.get_closest_marker("last") is not None)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop()


def _user(stack: Stack) -> Api:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    sub, token = stack.new_user(email)
    return Api(stack.api, token, sub)


@pytest.fixture
def alice(stack: Stack) -> Api:
    return _user(stack)


@pytest.fixture
def bob(stack: Stack) -> Api:
    return _user(stack)


@pytest.fixture
def demo(stack: Stack) -> Api:
    demo_user = stack.info["demoUser"]
    token = stack.login(demo_user["username"], demo_user["password"])["AccessToken"]
    return Api(stack.api, token, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; screenshots the page if the test failed."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    opened = context.new_page()
    failures_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failures_before:  # this test's call phase failed
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Uncaught exceptions and console errors of the page (CSP violations, failed loads, bugs)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return errors


@pytest.fixture
def user(stack: Stack) -> User:
    """A new user with a known password, so the page can sign in as them."""
    email = f"browser-{uuid.uuid4().hex[:12]}@example.com"
    sub, token = stack.new_user(email, PASSWORD)
    return User(email, Api(stack.api, token, sub))
