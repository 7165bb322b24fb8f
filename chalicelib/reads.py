"""Consistent reads of several stores in one round trip.

A permission decision needs items that three stores own (a file record, the file's
grant summary, group records and memberships). Each store keeps its key layout to
itself and hands out a ``Read``: the base-table keys it needs and how to make its
answer from the items found. ``fetch`` runs any number of Reads, of any stores, as
one consistent BatchGetItem per table (``dynamo_util.batch_get``: 100 keys a call,
UnprocessedKeys retried a bounded number of times, items matched by key whatever
order they come in). A Read may name the attributes it needs (``fields``): the
projected Reads of a table share calls projected to the union of their fields (and
the key), apart from the Reads of whole items, so a store reads only what it uses.
The in-memory fakes hand out Reads with no table, answered from memory when fetched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, NamedTuple, TypeVar, cast

from chalicelib.dynamo_util import batch_get

T = TypeVar("T")
Item = dict[str, Any]
ItemKey = tuple[str, str]
# A document path: attribute names, the top-level one first ("G#<id>", "createdMs").
Path = tuple[str, ...]


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
    with no keys, answered from memory at fetch time. ``fields`` None: whole items;
    else the paths the answer reads (an item found may hold other Reads' fields too).
    Reads compare by identity: ``Found`` files each answer under the Read that asked.
    """

    __slots__ = ("answer", "fields", "keys", "table")

    def __init__(
        self,
        table: Table | None,
        keys: tuple[Item, ...],
        answer: Callable[[Mapping[ItemKey, Item]], T],
        fields: tuple[Path, ...] | None = None,
    ) -> None:
        self.table = table
        self.keys = keys
        self.answer = answer
        self.fields = fields


def in_memory(answer: Callable[[], T]) -> Read[T]:
    """The Read of an in-memory store: ``answer()`` at fetch time."""
    return Read(None, (), lambda _: answer())


class Found:
    """The answers of one ``fetch``, by the Read that asked."""

    def __init__(self, answers: dict[Read[Any], Any]) -> None:
        self._answers = answers

    def __getitem__(self, read: Read[T]) -> T:
        return cast(T, self._answers[read])


def projection(fields: Iterable[Path], sort_key: bool = True) -> dict[str, Any]:
    """``ProjectionExpression`` and ``ExpressionAttributeNames`` for ``fields`` and the key
    (``pk`` alone if not ``sort_key``).

    A path inside another one asked for whole is left out (DynamoDB refuses overlaps).
    Every name goes through a placeholder, so any name (``G#<id>``, a reserved word) is safe.
    """
    key_fields: tuple[Path, ...] = (("pk",), ("sk",)) if sort_key else (("pk",),)
    wanted = set((*key_fields, *fields))
    kept = [
        p for p in dict.fromkeys((*key_fields, *fields)) if not any(p[:n] in wanted for n in range(1, len(p)))
    ]
    names: dict[str, str] = {}
    paths = []
    for path in kept:
        placeholders = [names.setdefault(name, f"#p{len(names)}") for name in path]
        paths.append(".".join(placeholders))
    return {
        "ProjectionExpression": ", ".join(paths),
        "ExpressionAttributeNames": {placeholder: name for name, placeholder in names.items()},
    }


def _projected(table: Table, keys: list[Item], fields: list[Path]) -> list[Item]:
    """The items at ``keys`` holding ``fields``: where each key has a partition of its own, the
    partition key alone tells which key an item answers, so the sort key is not read back.
    """
    by_pk = {k["pk"]["S"]: k for k in keys}
    if len(by_pk) < len({item_key(k) for k in keys}):
        return batch_get(table.client, table.name, keys, projection(fields))
    found = batch_get(table.client, table.name, keys, projection(fields, sort_key=False))
    return [{**i, "sk": by_pk[i["pk"]["S"]]["sk"]} for i in found]


def fetch(*reads: Read[Any]) -> Found:
    """Answer every Read with consistent BatchGetItems: per table, one for whole items and one
    projected to the union of the other Reads' fields (a call per 100 keys each).

    Raises:
        ServiceUnavailableError: DynamoDB failed, or kept keys unprocessed.
    """
    batches: dict[tuple[Table, bool], tuple[list[Item], list[Path]]] = {}
    for read in reads:
        if read.table is not None:
            keys, fields = batches.setdefault((read.table, read.fields is not None), ([], []))
            keys.extend(read.keys)
            fields.extend(read.fields or ())
    items: dict[tuple[Table, bool], dict[ItemKey, Item]] = {}
    for (table, projected), (keys, fields) in batches.items():
        got = _projected(table, keys, fields) if projected else batch_get(table.client, table.name, keys)
        items[(table, projected)] = {item_key(i): i for i in got}

    def found(read: Read[Any]) -> Mapping[ItemKey, Item]:
        return items[(read.table, read.fields is not None)] if read.table is not None else {}

    return Found({r: r.answer(found(r)) for r in reads})
