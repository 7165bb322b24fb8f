"""The emulator delivers the bucket's ObjectCreated events, as EventBridge does deployed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from chalicelib.deployment import OBJECT_CREATED_PATTERN, created_key
from devstack.emulator import events
from devstack.emulator.server import Emulator, start
from tests.emulator.test_s3_gate import BODY, BUCKET, KEY, OTHER, presign_put
from tests.integration.conftest import S3_CONFIG

PART = 5 * 1024 * 1024


class Recorder:
    """A consumer that keeps every event, from the delivery thread."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.threads: set[str] = set()

    def __call__(self, event: dict[str, Any]) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.append(event)


@pytest.fixture(scope="module")
def delivering() -> Iterator[tuple[Emulator, Recorder]]:
    recorder = Recorder()
    server = start(port=0, object_created=recorder)
    yield server, recorder
    server.stop()


@pytest.fixture
def recorded(delivering: tuple[Emulator, Recorder]) -> tuple[Emulator, Recorder, Any]:
    server, recorder = delivering
    server.reset()
    recorder.events.clear()
    s3 = boto3.client("s3", endpoint_url=server.url, config=S3_CONFIG)
    s3.create_bucket(Bucket=BUCKET)
    return server, recorder, s3


def delivered(server: Emulator, recorder: Recorder) -> list[tuple[str, str | None]]:
    assert server.events is not None
    server.events.join()
    return [(e["detail"]["reason"], created_key(e, BUCKET)) for e in recorder.events]


def test_a_presigned_put_raises_one_event_in_eventbridge_shape(
    recorded: tuple[Emulator, Recorder, Any],
) -> None:
    server, recorder, s3 = recorded
    url, headers = presign_put(s3)
    assert requests.put(url, data=BODY, headers=headers, timeout=10).status_code == 200
    assert delivered(server, recorder) == [("PutObject", KEY)]
    [event] = recorder.events
    assert {k: [event[k]] for k in OBJECT_CREATED_PATTERN} == OBJECT_CREATED_PATTERN
    assert event["resources"] == [f"arn:aws:s3:::{BUCKET}"]
    assert event["detail"]["bucket"] == {"name": BUCKET}
    assert event["detail"]["object"]["etag"] == s3.head_object(Bucket=BUCKET, Key=KEY)["ETag"].strip('"')
    assert recorder.threads == {"object-created-events"}  # asynchronous, not in the request


def test_refused_and_failed_writes_raise_none(recorded: tuple[Emulator, Recorder, Any]) -> None:
    server, recorder, s3 = recorded
    url, headers = presign_put(s3)
    assert requests.put(url, data=OTHER, headers=headers, timeout=10).status_code == 400  # BadDigest
    assert requests.put(url, data=BODY, headers=headers, timeout=10).status_code == 200
    assert requests.put(url, data=BODY, headers=headers, timeout=10).status_code == 412  # If-None-Match
    s3.put_object_tagging(Bucket=BUCKET, Key=KEY, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.get_object(Bucket=BUCKET, Key=KEY)
    s3.delete_object(Bucket=BUCKET, Key=KEY)
    assert delivered(server, recorder) == [("PutObject", KEY)]


def test_sdk_put_copy_and_multipart_completion_raise_events(recorded: tuple[Emulator, Recorder, Any]) -> None:
    server, recorder, s3 = recorded
    s3.put_object(Bucket=BUCKET, Key="a", Body=b"x")
    s3.copy_object(Bucket=BUCKET, Key="b", CopySource={"Bucket": BUCKET, "Key": "a"})
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="c")["UploadId"]
    parts = [
        {
            "PartNumber": n,
            "ETag": s3.upload_part(Bucket=BUCKET, Key="c", UploadId=upload, PartNumber=n, Body=body)["ETag"],
        }
        for n, body in ((1, b"p" * PART), (2, b"q"))
    ]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="c", UploadId=upload, MultipartUpload={"Parts": parts})
    assert delivered(server, recorder) == [
        ("PutObject", "a"),
        ("CopyObject", "b"),
        ("CompleteMultipartUpload", "c"),
    ]


def test_failures_are_retried_twice_and_never_stop_later_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "RETRY_PAUSES", (0.0, 0.0, 0.0))
    calls: list[str] = []

    def flaky(event: dict[str, Any]) -> None:
        key = event["detail"]["object"]["key"]
        calls.append(key)
        if key == "broken" or calls == ["one"]:
            raise RuntimeError("handler crashed")

    server = start(port=0, object_created=flaky)
    try:
        s3 = boto3.client("s3", endpoint_url=server.url, config=S3_CONFIG)
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="one", Body=b"1")
        s3.put_object(Bucket=BUCKET, Key="broken", Body=b"x")
        s3.put_object(Bucket=BUCKET, Key="two", Body=b"2")
        assert server.events is not None
        server.events.join()
    finally:
        server.stop()
    assert calls == ["one", "one", "broken", "broken", "broken", "two"]


def test_without_a_consumer_nothing_is_delivered(emulator: Emulator) -> None:
    assert emulator.events is None
