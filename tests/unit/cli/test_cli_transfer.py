"""``locker upload``, ``download``, ``ls`` and ``rm`` against the fake services.

The multipart cases count what reaches storage: every part pinned by its
SHA-256, an interrupted upload resumed without re-sending a stored part.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from locker_cli import errors, parts
from tests.unit.cli.conftest import Run
from tests.unit.cli.fake_locker import MIB, STORAGE, FakeLocker, b64sha


def _file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_a_small_file_goes_in_one_put_pinned_by_its_sha256(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    path = _file(tmp_path, "notes.txt", 1000)
    result = logged_in("upload", str(path), "--json")
    assert result.code == 0, result.err
    uploaded = result.json()
    assert uploaded["file"]["status"] == "ready"
    assert uploaded["parts"] == 0
    stored = fake.files[uploaded["file"]["id"]]
    assert stored.sha256 == b64sha(path.read_bytes())
    assert stored.body == path.read_bytes()
    assert stored.content_type == "text/plain"


def test_a_large_file_goes_in_parts_each_pinned(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    path = _file(tmp_path, "video.png", 23 * MIB + 17)  # 5 parts of 5 MiB, the last 3 MiB + 17 bytes
    result = logged_in("upload", str(path), "--workers", "3", "--json")
    assert result.code == 0, result.err
    uploaded = result.json()
    assert (uploaded["parts"], uploaded["sent"], uploaded["alreadyStored"]) == (5, 5, 0)
    stored = fake.files[uploaded["file"]["id"]]
    assert stored.sha256 is None  # multipart declarations carry no whole-file sha256
    assert stored.body == path.read_bytes()
    assert sorted(fake.part_puts) == [1, 2, 3, 4, 5]  # the fake refuses unpinned parts and wrong digests


def test_an_interrupted_upload_resumes_without_resending_stored_parts(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    path = _file(tmp_path, "backup.pdf", 31 * MIB)  # 7 parts
    accepted = 0

    def lose_connection_after_three(request: httpx.Request) -> httpx.Response | None:
        nonlocal accepted
        if request.method == "PUT" and str(request.url).startswith(f"{STORAGE}/part/"):
            if accepted >= 3:
                raise httpx.ReadError("connection lost", request=request)
            accepted += 1
        return None

    fake.before = lose_connection_after_three
    first = logged_in("upload", str(path), "--workers", "1")
    assert first.code == errors.UNAVAILABLE
    assert "connection to storage failed" in first.err
    assert "3 of 7 parts are in storage: run the same command to resume" in first.err
    file_id = next(iter(fake.files))
    assert fake.files[file_id].status == "pending"
    assert sorted(fake.files[file_id].parts) == [1, 2, 3]

    fake.before, fake.part_puts = None, []
    second = logged_in("upload", str(path), "--json")
    assert second.code == 0, second.err
    resumed = second.json()
    assert resumed["file"]["id"] == file_id
    assert (resumed["parts"], resumed["sent"], resumed["alreadyStored"]) == (7, 4, 3)
    assert sorted(fake.part_puts) == [4, 5, 6, 7]
    assert fake.files[file_id].body == path.read_bytes()
    assert [r for r in fake.requests if r == ("POST", "/files")] == [("POST", "/files")]


def test_ctrl_c_stops_the_upload_and_says_how_to_resume(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    path = _file(tmp_path, "big.pdf", 21 * MIB)  # 5 parts

    def interrupt_on_part_three(request: httpx.Request) -> httpx.Response | None:
        if (
            request.method == "PUT"
            and str(request.url).startswith(f"{STORAGE}/part/")
            and "/3?" in str(request.url)
        ):
            raise KeyboardInterrupt
        return None

    fake.before = interrupt_on_part_three
    first = logged_in("upload", str(path), "--workers", "1")
    assert first.code == errors.INTERRUPTED
    assert "2 of 5 parts are in storage; run the same command to resume" in first.err
    fake.before, fake.part_puts = None, []
    second = logged_in("upload", str(path), "--json")
    assert second.code == 0, second.err
    assert sorted(fake.part_puts) == [3, 4, 5]


def test_a_changed_file_starts_a_new_upload(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    path = _file(tmp_path, "big.pdf", 11 * MIB)
    fake.before = lambda r: httpx.Response(503) if r.method == "PUT" else None
    assert logged_in("upload", str(path)).code == errors.UNAVAILABLE
    path.write_bytes(os.urandom(11 * MIB))
    os.utime(path, ns=(1, 1))
    fake.before = None
    result = logged_in("upload", str(path), "--json")
    assert result.code == 0, result.err
    assert result.json()["alreadyStored"] == 0
    assert len(fake.files) == 2


def test_a_failed_part_is_signed_and_sent_again(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    path = _file(tmp_path, "big.pdf", 11 * MIB)
    failures = iter([True, True])

    def flaky(request: httpx.Request) -> httpx.Response | None:
        if request.method == "PUT" and next(failures, False):
            return httpx.Response(500, text="<Error><Code>InternalError</Code><Message>x</Message></Error>")
        return None

    fake.before = flaky
    result = logged_in("upload", str(path), "--json", "--workers", "1")
    assert result.code == 0, result.err
    assert len(fake.signed) == 3 + 2  # one URL per part, plus a fresh one per retry
    assert sorted(set(fake.signed)) == [1, 2, 3]


def test_locker_unavailable_is_retried_then_reported(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    path = _file(tmp_path, "a.txt", 10)
    answers = iter([httpx.Response(503, json={"Code": "ServiceUnavailableError", "Message": "try again"})])
    fake.before = lambda r: next(answers, None) if r.url.path == "/files" else None
    assert logged_in("upload", str(path)).code == 0
    fake.before = lambda r: httpx.Response(
        503, json={"Code": "ServiceUnavailableError", "Message": "try again"}
    )
    result = logged_in("ls")
    assert result.code == errors.UNAVAILABLE
    assert result.err.strip() == "locker: try again (HTTP 503 ServiceUnavailableError)"


def test_locker_refusals_are_printed_in_plain_words(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    path = _file(tmp_path, "a.exe", 10)
    fake.before = lambda r: (
        httpx.Response(
            400, json={"Code": "BadRequestError", "Message": "contentType must be one of image/png"}
        )
        if r.url.path == "/files" and r.method == "POST"
        else None
    )
    result = logged_in("upload", str(path))
    assert result.code == errors.REFUSED
    assert result.err.strip() == "locker: contentType must be one of image/png (HTTP 400 BadRequestError)"


def test_a_rejected_upload_exits_with_the_integrity_code(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    fake.reject_content = True
    result = logged_in("upload", str(_file(tmp_path, "a.png", 100)))
    assert result.code == errors.INTEGRITY
    assert "Locker rejected the upload: upload does not match" in result.err


def test_upload_of_a_missing_or_empty_file_is_a_usage_error(logged_in: Run, tmp_path: Path) -> None:
    assert logged_in("upload", str(tmp_path / "absent.txt")).code == errors.USAGE
    (tmp_path / "empty.txt").write_bytes(b"")
    assert logged_in("upload", str(tmp_path / "empty.txt")).code == errors.USAGE


def test_parts_are_read_in_bounded_chunks(
    logged_in: Run, fake: FakeLocker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _file(tmp_path, "big.pdf", 16 * MIB)
    reads: list[int] = []
    real_pread = os.pread

    def spy(fd: int, length: int, offset: int) -> bytes:
        reads.append(length)
        return real_pread(fd, length, offset)

    monkeypatch.setattr(parts.os, "pread", spy)
    assert logged_in("upload", str(path), "--workers", "4").code == 0
    assert reads and max(reads) <= parts.CHUNK
    assert sum(reads) == 2 * path.stat().st_size  # each part read twice: to hash it, then to send it


def test_download_is_byte_identical_and_verified(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    source = _file(tmp_path, "photo.png", 3000)
    file_id = logged_in("upload", str(source), "--json").json()["file"]["id"]
    target = tmp_path / "out"
    target.mkdir()
    result = logged_in("download", file_id, "-o", str(target))
    assert result.code == 0, result.err
    assert (target / "photo.png").read_bytes() == source.read_bytes()
    assert "SHA-256 verified" in result.out
    again = logged_in("download", file_id, "-o", str(target))
    assert again.code == errors.USAGE and "--force" in again.err
    assert logged_in("download", file_id, "-o", str(target), "--force").code == 0


def test_a_download_that_does_not_match_keeps_nothing(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    source = _file(tmp_path, "photo.png", 3000)
    file_id = logged_in("upload", str(source), "--json").json()["file"]["id"]
    fake.files[file_id].body = b"x" * 3000  # same size, other bytes
    out = tmp_path / "out"
    out.mkdir()
    result = logged_in("download", file_id, "-o", str(out))
    assert result.code == errors.INTEGRITY
    assert "SHA-256" in result.err
    assert list(out.iterdir()) == []
    fake.files[file_id].body = b"x" * 10
    assert logged_in("download", file_id, "-o", str(out)).code == errors.INTEGRITY
    assert list(out.iterdir()) == []


def test_ls_and_rm(logged_in: Run, fake: FakeLocker, tmp_path: Path) -> None:
    file_id = logged_in("upload", str(_file(tmp_path, "a.txt", 10)), "--json").json()["file"]["id"]
    listed = logged_in("ls", "--json")
    assert [f["id"] for f in json.loads(listed.out)] == [file_id]
    table = logged_in("ls").out.splitlines()
    assert table[0].split() == ["ID", "SIZE", "STATUS", "CREATED", "NAME"]
    assert table[1].split()[0] == file_id and table[1].endswith("a.txt")
    assert logged_in("rm", file_id).code == 0
    assert file_id not in fake.files
    missing = logged_in("rm", file_id)
    assert missing.code == errors.NOT_FOUND
    assert "file not found (HTTP 404 NotFoundError)" in missing.err


def test_a_lower_threshold_than_the_client_knows_is_handled(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    fake.threshold = 1 * MIB  # the client believes 8 MiB (stack.json): it sends a sha256 Locker refuses
    result = logged_in("upload", str(_file(tmp_path, "a.pdf", 6 * MIB)), "--json")
    assert result.code == 0, result.err
    assert result.json()["parts"] == 2
    assert [r for r in fake.requests if r == ("POST", "/files")] == [("POST", "/files")] * 2


def test_parts_storage_lost_are_sent_again_before_completing(
    logged_in: Run, fake: FakeLocker, tmp_path: Path
) -> None:
    path = _file(tmp_path, "big.pdf", 16 * MIB)  # 4 parts
    swallowed: list[int] = []

    def lose_part_two_once(request: httpx.Request) -> httpx.Response | None:
        if (
            request.method == "PUT"
            and "/part/" in str(request.url)
            and "/2?" in str(request.url)
            and not swallowed
        ):
            request.read()
            swallowed.append(2)
            return httpx.Response(200)  # storage says yes but keeps nothing
        return None

    fake.before = lose_part_two_once
    result = logged_in("upload", str(path), "--json")
    assert result.code == 0, result.err
    assert sorted(fake.part_puts) == [1, 2, 3, 4]
    assert len([r for r in fake.requests if r[0] == "POST" and r[1].endswith("/complete")]) == 2
    assert fake.files[result.json()["file"]["id"]].body == path.read_bytes()
