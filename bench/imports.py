"""Where Locker's cold start goes, import by import (``python -X importtime``).

Runs the same cold children as P1 with ``-X importtime`` (bytecode cached),
a few times per side, and keeps each module's median own time. Comparing the
two sides names the imports only Locker's path makes (Chalice, chalicelib ...).
"""

from __future__ import annotations

import json
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.bench_cold import child_env, sample
from bench.events import create_file_event
from bench.stack import BenchStack


@dataclass(frozen=True)
class ImportProfile:
    """The slowest imports of Locker's cold path and the ones the baseline does not make."""

    slowest: list[tuple[str, float, float]]  # module, own seconds, cumulative seconds
    locker_only: list[tuple[str, float]]  # module, own seconds
    runs: int


def parse(stderr: str) -> dict[str, tuple[float, float]]:
    """``-X importtime`` output as module -> (own seconds, cumulative seconds)."""
    found: dict[str, tuple[float, float]] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        found[name.strip()] = (int(own) / 1e6, int(cumulative) / 1e6)
    return found


def _medians(profiles: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    names = set().union(*profiles)
    return {
        name: (
            statistics.median(p[name][0] for p in profiles if name in p),
            statistics.median(p[name][1] for p in profiles if name in p),
        )
        for name in names
    }


def profile(stack: BenchStack, runs: int = 3, count: int = 10) -> ImportProfile:
    """Median per-module import times of both sides' cold paths over ``runs`` processes each."""
    event = json.dumps(create_file_event(stack.token))
    found: dict[str, list[dict[str, tuple[float, float]]]] = {"locker": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="locker-bench-pyc-") as tmp:
        env = child_env(stack, Path(tmp), compile_all=False)
        for side in found:
            sample(side, event, env)  # fill the bytecode cache first
        for _ in range(runs):
            for side, profiles in found.items():
                profiles.append(parse(sample(side, event, env, ("-X", "importtime"))[1]))
    stack.forget_files()
    locker, baseline = _medians(found["locker"]), _medians(found["baseline"])
    slowest = sorted(((n, own, cum) for n, (own, cum) in locker.items()), key=lambda e: -e[1])[:count]
    only = sorted(((n, own) for n, (own, _) in locker.items() if n not in baseline), key=lambda e: -e[1])
    return ImportProfile(slowest, only, runs)
