"""A Locker deployment on the in-process emulator, for the benchmarks.

Same wiring as ``make run`` (devstack/run.py): the emulator, the table and
bucket from infra/template.json, a user pool with one user and a real access
token, and the ``local`` stage's settings from .chalice/config.json. The
environment it builds is what cold-start subprocesses are given as well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack import environment  # first: it imports the emulator, which configures moto
from devstack.emulator import server as emulator

ROOT = Path(__file__).resolve().parent.parent
USER = "bench@example.com"
PASSWORD = "Locker-bench-2026"
REGION = "us-east-1"
# The benchmarks create thousands of files for one user: lift the per-user
# quota (a setting, not a code path) so no request is refused with a 429.
QUOTA = {"LOCKER_QUOTA_FILES": str(10**9), "LOCKER_QUOTA_BYTES": str(2**53)}


@dataclass
class BenchStack:
    """A running emulator with Locker's resources, one user, and the settings to reach them."""

    emulator: emulator.Emulator
    env: dict[str, str]
    token: str
    sub: str
    table: str
    bucket: str
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: str) -> Any:
        """An admin boto3 client on the emulator (SigV4, path-style S3, like Locker's local config)."""
        if service not in self._clients:
            import boto3
            from botocore.config import Config

            config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
            self._clients[service] = boto3.client(
                service, endpoint_url=self.emulator.url, region_name=REGION, config=config
            )
        return self._clients[service]

    def forget_files(self) -> int:
        """Delete the user's file records (not the quota counter); returns how many.

        The timed batches start from the same, small partition, so neither side of
        an alternating benchmark reads a larger one than the other did.
        """
        db = self.client("dynamodb")
        found = db.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :file)",
            ExpressionAttributeValues={":pk": {"S": f"USER#{self.sub}"}, ":file": {"S": "FILE#"}},
            ProjectionExpression="pk, sk",
        )["Items"]
        for start in range(0, len(found), 25):
            batch = [{"DeleteRequest": {"Key": key}} for key in found[start : start + 25]]
            db.batch_write_item(RequestItems={self.table: batch})
        return len(found)

    def stop(self) -> None:
        """Stop the emulator."""
        self.emulator.stop()


def start() -> BenchStack:
    """Start the emulator, provision everything, log the user in; also exports the env here."""
    from devstack import cognito, resources

    aws = emulator.start(port=0)
    env = environment.stage_environment()
    env.update(QUOTA)
    env.update(environment.emulator_environment(aws.url, REGION))
    for name in (*environment.REAL_AWS_ONLY, "LOCKER_WEB_ORIGIN"):
        os.environ.pop(name, None)
    os.environ.update(env)
    stack = BenchStack(aws, env, "", "", env["LOCKER_TABLE"], env["LOCKER_BUCKET"])
    resources.create_resources(
        stack.client("dynamodb"), stack.client("s3"), stack.table, stack.bucket, "http://127.0.0.1:9"
    )
    admin = stack.client("cognito-idp")
    pool_id, client_id = cognito.create_pool(admin, "locker-bench")
    stack.sub = cognito.create_user(admin, pool_id, USER, PASSWORD)
    stack.token = cognito.login(aws.url, REGION, client_id, USER, PASSWORD)["AccessToken"]
    pool_env = environment.pool_environment(aws.url, pool_id, client_id)
    env.update(pool_env)
    os.environ.update(pool_env)
    return stack
