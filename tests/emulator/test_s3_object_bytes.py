"""The emulator copies a large object's bytes once and reads only a GET's range, with moto's answers.

Every case runs over HTTP against the emulator twice: with the fixes
(``s3_object_bytes``, ``s3_multipart_complete``) and with moto's own code
(``uninstall()``); the answers must be the same, and the fixed emulator must
read less.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

from devstack.emulator import moto_s3, s3_multipart_complete, s3_object_bytes
from tests.emulator.test_s3_gate import BUCKET

KEY = "users/sub-1/large-1"
MIB = 1024 * 1024
PARTS = (b"%PDF-1.7\n" + b"a" * (5 * MIB), b"b" * (5 * MIB + 3), b"the end\n")
WHOLE = b"".join(PARTS)
RANGES = (
    "bytes=0-4095",
    "bytes=5-5",
    "bytes=-10",
    "bytes=10485760-",
    "bytes=0-",
    "bytes=3-1",
    "bytes=0-1,5-6",
)
CREATES: tuple[dict[str, str], ...] = (
    {},  # moto's default: a full-object CRC64NVME (a CRC32 without awscrt)
    {"ChecksumAlgorithm": "CRC32"},
    {"ChecksumAlgorithm": "SHA256"},
    {"ChecksumAlgorithm": "CRC32", "ChecksumType": "FULL_OBJECT"},
)


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def _use_moto_own(use: bool) -> None:
    if use:
        s3_multipart_complete.uninstall()
        s3_object_bytes.uninstall()
    else:
        s3_object_bytes.install()
        s3_multipart_complete.install()


@pytest.fixture
def moto_own() -> Iterator[Any]:
    """``moto_own(True)`` switches to moto's own code for the rest of the test."""
    try:
        yield _use_moto_own
    finally:
        _use_moto_own(False)


def _upload(s3: Any, create: dict[str, str]) -> tuple[str, list[dict[str, Any]]]:
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=KEY, **create)["UploadId"]
    done = []
    for number, body in enumerate(PARTS, start=1):
        answer = s3.upload_part(Bucket=BUCKET, Key=KEY, UploadId=upload_id, PartNumber=number, Body=body)
        done.append({"PartNumber": number, "ETag": answer["ETag"]})
    return upload_id, done


def _completed(s3: Any, create: dict[str, str]) -> dict[str, Any]:
    upload_id, done = _upload(s3, create)
    answer = s3.complete_multipart_upload(
        Bucket=BUCKET, Key=KEY, UploadId=upload_id, MultipartUpload={"Parts": done}
    )
    head = s3.head_object(Bucket=BUCKET, Key=KEY, ChecksumMode="ENABLED")
    stored = s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    s3.delete_object(Bucket=BUCKET, Key=KEY)
    return {
        "etag": answer["ETag"],
        "head": {k: v for k, v in head.items() if k.startswith(("Checksum", "ContentLength", "ETag"))},
        "sha256": hashlib.sha256(stored).hexdigest(),
    }


@pytest.mark.parametrize("create", CREATES, ids=lambda c: "-".join(c.values()) or "default")
def test_a_completed_upload_is_moto_s_own_object(
    s3: Any, bucket: str, moto_own: Any, create: dict[str, str]
) -> None:
    fixed = _completed(s3, create)
    moto_own(True)
    assert fixed == _completed(s3, create)
    assert fixed["sha256"] == hashlib.sha256(WHOLE).hexdigest()


def _refusal(s3: Any, done: list[dict[str, Any]], upload_id: str) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        s3.complete_multipart_upload(
            Bucket=BUCKET, Key=KEY, UploadId=upload_id, MultipartUpload={"Parts": done}
        )
    return str(refused.value.response["Error"]["Code"])


def test_refused_completions_are_moto_s_and_leave_the_parts(s3: Any, bucket: str, moto_own: Any) -> None:
    codes = []
    for own in (False, True):
        moto_own(own)
        upload_id, done = _upload(s3, {})
        wrong_etag = [done[0], {**done[1], "ETag": '"0123"'}, done[2]]
        small_first = [done[2], done[0]]
        codes.append((_refusal(s3, wrong_etag, upload_id), _refusal(s3, small_first, upload_id)))
        s3.complete_multipart_upload(
            Bucket=BUCKET, Key=KEY, UploadId=upload_id, MultipartUpload={"Parts": done}
        )
        assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == WHOLE
    assert codes == [("InvalidPart", "EntityTooSmall")] * 2


def test_completion_reads_each_part_once(
    s3: Any, bucket: str, moto_own: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = []
    original = s3_object_bytes._ORIGINAL_VALUE

    def counted(key: Any) -> bytes:
        reads.append(key.contentsize)
        value: bytes = original.fget(key)  # type: ignore[misc]
        return value

    monkeypatch.setattr(s3_object_bytes, "_ORIGINAL_VALUE", property(counted, original.fset))
    upload_id, done = _upload(s3, {})
    s3.complete_multipart_upload(Bucket=BUCKET, Key=KEY, UploadId=upload_id, MultipartUpload={"Parts": done})
    assert sorted(reads) == sorted(len(part) for part in PARTS)  # moto's own reads each twice


def _ranged(s3: Any, header: str) -> tuple[int, str, bytes]:
    answer = s3.get_object(Bucket=BUCKET, Key=KEY, Range=header)
    return answer["ResponseMetadata"]["HTTPStatusCode"], answer.get("ContentRange", ""), answer["Body"].read()


def test_ranged_gets_answer_as_moto_does(s3: Any, bucket: str, moto_own: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=WHOLE)
    fixed = [_ranged(s3, header) for header in RANGES]
    moto_own(True)
    assert fixed == [_ranged(s3, header) for header in RANGES]
    assert fixed[0] == (206, f"bytes 0-4095/{len(WHOLE)}", WHOLE[:4096])


class _Recording:
    """A key's buffer that records the size of every read."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.reads = inner, []

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.inner.read(size)
        self.reads.append(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("own", [False, True], ids=["fixed", "moto"])
def test_a_ranged_get_reads_only_its_range(s3: Any, bucket: str, moto_own: Any, own: bool) -> None:
    moto_own(own)
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=WHOLE)
    key = moto_s3.bucket(BUCKET).keys[KEY]  # type: ignore[union-attr]
    key._value_buffer = recording = _Recording(key._value_buffer)
    assert _ranged(s3, "bytes=0-4095")[2] == WHOLE[:4096]
    assert max(recording.reads) == (len(WHOLE) if own else 4096)


def test_a_large_value_goes_to_its_file_before_it_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.s3 import models

    writes: list[bool] = []

    class Spool(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
        def write(self, s: Any) -> int:
            writes.append(bool(self._rolled))  # type: ignore[attr-defined]
            return int(super().write(s))

    monkeypatch.setattr(models.tempfile, "SpooledTemporaryFile", Spool)
    key = models.FakeKey("k", b"x" * 2048, "123456789012", "us-east-1", max_buffer_size=1024)
    small = models.FakeKey("s", b"y" * 10, "123456789012", "us-east-1", max_buffer_size=1024)
    assert (key.value, small.value) == (b"x" * 2048, b"y" * 10)
    assert writes == [True, False]  # moto's own writes 2 KiB into memory first, then copies it
    key.dispose()
    small.dispose()
