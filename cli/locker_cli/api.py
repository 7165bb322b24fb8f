"""Locker's HTTP API as Python calls: bearer token, retries, and its errors as plain words.

Every call goes through :meth:`LockerApi.call`, which adds the token, renews
it once when Locker answers 401, retries what :mod:`locker_cli.retry` allows,
and turns ``{"Code", "Message"}`` into an :class:`~locker_cli.errors.ApiError`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from locker_cli import retry
from locker_cli.errors import UNAVAILABLE, ApiError, CliError

TIMEOUT = httpx.Timeout(60.0, connect=10.0, pool=None)
PAGE_LIMIT = 100


class TokenSource(Protocol):
    """Anything that hands out access tokens (a :class:`~locker_cli.session.Session`)."""

    def token(self) -> str: ...

    def refreshed(self, rejected: str) -> str: ...


class LockerApi:
    """One user's calls to one Locker deployment."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        tokens: TokenSource,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http, self.base_url, self.tokens, self._sleep = http, base_url.rstrip("/"), tokens, sleep

    def call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool = True,
    ) -> Any:
        """The decoded JSON answer (None for 204); raises ApiError or CliError (unavailable)."""
        token = self.tokens.token()
        renewed = False
        for attempt in range(retry.ATTEMPTS):
            sent = {"Authorization": f"Bearer {token}", **(headers or {})}
            try:
                answer = self.http.request(
                    method, self.base_url + path, json=body, params=params, headers=sent, timeout=TIMEOUT
                )
            except httpx.HTTPError as error:
                if attempt + 1 < retry.ATTEMPTS and retry.retryable_error(error, idempotent):
                    self._sleep(retry.wait_seconds(attempt))
                    continue
                raise CliError(f"cannot reach Locker: {type(error).__name__}", UNAVAILABLE) from None
            if answer.status_code == 401 and not renewed:
                token, renewed = self.tokens.refreshed(token), True
                continue
            if answer.status_code in retry.RETRY_STATUSES and attempt + 1 < retry.ATTEMPTS:
                self._sleep(retry.wait_seconds(attempt, answer))
                continue
            return _decode(answer)
        raise CliError("Locker is unavailable: try again later", UNAVAILABLE)

    # The files API (API.md "Routes" and "Large files").
    def create_file(self, declaration: dict[str, Any]) -> dict[str, Any]:
        """``POST /files`` with an Idempotency-Key, so a retried declaration creates one file."""
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        result: dict[str, Any] = self.call("POST", "/files", body=declaration, headers=headers)
        return result

    def complete(self, file_id: str) -> dict[str, Any]:
        """``POST /files/{id}/complete``: the file (idempotent)."""
        file: dict[str, Any] = self.call("POST", f"/files/{_id(file_id)}/complete")["file"]
        return file

    def get_file(self, file_id: str) -> dict[str, Any]:
        """``GET /files/{id}``."""
        file: dict[str, Any] = self.call("GET", f"/files/{_id(file_id)}")["file"]
        return file

    def list_files(self, status: str | None = None, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """Every file, newest first (``limit`` caps the total), following ``nextCursor``."""
        cursor, seen = None, 0
        while True:
            params = {"limit": str(min(PAGE_LIMIT, limit - seen) if limit else PAGE_LIMIT)}
            if status:
                params["status"] = status
            if cursor:
                params["cursor"] = cursor
            page = self.call("GET", "/files", params=params)
            for item in page["items"]:
                yield item
                seen += 1
                if limit and seen >= limit:
                    return
            cursor = page.get("nextCursor")
            if not cursor:
                return

    def download_url(self, file_id: str) -> str:
        """``GET /files/{id}/download``: a short-lived presigned GET."""
        return str(self.call("GET", f"/files/{_id(file_id)}/download")["url"])

    def delete(self, file_id: str) -> None:
        """``DELETE /files/{id}`` (also aborts a pending multipart upload)."""
        self.call("DELETE", f"/files/{_id(file_id)}")

    def sign_parts(self, file_id: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST /files/{id}/parts``: ``{"parts": [{"partNumber", "url", "headers"}], "expiresAt"}``."""
        answer: dict[str, Any] = self.call("POST", f"/files/{_id(file_id)}/parts", body={"parts": parts})
        return answer

    def stored_parts(self, file_id: str) -> list[dict[str, Any]]:
        """``GET /files/{id}/parts``: ``[{"partNumber", "size", "etag"}]`` storage already holds."""
        held: list[dict[str, Any]] = self.call("GET", f"/files/{_id(file_id)}/parts")["parts"]
        return held


def _id(file_id: str) -> str:
    return quote(file_id, safe="")


def _decode(answer: httpx.Response) -> Any:
    if answer.status_code == 204:
        return None
    try:
        data = answer.json()
    except ValueError:
        data = None
    if answer.is_success and data is not None:
        return data
    if isinstance(data, dict) and isinstance(data.get("Message"), str):
        raise ApiError(answer.status_code, str(data.get("Code", "Error")), data["Message"])
    raise ApiError(answer.status_code, "HTTP", answer.reason_phrase or "unexpected answer")
