"""The docs stand on their own: every link resolves inside the repository, and ``make help`` is whole."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [
    ROOT / "README.md",
    ROOT / "web" / "README.md",
    ROOT / "postman" / "README.md",
    ROOT / "docs" / "API.md",
]
COLLECTION = ROOT / "postman" / "locker.postman_collection.json"
LINK = re.compile(r"\]\(([^)\s]+)\)")
TARGET = re.compile(r"^([A-Za-z0-9_-]+):(?!=)", re.MULTILINE)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in path.read_text().splitlines() if line.startswith("#")}


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        inside = resolved.exists() and resolved.is_relative_to(ROOT)
        if not inside or (anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("doc", [*DOCS[:-1], COLLECTION], ids=lambda d: str(d.relative_to(ROOT)))
def test_the_contract_is_named_by_its_path_in_the_repository(doc: Path) -> None:
    text = doc.read_text()
    assert (ROOT / "docs" / "API.md").is_file()
    assert re.findall(r"(?<!docs/)\bAPI\.md", text) == []
    assert "shared/" not in text


def test_the_collection_describes_itself_with_a_repository_path() -> None:
    info = json.loads(COLLECTION.read_text())["info"]["description"]
    assert "docs/API.md" in info


def _help(makefile: Path) -> str:
    done = subprocess.run(
        ["make", "-s", "-f", str(makefile), "help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_help_lists_every_target() -> None:
    makefile = ROOT / "Makefile"
    listed = {line.split()[1] for line in _help(makefile).splitlines() if line.strip().startswith("make ")}
    assert set(TARGET.findall(makefile.read_text())) == listed


def test_make_help_lists_targets_whose_names_hold_digits(tmp_path: Path) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text((ROOT / "Makefile").read_text() + "\nbench-p3: ## a target with a digit\n\t@true\n")
    assert "make bench-p3" in _help(makefile)
