"""DynamoDB answers carry items as plain JSON; moto walks every value through botocore's model.

moto 5.2 serialises each response by walking the operation's output shape, and for
every AttributeValue in it (each attribute, each map entry, each list element) it
asks an attribute picker for all ten members (S, N, B, SS, NS, BS, M, L, NULL, BOOL),
with their aliases, to find the one the value holds. Measured here, a BatchGetItem of
four small items (34 values) took 14.8 ms where a GetItem of one (10 values) took 8.5 ms,
a cost real DynamoDB does not have and one that made benchmark ratios a count of
attribute values (with this: 9.3 and 7.7 ms). While ``install()`` is in
effect an AttributeValue is written in one recursive pass over the one member it holds,
to the same JSON (binary values base64-encoded, as moto's serializer does):
``tests/emulator/test_dynamodb_attribute_values.py`` compares the answers with moto's
own for every type, nested, over GetItem, BatchGetItem, Query and the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import StructureShape
from moto.core.serialize import BaseJSONSerializer

SERVICE, SHAPE = "dynamodb", "AttributeValue"
_MEMBERS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
_ORIGINAL = BaseJSONSerializer._serialize_type_structure


def wire(value: dict[str, Any], base64: Callable[[bytes], str]) -> dict[str, Any]:
    """``value`` (one AttributeValue as moto holds it: binaries as bytes) as it goes on the wire.

    Members holding None are left out, as moto's serializer leaves them out.
    """
    out: dict[str, Any] = {}
    for member, held in value.items():
        if held is None:
            continue
        if member == "M":
            out[member] = {k: wire(v, base64) for k, v in held.items()}
        elif member == "L":
            out[member] = [wire(v, base64) for v in held]
        elif member == "B":
            out[member] = base64(held)
        elif member == "BS":
            out[member] = [base64(v) for v in held]
        elif member in ("S", "N"):
            out[member] = str(held)
        elif member in ("SS", "NS"):
            out[member] = [str(v) for v in held]
        else:  # NULL, BOOL
            out[member] = held
    return out


def _serialize_type_structure(
    self: BaseJSONSerializer, serialized: Any, value: Any, shape: StructureShape, key: str
) -> None:
    if (
        key
        and shape.name == SHAPE
        and isinstance(value, dict)
        and value.keys() <= _MEMBERS
        and self.service_model.service_name == SERVICE
    ):
        serialized[self.get_serialized_name(shape, key)] = wire(value, self._base64)
        return
    _ORIGINAL(self, serialized, value, shape, key)


def install() -> None:
    """Write AttributeValues in one pass (idempotent)."""
    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[assignment]


def uninstall() -> None:
    """Restore moto's own walk (tests compare the two)."""
    BaseJSONSerializer._serialize_type_structure = _ORIGINAL  # type: ignore[method-assign]


def installed() -> bool:
    """Whether AttributeValues are currently written in one pass."""
    return BaseJSONSerializer._serialize_type_structure is _serialize_type_structure  # type: ignore[comparison-overlap]
