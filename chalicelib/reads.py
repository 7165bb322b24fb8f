"""Consistent reads of several stores in one round trip.

A permission decision needs items that three stores own (a file record, the file's
grant summary, group records and memberships). Each store keeps its key layout to
itself and hands out a ``Read``: the base-table keys it needs and how to make its
answer from the items found. ``fetch`` runs any number of Reads, of any stores, as
one consistent BatchGetItem per table (``dynamo_util.batch_get``: 100 keys a call,
UnprocessedKeys retried a bounded number of times, items matched by key whatever
order they come in). The in-memory fakes hand out Reads with no table, answered from
memory when fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar, cast

from chalicelib.dynamo_util import batch_get

T = TypeVar("T")
Item = dict[str, Any]
ItemKey = tuple[str, str]


class Table(NamedTuple):
    """Where a Read's keys live: one DynamoDB table through one client (compared by identity)."""

    client: Any
    name: str


def item_key(item_or_key: Mapping[str, Any]) -> ItemKey:
    """``(pk, sk)`` of an item or a key, to match items to the keys that asked for them."""
    return item_or_key["pk"]["S"], item_or_key["sk"]["S"]


class Read(Generic[T]):
    """One store's share of a batched read: its keys, and its answer from the items found.

    ``answer`` gets every item the batch found in ``table`` by ``item_key`` (a key of this
    Read that is missing means no such item). ``table`` None: an in-memory store's Read,
    with no keys, answered from memory at fetch time. Reads compare by identity: ``Found``
    files each answer under the Read that asked.
    """

    __slots__ = ("answer", "keys", "table")

    def __init__(
        self, table: Table | None, keys: tuple[Item, ...], answer: Callable[[Mapping[ItemKey, Item]], T]
    ) -> None:
        self.table = table
        self.keys = keys
        self.answer = answer


def in_memory(answer: Callable[[], T]) -> Read[T]:
    """The Read of an in-memory store: ``answer()`` at fetch time."""
    return Read(None, (), lambda _: answer())


class Found:
    """The answers of one ``fetch``, by the Read that asked."""

    def __init__(self, answers: dict[Read[Any], Any]) -> None:
        self._answers = answers

    def __getitem__(self, read: Read[T]) -> T:
        return cast(T, self._answers[read])


def fetch(*reads: Read[Any]) -> Found:
    """Answer every Read with one consistent BatchGetItem per table (a call per 100 keys).

    Raises:
        ServiceUnavailableError: DynamoDB failed, or kept keys unprocessed.
    """
    by_table: dict[Table, list[Item]] = {}
    for read in reads:
        if read.table is not None:
            by_table.setdefault(read.table, []).extend(read.keys)
    items: dict[Table, dict[ItemKey, Item]] = {}
    for table, keys in by_table.items():
        items[table] = {item_key(i): i for i in batch_get(table.client, table.name, keys)}
    return Found({r: r.answer(items[r.table] if r.table is not None else {}) for r in reads})
