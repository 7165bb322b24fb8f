"""Runs the Postman collection with newman against the e2e stack: the collection is tested, not just shipped.

newman comes from ``postman/package-lock.json`` (``npm ci --prefix postman``), installed here on first use
so ``make test`` works on a fresh machine that has Node.js.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

POSTMAN = ROOT / "postman"
NEWMAN = POSTMAN / "node_modules" / ".bin" / "newman"
INSTALLED = POSTMAN / "node_modules" / ".package-lock.json"  # written by npm ci, after the install
COLLECTION = POSTMAN / "locker.postman_collection.json"
ASSET = ROOT / "assets" / "1.png"  # the collection's uploadFile
# One per pm.test in the collection: change them together.
EXPECTED_REQUESTS = 57
EXPECTED_ASSERTIONS = 58
UPLOAD_FOLDER = "Upload, download, delete"
UPLOAD_FOLDER_REQUESTS = 37  # 9 of its own and the 28 of its "Share, link, activity" folder


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


def _run(stack: Stack, tmp_path: Path, *options: str) -> dict[str, Any]:
    """newman over the collection with the stack's environment; returns the run's stats."""
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
        *options,
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
    stats: dict[str, Any] = json.loads(report.read_text())["run"]["stats"]
    assert stats["testScripts"]["failed"] == stats["prerequestScripts"]["failed"] == 0
    return stats


def test_collection_passes_against_the_stack(stack: Stack, bob: Api, tmp_path: Path) -> None:
    foreign = bob.upload(ASSET.read_bytes())  # the collection must not be able to touch it
    stats = _run(stack, tmp_path, "--env-var", f"foreignFileId={foreign['id']}")
    assert stats["requests"] == {"total": EXPECTED_REQUESTS, "pending": 0, "failed": 0}
    assert stats["assertions"] == {"total": EXPECTED_ASSERTIONS, "pending": 0, "failed": 0}
    assert bob.call("GET", f"/files/{foreign['id']}").json()["file"]["status"] == "ready"


def test_collection_logs_in_by_itself_when_the_token_has_expired(stack: Stack, tmp_path: Path) -> None:
    """No "Log in" request runs, and the token it starts with expired an hour ago: the pre-request logs in."""
    expired = str(int(time.time() - 3600) * 1000)
    stats = _run(
        stack,
        tmp_path,
        "--folder",
        UPLOAD_FOLDER,
        "--env-var",
        "accessToken=an.expired.token",
        "--env-var",
        f"accessTokenExpiresAt={expired}",
    )
    # The folder's requests plus exactly one log-in, sent by the pre-request script.
    assert stats["requests"] == {"total": UPLOAD_FOLDER_REQUESTS + 1, "pending": 0, "failed": 0}
    assert stats["assertions"]["failed"] == 0
    assert stats["assertions"]["total"] >= UPLOAD_FOLDER_REQUESTS
