"""``make run`` and ``make emulator``: Locker's local stack, in the foreground until Ctrl-C.

``python -m devstack.run`` (``make run``) serves the emulator, the API and the
SPA; the API runs in a child process that restarts when its code changes.
``--emulator-only`` (``make emulator``) serves just the emulator, for a plain
``chalice local --stage local`` in another terminal. Both provision the bucket,
table, user pool and demo user from the definitions a deployment uses, seed
``assets/``, and write ``.local/stack.json`` last, so its presence means "ready".
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devstack import environment  # first: it imports the emulator, which configures moto
from devstack.banner import banner
from devstack.emulator import events
from devstack.emulator import server as emulator
from devstack.options import Options
from devstack.sockets import PortBusyError, listen

ROOT = Path(__file__).resolve().parent.parent


def _configure(aws_url: str, region: str) -> None:
    """This process's settings: the stage's, under the shell's, under the emulator's."""
    for name, value in environment.stage_environment().items():
        os.environ.setdefault(name, value)
    os.environ.update(environment.emulator_environment(aws_url, region))
    for name in environment.REAL_AWS_ONLY:
        os.environ.pop(name, None)


def start(
    options: Options, shell: Mapping[str, str], with_api: bool = True
) -> tuple[dict[str, Any], list[Callable[[], None]]]:
    """Bring the stack up; returns stack.json's content and what ``stop_all`` stops.

    Raises:
        PortBusyError: a port is taken (the message names the variable to change).
    """
    stoppers: list[Callable[[], None]] = []  # in start order; stopped in reverse
    api_sock = listen(options.api_port, "LOCKER_API_PORT") if with_api else None
    web_sock = listen(options.web_port, "LOCKER_WEB_PORT") if with_api else None
    aws = emulator.start(port=options.emulator_port, object_created=events.LocalLambda("object_created"))
    stoppers.append(aws.stop)
    try:
        return _provision_and_serve(options, shell, aws, api_sock, web_sock, stoppers), stoppers
    except BaseException:
        stop_all(stoppers)
        raise


def _provision_and_serve(
    options: Options,
    shell: Mapping[str, str],
    aws: emulator.Emulator,
    api_sock: socket.socket | None,
    web_sock: socket.socket | None,
    stoppers: list[Callable[[], None]],
) -> dict[str, Any]:
    from devstack import api_process, provision, web_server

    api_port = api_sock.getsockname()[1] if api_sock else options.api_port
    web_url = f"http://127.0.0.1:{web_sock.getsockname()[1] if web_sock else options.web_port}"
    _configure(aws.url, options.region)
    bucket, table = os.environ["LOCKER_BUCKET"], os.environ["LOCKER_TABLE"]
    made = provision.provision(bucket, table, web_url, options.demo_user, options.demo_password)
    facts = {
        **environment.emulator_environment(aws.url, options.region),
        **environment.pool_environment(aws.url, made.pool_id, made.client_id),
        "LOCKER_WEB_ORIGIN": web_url,
    }
    os.environ.update(facts)
    api = None
    if api_sock is not None:
        worker_env = {k: v for k, v in shell.items() if k not in environment.REAL_AWS_ONLY}
        api = api_process.ReloadingApi(api_sock, {**worker_env, **facts})
        api.start()  # imports the app while the seed runs
        stoppers.append(api.stop)
    seeded = provision.seed_demo(made.demo_sub)
    stack = {
        "apiUrl": f"http://127.0.0.1:{api_port}",
        "awsEndpointUrl": aws.url,
        "awsAccessKeyId": facts["AWS_ACCESS_KEY_ID"],
        "awsSecretAccessKey": facts["AWS_SECRET_ACCESS_KEY"],
        "region": options.region,
        "userPoolId": made.pool_id,
        "clientId": made.client_id,
        "issuer": facts["LOCKER_ISSUER"],
        "bucket": bucket,
        "table": table,
        "webUrl": web_url,
        "demoUser": {"username": options.demo_user, "password": options.demo_password},
        "limits": _limits(),
        "readerUser": {"username": provision.READER_USER, "password": provision.READER_PASSWORD},
    }
    if web_sock is not None:
        stoppers.append(web_server.serve(ROOT / "web", web_server.spa_config(stack), web_sock).shutdown)
    if api is not None:
        try:
            api.wait_ready()
        except RuntimeError as error:
            raise SystemExit(str(error)) from None
    print(f"Seeded {len(seeded)} file(s) from assets/ for {options.demo_user}: {', '.join(seeded)}")
    return stack


def _limits() -> dict[str, Any]:
    """The limits clients size uploads by: Locker's settings for this stack (stack.json's ``limits``)."""
    from chalicelib import config

    settings = config.load()  # the same environment the API worker reads
    return {
        "maxSize": settings.max_size,
        "multipartThreshold": settings.multipart_threshold,
        "quotaBytes": settings.quota_bytes,
        "quotaFiles": settings.quota_files,
        "uploadExpires": settings.upload_expires,
        "downloadExpires": settings.download_expires,
        "allowedTypes": list(settings.allowed_types),
    }


def stop_all(stoppers: list[Callable[[], None]]) -> None:
    """Stop what ``start`` started, last first."""
    for shutdown in reversed(stoppers):
        shutdown()


def write_state(stack: dict[str, Any], state_dir: Path) -> Path:
    """Write stack.json and the Postman environment; stack.json goes last (readiness)."""
    from devstack import postman_env

    state_dir.mkdir(parents=True, exist_ok=True)
    postman_env.write(stack, state_dir / "locker.postman_environment.json")
    path = state_dir / "stack.json"
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(stack, indent=2) + "\n")
    partial.replace(path)
    return path


def main() -> None:
    """Run until Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description="Locker's local stack (make run, make emulator)")
    parser.add_argument("--emulator-only", action="store_true", help="no API and no web app (make emulator)")
    args = parser.parse_args()
    shell = dict(os.environ)
    options = Options.from_env(shell)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's per-request lines
    started = time.monotonic()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stack, stoppers = start(options, shell, with_api=not args.emulator_only)
    except PortBusyError as error:
        raise SystemExit(str(error)) from None
    path = write_state(stack, options.state_dir)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(banner(stack, shown, with_api=not args.emulator_only), flush=True)
    print(f"Ready in {time.monotonic() - started:.1f} s; wrote {shown}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping Locker ...", file=sys.stderr)
        path.unlink(missing_ok=True)
        stop_all(stoppers)


if __name__ == "__main__":
    main()
