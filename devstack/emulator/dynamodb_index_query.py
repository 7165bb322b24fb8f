"""DynamoDB's index Query reads one index partition; moto's sorts the whole table first.

moto answers a Query on a secondary index by sorting *every* item of the table
(``Table.all_items()``), then keeping those whose index key matches. ``GET /shared``
and the group purge Query the ``grantee`` index, so on a table of 6,000 items
each such Query cost about half a second of sorting. DynamoDB reads only the
queried index partition. While ``install()`` is in effect an index Query whose
index has one hash attribute sees only the items carrying the queried value
(one pass over the table, no sort), handed over in the order moto's sort would
have given them; moto's own code still does the key conditions, sorting, filters,
limits, paging and projections, so answers are identical. Base-table Queries
are ``dynamodb_partition_query``'s; Scans and multi-attribute index keys stay moto's.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

from devstack.emulator.dynamodb_partition_query import only_items

_ORIGINAL_QUERY = DynamoDBBackend.query
_INDEX_NAME_POSITION = 6  # of index_name among DynamoDBBackend.query's arguments after the hash key


def _hash_attribute(table: Table, index_name: str) -> str | None:
    """The index's one hash attribute (None: unknown index or a multi-attribute key)."""
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"] if index else []
    return hashes[0] if len(hashes) == 1 else None


def _index_partition(table: Table, attribute: str, value: dict[str, Any]) -> list[Any]:
    """The items whose ``attribute`` equals ``value``, in ``Table.all_items()`` order."""
    ((kind, raw),) = value.items()
    found = []
    for stored in table.items.values():
        held_items: list[Any] = list(stored.values()) if table.range_key_attr else [stored]
        for item in held_items:
            held = item.attrs.get(attribute)
            if held is not None and held.type == kind and held.value == raw:
                found.append(item)
    return sorted(found, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)


def _query(self: DynamoDBBackend, table_name: str, hash_key_dict: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[_INDEX_NAME_POSITION] if len(args) > _INDEX_NAME_POSITION else kwargs.get("index_name")
    if not index_name or not hash_key_dict:
        return _ORIGINAL_QUERY(self, table_name, hash_key_dict, *args, **kwargs)
    table = self.get_table(table_name)
    attribute = _hash_attribute(table, index_name)
    if attribute is None:
        return _ORIGINAL_QUERY(self, table_name, hash_key_dict, *args, **kwargs)
    with only_items(table, _index_partition(table, attribute, hash_key_dict)):
        return _ORIGINAL_QUERY(self, table_name, hash_key_dict, *args, **kwargs)


def install() -> None:
    """Make index Queries read only their index partition (idempotent)."""
    DynamoDBBackend.query = _query  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own index Query (tests compare the two)."""
    DynamoDBBackend.query = _ORIGINAL_QUERY  # type: ignore[method-assign]


def installed() -> bool:
    """Whether index Queries currently read one index partition."""
    return DynamoDBBackend.query is _query  # type: ignore[comparison-overlap]
