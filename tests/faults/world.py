"""One fresh Locker for one fault-injection run: in-process moto, the real app, real tokens.

Each run gets empty storage and tables (a new ``mock_aws``), a new container
(``runtime.reset()``), a clock the run can move, and the injector on the S3 and
DynamoDB clients the app itself uses. Setup steps and checks use the app too,
or raw clients of their own that the injector never sees.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from chalice.test import Client
from moto import mock_aws

from chalicelib import aws, runtime
from chalicelib.service import Locker
from chalicelib.users import InMemoryDirectory
from devstack.resources import create_resources
from tests import tokens
from tests.faults.injector import Injector
from tests.unit.conftest import BUCKET, CLIENT, POOL, REGION, SETTINGS_ENV, TABLE

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
USERS = {"alice": ALICE, "bob": BOB}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
MIB = 1024 * 1024
PART = 5 * MIB
# Multipart from just over one part, so a two-part upload is small enough for every run.
ENV = {**SETTINGS_ENV, "LOCKER_MULTIPART_THRESHOLD": str(PART), "LOCKER_PART_SIZE": str(PART)}
ENV["LOCKER_QUOTA_BYTES"] = str(100 * MIB)
ENV["LOCKER_QUOTA_FILES"] = "20"
LATER = 3 * 24 * 3600  # past the pending TTL, the delete grace and any upload window


@functools.cache
def _token(sub: str) -> str:
    """A real access token for ``sub`` (minted once: RS256 signing is the slow part)."""
    name = next(n for n, s in USERS.items() if s == sub)
    return tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=sub, username=name))


class Clock:
    """The app's clock: real time plus an offset the run moves."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class World:
    """The app, its clients and its users for one run."""

    def __init__(self, client: Client, lab: Lab) -> None:
        self.client = client
        self.injector = lab.injector
        self.clock = lab.clock
        self.s3, self.db = lab.s3, lab.db

    # --- HTTP -----------------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, sub: str | None = ALICE, body: Any = None, accept: str | None = None
    ) -> Any:
        """One request through the real app, as ``sub`` (a real signed token)."""
        headers: dict[str, str] = {}
        if sub is not None:
            headers["Authorization"] = f"Bearer {_token(sub)}"
        if accept:
            headers["Accept"] = accept
        raw = b""
        if body is not None:
            headers["Content-Type"] = "application/json"
            raw = json.dumps(body).encode()
        return self.client.http.request(method, path, headers=headers, body=raw)

    def ok(self, method: str, path: str, status: int, **kwargs: Any) -> Any:
        """A setup request that must succeed with ``status``; its JSON body."""
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.body)
        return response.json_body if response.body else None

    def invoke(self, name: str, event: dict[str, Any]) -> None:
        """Run one of the app's Lambda handlers (``object_created``, ``sweep``)."""
        self.client.lambda_.invoke(name, event)

    def sweep(self) -> None:
        """The scheduled sweep, as EventBridge runs it."""
        self.invoke("sweep", self.client.events.generate_cw_event("aws.events", "Scheduled Event", {}, []))

    def object_created(self, key: str) -> None:
        """The bucket's Object Created event for ``key``."""
        event = self.client.events.generate_cw_event(
            source="aws.s3",
            detail_type="Object Created",
            detail={"bucket": {"name": BUCKET}, "object": {"key": key}, "reason": "PutObject"},
            resources=[f"arn:aws:s3:::{BUCKET}"],
        )
        self.invoke("object_created", event)

    # --- storage, as a client's presigned requests would write it ---------------------------------

    def put_bytes(self, owner: str, file_id: str, data: bytes = PNG, content_type: str = "image/png") -> None:
        """What the client's presigned PUT stores."""
        self.s3.put_object(Bucket=BUCKET, Key=f"users/{owner}/{file_id}", Body=data, ContentType=content_type)

    def upload_id(self, owner: str, file_id: str) -> str:
        """The multipart upload id Locker recorded for a file."""
        key = {"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"FILE#{file_id}"}}
        item = self.db.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
        return str(item["uploadId"]["S"])

    def put_part(self, owner: str, file_id: str, number: int, data: bytes) -> None:
        """What a presigned UploadPart stores."""
        self.s3.upload_part(
            Bucket=BUCKET,
            Key=f"users/{owner}/{file_id}",
            UploadId=self.upload_id(owner, file_id),
            PartNumber=number,
            Body=data,
        )

    # --- the things scenarios start from ---------------------------------------------------------

    def ready_file(self, sub: str = ALICE) -> str:
        """A ready PNG of ``sub``'s; its id."""
        body = {"filename": "a.png", "contentType": "image/png", "size": len(PNG)}
        file_id: str = self.ok("POST", "/files", 201, sub=sub, body=body)["file"]["id"]
        self.put_bytes(sub, file_id)
        self.ok("POST", f"/files/{file_id}/complete", 200, sub=sub)
        return file_id

    def uploaded_file(self) -> str:
        """A pending PNG whose bytes arrived but whose completion has not run; its id."""
        body = {"filename": "b.png", "contentType": "image/png", "size": len(PNG)}
        file_id: str = self.ok("POST", "/files", 201, body=body)["file"]["id"]
        self.put_bytes(ALICE, file_id)
        return file_id

    def multipart_file(self, parts: bool = True) -> str:
        """A pending two-part PNG upload, both parts sent (or none); its id."""
        size = PART + len(PNG)
        body = {"filename": "big.png", "contentType": "image/png", "size": size}
        file_id: str = self.ok("POST", "/files", 201, body=body)["file"]["id"]
        if parts:
            self.put_part(ALICE, file_id, 1, PNG + b"\x00" * (PART - len(PNG)))
            self.put_part(ALICE, file_id, 2, PNG)
        return file_id

    def group(self, name: str = "team") -> None:
        """A group managed by alice with bob as a member."""
        self.ok("POST", "/groups", 201, body={"name": name})
        self.ok("POST", f"/groups/{name}/members", 201, body={"user": "bob"})

    def grant(self, file_id: str, to: dict[str, str]) -> str:
        """A grant of alice's file; its id."""
        grant_id: str = self.ok("POST", f"/files/{file_id}/grants", 201, body=to)["grant"]["id"]
        return grant_id

    def link(self, file_id: str, downloads: int = 2) -> str:
        """A download link to alice's file; its path (``/l/<token>``)."""
        url: str = self.ok("POST", f"/files/{file_id}/links", 201, body={"maxDownloads": downloads})["link"][
            "url"
        ]
        return url[url.index("/l/") :]


@dataclass
class Lab:
    """What every run of one test shares: in-process moto (started once), the injector, the clock,
    and raw clients of the harness's own, which the injector never sees."""

    moto: Any
    injector: Injector
    clock: Clock
    s3: Any
    db: Any


@contextmanager
def lab() -> Iterator[Lab]:
    """moto for one test: started once, since each start costs a fresh boto3 session (~1 s)."""
    with mock_aws() as moto:
        path_style = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        s3 = boto3.client("s3", region_name=REGION, config=path_style)
        yield Lab(moto, Injector(), Clock(), s3, boto3.client("dynamodb", region_name=REGION))


@contextmanager
def world(lab: Lab) -> Iterator[World]:
    """A fresh world: empty moto, a new container, the injector on the app's clients."""
    from app import app

    lab.moto.reset()
    runtime.reset()
    lab.clock.offset = 0.0
    create_resources(lab.db, lab.s3, TABLE, BUCKET, "http://127.0.0.1:8080")
    locker = runtime.locker()
    locker.stores.directory = InMemoryDirectory(USERS)  # Cognito is not under test here
    lab.injector.arm(None)
    lab.injector.attach(aws.client("s3"))
    lab.injector.attach(aws.client("dynamodb"))
    try:
        with Client(app) as client:
            yield World(client, lab)
    finally:
        runtime.reset()


def clocked(clock: Clock) -> Any:
    """``Locker`` with the run's clock, for ``runtime`` to build (monkeypatch it in)."""
    return functools.partial(Locker, clock=clock)
