"""The rules of the rewards shop that need no storage: availability, order ids, redemption codes,
the cancellation window."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.roles import ADMIN, PARTNER
from aj74.territories import TerritoryTree

ORDER_ID_RE = re.compile(r"^[A-Z2-7]{26}$")
CODE_RE = ORDER_ID_RE
STATUS_TITLES = {"active": "оформлен", "cancelled": "отменён", "redeemed": "использован"}


def _b32(raw: bytes) -> str:
    return base64.b32encode(raw).decode().rstrip("=")


def order_id_for(account: str, idempotency_key: str) -> str:
    """The order id a resident's Idempotency-Key names: the same key always names the same order,
    so a retried request cannot create (and pay for) a second one."""
    digest = hashlib.sha256(b"aj74-order\0" + account.encode() + b"\0" + idempotency_key.encode()).digest()
    return _b32(digest[:16])


def new_redemption_code() -> str:
    """128 random bits in RFC 4648 base32 (26 characters of A–Z, 2–7): unguessable, and it fits a
    QR code's alphanumeric mode."""
    return _b32(secrets.token_bytes(16))


def normalise_code(raw: str) -> str:
    """A code as a cashier may type it: any case, with spaces or dashes between groups."""
    code = re.sub(r"[\s-]", "", raw).upper()
    if not CODE_RE.match(code):
        raise InvalidInput("Неверный формат кода: 26 символов (латинские буквы и цифры 2–7).",
                           errors=[{"field": "code", "detail": "неверный формат кода"}])
    return code


def check_idempotency_key(key: str | None) -> str:
    if key is None:
        raise InvalidInput("Нужен заголовок Idempotency-Key: повтор запроса с тем же ключом не создаст второй заказ.",
                           errors=[{"field": "Idempotency-Key", "detail": "обязательный заголовок"}])
    if not (8 <= len(key) <= 128 and key.isascii() and key.isprintable()):
        raise InvalidInput("Idempotency-Key: от 8 до 128 печатных символов ASCII.",
                           errors=[{"field": "Idempotency-Key", "detail": "от 8 до 128 печатных символов ASCII"}])
    return key


def is_available(item: dict, now: datetime) -> bool:
    """On sale now: active, within its validity dates and in stock."""
    return bool(item["active"]) and item["valid_from"] <= now < item["valid_until"] and item["stock"] > 0


def redeemable_in(item: dict, territory_id: str | None, tree: TerritoryTree) -> bool:
    """A resident can use an item where they live: their territory lies within one of the item's."""
    return bool(territory_id) and territory_id in tree and tree.within_any(territory_id, item["territory_ids"])


def require_orderable(item: dict, territory_id: str | None, tree: TerritoryTree, now: datetime) -> None:
    if not redeemable_in(item, territory_id, tree):
        names = ", ".join(tree.get(t).name for t in item["territory_ids"] if t in tree)
        raise Conflict(f"Поощрение доступно только жителям: {names}.", code="item-not-in-territory")
    if not item["active"] or now < item["valid_from"]:
        raise Conflict("Поощрение пока недоступно для заказа.", code="item-not-on-sale")
    if now >= item["valid_until"]:
        raise Conflict("Срок действия поощрения истёк.", code="item-expired")
    if item["stock"] <= 0:
        raise Conflict("Поощрение закончилось: в наличии 0.", code="out-of-stock")


def cancel_deadline(ordered_at: datetime, window_minutes: int) -> datetime:
    return ordered_at + timedelta(minutes=window_minutes)


def require_cancellable(order: dict, now: datetime) -> None:
    """Conflict with the reason an order can no longer be cancelled, if it cannot."""
    if order["status"] == "cancelled":
        raise Conflict("Заказ уже отменён, баллы возвращены.", code="order-already-cancelled")
    if order["status"] == "redeemed":
        raise Conflict("Заказ уже использован у партнёра, отменить его нельзя.", code="order-redeemed")
    if now >= order["cancel_until"]:
        raise Conflict("Срок отмены заказа истёк.", code="cancel-window-passed")


def require_redeemable(order: dict) -> None:
    if order["status"] == "redeemed":
        raise Conflict("Код уже использован.", code="code-used", redeemed_at=order.get("redeemed_at"))
    if order["status"] == "cancelled":
        raise Conflict("Заказ отменён, код недействителен.", code="order-cancelled")


def require_redeemer(role: str, partner: str | None, order_partner: str, reason: str | None) -> None:
    """A cashier redeems codes of its own partner only; the IT administrator redeems any code as
    support at the counter, and says why (the reason goes to the audit log)."""
    if role == PARTNER:
        if not partner:
            raise Forbidden("Учётная запись кассира не привязана к партнёру: обратитесь к администратору "
                            "Министерства информационных технологий.", code="partner-unbound")
        if partner != order_partner:
            raise Forbidden(f"Код выдан на поощрение партнёра «{order_partner}», а вы кассир партнёра «{partner}»: "
                            "погасить его может только касса этого партнёра.", code="partner-mismatch")
        return
    if role == ADMIN:
        if not (reason and reason.strip()):
            raise InvalidInput("Укажите причину: погашение кода администратором записывается в журнал аудита.",
                               errors=[{"field": "reason", "detail": "обязательное поле для администратора"}])
        return
    raise Forbidden("Погасить код может кассир партнёра или администратор.", code="role-required")
