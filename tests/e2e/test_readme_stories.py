"""Runs the README's "Three stories with curl" verbatim against the e2e stack, to keep them true.

As for "Try it with curl", only ``API`` and ``STACK`` differ from a reader's shell. The stories
make their own users and groups (``hr``, ``brokers``, ``course-buyers``...), so this stack must
not have them yet: no other test uses those names.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.stack import ROOT, Stack
from tests.e2e.test_readme_curl import fenced_blocks

HEADING = "Three stories with curl"
STATUS_LINE = re.compile(r"^\d{3}$")


def test_the_three_stories_run_end_to_end(stack: Stack, tmp_path: Path) -> None:
    for tool in ("bash", "curl", "python3", "cmp"):
        if shutil.which(tool) is None:
            pytest.fail(f"the stories need {tool} on PATH")
    blocks = fenced_blocks((ROOT / "README.md").read_text(), HEADING)
    assert len(blocks) >= 7, f"README.md has {len(blocks)} bash blocks under '{HEADING}'"
    script = tmp_path / "stories.sh"
    script.write_text("set -euo pipefail\n" + "\n".join(blocks))
    env = {**os.environ, "API": stack.api, "STACK": str(stack.log_path.parent / "stack.json")}
    run = subprocess.run(
        ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert run.returncode == 0, f"the stories failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    out = run.stdout.splitlines()

    # HR: ana sees exactly her payslip, from hr, and gets its bytes; not ben's, and may not delete.
    assert "payslip-ana.pdf from hr via user" in out
    assert not any(line.startswith("payslip-ben.pdf") for line in out)
    assert "ana has her payslip" in out
    # brokers: dana reads through the group until she is removed from it.
    assert "statement-2026-10.txt from carla via group brokers" in out
    assert "dana has the statement" in out
    # course-buyers and the 3-download link: exactly three link downloads, then refused.
    assert "the buyer has the lesson" in out
    for n in (1, 2, 3):
        assert (tmp_path / f"outsider-{n}.pdf").read_bytes() == (tmp_path / "lesson-1.pdf").read_bytes()
    assert [line for line in out if STATUS_LINE.match(line)] == ["404", "403", "204", "404", "404"]
    assert '"downloadsLeft": 3' in run.stdout
    activity = [line.split()[1:] for line in out if re.match(r"^\d{4}-\d\d-\d\dT", line)]
    assert [e[0] for e in activity[:4]] == ["link_used"] * 3 + ["link_created"], activity
    assert ["download_issued", "by", "buyer"] in activity
    assert ["grant_added", "by", "sam"] in activity
    assert activity[-1][0] == "created"
