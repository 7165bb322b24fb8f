"""What sharing is made of: grants, groups, memberships and download links.

Plain values shared by the stores (``grants``, ``groups``, ``links``),
their DynamoDB adapters and the use cases, with the JSON shapes of the HTTP contract.
Times are epoch seconds except where a name says ``_ms`` (list order needs ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.cursor import position
from chalicelib.model import FileRecord, iso

USER = "user"
GROUP = "group"


@dataclass(frozen=True)
class Grantee:
    """Who a grant is for: a user (by ``sub``) or a group (by its id)."""

    type: str
    id: str
    name: str

    @property
    def key(self) -> str:
        """``U#<sub>`` or ``G#<group id>``: unique per file."""
        return f"{'U' if self.type == USER else 'G'}#{self.id}"


@dataclass(frozen=True)
class Grant:
    """A grantee may read one file until ``expires_at`` (None: until revoked).

    ``file``: the file's ready record as granted (``model.card``), which ``GET /shared``
    shows; None where a store does not keep it (a summary's grants).
    """

    id: str
    file_id: str
    owner: str
    owner_name: str
    grantee: Grantee
    created_ms: int
    expires_at: int | None = None
    file: FileRecord | None = None

    @property
    def position(self) -> str:
        """Where this grant sorts in ``GET /shared`` (newest first)."""
        return position(self.created_ms, self.file_id)

    def live(self, now: float) -> bool:
        """An expired grant is a missing grant."""
        return self.expires_at is None or self.expires_at > now

    def to_api(self) -> dict[str, Any]:
        """The Grant object of the HTTP contract."""
        grantee: dict[str, str] = {"type": self.grantee.type, "name": self.grantee.name}
        if self.grantee.type == USER:
            grantee["id"] = self.grantee.id
        return {
            "id": self.id,
            "fileId": self.file_id,
            "grantee": grantee,
            "createdAt": iso(self.created_ms // 1000),
            "expiresAt": iso(self.expires_at) if self.expires_at is not None else None,
        }


@dataclass(frozen=True)
class Group:
    """A named set of users; ``id`` is fresh per creation, so a reused name never inherits grants."""

    id: str
    name: str
    manager: str
    created_at: int
    member_count: int = 1


@dataclass(frozen=True)
class Membership:
    """One user in one group."""

    group_id: str
    group_name: str
    user_id: str
    username: str
    added_at: int

    def to_api(self) -> dict[str, Any]:
        """A member as ``GET /groups/{name}/members`` lists it."""
        return {"id": self.user_id, "name": self.username, "addedAt": iso(self.added_at)}


@dataclass(frozen=True)
class Link:
    """A capability to download one file ``max_downloads`` times; only the token's hash is kept."""

    id: str
    file_id: str
    owner: str
    token_hash: str
    created_at: int
    expires_at: int
    max_downloads: int
    used: int = 0

    @property
    def downloads_left(self) -> int:
        """How many downloads remain (never negative)."""
        return max(0, self.max_downloads - self.used)

    def usable(self, now: float) -> bool:
        """Unexpired with downloads left."""
        return self.expires_at > now and self.downloads_left > 0

    def to_api(self) -> dict[str, Any]:
        """The Link object of the HTTP contract, without ``url``."""
        return {
            "id": self.id,
            "fileId": self.file_id,
            "createdAt": iso(self.created_at),
            "expiresAt": iso(self.expires_at),
            "maxDownloads": self.max_downloads,
            "downloadsLeft": self.downloads_left,
        }
