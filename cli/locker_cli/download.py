"""``locker download``: stream a file to disk, then keep it only if its size and SHA-256 match.

The bytes go to a hidden temporary file next to the destination while they
are hashed; a wrong size or checksum deletes it, a good one is renamed into
place in one step, so a failed download never leaves a partial file behind.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from locker_cli import progress
from locker_cli.api import LockerApi
from locker_cli.errors import INTEGRITY, UNAVAILABLE, USAGE, CliError
from locker_cli.storage import stream_get


@dataclass(frozen=True)
class Downloaded:
    """Where a file went and what was checked."""

    file: dict[str, Any]
    path: Path
    sha256_checked: bool


def destination(file: dict[str, Any], output: Path | None, force: bool) -> Path:
    """Where to write ``file``: ``output`` (a directory takes the file's name), else its name here."""
    name = os.path.basename(str(file["filename"]))
    if name in ("", ".", ".."):
        name = str(file["id"])
    target = Path(name) if output is None else (output / name if output.is_dir() else output)
    if target.exists() and not force:
        raise CliError(f"{target} exists: pass --force to overwrite it, or -o another path", USAGE)
    return target


def download(
    api: LockerApi, storage: httpx.Client, file_id: str, output: Path | None, force: bool, quiet: bool
) -> Downloaded:
    """Download ``file_id``; raises CliError (integrity when the bytes are not the file's)."""
    file = api.get_file(file_id)
    target = destination(file, output, force)
    url = api.download_url(file_id)
    partial = target.with_name(f".{target.name}.locker-{os.getpid()}.part")
    digest, received = hashlib.sha256(), 0
    bar = progress.bar(target.name, int(file["size"]), quiet=quiet)
    try:
        with stream_get(storage, url) as answer, partial.open("xb") as out:
            for data in answer.iter_bytes(1024 * 1024):
                out.write(data)
                digest.update(data)
                received += len(data)
                bar.advance(len(data))
        _verify(file, received, base64.b64encode(digest.digest()).decode())
        partial.replace(target)
    except httpx.HTTPError as error:
        raise CliError(f"the download broke off ({type(error).__name__}): try again", UNAVAILABLE) from None
    except OSError as error:
        raise CliError(f"cannot write {target}: {error.strerror}", USAGE) from None
    finally:
        bar.close()
        partial.unlink(missing_ok=True)
    return Downloaded(file, target, bool(file.get("sha256")))


def _verify(file: dict[str, Any], received: int, sha256: str) -> None:
    if received != int(file["size"]):
        raise CliError(f"received {received} bytes, but the file has {file['size']}: nothing kept", INTEGRITY)
    expected = file.get("sha256")
    if expected and expected != sha256:
        raise CliError("the bytes received do not match the file's SHA-256: nothing kept", INTEGRITY)
