"""Read-only access to moto's S3 state, for the gate's checks that moto itself does not make."""

from __future__ import annotations

from typing import Any

from moto.s3.models import s3_backends


def bucket(name: str) -> Any | None:
    """moto's bucket ``name`` (whatever account created it), or None."""
    owner = s3_backends.bucket_accounts.get(name)
    if owner is None:
        return None
    partition, account = owner
    return s3_backends[account][partition].buckets.get(name)
