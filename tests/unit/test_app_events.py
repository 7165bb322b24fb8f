"""The non-HTTP entry points of app.py: bucket events and the scheduled sweep."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import runtime
from chalicelib.model import new_file_id
from chalicelib.validation import NewFile
from tests.unit.conftest import BUCKET, SETTINGS_ENV

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
OWNER = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def wired(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    for name, value in SETTINGS_ENV.items():
        monkeypatch.setenv(name, value)
    return aws


def _created(client: Client, bucket: str, key: str) -> dict[str, Any]:
    return client.events.generate_cw_event(
        source="aws.s3",
        detail_type="Object Created",
        detail={"bucket": {"name": bucket}, "object": {"key": key, "size": len(PNG)}, "reason": "PutObject"},
        resources=[f"arn:aws:s3:::{bucket}"],
    )


def test_object_created_event_completes_the_upload(wired: dict[str, Any]) -> None:
    created = runtime.locker().create(OWNER, NewFile("a.png", "image/png", len(PNG), None))
    key = f"users/{OWNER}/{created['file']['id']}"
    wired["s3"].put_object(Bucket=BUCKET, Key=key, Body=PNG, ContentType="image/png")
    with Client(app) as client:
        client.lambda_.invoke("object_created", _created(client, "some-other-bucket", key))
        assert runtime.locker().get(OWNER, created["file"]["id"])["file"]["status"] == "pending"
        client.lambda_.invoke("object_created", _created(client, BUCKET, key))
    assert runtime.locker().get(OWNER, created["file"]["id"])["file"]["status"] == "ready"


def test_object_created_event_removes_objects_nobody_owns(wired: dict[str, Any]) -> None:
    key = f"users/{OWNER}/{new_file_id()}"
    wired["s3"].put_object(Bucket=BUCKET, Key=key, Body=PNG)
    with Client(app) as client:
        client.lambda_.invoke("object_created", _created(client, BUCKET, key))
    assert wired["s3"].list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


def test_scheduled_sweep_reclaims_expired_uploads(
    wired: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    locker = runtime.locker()
    created = locker.create(OWNER, NewFile("a.png", "image/png", len(PNG), None))
    real_clock = locker._clock
    monkeypatch.setattr(locker, "_clock", lambda: real_clock() + locker.settings.pending_ttl + 1)
    with Client(app) as client:
        client.lambda_.invoke(
            "sweep", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
        )
    assert locker.records.get(OWNER, created["file"]["id"]) is None
    assert locker.records.usage(OWNER).files == 0


def test_scheduled_sweep_repairs_what_it_safely_can(
    wired: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    locker = runtime.locker()
    stray = f"users/{OWNER}/{new_file_id()}"
    wired["s3"].put_object(Bucket=BUCKET, Key=stray, Body=PNG)
    real_clock = locker._clock
    monkeypatch.setattr(locker, "_clock", lambda: real_clock() + locker.settings.upload_expires + 1)
    with Client(app) as client:
        client.lambda_.invoke(
            "sweep", client.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
        )
    assert wired["s3"].list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0
