"""DynamoDB projects an item in one pass; moto rebuilds the whole item once per projected path.

moto's ``Item.project`` converts *every* attribute of the item to plain JSON
(a deep copy and a deserialisation) for each path of a ProjectionExpression,
then keeps what the path names. ``GET /shared`` projects the file's grant
summary to two times of each of the caller's grantees (up to 202 paths, most
naming nothing), so a batch of 50 summaries cost more than reading them whole.
A path only ever looks inside the attribute its first name picks, so while
``install()`` is in effect each path gets a fresh plain copy of that one
attribute, and a path whose attribute the item lacks is skipped before any work (a
summary projected to 101 grantees holds one or two of them): moto's own
``find_nested_key`` and merge then build the same answer as before, at the cost of
what is projected.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.utils import merge_dicts
from moto.dynamodb.models.dynamo_type import Item, deserializer, serializer
from moto.dynamodb.models.utilities import find_nested_key

_ORIGINAL_PROJECT = Item.project
_LIST_ITEM = re.compile(r"(.+)\[(\d+)\]$")  # how find_nested_key reads "name[3]"


def _attribute_name(first: str) -> str:
    """The attribute a path's first element names ("tags[3]" names "tags")."""
    indexed = _LIST_ITEM.match(first) if first.endswith("]") else None
    return indexed.group(1) if indexed else first


def _attribute_json(item: Item, name: str) -> dict[str, Any]:
    """A fresh plain copy of the item's attribute ``name`` (which it holds)."""
    # The same conversion Item.to_regular_json makes, for this attribute alone.
    return {name: deserializer.deserialize(item.attrs[name].to_regular_json())}


def _project(self: Item, projection_expressions: list[list[str]]) -> Item:
    result: dict[str, Any] = {}
    for path in projection_expressions:
        name = _attribute_name(path[0])
        if name not in self.attrs:
            continue  # moto's find_nested_key finds nothing there either: skip its work
        merge_dicts(result, find_nested_key(path, _attribute_json(self, name)))
    return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=serializer.serialize(result)["M"])


def install() -> None:
    """Make projections convert only the attributes they name (idempotent)."""
    Item.project = _project  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's own projection (tests compare the two)."""
    Item.project = _ORIGINAL_PROJECT  # type: ignore[method-assign]


def installed() -> bool:
    """Whether projections currently convert only what they name."""
    return Item.project is _project  # type: ignore[comparison-overlap]
