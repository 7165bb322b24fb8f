"""Lazy, cached boto3 clients: one per service per container.

Clients are built on first use so importing the app stays cheap (cold start) and
so tests can point them elsewhere. Endpoints are never set here: the standard
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables redirect them to
the local emulator, so no code path exists only for tests.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3
from botocore.config import Config

from chalicelib import container

# SigV4 always: boto3's default may presign SigV2 URLs on the global host,
# which drop conditional headers, break SSE-KMS and redirect (CORS failures).
# Virtual-host addressing on AWS; path style only against a local endpoint,
# whose host name cannot carry the bucket.
_BASE = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def _config_for(name: str) -> Config:
    if name != "s3":
        return _BASE
    local = bool(os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))
    return _BASE.merge(Config(s3={"addressing_style": "path" if local else "virtual"}))


def client(name: str) -> Any:
    """The shared boto3 client for ``name`` (``"s3"``, ``"dynamodb"``, ...)."""
    found = _clients.get(name)
    if found is None:
        with _lock:
            found = _clients.get(name)
            if found is None:
                found = _clients[name] = boto3.client(name, config=_config_for(name))
    return found


@container.on_reset
def _forget() -> None:
    with _lock:
        _clients.clear()
