"""Shared helpers for Locker's micro-benchmarks: fair A/B timing and a printed row.

Running A and B in alternation (A, B, A, B ...) spreads CPU frequency changes,
cache effects and noisy neighbours evenly over both sides; the median of many
short rounds ignores the odd slow round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def _per_call(fn: Callable[[], object], inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def alternate(
    a: Callable[[], object],
    b: Callable[[], object],
    rounds: int,
    inner: int,
    reset: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median seconds per call of ``a`` and of ``b``, timed in alternating rounds of ``inner`` calls.

    ``reset``, if given, runs untimed before every batch of either side, so both
    start from the same state (e.g. a table emptied of what the last batch wrote).
    """
    if rounds < 1 or inner < 1:
        raise ValueError("rounds and inner must be at least 1")
    a(), b()  # warm both before timing
    a_times: list[float] = []
    b_times: list[float] = []
    for _ in range(rounds):
        for fn, times in ((a, a_times), (b, b_times)):
            if reset is not None:
                reset()
            times.append(_per_call(fn, inner))
    return statistics.median(a_times), statistics.median(b_times)


def row(metric: str, locker_s: float, baseline_s: float, target: float | None) -> dict[str, object]:
    """One result row, as ``make bench`` collects them (``target`` None: informational, no verdict)."""
    ratio = locker_s / baseline_s if baseline_s else float("inf")
    return {
        "metric": metric,
        "locker_s": locker_s,
        "baseline_s": baseline_s,
        "ratio": ratio,
        "target": target,
    }


def print_row(result: dict[str, object]) -> None:
    """Print a row: metric, both times in microseconds, the ratio and whether it meets the target."""
    ratio = float(str(result["ratio"]))
    if result["target"] is None:
        judged = "(informational)"
    else:
        target = float(str(result["target"]))
        judged = f"(target <= {target:.2f}) {'ok' if ratio <= target else 'MISSED'}"
    if result.get("unit") == "bytes":
        a, b, unit = float(str(result["locker_s"])) / 2**20, float(str(result["baseline_s"])) / 2**20, "MiB"
    else:
        a, b, unit = float(str(result["locker_s"])) * 1e6, float(str(result["baseline_s"])) * 1e6, "us"
    sides = f"locker {a:9.1f} {unit}  baseline {b:9.1f} {unit}"
    print(f"{result['metric']:<40} {sides}  ratio {ratio:5.2f} {judged}")
