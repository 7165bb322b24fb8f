"""Builds Locker's objects once per container from the settings and AWS clients."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chalicelib import aws, config, container, stores
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.group_service import GroupService
from chalicelib.link_service import LinkService
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.service import Locker
from chalicelib.sharing import Sharing

if TYPE_CHECKING:  # imported on first use: only the sweep repairs, so API cold starts skip it
    from chalicelib.repair import Repairs

_locker: Locker | None = None
_repairs: Repairs | None = None
_sharing: SharingCases | None = None


@dataclass(frozen=True)
class SharingCases:
    """The sharing use cases, wired to the same stores as the container's Locker."""

    grants: Sharing
    groups: GroupService
    links: LinkService


def sharing_cases(locker: Locker) -> SharingCases:
    """Build the sharing use cases around ``locker``'s stores and clock."""
    s, key, clock = locker.stores, locker.settings.cursor_key, locker.clock
    return SharingCases(
        grants=Sharing(
            locker.records, s.grants, s.groups, s.directory, locker.access, locker.trail, key, clock
        ),
        groups=GroupService(s.groups, s.grants, s.directory, clock),
        links=LinkService(
            locker.records,
            s.links,
            locker.storage,
            locker.access,
            locker.trail,
            locker.settings.download_expires,
            clock,
        ),
    )


def locker() -> Locker:
    """The container's Locker, wired to DynamoDB and S3 on first use."""
    global _locker
    if _locker is None:
        settings = config.get()
        dynamodb = aws.client("dynamodb")
        _locker = Locker(
            settings,
            DynamoRecords(dynamodb, settings.table),
            MultipartStorage(aws.client("s3"), settings.bucket),
            stores=stores.dynamo(dynamodb, settings.table, aws.client("cognito-idp"), settings.user_pool_id),
        )
    return _locker


def sharing() -> SharingCases:
    """The container's sharing use cases (grants, groups, links)."""
    global _sharing
    if _sharing is None:
        _sharing = sharing_cases(locker())
    return _sharing


def repairs() -> Repairs:
    """The sweep's repair pass, on the container's Locker and clients."""
    global _repairs
    if _repairs is None:
        from chalicelib.repair import Repairs

        found = locker()
        window = found.settings.upload_expires
        _repairs = Repairs(found, aws.client("s3"), aws.client("dynamodb"), found.settings.table, window)
    return _repairs


@container.on_reset
def _forget() -> None:
    global _locker, _sharing, _repairs
    _locker = None
    _sharing = None
    _repairs = None


def reset() -> None:
    """Forget all per-container state: settings, AWS clients, the verifier and its keys, this Locker.

    The one reset (tests, the dev stack after it changed the environment): every
    module that keeps something registers its part with ``chalicelib.container``.
    """
    container.reset()


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
