"""The developer loop: plain ``chalice local`` on ``make emulator``, reloads on edit, instant restarts.

Edits happen in a temporary copy of the project, never in the repository. The
committed local stage names port 5000; the copy's stage points at this test's
emulator port instead, and nothing else in it changes.
"""

from __future__ import annotations

import compileall
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.stack import ROOT, Stack, start

SPA_ORIGIN = "http://127.0.0.1:8080"
STAGE_ENDPOINT = "http://127.0.0.1:5000"
WAIT_SECONDS = 90
# Appended to the copy's route file: the reloaded server must serve it.
NEW_ROUTE = '''

@files.route("/files-reloaded", methods=["GET"])
def reloaded() -> dict[str, str]:
    """Added by tests/e2e/test_dev_loop.py to a temporary copy."""
    return {"reloaded": "yes"}
'''
APP_CODE = ("app.py", "chalicelib", ".chalice", "requirements.txt")
STACK_CODE = (*APP_CODE, "devstack", "infra", "assets", "web")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _copy_project(target: Path, parts: tuple[str, ...]) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "deployments", "node_modules")
    target.mkdir(parents=True, exist_ok=True)
    for name in parts:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


def _stage(root: Path) -> dict[str, str]:
    config = json.loads((root / ".chalice" / "config.json").read_text())
    return dict(config["stages"]["local"]["environment_variables"])


def _point_stage_at(root: Path, endpoint: str) -> None:
    path = root / ".chalice" / "config.json"
    path.write_text(path.read_text().replace(STAGE_ENDPOINT, endpoint))


def _wait_for(
    url: str, process: subprocess.Popen[bytes], log: Path, status: int = 200, **kwargs: object
) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(url, timeout=5, **kwargs).status_code == status:  # type: ignore[arg-type]
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered {status}:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def emulator_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """``make emulator``: the emulator alone, provisioned and seeded."""
    running = start(tmp_path_factory.mktemp("emulator"), args=("--emulator-only",))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def chalice_local(
    emulator_only: Stack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """Plain ``chalice local --stage local`` in a project copy, with no LOCKER_* or AWS_* exported."""
    workdir = tmp_path_factory.mktemp("chalice-local")
    project = _copy_project(workdir / "project", APP_CODE)
    _point_stage_at(project, emulator_only.emulator)
    # As on any run but a checkout's first: Chalice's watcher restarts when new .pyc files appear.
    compileall.compile_dir(project, quiet=1)
    port = _free_port()
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "PYTHONUNBUFFERED": "1"}
    log = workdir / "chalice-local.log"  # outside the project: the watcher would see it grow
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "chalice"), "local", "--stage", "local", "--port", str(port)],
            cwd=project,
            env=clean_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its reloader's worker is stopped with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health", process, log)
        yield url, project
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def test_the_local_stage_names_what_the_emulator_provisions(emulator_only: Stack) -> None:
    stage, info = _stage(ROOT), emulator_only.info
    assert stage["LOCKER_USER_POOL_ID"] == info["userPoolId"]
    assert stage["LOCKER_CLIENT_IDS"] == info["clientId"]
    assert stage["LOCKER_ISSUER"] == info["issuer"]
    assert (stage["LOCKER_BUCKET"], stage["LOCKER_TABLE"]) == (info["bucket"], info["table"])
    assert stage["AWS_REGION"] == stage["AWS_DEFAULT_REGION"] == info["region"]
    assert stage["LOCKER_JWKS_URL"] == f"{STAGE_ENDPOINT}/{info['userPoolId']}/.well-known/jwks.json"
    assert (stage["AWS_ACCESS_KEY_ID"], stage["AWS_SECRET_ACCESS_KEY"]) == (
        info["awsAccessKeyId"],
        info["awsSecretAccessKey"],
    )
    assert stage["LOCKER_WEB_ORIGIN"] == SPA_ORIGIN


