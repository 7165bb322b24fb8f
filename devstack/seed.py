"""Seeds ``assets/`` into a user's files through Locker's own upload path."""

from __future__ import annotations

import mimetypes
import urllib.request
from pathlib import Path

from chalicelib.service import Locker
from chalicelib.validation import NewFile


def put(url: str, headers: dict[str, str], body: bytes) -> int:
    """Send ``body`` to a presigned PUT URL, as curl would; returns the HTTP status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="PUT")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (local emulator URL)
        return int(answer.status)


def seed(locker: Locker, owner: str, folder: Path) -> list[str]:
    """Upload every allowed file in ``folder`` as ``owner`` and complete it; returns the filenames."""
    seeded = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        content_type = mimetypes.guess_type(path.name)[0]
        if content_type not in locker.settings.allowed_types:
            print(f"  skipping {path.name}: type {content_type} is not allowed")
            continue
        body = path.read_bytes()
        created = locker.create(owner, NewFile(path.name, content_type, len(body), None))
        put(created["upload"]["url"], created["upload"]["headers"], body)
        locker.complete(owner, created["file"]["id"])
        seeded.append(path.name)
    return seeded
