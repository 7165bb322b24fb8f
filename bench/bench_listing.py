"""P3: ``GET /files`` with 20,000 records of other owners in the table versus an empty table.

Both tables come from infra/template.json. The full one is filled with
``batch_write_item`` (25 items a call) in the FilesTable layout
(``dynamo_records.to_item``): 20 ready files for each of N/20 other owners.
The caller owns no file in either, so both answers are the same empty page;
only what else is in the table differs. Locker's side is ``app(event, context)``
with its records pointed at one table or the other (``Locker.records``).

A control row shows the same Query with raw boto3: what the emulator alone
costs. The emulator's Query reads one partition, as DynamoDB's does
(devstack/emulator/dynamodb_partition_query.py), so both should stay flat.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from bench.common import alternate, row
from bench.events import LambdaContext, list_files_event
from bench.stack import BenchStack
from chalicelib.dynamo_records import to_item
from chalicelib.model import READY, FileRecord, new_file_id
from devstack.resources import create_table_request

TARGET = 1.2
METRIC = "P3 GET /files, {n:,} others' records vs empty table"
FILES_PER_OWNER = 20
Row = dict[str, object]


def load(stack: BenchStack, table: str, count: int) -> float:
    """Create ``table`` and fill it with ``count`` ready files of other owners; returns seconds."""
    db = stack.client("dynamodb")
    db.create_table(**create_table_request(table))
    started = time.perf_counter()
    now = int(time.time())
    owners = [str(uuid.uuid4()) for _ in range(max(1, count // FILES_PER_OWNER))]
    items = [
        to_item(
            FileRecord(
                owner=owners[n % len(owners)],
                id=new_file_id(now * 1000 + n),
                filename=f"file-{n}.png",
                content_type="image/png",
                size=1024 + n,
                sha256=None,
                status=READY,
                created_at=now,
                updated_at=now,
            )
        )
        for n in range(count)
    ]
    for start in range(0, len(items), 25):
        batch = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while batch:
            batch = db.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}
    return time.perf_counter() - started


def run(stack: BenchStack, records: int = 20_000, rounds: int = 9) -> list[dict[str, object]]:
    """Time P3 and its control row (the notes name the cause of a miss)."""
    from app import app
    from chalicelib import aws, runtime
    from chalicelib.dynamo_records import DynamoRecords

    full_table, empty_table = f"{stack.table}-p3-full", f"{stack.table}-p3-empty"
    load_s = load(stack, full_table, records)
    load(stack, empty_table, 0)
    locker = runtime.locker()
    full = DynamoRecords(aws.client("dynamodb"), full_table)
    empty = DynamoRecords(aws.client("dynamodb"), empty_table)
    event, context = list_files_event(stack.token), LambdaContext()

    def listing(records_: DynamoRecords) -> Any:
        def call() -> object:
            locker.records = records_
            response = app(event, context)
            if response["statusCode"] != 200 or json.loads(response["body"])["items"]:
                raise RuntimeError(f"GET /files answered {response['statusCode']}: {response['body'][:200]}")
            return response

        return call

    def raw(table: str) -> Any:
        db = stack.client("dynamodb")
        query = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :file)",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{stack.sub}"}, ":file": {"S": "FILE#"}},
            "ScanIndexForward": False,
            "Limit": 51,
        }
        return lambda: db.query(**query)

    original = locker.records
    try:
        metric = METRIC.format(n=records)
        locker_s, baseline_s = alternate(listing(full), listing(empty), rounds, 1)
        first = row(metric, locker_s, baseline_s, TARGET)
        raw_full, raw_empty = alternate(raw(full_table), raw(empty_table), rounds, 1)
    finally:
        locker.records = original
    raw_row = row("P3 control: the same Query, raw boto3", raw_full, raw_empty, None)
    first["note"] = _note(first, raw_row, records, load_s, rounds)
    raw_row["note"] = "Informational: what the emulator alone does with the full table."
    return [first, raw_row]


def _ratio(result: dict[str, object]) -> float:
    return float(str(result["ratio"]))


def _note(first: Row, raw: Row, n: int, load_s: float, rounds: int) -> str:
    text = (
        f"Median of {rounds} alternating requests per side. The caller owns no file in either table, so "
        f"both answers are the same empty page; loading the {n:,} records ({n // FILES_PER_OWNER:,} other "
        f"owners) with batch_write_item took {load_s:.1f} s. Locker lists with one Query on the caller's "
        "partition (`pk = USER#<sub>`, newest first, Limit = page size + 1), never a Scan; the emulator "
        "answers it from that partition only, as DynamoDB does."
    )
    if _ratio(first) <= TARGET:
        return text
    if _ratio(raw) > TARGET:
        return text + (
            f" Missed because of the emulator, not Locker: the same Query made with raw boto3 is "
            f"{_ratio(raw):.1f}x slower on the full table too (is "
            "devstack/emulator/dynamodb_partition_query.py installed?)."
        )
    return text + (
        " Missed while the raw Query stays flat: the extra time is Locker's own (look at how many "
        "Query calls a page takes and what is done per item)."
    )
