"""P1: cold start, one fresh interpreter per sample, Locker and baseline in turn.

Each sample is ``python -m bench.cold_child <side> <t0>`` (see cold_child):
Locker's side imports ``app`` with the local stage's settings and answers one
authorised ``POST /files`` (token verified against a JWKS it fetches from the
emulator); the baseline imports boto3 and jwt, makes the same two clients,
fetches the same JWKS, verifies the token, writes the record and presigns.
Both fetch the JWKS over HTTP: a cold container has no cached keys.

Besides wall time, each sample's CPU time (user + system, from the kernel's
accounting of the finished child) is recorded: it does not grow when other
programs compete for the machine, so it tells a real difference from noise.

Bytecode: by default every module's .pyc is cached (one untimed warm-up run
per side fills a private ``PYTHONPYCACHEPREFIX``), as on any machine after a
first import. ``compile_all=True`` gives each sample an empty cache, so every
module is compiled from source, which is what a Lambda zip without .pyc does.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import row
from bench.events import create_file_event
from bench.stack import ROOT, BenchStack

TARGET = 1.10
METRIC = "P1 cold start POST /files vs raw SDK"
SIDES = ("locker", "baseline")


def child_env(stack: BenchStack, cache: Path, compile_all: bool) -> dict[str, str]:
    """The stack's settings and a bytecode cache at ``cache``; no AWS_, LOCKER_ or PYTHON* from here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCKER_", "PYTHON"))}
    env.update(stack.env)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    if compile_all:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def sample(
    side: str, event: str, env: dict[str, str], flags: tuple[str, ...] = ()
) -> tuple[dict[str, Any], str]:
    """One cold start of ``side``: the child's figures (plus ``cpu_ns``) and its stderr.

    Raises:
        RuntimeError: the child failed or did not answer 201.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time_ns()
    done = subprocess.run(
        [sys.executable, *flags, "-m", "bench.cold_child", side, str(t0)],
        input=event,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{side} cold start failed:\n{done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["status"] != 201:
        raise RuntimeError(f"{side} cold start answered {figures['status']}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    figures["cpu_ns"] = int(cpu * 1e9)
    return figures, done.stderr


def run(stack: BenchStack, rounds: int = 15, compile_all: bool = False) -> list[dict[str, object]]:
    """Time P1 in alternating fresh processes; the row's note has the import/request split and CPU."""
    event = json.dumps(create_file_event(stack.token))
    times: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    with tempfile.TemporaryDirectory(prefix="locker-bench-pyc-") as tmp:
        for number in range(rounds + (0 if compile_all else 1)):
            for side in SIDES:
                cache = Path(tmp) / (f"{side}-{number}" if compile_all else "shared")
                figures, _ = sample(side, event, child_env(stack, cache, compile_all))
                if compile_all or number > 0:  # sample 0 only fills the bytecode cache
                    times[side].append(figures)
            stack.forget_files()
    medians = {
        side: {
            key: statistics.median(f[key] for f in found) / 1e9
            for key in ("elapsed_ns", "import_ns", "cpu_ns")
        }
        for side, found in times.items()
    }
    metric = METRIC + (", no .pyc" if compile_all else "")
    target = None if compile_all else TARGET
    result = row(metric, medians["locker"]["elapsed_ns"], medians["baseline"]["elapsed_ns"], target)
    missed = target is not None and float(str(result["ratio"])) > target
    result["note"] = _note(medians, rounds, compile_all, missed)
    return [result]


def _note(medians: dict[str, dict[str, float]], rounds: int, compile_all: bool, missed: bool) -> str:
    lock, base = medians["locker"], medians["baseline"]
    l_imp, b_imp = lock["import_ns"], base["import_ns"]
    l_req, b_req = lock["elapsed_ns"] - l_imp, base["elapsed_ns"] - b_imp
    cpu_ratio = lock["cpu_ns"] / base["cpu_ns"]
    ms = "{:.0f} ms".format
    text = (
        f"Median of {rounds} fresh processes per side, alternating, timed from spawn to the handler's "
        "response, with the local stage's settings (.chalice/config.json; quota limits raised so bench "
        "uploads are never refused). Both sides fetch the JWKS from the emulator. "
        f"Start-up and imports: Locker {ms(l_imp * 1e3)}, baseline {ms(b_imp * 1e3)}; "
        f"first request (clients, JWKS fetch, token check, transaction, presign): Locker "
        f"{ms(l_req * 1e3)}, baseline {ms(b_req * 1e3)}. CPU time of the whole process (user + system, "
        f"blind to waiting): Locker {ms(lock['cpu_ns'] * 1e3)}, baseline {ms(base['cpu_ns'] * 1e3)}, "
        f"ratio {cpu_ratio:.2f}."
    )
    if compile_all:
        text += (
            " Informational: every sample starts with an empty bytecode cache, so every module is compiled "
            "from source, as Lambda does on each cold start when the zip holds no .pyc (its code directory "
            "is read-only). Compare with the cached row to see that cost."
        )
    else:
        text += " Every module's bytecode is cached (one untimed warm-up run per side), as after a first run."
    if not missed:
        return text
    where = "imports" if l_imp - b_imp >= l_req - b_req else "the first request"
    text += (
        f" Missed: most of the difference is in {where} (imports +{ms((l_imp - b_imp) * 1e3)}, "
        f"request +{ms((l_req - b_req) * 1e3)})."
    )
    if cpu_ratio <= TARGET:
        return text + (
            f" The CPU ratio ({cpu_ratio:.2f}) is within the target, so the extra wall time is waiting, not "
            "Locker's work: other programs were competing for the machine (see the load average above); "
            "rerun on a quiet machine."
        )
    return text + " The CPU time differs as much: Locker's own work (see the imports only Locker makes)."
