"""DynamoDB's Query reads one partition; moto's sorts the whole table first.

moto answers a base-table Query by sorting *every* item of the table
(``Table.all_items()``) and then keeping the queried partition key, so a
user's first page costs 60x more once the table holds 20,000 other records.
DynamoDB reads only the queried partition, already in sort-key order. While
``install()`` is in effect a base-table Query sees only its partition; moto's
own code still does the sorting, key conditions, filters, limits, paging and
projections, so answers are identical. Index Queries are ``dynamodb_index_query``'s
(an index partition spans the table's partitions; it scopes them with ``only_items``);
Scans are moto's, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from moto.dynamodb.models.table import Table

_ORIGINAL_QUERY = Table.query
_ORIGINAL_ALL_ITEMS = Table.all_items
_INDEX_NAME_POSITION = 6  # of index_name among Table.query's positional arguments after hash_key
# The table being queried and its partition's items, for the Query running in this context.
_partition: ContextVar[tuple[Table, list[Any]] | None] = ContextVar("dynamodb_partition", default=None)


def _all_items(self: Table) -> list[Any]:
    scoped = _partition.get()
    if scoped is not None and scoped[0] is self:
        return scoped[1]
    return _ORIGINAL_ALL_ITEMS(self)


@contextmanager
def only_items(table: Table, items: list[Any]) -> Iterator[None]:
    """Inside, ``table.all_items()`` (in this context) is ``items``: what one Query may read."""
    token = _partition.set((table, items))
    try:
        yield
    finally:
        _partition.reset(token)


def _partition_items(table: Table, hash_key: Any) -> list[Any]:
    found = table.items.get(hash_key)  # .get: never add an empty partition to the defaultdict
    if found is None:
        return []
    if not table.range_key_attr:
        return [found]
    return sorted(found.values(), key=lambda item: item.range_key)


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_INDEX_NAME_POSITION] if len(args) > _INDEX_NAME_POSITION else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    with only_items(self, _partition_items(self, hash_key)):
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)


def install() -> None:
    """Make base-table Queries read only their partition (idempotent)."""
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own Query (tests compare the two)."""
    Table.query = _ORIGINAL_QUERY  # type: ignore[method-assign]
    Table.all_items = _ORIGINAL_ALL_ITEMS  # type: ignore[method-assign]


def installed() -> bool:
    """Whether base-table Queries currently read one partition."""
    return Table.query is _query  # type: ignore[comparison-overlap]
