"""CSV exports that open correctly in Excel: UTF-8 with a BOM, «;» separated (the Russian locale's
list separator), and text cells defused against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def _defused(value):
    # A cell starting with = + - @ would run as a formula in Excel (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def excel_csv(rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_defused(v) for v in row])
    return out.getvalue()
