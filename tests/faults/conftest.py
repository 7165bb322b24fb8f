"""The fault-injection suite's fixtures and its report: the operation x failure point table.

The table is printed at the end of every run of this suite (``-s`` or not) and
written to ``faults-table.md`` under pytest's base temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib import jwks, runtime
from tests import tokens
from tests.faults import table
from tests.faults.world import ENV, Lab, clocked, lab


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """The settings, a JWKS served without network, moto, and the run's clock wired into the app."""
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(jwks, "fetch_url", tokens.fake_fetcher())
    with lab() as started:
        monkeypatch.setattr(runtime, "Locker", clocked(started.clock))
        yield started


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print the table and write it under the base temporary directory."""
    if not table.OUTCOMES:
        return
    text = table.render(table.OUTCOMES)
    terminalreporter.write_sep("=", "fault injection: operation x failure point -> outcome")
    terminalreporter.write_line(text)
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is not None:
        path = Path(factory.getbasetemp()) / "faults-table.md"
        path.write_text(text + "\n")
        terminalreporter.write_line(f"table written to {path}")
