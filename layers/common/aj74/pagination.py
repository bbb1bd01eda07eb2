"""Opaque cursors: clients pass back what they were given and never build one themselves."""

from __future__ import annotations

import base64
import json

from aj74.errors import InvalidInput

MAX_LIMIT = 50


def encode_cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        if len(cursor) > 512:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("Неверный курсор страницы.",
                           errors=[{"field": "cursor", "detail": "неверный курсор"}]) from exc


def parse_limit(raw: str | None, default: int = 20) -> int:
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"limit должен быть от 1 до {MAX_LIMIT}.",
                           errors=[{"field": "limit", "detail": f"от 1 до {MAX_LIMIT}"}])
    return int(raw)
