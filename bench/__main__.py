"""``python -m bench [--smoke] [--only P1,P6] [--out PATH]``: run P1 to P7, print the table, write RESULTS.md.

The full run takes about four minutes on two cores (P5 uploads 1 GiB six times) and
writes bench/RESULTS.md. ``--smoke`` runs every benchmark for a few
iterations with a small table, in seconds, and writes nothing unless ``--out``
says where: its figures mean nothing, it only proves every path still answers.
``--only`` runs the named metrics alone (full iterations) and writes nothing unless ``--out`` says where.
No figure is ever asserted on.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import (
    artifact,
    bench_auth,
    bench_cold,
    bench_listing,
    bench_request,
    bench_sharing,
    bench_upload,
    imports,
    report,
)
from bench import stack as bench_stack
from bench.common import print_row

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
ZIP = ROOT / "out" / "deployment.zip"


@dataclass(frozen=True)
class Plan:
    """How many samples each benchmark takes."""

    cold_rounds: int
    cold_nopyc_rounds: int
    warm_rounds: int
    warm_inner: int
    records: int
    list_rounds: int
    auth_rounds: int
    auth_inner: int
    import_runs: int
    shared_groups: int
    shared_per_group: int
    upload_size: int
    upload_rounds: int


FULL = Plan(41, 7, 41, 10, 20_000, 9, 41, 200, 5, 20, 100, 1024**3, 3)
SMOKE = Plan(
    1, 0, 2, 2, 100, 2, 2, 10, 1, 2, 3, 112 * 1024**2, 1
)  # uploads just above the multipart threshold


Rows = list[dict[str, object]]


def _measure(
    stack: bench_stack.BenchStack, plan: Plan, only: frozenset[str] | None = None
) -> tuple[Rows, imports.ImportProfile | None]:
    rows: list[dict[str, object]] = []

    def wanted(*metrics: str) -> bool:
        return only is None or not only.isdisjoint(metrics)

    def add(found: list[dict[str, object]]) -> None:
        for result in found:
            print_row(result)
        rows.extend(found)

    auth: Rows = []
    if wanted("P4"):
        auth = bench_auth.run(plan.auth_rounds, plan.auth_inner)
        auth[0]["note"] = (
            f"Median of {plan.auth_rounds} alternating batches of {plan.auth_inner}. Locker's TokenVerifier "
            "(header parse, kid lookup in the warm JWKS cache, RS256 verify, Cognito claim checks) versus "
            "`jwt.decode` with the key in hand and issuer/audience checks off; the same RS256 token. "
            "Keys moved onto PyJWT's PyJWKClient in this release: the same bench measured 0.50-0.51 before "
            "(commit 068cc87) and 0.54-0.55 after on a quiet machine; the ~3 us is PyJWKClient's key lookup."
        )
    if wanted("P5"):
        add(bench_upload.run(stack, _serve_api(), plan.upload_size, plan.upload_rounds))
    if wanted("P2"):
        add(bench_request.run(stack, plan.warm_rounds, plan.warm_inner))
    profile = None
    if wanted("P1"):
        add(bench_cold.run(stack, plan.cold_rounds))
        if plan.cold_nopyc_rounds:
            add(bench_cold.run(stack, plan.cold_nopyc_rounds, compile_all=True))
        profile = imports.profile(stack, plan.import_runs)
    if wanted("P6", "P7"):
        shared = (plan.shared_groups, plan.shared_per_group)
        add(bench_sharing.run(stack, plan.warm_rounds, plan.warm_inner, *shared))
    if wanted("P3"):
        add(bench_listing.run(stack, plan.records, plan.list_rounds))  # last: 20,000 items slow the GC
    add(auth)
    order = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")
    rows.sort(key=lambda r: next(i for i, p in enumerate(order) if str(r["metric"]).startswith(p)))
    return rows, profile


def _serve_api() -> str:
    """Chalice's local server for the ``locker`` command (P5), in a thread; returns its URL."""
    from devstack import api_server, sockets

    sock = sockets.listen(0, "LOCKER_API_PORT")
    server = api_server.local_server(ROOT, "local", sock)
    threading.Thread(target=server.serve_forever, name="bench-api", daemon=True).start()
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few iterations, small table, seconds")
    parser.add_argument("--out", type=Path, help="where to write the results (default: bench/RESULTS.md)")
    parser.add_argument(
        "--only",
        type=lambda text: frozenset(m.strip().upper() for m in text.split(",")),
        help="run only these metrics, e.g. P1,P6 (writes nothing unless --out says where)",
    )
    args = parser.parse_args(argv)
    out = args.out if args.out is not None or args.smoke or args.only else RESULTS
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's per-request lines
    started, load_before = time.monotonic(), os.getloadavg()[0]
    stack = bench_stack.start()
    try:
        rows, profile = _measure(stack, SMOKE if args.smoke else FULL, args.only)
    finally:
        stack.stop()
    run = report.Run(
        rows=rows,
        imports=profile,
        artifact=artifact.summarize(ZIP),
        zip_path=ZIP,
        smoke=args.smoke,
        seconds=time.monotonic() - started,
        load=(load_before, os.getloadavg()[0]),
    )
    text = report.render(run)
    print("\n" + text)
    if out is not None:
        out.write_text(text)
        print(f"Wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
