"""End-to-end fixtures: one real local stack per test session, fresh users per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.e2e.api import Api
from tests.e2e.stack import Stack, start


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
    """One headless Chromium for every browser test module (Playwright's sync API allows one)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch

    with sync_playwright() as playwright:
        running = launch(playwright)
        yield running
        running.close()
