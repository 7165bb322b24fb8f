"""The ``locker`` command against the real local stack: every verb, multipart, and resuming.

The stack runs with a 6 MiB multipart threshold and 5 MiB parts (settings,
not code paths) so multipart files stay small. The CLI runs as the installed
console script; where a test must count or break what reaches storage it runs
the same ``main`` in-process with an httpx transport that wraps the real one.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from locker_cli import errors, main
from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack, start

MIB = 1024 * 1024
PART = 5 * MIB
LOCKER = Path(sys.executable).with_name("locker")
PASSWORD = "Cli-user-password-1"


@pytest.fixture(scope="module")
def cli_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = {"LOCKER_MULTIPART_THRESHOLD": str(6 * MIB), "LOCKER_PART_SIZE": str(PART)}
    running = start(tmp_path_factory.mktemp("cli-stack"), settings)
    yield running
    running.stop()


class User:
    """A fresh user with their own config directory, driving ``locker``."""

    def __init__(self, stack: Stack, home: Path) -> None:
        self.username = f"cli-{uuid.uuid4().hex[:10]}@example.com"
        self.sub, token = stack.new_user(self.username, PASSWORD)
        self.api = Api(stack.api, token, self.sub)
        self.env = {
            **os.environ,
            "LOCKER_CONFIG_DIR": str(home / "config"),
            "LOCKER_STACK": str(stack.log_path.parent / "stack.json"),
        }

    def run(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(LOCKER), *argv],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )

    def start(self, *argv: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(LOCKER), *argv], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def login(self) -> None:
        done = self.run("login", "--user", self.username, "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr

    def in_process(self, transport: httpx.BaseTransport, *argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main.main(list(argv), self.env, transport, out)
        return code, out.getvalue()


class CountingTransport(httpx.BaseTransport):
    """The real transport, counting part PUTs by number; may fail after ``fail_after`` of them."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.inner = httpx.HTTPTransport()
        self.part_puts: list[int] = []
        self.fail_after = fail_after

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        number = request.url.params.get("partNumber")
        if request.method == "PUT" and number is not None:
            if self.fail_after is not None and len(self.part_puts) >= self.fail_after:
                raise httpx.RemoteProtocolError("connection lost", request=request)
            answer = self.inner.handle_request(request)
            if answer.status_code == 200:
                self.part_puts.append(int(number))
            return answer
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def user(cli_stack: Stack, tmp_path: Path) -> User:
    signed_in = User(cli_stack, tmp_path)
    signed_in.login()
    return signed_in


def _pdf(path: Path, size: int) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(size - 9))
    return path


def _stored_parts(user: User, file_id: str) -> list[dict[str, Any]]:
    answer = user.api.call("GET", f"/files/{file_id}/parts")
    assert answer.status_code == 200, answer.text
    parts: list[dict[str, Any]] = answer.json()["parts"]
    return parts


def test_login_stores_a_private_session(user: User) -> None:
    credentials = Path(user.env["LOCKER_CONFIG_DIR"]) / "credentials.json"
    assert oct(credentials.stat().st_mode & 0o777) == "0o600"
    assert PASSWORD not in credentials.read_text()
    assert user.run("ls").returncode == 0


def test_a_wrong_password_is_refused_in_plain_words(cli_stack: Stack, tmp_path: Path) -> None:
    someone = User(cli_stack, tmp_path)
    done = someone.run("login", "--user", someone.username, "--password-stdin", stdin="not-the-password\n")
    assert done.returncode == errors.AUTH
    assert done.stderr.startswith("locker: Cognito refused the log-in")
    assert "not-the-password" not in done.stderr


def test_small_file_upload_ls_download_rm(user: User, tmp_path: Path) -> None:
    source = ROOT / "assets" / "1.png"
    uploaded = user.run("upload", str(source), "--json")
    assert uploaded.returncode == 0, uploaded.stderr
    result = json.loads(uploaded.stdout)
    file = result["file"]
    assert (file["status"], result["parts"], file["size"]) == ("ready", 0, source.stat().st_size)
    assert file["sha256"]  # a single PUT is pinned by the whole file's SHA-256
    listed = user.run("ls", "--json")
    assert [f["id"] for f in json.loads(listed.stdout)] == [file["id"]]
    table = user.run("ls").stdout.splitlines()
    assert table[1].startswith(file["id"]) and table[1].endswith("1.png")
    downloaded = user.run("download", file["id"], "-o", str(tmp_path))
    assert downloaded.returncode == 0, downloaded.stderr
    assert (tmp_path / "1.png").read_bytes() == source.read_bytes()
    assert "size and SHA-256 verified" in downloaded.stdout
    assert user.run("rm", file["id"]).returncode == 0
    assert user.run("ls", "--json").stdout.strip() == "[]"
    gone = user.run("download", file["id"], "-o", str(tmp_path / "again.png"))
    assert gone.returncode == errors.NOT_FOUND
    assert gone.stderr.strip() == "locker: file not found (HTTP 404 NotFoundError)"


