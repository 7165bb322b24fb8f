"""``make doctor``: check what a Locker stack stores against its consistency invariants.

By default the local stack (``.local/stack.json``: the emulator's endpoint,
credentials, bucket and table); any other stack given its settings, as flags or
as the environment Locker itself reads (``LOCKER_BUCKET``, ``LOCKER_TABLE``,
``AWS_ENDPOINT_URL``, ``AWS_REGION``), with the usual AWS credentials. Prints
each violation on a line of its own (ids only), then a summary; exits 1 when
any invariant is broken, 2 when the stack cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.invariants import Violation, check
from chalicelib.inventory import content_type, read_inventory

STACK = Path(__file__).resolve().parent.parent / ".local" / "stack.json"
DEFAULT_WINDOW = 300  # Locker's default upload URL lifetime (LOCKER_UPLOAD_EXPIRES)


@dataclass(frozen=True)
class Target:
    """Where the stack's table and bucket are, and how to reach them."""

    bucket: str
    table: str
    region: str
    endpoint: str | None
    window: int
    credentials: tuple[str, str] | None  # the emulator's; None: the default AWS chain


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", type=Path, help="stack.json of a local stack (default: .local/stack.json)")
    parser.add_argument("--bucket", help="the files bucket (env LOCKER_BUCKET)")
    parser.add_argument("--table", help="the table (env LOCKER_TABLE)")
    parser.add_argument("--region", help="the region (env AWS_REGION)")
    parser.add_argument("--endpoint", help="an AWS endpoint URL (env AWS_ENDPOINT_URL); none for AWS")
    parser.add_argument("--window", type=int, help="seconds an object may wait for its record (default 300)")
    return parser


def _window(given: int | None, configured: Any) -> int:
    return given if given is not None else int(configured or DEFAULT_WINDOW)


def target(argv: Sequence[str], env: Mapping[str, str]) -> Target:
    """The stack to check: flags, then ``--stack``, then Locker's environment, then .local/stack.json.

    Raises:
        SystemExit: neither a bucket and table nor a stack.json to read them from.
    """
    args = _parser().parse_args(argv)
    bucket, table = args.bucket or env.get("LOCKER_BUCKET"), args.table or env.get("LOCKER_TABLE")
    region = args.region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if (args.bucket and args.table) or (args.stack is None and bucket and table):
        window = _window(args.window, env.get("LOCKER_UPLOAD_EXPIRES"))
        endpoint = args.endpoint or env.get("AWS_ENDPOINT_URL")
        return Target(str(bucket), str(table), region or "us-east-1", endpoint, window, None)
    path = args.stack or STACK
    if not path.exists():
        raise SystemExit(f"{path} not found: start `make run`, or give --bucket and --table")
    stack = json.loads(path.read_text())
    from devstack.emulator.server import CREDENTIALS  # here: it imports moto, which AWS stacks never need

    window = _window(args.window, stack.get("limits", {}).get("uploadExpires"))
    endpoint = args.endpoint or stack["awsEndpointUrl"]
    credentials = next(iter(CREDENTIALS.items()))
    return Target(stack["bucket"], stack["table"], stack["region"], endpoint, window, credentials)


def clients(where: Target) -> tuple[Any, Any]:
    """(s3, dynamodb) boto3 clients for ``where``."""
    options: dict[str, Any] = {"region_name": where.region}
    if where.endpoint:
        options["endpoint_url"] = where.endpoint
    if where.credentials:
        options["aws_access_key_id"], options["aws_secret_access_key"] = where.credentials
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"mode": "standard"})
    return boto3.client("s3", config=config, **options), boto3.client("dynamodb", **options)


def report(violations: Sequence[Violation], records: int, objects: int) -> list[str]:
    """The lines ``make doctor`` prints: each violation, then the summary."""
    lines = [str(v) for v in violations]
    if not violations:
        return [*lines, f"no violations ({records} records, {objects} objects checked)"]
    kinds = Counter(v.kind for v in violations)
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    return [*lines, f"{len(violations)} violation(s): {summary}"]


def main(argv: Sequence[str] | None = None) -> int:
    """Check the stack; 0 when consistent, 1 with violations, 2 when it cannot be read."""
    where = target(sys.argv[1:] if argv is None else argv, os.environ)
    s3, dynamodb = clients(where)
    try:
        found = read_inventory(s3, dynamodb, where.bucket, where.table)
        violations = check(found, partial(content_type, s3, where.bucket), int(time.time()), where.window)
    except (BotoCoreError, ClientError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
        print(f"could not read the stack: {code or type(exc).__name__}", file=sys.stderr)
        return 2
    for line in report(violations, len(found.records), len(found.objects)):
        print(line)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
