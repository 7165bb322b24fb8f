"""A bench-only fix for moto's Query, so P3 can also be read without the emulator's cost.

moto answers a table Query by sorting *every* item of the table and then
filtering on the partition key (``Table.query`` over ``Table.all_items()``), so
its Query time grows with the table, while DynamoDB reads one partition.
Inside ``partition_queries()`` a base-table Query on the in-process emulator
only sees the queried partition (sorted, as DynamoDB keeps it); everything
else (indexes, conditions, limits, paging) is still moto's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_INDEX_NAME = 6  # position of index_name after hash_key in Table.query


@contextmanager
def partition_queries() -> Iterator[None]:
    """Make base-table Queries read one partition while the context is open."""
    from moto.dynamodb.models.table import Table  # not at import: the emulator configures moto first

    original = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[_INDEX_NAME] if len(args) > _INDEX_NAME else kwargs.get("index_name")
        if index_name is not None or hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *args, **kwargs)
        partition = dict(self.items.get(hash_key, {}))
        self.all_items = lambda: sorted(partition.values(), key=lambda item: item.range_key)  # type: ignore[method-assign]
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = original  # type: ignore[method-assign]
