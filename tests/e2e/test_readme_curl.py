"""Runs the README's "Try it with curl" commands verbatim against the e2e stack, to keep them true.

Only ``API`` and ``STACK`` differ from a reader's shell: the snippet reads both from the environment.
Until the section is in README.md, it is read from docs/curl.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

HEADING = "Try it with curl"
SOURCES = (ROOT / "README.md", ROOT / "docs" / "curl.md")  # the first that has the section
ASSET = ROOT / "assets" / "1.png"
DOWNLOADED = "downloaded.png"  # where the walkthrough saves the download
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")


def fenced_blocks(markdown: str, heading: str, language: str = "bash") -> list[str]:
    """The ``language`` fenced blocks under ``heading``, up to the next heading of its level or higher."""
    blocks: list[str] = []
    level = 0  # 0: not in the section yet
    fence: str | None = None
    info = ""
    lines: list[str] = []
    for line in markdown.splitlines():
        opening = _FENCE.match(line)
        if fence is not None:
            if line.strip() == fence:
                if level and info == language:
                    blocks.append("\n".join(lines) + "\n")
                fence = None
            else:
                lines.append(line)
        elif opening:
            fence, info, lines = opening.group(1), opening.group(2), []
        elif title := _HEADING.match(line):
            if title.group(2) == heading:
                level = len(title.group(1))
            elif level and len(title.group(1)) <= level:
                break
    return blocks


def test_fenced_blocks_stay_inside_their_section() -> None:
    markdown = "# A\n```bash\nno\n```\n## Try\n```bash\none\n# not a heading\n```\n```text\nno\n```\n"
    markdown += "### Sub\n````bash\ntwo\n````\n## Next\n```bash\nno\n```\n"
    assert fenced_blocks(markdown, "Try") == ["one\n# not a heading\n", "two\n"]


def walkthrough() -> tuple[Path, str]:
    """The walkthrough's source and its commands, as one script."""
    for source in SOURCES:
        if source.exists() and (blocks := fenced_blocks(source.read_text(), HEADING)):
            return source, "\n".join(blocks)
    pytest.fail(f"no ```bash blocks under a '{HEADING}' heading in {', '.join(map(str, SOURCES))}")


def test_curl_walkthrough_round_trips_a_file(stack: Stack, demo: Api, tmp_path: Path) -> None:
    for tool in ("bash", "curl", "python3"):
        if shutil.which(tool) is None:
            pytest.fail(f"the curl walkthrough needs {tool} on PATH")
    source, commands = walkthrough()
    (tmp_path / "assets").mkdir()
    shutil.copyfile(ASSET, tmp_path / "assets" / ASSET.name)
    script = tmp_path / "walkthrough.sh"
    script.write_text("set -euo pipefail\n" + commands)
    env = {**os.environ, "API": stack.api, "STACK": str(stack.log_path.parent / "stack.json")}
    run = subprocess.run(
        ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, (
        f"{source.name} walkthrough failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    )
    assert (tmp_path / DOWNLOADED).read_bytes() == ASSET.read_bytes()
    assert run.stdout.splitlines()[-1] == "204"  # the final DELETE's status
    assert "2.png" not in {f["filename"] for f in demo.call("GET", "/files").json()["items"]}