def test_plain_chalice_local_verifies_tokens(emulator_only: Stack, chalice_local: tuple[str, Path]) -> None:
    url, _ = chalice_local
    refused = requests.get(f"{url}/files", timeout=10)
    assert refused.status_code == 401
    assert refused.json()["Code"] == "UnauthorizedError"
    demo = emulator_only.info["demoUser"]
    token = emulator_only.login(demo["username"], demo["password"])["AccessToken"]
    listed = requests.get(f"{url}/files", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert listed.status_code == 200
    assert [item["filename"] for item in listed.json()["items"]] == ["1.png"]  # seeded by make emulator
    forged = requests.get(f"{url}/files", headers={"Authorization": f"Bearer {token[:-4]}AAAA"}, timeout=10)
    assert forged.status_code == 401


def test_plain_chalice_local_answers_the_spa_origin(chalice_local: tuple[str, Path]) -> None:
    url, _ = chalice_local
    preflight = requests.options(
        f"{url}/files",
        headers={
            "Origin": SPA_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    refused = requests.get(f"{url}/files", headers={"Origin": SPA_ORIGIN}, timeout=10)
    assert refused.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    other = requests.get(f"{url}/files", headers={"Origin": "http://127.0.0.1:9999"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in other.headers


def test_make_web_serves_the_spa_for_the_stack(emulator_only: Stack) -> None:
    port = _free_port()
    env = {**os.environ, "LOCKER_STATE_DIR": str(emulator_only.log_path.parent), "LOCKER_WEB_PORT": str(port)}
    log = emulator_only.log_path.parent / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(
            [sys.executable, "-m", "devstack.web_server"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/", web, log)
        config = requests.get(f"http://127.0.0.1:{port}/config.json", timeout=10).json()
        info = emulator_only.info
        assert config == {
            "apiUrl": info["apiUrl"],
            "region": info["region"],
            "cognitoEndpoint": info["awsEndpointUrl"] + "/",
            "clientId": info["clientId"],
            "limits": {k: info["limits"][k] for k in ("maxSize", "multipartThreshold", "allowedTypes")},
        }
    finally:
        web.terminate()
        web.wait(timeout=15)


def _token(stack: Stack) -> dict[str, str]:
    demo = stack.info["demoUser"]
    return {"Authorization": f"Bearer {stack.login(demo['username'], demo['password'])['AccessToken']}"}


def test_plain_chalice_local_reloads_an_edited_route(
    emulator_only: Stack, chalice_local: tuple[str, Path]
) -> None:
    url, project = chalice_local
    auth = _token(emulator_only)
    assert requests.get(f"{url}/files-reloaded", headers=auth, timeout=10).status_code != 200
    with (project / "chalicelib" / "routes" / "files.py").open("a") as routes:
        routes.write(NEW_ROUTE)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            answer = requests.get(f"{url}/files-reloaded", headers=auth, timeout=10)
            if answer.status_code == 200:
                assert answer.json() == {"reloaded": "yes"}
                return
        except requests.ConnectionError:
            pass  # between the old worker and the new one
        time.sleep(0.3)
    raise AssertionError("chalice local never served the edited route")


def test_make_run_reloads_an_edited_route(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project", STACK_CODE)
    routes = project / "chalicelib" / "routes" / "files.py"
    original = routes.read_text()
    stack = start(tmp_path, root=project)
    try:
        auth = _token(stack)
        assert requests.get(f"{stack.api}/files-reloaded", headers=auth, timeout=10).status_code != 200
        routes.write_text(original + "\ndef half_typed(:\n")  # saved mid-edit: does not import
        _wait_for(f"{stack.api}/health", stack.process, stack.log_path, status=503)
        broken = requests.get(f"{stack.api}/files", headers=auth, timeout=10)
        assert (broken.status_code, broken.json()["Code"]) == (503, "ServiceUnavailable")
        assert broken.headers["Retry-After"] == "1"
        assert "SyntaxError" in stack.log_path.read_text()
        routes.write_text(original + NEW_ROUTE)
        _wait_for(f"{stack.api}/files-reloaded", stack.process, stack.log_path, headers=auth)
        answer = requests.get(f"{stack.api}/files-reloaded", headers=auth, timeout=10)
        assert answer.json() == {"reloaded": "yes"}
        assert "Code changed: the API restarted with it." in stack.log_path.read_text()
    finally:
        stack.stop()


def _close_from_server_side(url: str) -> None:
    """An HTTP/1.0 request: the server closes first, leaving TIME_WAIT on its own port."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        while conn.recv(65536):
            pass


def _bind_fails_without_reuse(port: int) -> bool:
    with socket.socket() as plain:
        try:
            plain.bind(("127.0.0.1", port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
        return False


def test_make_run_restarts_at_once_on_the_same_ports(tmp_path: Path) -> None:
    ports = {name: _free_port() for name in ("LOCKER_EMULATOR_PORT", "LOCKER_API_PORT", "LOCKER_WEB_PORT")}
    env = {name: str(port) for name, port in ports.items()}
    first = start(tmp_path, env)
    _close_from_server_side(first.api)
    _close_from_server_side(first.info["webUrl"])
    first.stop()
    # The situation the issue describes: only TIME_WAIT sockets remain on the API port.
    assert _bind_fails_without_reuse(ports["LOCKER_API_PORT"])
    second = start(tmp_path, env)
    try:
        assert requests.get(f"{second.api}/health", timeout=10).json() == {"status": "ok"}
        assert second.api == f"http://127.0.0.1:{ports['LOCKER_API_PORT']}"
    finally:
        second.stop()


@pytest.mark.parametrize("variable", ["LOCKER_API_PORT", "LOCKER_WEB_PORT", "LOCKER_EMULATOR_PORT"])
def test_a_port_in_use_is_one_line(tmp_path: Path, variable: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {
            **os.environ,
            "LOCKER_EMULATOR_PORT": "0",
            "LOCKER_API_PORT": "0",
            "LOCKER_WEB_PORT": "0",
            "LOCKER_STATE_DIR": str(tmp_path),
            variable: str(port),
        }
        done = subprocess.run(
            [sys.executable, "-m", "devstack.run"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"port {port} on 127.0.0.1 is already in use (set {variable} to use another)"
    ]
    assert not (tmp_path / "stack.json").exists()
