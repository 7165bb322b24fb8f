"""DynamoDB's transaction costs the items it names; moto's copies whole tables, once per item.

Before it writes anything, moto backs a TransactWriteItems up by deep-copying
each named table, again for every item of the transaction, so that a cancelled
one can be rolled back. A ``POST /files`` (the record, the quota counter and
the ``created`` event) copied a table of every user's files and events three
times: its cost grew with the table, where DynamoDB's grows with the
transaction. While ``install()`` is in effect the backup is a copy of just the
items the transaction names (or the note that they did not exist), and a
transaction that fails puts exactly those back; moto's own code still checks
the conditions, writes the items and words every error. A table with a stream
keeps moto's whole-table backup, whose rollback also drops the stream's records.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import moto.dynamodb.models as backend_module
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_ORIGINAL_TRANSACT = DynamoDBBackend.transact_write_items
# True while moto's transact_write_items runs under this module's own backup.
_item_backup: ContextVar[bool] = ContextVar("dynamodb_item_backup", default=False)


class _TableKeepingCopy:
    """moto's ``copy`` module inside its backend: a Table is not copied while items are backed up."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if _item_backup.get() and isinstance(value, Table):
            return value  # moto "restores" this same table; the items are put back below
        return copy.deepcopy(value, memo)


@dataclass(frozen=True)
class _Saved:
    """One named item as it was before the transaction (``item`` None: it did not exist)."""

    table: Table
    hash_value: DynamoType
    range_value: DynamoType | None
    partition_existed: bool
    item: Item | None


def _key(op_type: str, op: dict[str, Any], table: Table) -> tuple[DynamoType, DynamoType | None]:
    key = op["Item"] if op_type == "Put" else op["Key"]
    hash_value = DynamoType(key[table.hash_key_attr])
    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_value, range_value


def _save(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[_Saved] | None:
    """The items the transaction names, as they are; None when moto's own backup must run."""
    saved = []
    try:
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.get_table(op["TableName"])
            if table.stream_shard is not None:
                return None
            hash_value, range_value = _key(op_type, op, table)
            current = table.get_item(hash_value, range_value)
            existed = hash_value in table.items
            saved.append(_Saved(table, hash_value, range_value, existed, copy.deepcopy(current)))
    except Exception:  # a malformed request: moto's own code words the error, after its own backup
        return None
    return saved


def _restore(saved: list[_Saved]) -> None:
    for entry in reversed(saved):  # the first backup of a key named twice is the original
        items: Any = entry.table.items
        if entry.range_value is None:
            if entry.item is None:
                items.pop(entry.hash_value, None)
            else:
                items[entry.hash_value] = entry.item
            continue
        if entry.item is not None:
            items[entry.hash_value][entry.range_value] = entry.item
            continue
        partition = items.get(entry.hash_value)
        if partition is not None:
            partition.pop(entry.range_value, None)
            if not partition and not entry.partition_existed:
                del items[entry.hash_value]


@contextmanager
def _backing_up_items() -> Iterator[None]:
    token = _item_backup.set(True)
    try:
        yield
    finally:
        _item_backup.reset(token)


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    saved = _save(self, transact_items) if len(transact_items) <= 100 else None
    if saved is None:
        return _ORIGINAL_TRANSACT(self, transact_items)
    with _backing_up_items():
        try:
            return _ORIGINAL_TRANSACT(self, transact_items)
        except BaseException:
            _restore(saved)
            raise


def install() -> None:
    """Back transactions up by the items they name (idempotent)."""
    backend_module.copy = _TableKeepingCopy  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's whole-table backups (tests compare the two)."""
    backend_module.copy = copy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = _ORIGINAL_TRANSACT  # type: ignore[method-assign]


def installed() -> bool:
    """Whether transactions back up only the items they name."""
    return DynamoDBBackend.transact_write_items is _transact_write_items  # type: ignore[comparison-overlap]
