"""Typed items and DynamoDB attribute values, for the repositories that reach a table through the
botocore client (docs/decisions/021-ports-and-adapters.md).

Each attribute is written in the shape the PynamoDB models wrote it, so the items stored before
the migration read back unchanged and new ones look the same:

- ``TEXT``: ``{"S": value}`` (UnicodeAttribute);
- ``NUMBER``: ``{"N": "3"}``, read back as an int (NumberAttribute, VersionAttribute);
- ``BOOL``: ``{"BOOL": true}`` (BooleanAttribute);
- ``JSON``: ``{"S": json.dumps(value)}`` with json's defaults, non-ASCII escaped (JSONAttribute).

A None value writes no attribute, as PynamoDB left a null attribute out of the item it put.
No AWS import here: infra/permissions.py scans the modules that make the calls.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

TEXT, NUMBER, BOOL, JSON = "text", "number", "bool", "json"


def encode(kind: str, value) -> dict:
    """One attribute value as DynamoDB stores it."""
    if kind == JSON:
        return {"S": json.dumps(value)}
    if kind == NUMBER:
        return {"N": str(int(value))}
    if kind == BOOL:
        return {"BOOL": bool(value)}
    return {"S": value}


def decode(kind: str, raw: dict):
    if kind == JSON:
        return json.loads(raw["S"], strict=False)
    if kind == NUMBER:
        return int(raw["N"])
    if kind == BOOL:
        return bool(raw["BOOL"])
    return raw["S"]


def to_item(schema: Mapping[str, str], values: Mapping) -> dict:
    """The attribute-value item of ``values`` (a plain value per attribute of ``schema``)."""
    unknown = set(values) - set(schema)
    if unknown:
        raise ValueError(f"not an attribute of the table: {sorted(unknown)}")
    return {name: encode(kind, values[name]) for name, kind in schema.items() if values.get(name) is not None}


def from_item(schema: Mapping[str, str], item: Mapping, defaults: Mapping | None = None) -> dict:
    """Plain values of every attribute of ``schema`` (None, or ``defaults``' value, when absent)."""
    values = {name: decode(kind, item[name]) if name in item else None for name, kind in schema.items()}
    for name, default in (defaults or {}).items():
        if values[name] is None:
            values[name] = default()
    return values
