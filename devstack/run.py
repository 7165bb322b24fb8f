"""``make run``: Locker on the embedded emulator, in one process, until Ctrl-C.

Starts the emulator, provisions the bucket, table, user pool, app client and
demo user from the same definitions a deployment uses, seeds ``assets/``,
serves the API with Chalice's local server and the SPA from ``web/``, then
writes ``.local/stack.json`` (last, so its presence means "ready").
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack import environment  # first: it imports the emulator, which configures moto
from devstack.emulator import events
from devstack.emulator import server as emulator

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Options:
    """What the environment may override (the README lists these)."""

    emulator_port: int
    api_port: int
    web_port: int
    region: str
    demo_user: str
    demo_password: str
    state_dir: Path

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Options:
        """Read ``LOCKER_*`` overrides, refusing malformed ones with one line each."""

        def port(name: str, default: int) -> int:
            raw = env.get(name, str(default))
            if not raw.isdigit() or not 0 <= int(raw) <= 65535:
                raise SystemExit(f"{name} must be a port number, not {raw!r}")
            return int(raw)

        return cls(
            emulator_port=port("LOCKER_EMULATOR_PORT", 5000),
            api_port=port("LOCKER_API_PORT", 8000),
            web_port=port("LOCKER_WEB_PORT", 8080),
            region=env.get("LOCKER_REGION", "us-east-1"),
            demo_user=env.get("LOCKER_DEMO_USER", "demo@example.com"),
            demo_password=env.get("LOCKER_DEMO_PASSWORD", "Locker-demo-2026"),
            state_dir=Path(env.get("LOCKER_STATE_DIR", str(ROOT / ".local"))),
        )


def _free_port(port: int, name: str) -> int:
    """Bind-test a port; a busy one is a clear one-line exit. Port 0 picks a free one."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"port {port} on 127.0.0.1 is already in use (set {name} to use another)"
            ) from None
        return int(probe.getsockname()[1])


def start(options: Options) -> tuple[dict[str, Any], list[Callable[[], None]]]:
    """Bring the whole stack up; returns stack.json's content and what to stop."""
    api_port = _free_port(options.api_port, "LOCKER_API_PORT")
    web_port = _free_port(options.web_port, "LOCKER_WEB_PORT")
    try:
        aws = emulator.start(port=options.emulator_port, object_created=events.LocalLambda("object_created"))
    except emulator.PortBusyError as error:
        raise SystemExit(str(error)) from None
    stage = environment.stage_environment()
    web_url = f"http://127.0.0.1:{web_port}"
    os.environ.update(stage)
    aws_env = environment.emulator_environment(aws.url, options.region)
    os.environ.update(aws_env)
    os.environ["LOCKER_WEB_ORIGIN"] = web_url
    for name in environment.REAL_AWS_ONLY:
        os.environ.pop(name, None)

    import boto3

    from chalicelib import runtime
    from devstack import api_server, cognito, resources, seed, web_server

    bucket, table = stage["LOCKER_BUCKET"], stage["LOCKER_TABLE"]
    resources.create_resources(boto3.client("dynamodb"), boto3.client("s3"), table, bucket, web_url)
    admin = boto3.client("cognito-idp")
    pool_id, client_id = cognito.create_pool(admin, "locker-local")
    demo_sub = cognito.create_user(admin, pool_id, options.demo_user, options.demo_password)
    os.environ.update(environment.pool_environment(aws.url, pool_id, client_id))
    runtime.reset()
    seeded = seed.seed(runtime.locker(), demo_sub, ROOT / "assets")
    api = api_server.serve(ROOT, "local", api_port)
    api_url = f"http://127.0.0.1:{api_port}"
    cognito_endpoint = f"{aws.url}/"
    settings = runtime.locker().settings
    web = web_server.serve(
        ROOT / "web",
        {
            "apiUrl": api_url,
            "region": options.region,
            "cognitoEndpoint": cognito_endpoint,
            "clientId": client_id,
            # What the upload panel shows before any upload, and where it switches to parts.
            "limits": {
                "maxSize": settings.max_size,
                "multipartThreshold": settings.multipart_threshold,
                "allowedTypes": list(settings.allowed_types),
            },
        },
        "127.0.0.1",
        web_port,
    )
    stack = {
        "apiUrl": api_url,
        "awsEndpointUrl": aws.url,
        "awsAccessKeyId": aws_env["AWS_ACCESS_KEY_ID"],
        "awsSecretAccessKey": aws_env["AWS_SECRET_ACCESS_KEY"],
        "region": options.region,
        "userPoolId": pool_id,
        "clientId": client_id,
        "issuer": settings.issuer,
        "bucket": bucket,
        "table": table,
        "webUrl": web_url,
        "demoUser": {"username": options.demo_user, "password": options.demo_password},
        "limits": {
            "maxSize": settings.max_size,
            "multipartThreshold": settings.multipart_threshold,
            "quotaBytes": settings.quota_bytes,
            "quotaFiles": settings.quota_files,
            "uploadExpires": settings.upload_expires,
            "downloadExpires": settings.download_expires,
        },
    }
    print(f"Seeded {len(seeded)} file(s) from assets/ for {options.demo_user}: {', '.join(seeded)}")
    return stack, [api.server.shutdown, web.shutdown, aws.stop]


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


def _banner(stack: dict[str, Any], stack_file: Path) -> str:
    from devstack import cognito

    demo = stack["demoUser"]
    token = cognito.login(
        stack["awsEndpointUrl"], stack["region"], stack["clientId"], demo["username"], demo["password"]
    )["AccessToken"]
    return f"""
Locker is running on the embedded emulator (Ctrl-C stops everything).
  API       {stack["apiUrl"]}
  Web app   {stack["webUrl"]}
  Emulator  {stack["awsEndpointUrl"]}  (S3, DynamoDB, Cognito)
  Demo user {demo["username"]} / {demo["password"]}
  Settings  {stack_file}
  Postman   {stack_file.parent / "locker.postman_environment.json"}   New token: make token

An access token for the demo user (valid 1 hour):
{token}

Try it:
  curl -H "Authorization: Bearer {token[:16]}..." {stack["apiUrl"]}/files
  TOKEN=$(make -s token) && curl -H "Authorization: Bearer $TOKEN" {stack["apiUrl"]}/files
"""


def main() -> None:
    """Run until Ctrl-C or SIGTERM."""
    options = Options.from_env(dict(os.environ))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the emulator's per-request lines
    started = time.monotonic()
    stack, stoppers = start(options)
    path = write_state(stack, options.state_dir)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(_banner(stack, shown), flush=True)
    print(f"Ready in {time.monotonic() - started:.1f} s; wrote {shown}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping Locker ...", file=sys.stderr)
        path.unlink(missing_ok=True)
        for shutdown in stoppers:
            shutdown()


if __name__ == "__main__":
    main()
