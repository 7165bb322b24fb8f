"""A progress bar on stderr for transfers (rich), or nothing when stderr is not a terminal.

Workers call :meth:`Bar.advance` from their threads; rich's task updates are
thread-safe. Scripts get no bar (stderr not a terminal, or ``--quiet``).
"""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Bar(Protocol):
    """Bytes moved so far, shown as the transfer goes."""

    def advance(self, count: int) -> None: ...

    def close(self) -> None: ...


class _Silent:
    def advance(self, count: int) -> None:
        pass

    def close(self) -> None:
        pass


class _Rich:
    def __init__(self, label: str, total: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress: Any = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task(label, total=total, completed=done)

    def advance(self, count: int) -> None:
        self._progress.advance(self._task, count)

    def close(self) -> None:
        self._progress.stop()


def bar(label: str, total: int, *, quiet: bool, done: int = 0) -> Bar:
    """A bar for ``total`` bytes (``done`` already there), silent when quiet or not on a terminal."""
    if quiet or not sys.stderr.isatty():
        return _Silent()
    return _Rich(label, total, done)
