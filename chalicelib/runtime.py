"""Builds Locker's objects once per container from the settings and AWS clients."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from chalicelib import aws, config
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.service import Locker

_locker: Locker | None = None


def locker() -> Locker:
    """The container's Locker, wired to DynamoDB and S3 on first use."""
    global _locker
    if _locker is None:
        settings = config.get()
        _locker = Locker(
            settings,
            DynamoRecords(aws.client("dynamodb"), settings.table),
            MultipartStorage(aws.client("s3"), settings.bucket),
        )
    return _locker


def reset() -> None:
    """Forget everything cached: settings, clients and the wired Locker (tests)."""
    global _locker
    _locker = None
    config.reset()
    aws.reset()


def fail_fast_in_lambda(env: Mapping[str, str]) -> None:
    """In Lambda, refuse to start with bad settings: one log line naming every problem.

    Outside Lambda (``chalice package``, tests) settings are loaded on first use.
    """
    if not env.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    try:
        config.get()
    except config.ConfigError as exc:
        print(f"[FATAL] {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
