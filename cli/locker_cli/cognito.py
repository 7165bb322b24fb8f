"""Cognito's ``InitiateAuth`` over plain HTTPS: password log-in and token refresh.

No AWS SDK and no AWS credentials: these calls are unsigned, exactly as a
browser makes them, so the same code logs in against AWS and the emulator.
Passwords and tokens are never printed, not even in errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from locker_cli.errors import AUTH, UNAVAILABLE, CliError

TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


@dataclass(frozen=True)
class Tokens:
    """The tokens a log-in or refresh returns; ``expires_at`` in epoch seconds."""

    access_token: str
    refresh_token: str | None
    expires_at: float


def password_login(client: httpx.Client, url: str, client_id: str, username: str, password: str) -> Tokens:
    """``USER_PASSWORD_AUTH``; raises CliError (auth) for a wrong user or password."""
    return _initiate(
        client, url, client_id, "USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password}
    )


def refresh(client: httpx.Client, url: str, client_id: str, refresh_token: str) -> Tokens:
    """``REFRESH_TOKEN_AUTH``; the answer carries no new refresh token, so the old one is kept."""
    tokens = _initiate(client, url, client_id, "REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})
    return Tokens(tokens.access_token, tokens.refresh_token or refresh_token, tokens.expires_at)


def _initiate(
    client: httpx.Client, url: str, client_id: str, flow: str, parameters: dict[str, str]
) -> Tokens:
    body = {"AuthFlow": flow, "ClientId": client_id, "AuthParameters": parameters}
    headers = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
    try:
        answer = client.post(url, json=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as error:
        raise CliError(f"cannot reach Cognito: {type(error).__name__}", UNAVAILABLE) from None
    data = _json(answer)
    if answer.status_code != 200:
        kind = str(data.get("__type", "")).rsplit("#", 1)[-1] or f"HTTP {answer.status_code}"
        words = str(data.get("message") or data.get("Message") or "log-in refused")
        code = UNAVAILABLE if answer.status_code >= 500 else AUTH
        raise CliError(f"Cognito refused the log-in: {words} ({kind})", code)
    if "ChallengeName" in data:
        raise CliError(
            f"Cognito asks for {data['ChallengeName']} first (e.g. a permanent password); "
            "finish that in another client, then log in again",
            AUTH,
        )
    result = data.get("AuthenticationResult") or {}
    if not isinstance(result, dict) or "AccessToken" not in result:
        raise CliError("Cognito's answer holds no access token", AUTH)
    expires_in = float(result.get("ExpiresIn", 3600))
    return Tokens(str(result["AccessToken"]), result.get("RefreshToken"), time.time() + expires_in)


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        data = answer.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
