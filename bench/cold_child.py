"""One cold start, in a fresh interpreter: ``python -m bench.cold_child {locker|baseline} <t0_ns>``.

``t0_ns`` is the parent's ``time.time_ns()`` just before it spawned this
process, so the elapsed time it prints covers interpreter start-up, every
import, client creation, the JWKS fetch and the request, like a Lambda cold
start (the handler's response is where it stops; teardown is not counted).
The proxy event arrives as JSON on stdin.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    """Run one side's cold path and print ``{"elapsed_ns", "import_ns", "status"}``."""
    side, t0 = sys.argv[1], int(sys.argv[2])
    event = json.load(sys.stdin)
    from bench.events import LambdaContext

    if side == "locker":
        from app import app

        imported = time.time_ns()
        response = app(event, LambdaContext())
    elif side == "baseline":
        from bench.baseline import Baseline

        imported = time.time_ns()
        response = Baseline().handle(event)
    else:
        raise SystemExit(f"unknown side {side!r}")
    done = time.time_ns()
    print(json.dumps({"elapsed_ns": done - t0, "import_ns": imported - t0, "status": response["statusCode"]}))


if __name__ == "__main__":
    main()
