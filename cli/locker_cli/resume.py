"""Which Locker file an unfinished upload of a local file went to, so a rerun can resume it.

One small 0600 JSON file per unfinished upload in the state directory, named
by a hash of the deployment, the user, the file's absolute path, size and
modification time: a changed file never resumes into the old upload. What is
already uploaded is not kept here; storage says that (``GET /files/{id}/parts``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from locker_cli.files import read_private, write_private


@dataclass(frozen=True)
class Unfinished:
    """A multipart upload that was started for a local file."""

    file_id: str
    part_size: int
    part_count: int


class ResumeStore:
    """The state directory's ``uploads/`` folder."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, api_url: str, username: str, local: Path) -> Path:
        info = local.stat()
        identity = "\n".join(
            [api_url, username, str(local.resolve()), str(info.st_size), str(info.st_mtime_ns)]
        )
        return self.directory / f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}.json"

    def find(self, api_url: str, username: str, local: Path) -> Unfinished | None:
        """The unfinished upload of this very file (same path, size and mtime), if any."""
        data = read_private(self._path(api_url, username, local))
        try:
            return Unfinished(**data) if data else None
        except TypeError:
            return None

    def remember(self, api_url: str, username: str, local: Path, unfinished: Unfinished) -> None:
        """Record ``unfinished`` before its first part is sent."""
        write_private(self._path(api_url, username, local), asdict(unfinished))

    def forget(self, api_url: str, username: str, local: Path) -> None:
        """Drop the record (upload completed, rejected or gone)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(api_url, username, local))
