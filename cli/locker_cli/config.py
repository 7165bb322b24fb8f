"""Where Locker and its Cognito pool are: from flags, the environment, or a local stack.json.

Resolved in that order, per value. ``make run`` writes ``.local/stack.json``
(or ``$LOCKER_STATE_DIR/stack.json``), so against a local stack ``locker login``
needs no flag at all; against AWS pass ``--api-url``, ``--client-id`` and
``--region`` (or ``--cognito-url``), or set the ``LOCKER_*`` variables below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locker_cli.errors import USAGE, CliError

ENV_API_URL = "LOCKER_API_URL"
ENV_COGNITO_URL = "LOCKER_COGNITO_URL"
ENV_CLIENT_ID = "LOCKER_CLIENT_ID"
ENV_STACK = "LOCKER_STACK"
ENV_STATE_DIR = "LOCKER_STATE_DIR"  # the same variable `make run` writes stack.json under
DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024  # API.md's default, when stack.json does not say


@dataclass(frozen=True)
class Endpoints:
    """Everything needed to log in and to call the API."""

    api_url: str
    cognito_url: str
    client_id: str
    multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD


@dataclass(frozen=True)
class LocalStack:
    """What a local stack.json offers: endpoints and the demo user."""

    endpoints: Endpoints
    demo_user: tuple[str, str] | None


def cognito_url_for(region: str) -> str:
    """Cognito's public endpoint in ``region``."""
    return f"https://cognito-idp.{region}.amazonaws.com/"


def stack_path(flag: Path | None, env: dict[str, str]) -> Path:
    """The stack.json to read: ``--stack``, ``$LOCKER_STACK``, ``$LOCKER_STATE_DIR`` or ``.local``."""
    if flag is not None:
        return flag
    if env.get(ENV_STACK):
        return Path(env[ENV_STACK])
    return Path(env.get(ENV_STATE_DIR) or ".local") / "stack.json"


def read_stack(path: Path) -> LocalStack | None:
    """The local stack described by ``path``, or None when there is none."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise CliError(f"cannot read {path}: {error}", USAGE) from None
    try:
        limits = data.get("limits") or {}
        endpoints = Endpoints(
            api_url=str(data["apiUrl"]),
            cognito_url=str(data["awsEndpointUrl"]).rstrip("/") + "/",
            client_id=str(data["clientId"]),
            multipart_threshold=int(limits.get("multipartThreshold", DEFAULT_MULTIPART_THRESHOLD)),
        )
        demo = data.get("demoUser")
        user = (str(demo["username"]), str(demo["password"])) if demo else None
    except (KeyError, TypeError, ValueError):
        raise CliError(
            f"{path} is not a Locker stack.json (apiUrl, awsEndpointUrl, clientId)", USAGE
        ) from None
    return LocalStack(endpoints, user)


def resolve(flags: dict[str, str | None], env: dict[str, str], fallback: Endpoints | None) -> Endpoints:
    """Endpoints from ``flags`` (api_url, cognito_url, region, client_id), then ``env``, then ``fallback``.

    Raises CliError (usage) naming what is still missing.
    """
    region = flags.get("region")
    picked = {
        "api_url": flags.get("api_url") or env.get(ENV_API_URL),
        "cognito_url": flags.get("cognito_url")
        or (cognito_url_for(region) if region else None)
        or env.get(ENV_COGNITO_URL),
        "client_id": flags.get("client_id") or env.get(ENV_CLIENT_ID),
    }
    if fallback is not None:
        for name in picked:
            picked[name] = picked[name] or getattr(fallback, name)
    missing = [name for name, value in picked.items() if not value]
    if missing:
        hints = {
            "api_url": "--api-url",
            "cognito_url": "--region or --cognito-url",
            "client_id": "--client-id",
        }
        raise CliError(
            "don't know " + ", ".join(hints[m] for m in missing) + " (no local stack.json found either)",
            USAGE,
        )
    threshold = fallback.multipart_threshold if fallback else DEFAULT_MULTIPART_THRESHOLD
    return Endpoints(
        str(picked["api_url"]).rstrip("/"), str(picked["cognito_url"]), str(picked["client_id"]), threshold
    )
