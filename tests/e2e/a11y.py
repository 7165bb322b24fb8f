"""axe-core in the page under test: the accessibility violations of what is on screen.

axe-core is pinned in ``tests/e2e/axe/package.json`` (``make client-deps`` runs ``npm ci`` there).
Its script is injected with Playwright, so pages checked here need a context made with
``bypass_csp=True``: the app's own policy rightly refuses any script it did not ship.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.e2e.stack import ROOT

AXE = ROOT / "tests" / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# Every WCAG 2.x A/AA rule and axe's best practices; only what is rendered is checked.
RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (axe is injected on first use in a document)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make client-deps` (npm ci in tests/e2e/axe)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN)
    return found
