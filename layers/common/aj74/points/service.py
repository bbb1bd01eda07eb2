"""Points use cases: a resident's balance and ledger, manual adjustments by the IT administrator.

They reach the ledger, the audit log and the clock through their ports (``aj74.points.ports``; the
real adapters when the caller passes none)."""

from __future__ import annotations

import random
import time

from aj74.clock import iso
from aj74.errors import Conflict, InvalidInput, Unavailable
from aj74.identity.principal import Principal
from aj74.ids import ulid
from aj74.pagination import decode_cursor, encode_cursor
from aj74.points import rules, settlement
from aj74.points.ports import PointsPorts
from aj74.points.settlement import settle
from aj74.settings import get_settings
from aj74.transactions import Cancelled
from aj74.validation import LazySchemas, parse_model

KIND_TITLES = {"ballot": "Участие в опросе", "order": "Заказ поощрения", "refund": "Возврат за отменённый заказ",
               "adjustment": "Корректировка администратором"}
GUARD_ATTEMPTS = 8


def default_ports(**overrides) -> PointsPorts:
    """The points use cases' real adapters: settlement's (``aj74.points.settlement.default_ports``)
    and the audit log, ``overrides`` in their place."""
    from aj74.audit.repository import AuditLog

    real = vars(settlement.default_ports())
    return PointsPorts(**{**real, "audit": AuditLog(), **overrides})


def backoff(attempt: int) -> None:
    """Jittered sleep before retrying a transaction that lost a race."""
    time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))


def entry_view(entry: dict) -> dict:
    title = KIND_TITLES.get(entry["kind"], entry["kind"])
    view = {"id": entry["entry"], "kind": entry["kind"], "title": title, "kind_title": title,
            "points": entry["points"], "at": iso_ms(entry["at"]), "ref": entry["ref"]}
    if entry["kind"] == "adjustment":
        view["reason"] = entry["note"]
        view["ref"] = None  # the administrator's id is for the audit log, not for the resident
    return view


def iso_ms(at_ms: int) -> str:
    from datetime import UTC, datetime

    return iso(datetime.fromtimestamp(at_ms / 1000, UTC))


def my_points(actor: Principal, limit: int, cursor: str | None, ports: PointsPorts | None = None) -> dict:
    """Balance, lifetime points, level and a page of the ledger (newest first)."""
    ports = ports or default_ports()
    settle(actor, ports=ports)
    entries = ports.ledger.entries(actor.subject)
    lifetime = rules.lifetime_of(entries)
    level = rules.level_for(lifetime, get_settings().points_level_thresholds)
    ordered = sorted(entries, key=lambda e: (e["at"], e["entry"]), reverse=True)
    after = decode_cursor(cursor)
    if after:
        mark = (after.get("t", 0), after.get("e", ""))
        ordered = [e for e in ordered if (e["at"], e["entry"]) < mark]
    page = ordered[:limit]
    next_cursor = encode_cursor({"t": page[-1]["at"], "e": page[-1]["entry"]}) if len(ordered) > limit else None
    return {"balance": rules.balance_of(entries), "lifetime": lifetime, "level": level.as_dict(lifetime),
            "entries": [entry_view(e) for e in page], "next_cursor": next_cursor}


_schemas = LazySchemas("aj74.shop.schemas")


def adjust(actor: Principal, body: dict, ports: PointsPorts | None = None) -> dict:
    """A manual credit or debit with a reason; a debit may not take the balance below zero."""
    data = parse_model(_schemas.AdjustmentIn, body)
    if data.points == 0:
        raise InvalidInput("Корректировка на 0 баллов ничего не меняет.",
                           errors=[{"field": "points", "detail": "не может быть 0"}])
    ports = ports or default_ports()
    ledger = ports.ledger
    adjustment_id = ulid()
    for attempt in range(GUARD_ATTEMPTS):
        snapshot = ledger.snapshot(data.account)
        rules.require_non_negative_after(snapshot.balance, data.points)
        now = ports.clock()
        try:
            ledger.adjust(data.account, adjustment_id, data.points, data.reason, int(now.timestamp() * 1000),
                          snapshot.version, actor.subject)
        except Cancelled as exc:
            if exc.failed(1):
                raise Conflict("Корректировка уже записана.", code="adjustment-exists") from exc
            backoff(attempt)
            continue
        balance = snapshot.balance + data.points
        ports.audit.append(actor=actor.subject, actor_role="admin", action="points.adjust", target_type="account",
                           target_id=data.account, before={"balance": snapshot.balance},
                           after={"balance": balance, "points": data.points, "adjustment_id": adjustment_id},
                           comment=data.reason, at=iso(now))
        return {"id": adjustment_id, "account": data.account, "points": data.points, "reason": data.reason,
                "balance": balance, "at": iso(now)}
    raise Unavailable("Счёт жителя сейчас изменяется, повторите корректировку.")
