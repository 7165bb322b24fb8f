"""Builds Locker's objects once per container from the settings and AWS clients.

Subsystems a cold ``POST /files`` never touches (the sharing use cases and
stores, Idempotency-Key, the multipart part signer, Uppy's signer, the sweep's
repairs) are imported and built on their first use, here and in
``dynamo_stores``, so a cold start pays only for what its first request runs.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib import aws, config, container
from chalicelib.dynamo_records import DynamoRecords
from chalicelib.dynamo_stores import DynamoStores
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.service import Locker

if TYPE_CHECKING:
    from chalicelib.group_service import GroupService
    from chalicelib.idempotency import Idempotency
    from chalicelib.link_service import LinkService
    from chalicelib.parts import Parts
    from chalicelib.repair import Repairs
    from chalicelib.sharing import Sharing
    from chalicelib.uppy import UppySigner

_locker: Locker | None = None
_repairs: Repairs | None = None
_sharing: SharingCases | None = None
_idempotency: Idempotency | None = None
_parts: Parts | None = None
_uppy: UppySigner | None = None


class SharingCases(NamedTuple):
    """The sharing use cases, wired to the same stores as the container's Locker."""

    grants: Sharing
    groups: GroupService
    links: LinkService


def sharing_cases(locker: Locker) -> SharingCases:
    """Build the sharing use cases around ``locker``'s stores and clock."""
    from chalicelib.group_service import GroupService
    from chalicelib.link_service import LinkService
    from chalicelib.sharing import Sharing

    s, key, clock = locker.stores, locker.settings.cursor_key, locker.clock
    return SharingCases(
        grants=Sharing(
            locker.records,
            s.grants,
            s.groups,
            s.directory,
            locker.access,
            locker.trail,
            key,
            s.inbox,
            locker.fanout,
            clock,
        ),
        groups=GroupService(s.groups, s.grants, s.directory, locker.fanout, clock),
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
            stores=DynamoStores(dynamodb, settings.table, _cognito, settings.user_pool_id),
        )
    return _locker


def _cognito() -> Any:
    """The Cognito client, built when a sharing route first resolves a user name."""
    return aws.client("cognito-idp")


def sharing() -> SharingCases:
    """The container's sharing use cases (grants, groups, links)."""
    global _sharing
    if _sharing is None:
        _sharing = sharing_cases(locker())
    return _sharing


def idempotency() -> Idempotency:
    """The container's Idempotency-Key mechanism, on the same table and clock as its Locker."""
    global _idempotency
    if _idempotency is None:
        from chalicelib.dynamo_idempotency import DynamoIdempotency
        from chalicelib.idempotency import Idempotency

        wired = locker()
        # Its own secret, derived from the cursor key: one deployment secret, separate uses.
        secret = hmac.new(wired.settings.cursor_key, b"locker idempotency", hashlib.sha256).digest()
        store = DynamoIdempotency(aws.client("dynamodb"), wired.settings.table)
        _idempotency = Idempotency(store, secret, wired.clock)
    return _idempotency


def parts() -> Parts:
    """The container's multipart part signer (``/files/{id}/parts``)."""
    global _parts
    if _parts is None:
        from chalicelib.parts import Parts

        _parts = Parts(locker())
    return _parts


def uppy() -> UppySigner:
    """The container's signer for Uppy's requests (``/uploads/sign``)."""
    global _uppy
    if _uppy is None:
        from chalicelib.uppy import UppySigner

        _uppy = UppySigner(locker())
    return _uppy


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
    global _locker, _sharing, _parts, _uppy, _repairs, _idempotency
    _locker = None
    _sharing = None
    _parts = None
    _uppy = None
    _repairs = None
    _idempotency = None


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
