"""Locker's settings: read from the environment once, validated, frozen.

Every deployment knob lives here so that a missing or malformed value fails at
cold start with one message naming *every* problem, instead of surfacing as a
500 on the first request that happens to need it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import NamedTuple, TypeVar

from chalicelib import container

T = TypeVar("T")

BUCKET = "LOCKER_BUCKET"
TABLE = "LOCKER_TABLE"
USER_POOL_ID = "LOCKER_USER_POOL_ID"
CLIENT_IDS = "LOCKER_CLIENT_IDS"
TOKEN_USES = "LOCKER_TOKEN_USES"
ISSUER = "LOCKER_ISSUER"
JWKS_URL = "LOCKER_JWKS_URL"
ALLOWED_TYPES = "LOCKER_ALLOWED_TYPES"
MAX_SIZE = "LOCKER_MAX_SIZE"
MULTIPART_THRESHOLD = "LOCKER_MULTIPART_THRESHOLD"
PART_SIZE = "LOCKER_PART_SIZE"
UPLOAD_EXPIRES = "LOCKER_UPLOAD_EXPIRES"
DOWNLOAD_EXPIRES = "LOCKER_DOWNLOAD_EXPIRES"
QUOTA_BYTES = "LOCKER_QUOTA_BYTES"
QUOTA_FILES = "LOCKER_QUOTA_FILES"
PENDING_TTL = "LOCKER_PENDING_TTL"
CURSOR_KEY = "LOCKER_CURSOR_KEY"
WEB_ORIGIN = "LOCKER_WEB_ORIGIN"
REGION_NAMES = ("AWS_REGION", "AWS_DEFAULT_REGION")

DEFAULT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
)
MAX_URL_LIFETIME = 3600
MIB = 1024 * 1024
GIB = 1024 * MIB
# S3's own limits: one PUT carries at most 5 GiB, an object at most 5 TiB; parts
# but the last are at least 5 MiB.
MAX_PUT_SIZE = 5 * GIB
MAX_OBJECT_SIZE = 5 * 1024 * GIB
MIN_PART_SIZE = 5 * MIB
TOKEN_USE_CHOICES = frozenset({"access", "id"})

_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_POOL_RE = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
_CLIENT_RE = re.compile(r"^[\w+]+$")
_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


class ConfigError(Exception):
    """One or more settings are missing or malformed."""


class Settings(NamedTuple):
    """Everything Locker needs to know about its deployment."""

    region: str
    bucket: str
    table: str
    user_pool_id: str
    client_ids: frozenset[str]
    token_uses: frozenset[str]
    issuer: str
    jwks_url: str
    allowed_types: tuple[str, ...]
    max_size: int
    multipart_threshold: int
    part_size: int
    upload_expires: int
    download_expires: int
    quota_bytes: int
    quota_files: int
    pending_ttl: int
    cursor_key: bytes
    web_origin: str | None


class _Reader:
    """Collects every problem instead of stopping at the first one."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def text(self, name: str, default: str | None = None) -> str:
        value = self.env.get(name, "").strip()
        if value:
            return value
        if default is None:
            self.problems.append(f"{name} is required")
            return ""
        return default

    def checked(self, name: str, value: T, ok: Callable[[T], bool], rule: str) -> T:
        if not ok(value):
            self.problems.append(f"{name} {rule}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.env.get(name, "").strip()
        if not raw:
            return default
        if not re.fullmatch(r"\d+", raw) or not low <= int(raw) <= high:
            self.problems.append(f"{name} must be an integer from {low} to {high}")
            return default
        return int(raw)

    def words(self, name: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        raw = self.env.get(name, "").strip()
        if not raw:
            if default is None:
                self.problems.append(f"{name} is required")
                return ()
            return default
        return tuple(dict.fromkeys(w.strip() for w in raw.split(",") if w.strip()))


def _region(env: Mapping[str, str]) -> str:
    for name in REGION_NAMES:
        if env.get(name, "").strip():
            return env[name].strip()
    return ""


def load(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings.

    Raises:
        ConfigError: naming every missing or malformed variable at once.
    """
    env = os.environ if env is None else env
    read = _Reader(env)
    region = _region(env)
    if not _REGION_RE.match(region):
        read.problems.append("AWS_REGION (or AWS_DEFAULT_REGION) must name an AWS region")
    pool = read.checked(
        USER_POOL_ID,
        read.text(USER_POOL_ID),
        lambda p: not p or bool(_POOL_RE.match(p)),
        "must look like <region>_<id>",
    )
    clients = read.words(CLIENT_IDS)
    read.checked(CLIENT_IDS, clients, lambda c: all(_CLIENT_RE.match(x) for x in c), "must be app client ids")
    uses = read.words(TOKEN_USES, ("access",))
    read.checked(TOKEN_USES, uses, lambda u: set(u) <= TOKEN_USE_CHOICES, "may only hold access and id")
    issuer = read.text(ISSUER, f"https://cognito-idp.{region}.amazonaws.com/{pool}")
    read.checked(ISSUER, issuer, lambda i: i.startswith(("https://", "http://")), "must be a URL")
    jwks_url = read.text(JWKS_URL, f"{issuer}/.well-known/jwks.json")
    read.checked(JWKS_URL, jwks_url, lambda i: i.startswith(("https://", "http://")), "must be a URL")
    types = read.words(ALLOWED_TYPES, DEFAULT_TYPES)
    read.checked(ALLOWED_TYPES, types, lambda t: all("/" in x for x in t), "must be MIME types")
    cursor_key = read.text(CURSOR_KEY)
    read.checked(CURSOR_KEY, cursor_key, lambda k: not k or len(k) >= 32, "must be at least 32 characters")
    origin = env.get(WEB_ORIGIN, "").strip() or None
    read.checked(
        WEB_ORIGIN,
        origin,
        lambda o: o is None or bool(_ORIGIN_RE.match(o)),
        "must be an origin like https://app.example.com",
    )
    settings = Settings(
        region=region,
        bucket=read.text(BUCKET),
        table=read.text(TABLE),
        user_pool_id=pool,
        client_ids=frozenset(clients),
        token_uses=frozenset(uses),
        issuer=issuer,
        jwks_url=jwks_url,
        allowed_types=types,
        max_size=read.integer(MAX_SIZE, 5 * GIB, 1, MAX_OBJECT_SIZE),
        multipart_threshold=read.integer(MULTIPART_THRESHOLD, 100 * MIB, 1, MAX_PUT_SIZE),
        part_size=read.integer(PART_SIZE, 16 * MIB, MIN_PART_SIZE, MAX_PUT_SIZE),
        upload_expires=read.integer(UPLOAD_EXPIRES, 300, 1, MAX_URL_LIFETIME),
        download_expires=read.integer(DOWNLOAD_EXPIRES, 60, 1, MAX_URL_LIFETIME),
        quota_bytes=read.integer(QUOTA_BYTES, 10 * GIB, 1, 2**53),
        quota_files=read.integer(QUOTA_FILES, 1000, 1, 10**9),
        pending_ttl=read.integer(PENDING_TTL, 24 * 3600, 60, 30 * 24 * 3600),
        cursor_key=cursor_key.encode(),
        web_origin=origin,
    )
    if read.problems:
        raise ConfigError("Locker settings are invalid: " + "; ".join(read.problems))
    return settings


_cached: Settings | None = None


def get() -> Settings:
    """The settings of this container, loaded on first use."""
    global _cached
    if _cached is None:
        _cached = load()
    return _cached


@container.on_reset
def _forget() -> None:
    global _cached
    _cached = None
