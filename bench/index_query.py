"""A bench-only fix for moto's index Query, so P7 can also be read without the emulator's cost.

The emulator already makes a base-table Query read one partition (``devstack/emulator/
dynamodb_partition_query.py``), but leaves index Queries to moto, which sorts *every* item of the
table for each one (``Table.all_items()``) and then keeps those whose index key matches. A
``GET /shared`` page makes one index Query per source (the reader and each of their groups), so on
the emulator it pays for the whole table 21 times. Inside ``index_partitions()`` an index Query
sees only the items that carry its index hash key, as DynamoDB's index partition holds them;
moto's own code still does everything else. The items are grouped once when the context opens:
nothing may write index keys while it is open (the timed requests only read).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_INDEX_NAME = 6  # position of index_name among Table.query's arguments after hash_key
# The table an index Query runs on and the items of its index partition, in this thread's Query.
_scoped: ContextVar[tuple[Any, list[Any]] | None] = ContextVar("index_partition", default=None)


@contextmanager
def index_partitions(hash_attrs: dict[str, str]) -> Iterator[None]:
    """Make Queries on the named indexes (index name -> its hash attribute) read one partition."""
    from moto.dynamodb.models.table import Table  # not at import: the emulator configures moto first

    original, original_all = Table.query, Table.all_items
    grouped: dict[tuple[int, str], dict[Any, list[Any]]] = {}

    def partition(table: Any, index: str, value: Any) -> list[Any]:
        if (id(table), index) not in grouped:
            found: dict[Any, list[Any]] = {}
            attr = hash_attrs[index]
            for item in original_all(table):
                key = item.attrs.get(attr)
                if key is not None:
                    found.setdefault(key.value, []).append(item)
            grouped[(id(table), index)] = found
        return grouped[(id(table), index)].get(value.value, [])

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[_INDEX_NAME] if len(args) > _INDEX_NAME else kwargs.get("index_name")
        if index_name not in hash_attrs or hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        token = _scoped.set((self, partition(self, index_name, hash_key)))
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            _scoped.reset(token)

    def all_items(self: Any) -> Any:
        scoped = _scoped.get()
        return scoped[1] if scoped is not None and scoped[0] is self else original_all(self)

    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query, Table.all_items = original, original_all  # type: ignore[method-assign]
