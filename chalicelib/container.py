"""Everything Locker keeps for the life of a container, and the one way to forget it.

Settings, AWS clients, the token verifier with its keys, the wired Locker and
log-once flags are built on first use and kept, so that only the first request
of a container pays for them. Each module that keeps something registers, next
to what it keeps, how to forget it; ``runtime.reset()`` then forgets all of it
at once, so tests (and the dev stack, once it has changed the environment)
cannot leave one cache behind by forgetting to call its own reset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Forget = Callable[[], None]

_forgetters: list[Forget] = []
_lock = threading.Lock()


def on_reset(forget: Forget) -> Forget:
    """Register ``forget`` (drop one module's cached state) to run on every ``reset()``.

    Meant as a decorator on the owning module's private forget function.
    """
    with _lock:
        _forgetters.append(forget)
    return forget


def reset() -> None:
    """Forget every per-container cache of every imported module (``runtime.reset()`` calls this)."""
    with _lock:
        forgetters = tuple(_forgetters)
    for forget in forgetters:
        forget()
