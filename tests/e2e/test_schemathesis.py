"""schemathesis against the local stack: the OpenAPI document, every check, two users, no failure.

The stack serves ``GET /openapi.json``; schemathesis (pinned) loads it from there and
runs its examples, coverage, fuzzing and stateful phases with ``--checks all``,
``object_level_authorization`` included: the demo user makes every request and
``peer``, a second Cognito user, replays the demo user's reads of its own objects.
Real ids come from ``tests.e2e.fuzz_seed`` (see there). The run is deterministic
(schemathesis' ``deterministic`` mode derandomizes Hypothesis) and bounded by
``MAX_EXAMPLES``. Any failure, and any warning (an operation that only ever got
404s, a binding that matches no parameter, ...), fails the test with
schemathesis' own report, which prints how to reproduce each case.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.requestlog import caller_hash
from tests.e2e import fuzz_config, fuzz_seed
from tests.e2e.stack import ROOT, Stack, start

MAX_EXAMPLES = 10  # per operation and phase; the whole run stays within about two minutes
RUN_SECONDS = 600
CURSOR_KEY = "schemathesis-run-cursor-key-0123456789"  # known here, so the log's caller hash is too
REQUEST_LINE = '{"type":"request"'
SETTINGS = {
    # Generated declarations ask for up to 5 GiB each: a quota this large never runs out mid-run,
    # so every create can be followed by the requests that use it.
    "LOCKER_QUOTA_BYTES": str(2**50),
    "LOCKER_QUOTA_FILES": str(10**6),
    "LOCKER_CURSOR_KEY": CURSOR_KEY,
}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the run deletes, shares and fills what it finds."""
    running = start(tmp_path_factory.mktemp("schemathesis-stack"), SETTINGS)
    yield running
    running.stop()


def _run(stack: Stack, config: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        stack.api + "/openapi.json",
        "--url",
        stack.api,
        "--checks",
        "all",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_SECONDS)


def _request_lines(stack: Stack) -> list[dict[str, Any]]:
    """Locker's request log lines in the stack's log (where processes' lines can run together)."""
    text, decoder, lines = stack.log_path.read_text(errors="replace"), json.JSONDecoder(), []
    start = text.find(REQUEST_LINE)
    while start != -1:
        with contextlib.suppress(ValueError):  # a line cut off by another process's output
            lines.append(decoder.raw_decode(text, start)[0])
        start = text.find(REQUEST_LINE, start + 1)
    return lines


def test_schemathesis_finds_no_failure(fuzzed: Stack, tmp_path: Path) -> None:
    seeded = fuzz_seed.seed(fuzzed)
    config = fuzz_config.write_config(tmp_path, seeded, max_examples=MAX_EXAMPLES)
    report_path = tmp_path / "report.json"
    result = _run(fuzzed, config, report_path)
    output = result.stdout[-30000:] + result.stderr[-5000:]
    assert result.returncode == 0, output
    report = json.loads(report_path.read_text())
    assert report["failures"] == [] and report["errors"] == [], output
    warnings = {name: labels for name, labels in report["warnings"].items() if labels}
    mismatched = set(warnings.pop("validation_mismatch", ()))
    assert warnings == {} and mismatched <= fuzz_config.VALIDATION_MISMATCH_EXPECTED, output
    operations = report["operations"]
    assert operations["selected"] == operations["tested"] == operations["total"] > 0
    phases = report["phases"]
    assert all(phases[phase]["status"] == "success" for phase in ("coverage", "fuzzing", "stateful")), phases
    # Real ids got every operation past its 404s: Locker's log shows each answered with a success.
    lines = _request_lines(fuzzed)
    document = requests.get(fuzzed.api + "/openapi.json", timeout=30).json()
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    served = {(line["method"], line["route"]) for line in lines if line["status"] < 400}
    assert documented - served == set(), output

    # object_level_authorization ran: the peer replayed reads of the demo user's objects, and was refused.
    peer = caller_hash(CURSOR_KEY.encode(), str(seeded.peer.sub))
    probes = [line for line in lines if line["caller"] == peer and "{" in line["route"]]
    assert {line["route"] for line in probes} >= {"/files/{file_id}"}, output
    assert all(line["status"] == 404 for line in probes), probes
