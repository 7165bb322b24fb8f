"""Writes one store hands another, so that both commit in one transaction.

A use case that must record two things at once (a new file and its ``created``
event) asks the second store for a ``Write`` and passes it to the first, which
commits it inside its own transaction: both happen or neither does, in one round
trip. Each store keeps its key layout to itself, as with ``reads.Read``: a
DynamoDB store's Write is its TransactWriteItems entries (each names its table;
the transaction runs on the committing store's client); an in-memory store's is
what to apply once the committing store's change has happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

Item = dict[str, Any]


def _nothing() -> None:
    return None


class Write(NamedTuple):
    """One store's share of another store's transaction.

    ``actions``: TransactWriteItems entries (``{"Put": ...}`` and the like); empty for
    an in-memory store. ``applied``: run once the transaction has committed (an
    in-memory store's change; nothing for DynamoDB, whose actions are the change).
    """

    actions: tuple[Item, ...] = ()
    applied: Callable[[], None] = _nothing


def in_memory(applied: Callable[[], None]) -> Write:
    """The Write of an in-memory store: ``applied()`` once the other store has committed."""
    return Write((), applied)


def actions(writes: Iterable[Write]) -> list[Item]:
    """Every TransactWriteItems entry of ``writes``, in order."""
    return [action for write in writes for action in write.actions]


def applied(writes: Iterable[Write]) -> None:
    """Tell every Write its transaction committed."""
    for write in writes:
        write.applied()


def refuse_actions(writes: Iterable[Write]) -> None:
    """An in-memory store's guard: a DynamoDB Write cannot join its (in-process) change.

    Raises:
        ValueError: one of ``writes`` carries TransactWriteItems entries.
    """
    if any(write.actions for write in writes):
        raise ValueError("a DynamoDB write cannot join an in-memory store's change")
