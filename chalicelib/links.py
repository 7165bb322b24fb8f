"""Download links: tokens, the store interface, and an in-memory fake.

A link token carries 256 random bits and is shown once; only its SHA-256 is
stored, so the table alone cannot be used to download anything. Consuming a
download is one conditional write: under any concurrency a link is used at
most ``max_downloads`` times. ``dynamo_links.DynamoLinks`` is the real store.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import replace
from typing import Protocol

from chalicelib.sharing_model import Link

TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_LISTED = 100


def new_token() -> str:
    """A fresh url-safe link token (256 random bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str | None:
    """The stored form of ``token``; None for anything that is not a token's shape."""
    if not _TOKEN_RE.match(token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


class Links(Protocol):
    """Where links live."""

    def create(self, link: Link) -> None:
        """Store a new link."""

    def by_hash(self, hashed: str) -> Link | None:
        """The link with this token hash (consistent read), whatever its state."""

    def consume(self, hashed: str, now: int) -> Link | None:
        """Use one download atomically; the link after the use, or None if it was not usable."""

    def for_file(self, file_id: str) -> list[Link]:
        """The file's newest links (at most 100), newest first."""

    def remove(self, file_id: str, link_id: str) -> Link | None:
        """Revoke one link; the removed link, or None."""

    def remove_all(self, file_id: str) -> None:
        """Revoke every link of the file (safe to repeat)."""


class InMemoryLinks:
    """A faithful in-process Links, for tests."""

    def __init__(self) -> None:
        self._links: dict[str, Link] = {}
        self._lock = threading.Lock()

    def create(self, link: Link) -> None:
        with self._lock:
            if link.token_hash in self._links:
                raise ValueError("duplicate link token")
            self._links[link.token_hash] = link

    def by_hash(self, hashed: str) -> Link | None:
        return self._links.get(hashed)

    def consume(self, hashed: str, now: int) -> Link | None:
        with self._lock:
            link = self._links.get(hashed)
            if link is None or not link.usable(now):
                return None
            used = self._links[hashed] = replace(link, used=link.used + 1)
            return used

    def for_file(self, file_id: str) -> list[Link]:
        found = [link for link in self._links.values() if link.file_id == file_id]
        return sorted(found, key=lambda link: link.id, reverse=True)[:MAX_LISTED]

    def remove(self, file_id: str, link_id: str) -> Link | None:
        with self._lock:
            for hashed, link in list(self._links.items()):
                if link.file_id == file_id and link.id == link_id:
                    return self._links.pop(hashed)
        return None

    def remove_all(self, file_id: str) -> None:
        with self._lock:
            for hashed, link in list(self._links.items()):
                if link.file_id == file_id:
                    del self._links[hashed]
