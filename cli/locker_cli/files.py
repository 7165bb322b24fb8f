"""Private files under the user's config and state directories, written atomically with mode 0600.

Tokens and upload state must never be readable by other users, and a crash
must never leave half a file: each write goes to a new 0600 file in the same
directory (itself 0700) and replaces the old one in one rename.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from locker_cli.errors import AUTH, CliError


def config_dir(env: dict[str, str]) -> Path:
    """``$LOCKER_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/locker``, else ``~/.config/locker``."""
    if env.get("LOCKER_CONFIG_DIR"):
        return Path(env["LOCKER_CONFIG_DIR"])
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "locker"


def state_dir(env: dict[str, str]) -> Path:
    """Where unfinished uploads are remembered: ``$XDG_STATE_HOME/locker`` or ``~/.local/state/locker``.

    Under ``$LOCKER_CONFIG_DIR`` when that is set, so one variable isolates everything (tests, CI).
    """
    if env.get("LOCKER_CONFIG_DIR"):
        return Path(env["LOCKER_CONFIG_DIR"]) / "state"
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "locker"


def write_private(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` (mode 0600, directory 0700), atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_private(path: Path) -> dict[str, Any] | None:
    """The JSON in ``path``, or None when absent; refuses a file that others can read or write."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CliError(f"{path} is accessible by other users: run `chmod 600 {path}` or log in again", AUTH)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # unreadable or torn by hand: treated as absent, rewritten by the next write
    return data if isinstance(data, dict) else None
