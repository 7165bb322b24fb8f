"""Runs the Postman collection with newman against the e2e stack: the collection is tested, not just shipped.

newman comes from ``postman/package-lock.json`` (``npm ci --prefix postman``), installed here on first use
so ``make test`` works on a fresh machine that has Node.js.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

POSTMAN = ROOT / "postman"
NEWMAN = POSTMAN / "node_modules" / ".bin" / "newman"
INSTALLED = POSTMAN / "node_modules" / ".package-lock.json"  # written by npm ci, after the install
COLLECTION = POSTMAN / "locker.postman_collection.json"
ASSET = ROOT / "assets" / "1.png"  # the collection's uploadFile
# One per pm.test in the collection: change them together.
EXPECTED_REQUESTS = 47
EXPECTED_ASSERTIONS = 48


def newman() -> Path:
    """newman from the lock file, installing it (``npm ci``) when missing or older than the lock."""
    if NEWMAN.exists() and INSTALLED.stat().st_mtime >= (POSTMAN / "package-lock.json").stat().st_mtime:
        return NEWMAN
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("node and npm are needed to run the Postman collection with newman: install Node.js 16+")
    installed = subprocess.run(
        [npm, "ci", "--prefix", str(POSTMAN), "--no-audit", "--no-fund"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, (
        f"npm ci --prefix postman failed:\n{installed.stdout}\n{installed.stderr}"
    )
    return NEWMAN


def test_collection_passes_against_the_stack(stack: Stack, bob: Api, tmp_path: Path) -> None:
    foreign = bob.upload(ASSET.read_bytes())  # the collection must not be able to touch it
    report = tmp_path / "newman.json"
    command = [
        str(newman()),
        "run",
        str(COLLECTION),
        "-e",
        str(stack.log_path.parent / "locker.postman_environment.json"),  # the stack's state dir
        "--working-dir",
        str(ROOT),
        "--env-var",
        f"uploadSize={ASSET.stat().st_size}",
        "--env-var",
        f"foreignFileId={foreign['id']}",
        "--bail",
        "--color",
        "off",
        "--reporters",
        "cli,json",
        "--reporter-json-export",
        str(report),
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, f"newman failed:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["requests"] == {"total": EXPECTED_REQUESTS, "pending": 0, "failed": 0}
    assert stats["assertions"] == {"total": EXPECTED_ASSERTIONS, "pending": 0, "failed": 0}
    assert stats["testScripts"]["failed"] == stats["prerequestScripts"]["failed"] == 0
    assert bob.call("GET", f"/files/{foreign['id']}").json()["file"]["status"] == "ready"
