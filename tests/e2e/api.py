"""A small HTTP client for Locker's API, the way a script or SPA would call it."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import requests

TIMEOUT = 30


class Api:
    """Calls Locker as one signed-in user."""

    def __init__(self, base: str, token: str, sub: str | None) -> None:
        self.base = base
        self.token = token
        self.sub = sub

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=TIMEOUT, **kwargs)

    def declare(self, body: bytes, content_type: str = "image/png", **fields: Any) -> requests.Response:
        payload = {"filename": "photo.png", "contentType": content_type, "size": len(body), **fields}
        return self.call("POST", "/files", json=payload)

    def upload(self, body: bytes, content_type: str = "image/png", **fields: Any) -> dict[str, Any]:
        """Declare, PUT the bytes with the returned headers, and complete; returns the completed file."""
        created = self.declare(body, content_type, **fields)
        assert created.status_code == 201, created.text
        put(created.json()["upload"], body)
        completed = self.call("POST", f"/files/{created.json()['file']['id']}/complete")
        assert completed.status_code == 200, completed.text
        file: dict[str, Any] = completed.json()["file"]
        return file


def put(upload: dict[str, Any], body: bytes, **header_changes: str) -> requests.Response:
    """Send bytes to a presigned upload exactly as told (requests sets Content-Length itself)."""
    headers = {k: v for k, v in upload["headers"].items() if k.lower() != "content-length"}
    headers.update(header_changes)
    return requests.put(upload["url"], data=body, headers=headers, timeout=TIMEOUT)


def sha256_b64(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()
