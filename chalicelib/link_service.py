"""Download link use cases: the owner creates, lists and revokes; anyone with the token downloads.

Reading a link (``describe``) never uses a download: mail scanners fetch links
before people do. ``consume`` uses one atomically and answers a presigned GET
living at most 30 s. Unknown, expired, used-up and revoked links, and links to
files that are gone, all raise the same ``LinkNotFound``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from chalicelib import metrics
from chalicelib.access import AccessControl
from chalicelib.errors import ConflictError, LinkNotFound, NotFoundError
from chalicelib.links import Links, new_token, token_hash
from chalicelib.model import CHANGE, READY, FileRecord, iso, new_file_id
from chalicelib.records import Records
from chalicelib.sharing_model import Link
from chalicelib.storage import Storage
from chalicelib.trail import Trail, link_actor, user_actor

LINK_URL_SECONDS = 30


def link_not_found() -> LinkNotFound:
    """Unknown, expired, used up, revoked, or its file is gone."""
    return LinkNotFound("link not found")


class LinkService:
    """Links for one deployment."""

    def __init__(
        self,
        records: Records,
        links: Links,
        storage: Storage,
        access: AccessControl,
        trail: Trail,
        download_expires: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._records = records
        self._links = links
        self._storage = storage
        self._access = access
        self._trail = trail
        self._download_expires = download_expires
        self._clock = clock

    def create(
        self, caller: str, file_id: str, expires_in: int, max_downloads: int, base_url: str
    ) -> dict[str, Any]:
        """A new link to a ready file; its ``url`` is shown only here.

        Raises:
            ConflictError: the file is not ready.
        """
        record = self._access.check(caller, file_id, CHANGE).record
        if record.status != READY:
            raise ConflictError(f"file is {record.status}, only ready files can be linked")
        now = int(self._clock())
        token = new_token()
        hashed = token_hash(token)
        assert hashed is not None  # new_token() always has a token's shape
        link = Link(new_file_id(now * 1000), file_id, caller, hashed, now, now + expires_in, max_downloads)
        self._links.create(link)
        detail = {"linkId": link.id, "maxDownloads": max_downloads, "expiresAt": iso(link.expires_at)}
        self._trail.add_committed(file_id, caller, "link_created", user_actor(caller), detail)
        return {"link": {**link.to_api(), "url": f"{base_url}/l/{token}"}}

    def list(self, caller: str, file_id: str) -> dict[str, Any]:
        """The file's links, newest first, without their urls."""
        self._access.check(caller, file_id, CHANGE)
        return {"items": [link.to_api() for link in self._links.for_file(file_id)]}

    def revoke(self, caller: str, file_id: str, link_id: str) -> None:
        """Revoke a link: the next use of its token is a 404."""
        self._access.check(caller, file_id, CHANGE)
        if self._links.remove(file_id, link_id) is None:
            raise NotFoundError("link not found")
        self._trail.add_committed(file_id, caller, "link_removed", user_actor(caller), {"linkId": link_id})

    def _usable(self, token: str) -> tuple[Link, FileRecord]:
        hashed = token_hash(token)
        link = self._links.by_hash(hashed) if hashed else None
        if link is None or not link.usable(self._clock()):
            raise link_not_found()
        record = self._records.get(link.owner, link.file_id)
        if record is None or record.status != READY:
            raise link_not_found()
        return link, record

    def describe(self, token: str) -> dict[str, Any]:
        """What the link page shows; uses nothing."""
        link, record = self._usable(token)
        return {
            "filename": record.filename,
            "size": record.size,
            "contentType": record.content_type,
            "expiresAt": iso(link.expires_at),
            "downloadsLeft": link.downloads_left,
        }

    def storage_origin(self) -> str:
        """Where download URLs point (scheme and host): the page's form is redirected there."""
        parts = urlsplit(self._storage.presign_get("users/origin", "x", "text/plain", 1).url)
        return f"{parts.scheme}://{parts.netloc}"

    def consume(self, token: str) -> dict[str, Any]:
        """Use one download and answer a presigned GET living at most 30 s."""
        link, record = self._usable(token)
        used = self._links.consume(link.token_hash, int(self._clock()))
        if used is None:
            raise link_not_found()
        metrics.count(metrics.LINK_USES)
        self._trail.add_committed(
            record.id, record.owner, "link_used", link_actor(link.id), {"downloadsLeft": used.downloads_left}
        )
        url = self._storage.presign_get(
            record.key, record.filename, record.content_type, min(LINK_URL_SECONDS, self._download_expires)
        )
        return {"url": url.url, "expiresAt": iso(url.expires_at)}
