"""P2: a warm ``POST /files`` through the app versus the same raw SDK calls.

Locker's side is ``app(event, context)`` with an API Gateway proxy event, as
the Lambda runtime calls it (routing, middleware, token check, validation,
transaction of the record, quota and ``created`` event, presign, JSON response).
The baseline is ``bench.baseline``: ``jwt.decode`` with the cached key, the same
``transact_write_items`` and ``generate_presigned_url``. Both run warm, against the same emulator.
"""

from __future__ import annotations

from bench.baseline import Baseline
from bench.common import alternate, row
from bench.events import LambdaContext, create_file_event
from bench.stack import BenchStack

TARGET = 1.15
METRIC = "P2 warm POST /files vs raw SDK"


def run(stack: BenchStack, rounds: int = 41, inner: int = 10) -> list[dict[str, object]]:
    """Time P2 and return its row."""
    from app import app

    event = create_file_event(stack.token)
    context = LambdaContext()
    baseline = Baseline(stack.env)

    def locker() -> object:
        response = app(event, context)
        if response["statusCode"] != 201:
            raise RuntimeError(f"POST /files answered {response['statusCode']}: {response['body']}")
        return response

    def raw() -> object:
        return baseline.handle(event)

    locker_s, baseline_s = alternate(locker, raw, rounds, inner, reset=stack.forget_files)
    result = row(METRIC, locker_s, baseline_s, TARGET)
    result["note"] = (
        f"Median time per request over {rounds} alternating batches of {inner}. Locker's side is "
        "`app(event, context)` with an API Gateway proxy event, as the Lambda runtime calls the handler "
        "(no test client or local server in between). Both sides make the same one transaction (record, "
        "quota, `created` event: the baseline records the event too, as the contract requires) and start "
        "every batch from a table without the previous batch's files, so neither reads a larger table. "
        "The emulator backs a transaction up by the items it names (moto alone deep-copied the whole "
        "table once per item: `devstack/emulator/dynamodb_transactions.py`). Locker's own work (routing, "
        f"middleware, validation, JSON, its log line and metrics) {_added(locker_s - baseline_s)}."
    )
    return [result]


def _added(seconds: float) -> str:
    if seconds <= 0:
        return f"adds no measurable time ({seconds * 1e6:.0f} µs, within the noise)"
    return f"adds {seconds * 1e6:.0f} µs per request"
