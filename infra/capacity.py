"""DynamoDB capacity as AWS bills it, computed from the requests a client makes.

moto reports a constant ``ConsumedCapacity``, so the benchmarks size every item themselves, with
the rules of the DynamoDB developer guide ("Item sizes and formats", "Read/write capacity mode"):

- an item's size is the sum over its attributes of the UTF-8 length of the name plus the size of
  the value: strings their UTF-8 length, binary their byte length, numbers 1 byte per two
  significant digits plus 1, booleans and nulls 1 byte, lists and maps 3 bytes plus their
  elements (1 byte each plus the element), sets the sum of their members;
- a write costs one unit per started kilobyte of the item (for an update, the larger of the item
  before and after); a conditional write whose condition fails costs the same; a transactional
  write costs twice;
- a strongly consistent read costs one unit per started 4 KB (a query sums the items it returns
  before rounding), an eventually consistent read half that; reading nothing still costs a unit.

Values are DynamoDB's typed attribute values as botocore sends them (``{"S": "..."}``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
TRANSACTION_FACTOR = 2
LIST_OR_MAP_OVERHEAD = 3
ELEMENT_OVERHEAD = 1


def number_size(text: str) -> int:
    """Bytes DynamoDB counts for a number given as its decimal text (``"1712345678901"`` → 8)."""
    mantissa = text.strip().lstrip("+-").lower().split("e")[0].replace(".", "")
    significant = mantissa.strip("0")
    return math.ceil(len(significant) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one typed attribute value."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return number_size(data)
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(number_size(n) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return LIST_OR_MAP_OVERHEAD + sum(ELEMENT_OVERHEAD + value_size(v) for v in data)
    if kind == "M":
        return LIST_OR_MAP_OVERHEAD + sum(ELEMENT_OVERHEAD + len(k.encode("utf-8")) + value_size(v)
                                          for k, v in data.items())
    raise ValueError(f"unknown attribute value type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes of an item: attribute names plus values."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    """Write units of one (non-transactional) write of an item of ``size`` bytes."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def update_units(size_before: int, size_after: int) -> int:
    """An UpdateItem is billed on the larger of the item before and after the update."""
    return write_units(max(size_before, size_after))


def transaction_units(sizes: Iterable[int]) -> int:
    """TransactWriteItems: every item costs twice its plain write."""
    return TRANSACTION_FACTOR * sum(write_units(s) for s in sizes)


def read_units(sizes: Iterable[int], consistent: bool) -> float:
    """A GetItem (one size, 0 when nothing was found) or a Query page (the sizes it returned)."""
    units = max(1, math.ceil(sum(sizes) / READ_UNIT_BYTES))
    return units if consistent else units / 2