def test_multipart_upload_and_byte_identical_download(user: User, tmp_path: Path) -> None:
    source = _pdf(tmp_path / "scan.pdf", 4 * PART + 12345)
    uploaded = user.run("upload", str(source), "--workers", "4", "--json")
    assert uploaded.returncode == 0, uploaded.stderr
    result = json.loads(uploaded.stdout)
    assert (result["file"]["status"], result["parts"], result["sent"]) == ("ready", 5, 5)
    target = tmp_path / "back.pdf"
    downloaded = user.run("download", result["file"]["id"], "-o", str(target))
    assert downloaded.returncode == 0, downloaded.stderr
    assert target.read_bytes() == source.read_bytes()


def test_a_lost_connection_resumes_without_resending_stored_parts(user: User, tmp_path: Path) -> None:
    source = _pdf(tmp_path / "backup.pdf", 6 * PART + 1)  # 7 parts
    broken = CountingTransport(fail_after=3)
    code, _ = user.in_process(broken, "upload", str(source), "--workers", "1")
    assert code == errors.UNAVAILABLE
    pending = user.api.call("GET", "/files", params={"status": "pending"}).json()["items"]
    assert len(pending) == 1
    file_id = pending[0]["id"]
    held = sorted(p["partNumber"] for p in _stored_parts(user, file_id))
    assert held == [1, 2, 3] == sorted(broken.part_puts)

    counting = CountingTransport()
    code, out = user.in_process(counting, "upload", str(source), "--workers", "4", "--json")
    assert code == 0
    result = json.loads(out)
    assert sorted(counting.part_puts) == [4, 5, 6, 7]  # counted at the wire, not by the CLI
    assert (result["file"]["id"], result["file"]["status"]) == (file_id, "ready")
    assert (result["sent"], result["alreadyStored"]) == (4, 3)
    target = tmp_path / "back.pdf"
    assert user.run("download", file_id, "-o", str(target)).returncode == 0
    assert target.read_bytes() == source.read_bytes()


def test_ctrl_c_then_the_same_command_resumes(user: User, tmp_path: Path) -> None:
    source = _pdf(tmp_path / "video.pdf", 12 * PART)  # 12 parts, one at a time
    process = user.start("upload", str(source), "--workers", "1", "--json")
    file_id, held = None, []
    deadline = time.monotonic() + 120
    while len(held) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        if file_id is None:
            items = user.api.call("GET", "/files", params={"status": "pending"}).json()["items"]
            file_id = items[0]["id"] if items else None
        else:
            held = _stored_parts(user, file_id)
    assert process.poll() is None, "the upload ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == errors.INTERRUPTED, err
    assert "run the same command to resume" in err
    assert file_id is not None
    before = sorted(p["partNumber"] for p in _stored_parts(user, file_id))
    assert len(before) >= 2

    counting = CountingTransport()
    code, out = user.in_process(counting, "upload", str(source), "--json")
    assert code == 0
    result = json.loads(out)
    assert sorted(counting.part_puts) == [n for n in range(1, 13) if n not in before]
    assert (result["file"]["id"], result["file"]["status"]) == (file_id, "ready")
    assert result["alreadyStored"] == len(before)
    target = tmp_path / "back.pdf"
    assert user.run("download", file_id, "-o", str(target)).returncode == 0
    assert target.read_bytes() == source.read_bytes()


def test_rm_of_a_pending_multipart_upload_aborts_it(user: User, tmp_path: Path) -> None:
    source = _pdf(tmp_path / "big.pdf", 3 * PART)
    code, _ = user.in_process(CountingTransport(fail_after=1), "upload", str(source), "--workers", "1")
    assert code == errors.UNAVAILABLE
    file_id = user.api.call("GET", "/files", params={"status": "pending"}).json()["items"][0]["id"]
    assert user.run("rm", file_id).returncode == 0
    assert user.api.call("GET", f"/files/{file_id}").status_code == 404
    again = user.run("upload", str(source), "--json")  # the remembered upload is gone: a new one starts
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["alreadyStored"] == 0


def test_commands_without_login_exit_with_the_auth_code(cli_stack: Stack, tmp_path: Path) -> None:
    stranger = User(cli_stack, tmp_path)
    done = stranger.run("ls")
    assert done.returncode == errors.AUTH
    assert "run `locker login`" in done.stderr
