"""P5: 1 GiB through ``locker upload`` (4 workers) versus boto3's ``upload_file``; the CLI's peak memory.

Both sides run as fresh processes against the same emulator, in alternation,
timed from spawn to exit (interpreter start, imports and, for the CLI, every
Locker call included): Locker's side is the installed ``locker`` command, which
declares the file, signs each part with its SHA-256 through the API, streams
the parts and completes through Locker (which checks the object); the
baseline is boto3's TransferManager with the same part size and concurrency,
writing straight to the bucket with admin credentials. The file is random
bytes behind a PDF signature, made in a temporary directory and removed.
Peak resident memory comes from the kernel's accounting of each finished
child (``wait4``), so it is the CLI's own, not the benchmark's.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import row
from bench.stack import PASSWORD, ROOT, USER, BenchStack

GIB = 1024**3
MIB = 1024**2
WORKERS = 4
TARGET_THROUGHPUT = 0.9  # Locker's throughput at least 0.9x the baseline's
MEMORY_BUDGET_MIB = 256
LOCKER = Path(sys.executable).with_name("locker")


def _make_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        left = size - 9
        while left:
            chunk = os.urandom(min(8 * MIB, left))
            out.write(chunk)
            left -= len(chunk)


@dataclass(frozen=True)
class Sample:
    """One child run: wall time, its peak RSS, its CPU time and the emulator's (this process's)."""

    seconds: float
    rss: int
    cpu: float
    server_cpu: float
    out: str


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], env: dict[str, str], stdin: str | None = None) -> Sample:
    """Run a child to completion and measure it."""
    with (
        tempfile.TemporaryDirectory() as temp,
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
    ):
        peak = Path(temp) / "peak"
        launcher = [sys.executable, "-m", "bench.peak_rss", str(peak), "--"]
        started, server = time.perf_counter(), _cpu()
        child = subprocess.run(
            launcher + argv,
            env=env,
            cwd=ROOT,
            input=stdin or "",
            stdout=out,
            stderr=err,
            text=True,
            check=False,
        )
        seconds, server = time.perf_counter() - started, _cpu() - server
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(
                f"{argv[0]} {argv[1]} failed ({child.returncode}): {err.read().strip()[-2000:]}"
            )
        measured = json.loads(peak.read_text())
        return Sample(seconds, int(measured["maxrss"]), float(measured["cpu"]), server, out.read())


class _Sides:
    def __init__(self, stack: BenchStack, api_url: str, home: Path, path: Path) -> None:
        self.stack, self.api_url, self.path = stack, api_url, path
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LOCKER_")}
        self.env["LOCKER_CONFIG_DIR"] = str(home)
        self.uploads = 0

    def login(self) -> None:
        argv = [
            str(LOCKER),
            "login",
            "--user",
            USER,
            "--password-stdin",
            "--api-url",
            self.api_url,
            "--cognito-url",
            self.stack.emulator.url + "/",
            "--client-id",
            self.stack.env["LOCKER_CLIENT_IDS"],
        ]
        _run(argv, self.env, PASSWORD + "\n")

    def locker(self) -> tuple[Sample, dict[str, Any]]:
        argv = [str(LOCKER), "upload", str(self.path), "--workers", str(WORKERS), "--quiet", "--json"]
        sample = _run(argv, self.env)
        result: dict[str, Any] = json.loads(sample.out)
        if result["file"]["status"] != "ready" or result["sent"] != result["parts"]:
            raise RuntimeError(f"locker upload did not send every part: {result}")
        _run([str(LOCKER), "rm", result["file"]["id"]], self.env)  # frees the emulator's memory
        return sample, result

    def baseline(self, part_size: int) -> Sample:
        self.uploads += 1
        key = f"bench/p5-{self.uploads}"
        argv = [
            sys.executable,
            "-m",
            "bench.upload_child",
            str(self.path),
            self.stack.bucket,
            key,
            str(part_size),
            str(WORKERS),
        ]
        sample = _run(argv, {**self.env, **self.stack.env})
        self.stack.client("s3").delete_object(Bucket=self.stack.bucket, Key=key)
        return sample


def run(stack: BenchStack, api_url: str, size: int, rounds: int) -> list[dict[str, object]]:
    """P5 rows: time of one upload of ``size`` bytes (Locker vs boto3), and the CLI's peak RSS."""
    with tempfile.TemporaryDirectory(prefix="locker-p5-") as temp:
        path = Path(temp) / "p5.pdf"
        _make_file(path, size)
        sides = _Sides(stack, api_url, Path(temp) / "config", path)
        sides.login()
        locker: list[Sample] = []
        baseline: list[Sample] = []
        part_size = 0
        for _ in range(rounds):
            sample, result = sides.locker()
            locker.append(sample)
            part_size = -(-size // int(result["parts"]))
            baseline.append(sides.baseline(part_size))
    locker_s, baseline_s = [s.seconds for s in locker], [s.seconds for s in baseline]
    rss, baseline_rss = [s.rss for s in locker], [s.rss for s in baseline]

    def cpu(samples: list[Sample]) -> str:
        client = statistics.median(s.cpu for s in samples)
        server = statistics.median(s.server_cpu for s in samples)
        return f"{client:.1f} s in the client + {server:.1f} s in the emulator and API"

    a, b = statistics.median(locker_s), statistics.median(baseline_s)
    label = f"{size / GIB:g} GiB" if size >= GIB else f"{size // MIB} MiB"
    timing = row(f"P5 upload {label}, {WORKERS} workers, vs boto3", a, b, round(1 / TARGET_THROUGHPUT, 4))
    timing["note"] = (
        f"Median of {rounds} alternating uploads of {label} in fresh processes, "
        f"parts of {part_size // MIB} MiB. "
        f"Throughput: locker {size / MIB / a:.1f} MiB/s, boto3 upload_file {size / MIB / b:.1f} MiB/s, "
        f"{b / a:.2f}x (target >= {TARGET_THROUGHPUT}x, i.e. a time ratio <= {1 / TARGET_THROUGHPUT:.2f}). "
        "Locker's side also declares the file, signs every part with its SHA-256 through the API (which the "
        "emulator's gate then verifies) and completes through Locker, which checks the object. "
        f"CPU per upload (median, immune to other load): locker {cpu(locker)}; boto3 {cpu(baseline)}."
    )
    peak = max(rss)
    memory = row(f"P5 CLI peak memory uploading {label}", peak, MEMORY_BUDGET_MIB * MIB, 1.0)
    memory["unit"] = "bytes"
    memory["note"] = (
        "Peak resident set of the `locker upload` process (kernel accounting, wait4), "
        f"largest of {rounds} runs: "
        f"{peak / MIB:.0f} MiB against a budget of {MEMORY_BUDGET_MIB} MiB (the baseline column). boto3's "
        f"upload_file peaked at {max(baseline_rss) / MIB:.0f} MiB for the same file."
    )
    print(f"P5 CLI peak resident memory: {peak / MIB:.0f} MiB (budget {MEMORY_BUDGET_MIB} MiB)")
    return [timing, memory]
