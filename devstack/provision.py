"""Provisions a running emulator as a deployment is: resources, user pool, demo user, seed files.

The bucket and table come from infra/template.json; the pool is created with
the same request every time, so (with the emulator's deterministic ids) its
pool and app client ids are the ones the ``local`` stage names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POOL_NAME = "locker-local"
# A second user to share with (the Postman collection's grantee); local emulator only, like the demo user.
READER_USER = "reader@example.com"
READER_PASSWORD = "Locker-reader-2026"


@dataclass(frozen=True)
class Provisioned:
    """The user pool's ids and the demo user's ``sub``."""

    pool_id: str
    client_id: str
    demo_sub: str


def provision(bucket: str, table: str, web_origin: str, demo_user: str, demo_password: str) -> Provisioned:
    """Create the bucket, table, pool, app client, demo and reader users (through ``AWS_ENDPOINT_URL``)."""
    import boto3

    from devstack import cognito, resources

    resources.create_resources(boto3.client("dynamodb"), boto3.client("s3"), table, bucket, web_origin)
    admin = boto3.client("cognito-idp")
    pool_id, client_id = cognito.create_pool(admin, POOL_NAME)
    demo_sub = cognito.create_user(admin, pool_id, demo_user, demo_password)
    cognito.create_user(admin, pool_id, READER_USER, READER_PASSWORD)
    return Provisioned(pool_id, client_id, demo_sub)


def seed_demo(demo_sub: str) -> list[str]:
    """Upload every file in ``assets/`` as the demo user through Locker's own path.

    The process environment must hold Locker's settings for the emulator.
    """
    from chalicelib import runtime
    from devstack import seed

    runtime.reset()
    return seed.seed(runtime.locker(), demo_sub, ROOT / "assets")
