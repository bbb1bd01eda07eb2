"""Request bodies of the push routes: the browser's ``PushSubscription.toJSON()`` and an endpoint.

The endpoint is a capability URL (whoever holds it can push to that browser): it is validated
here, stored, and never logged or echoed.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from aj74.settings import get_settings

MAX_ENDPOINT_LENGTH = 1024
B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
# The push services of the browsers residents use (Chrome and Android, Firefox, Safari, Edge). The
# fan-out function POSTs to whatever endpoint is stored, so an arbitrary host would let anyone aim
# it at a server of their choice; only these receive our requests.
PUSH_SERVICE_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com",
                      "notify.windows.com")
LOCAL_HOSTS = ("127.0.0.1",)


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _known_push_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in PUSH_SERVICE_HOSTS)


def check_endpoint(value: str) -> str:
    """The endpoint as given, or ValueError with a Russian reason: https to a browser vendor's push
    service; on the local stage also http://127.0.0.1 (the test's stand-in push service)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError("неверный адрес подписки") from None
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or not host or parts.fragment:
        raise ValueError("неверный адрес подписки")
    if get_settings().is_local and host in LOCAL_HOSTS and parts.scheme in ("http", "https"):
        return value
    if parts.scheme != "https":
        raise ValueError("адрес подписки должен начинаться с https://")
    if not _known_push_host(host) or port not in (None, 443):
        raise ValueError("адрес подписки не принадлежит службе push-уведомлений браузера")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubscriptionKeys(_Strict):
    p256dh: Annotated[str, StringConstraints(pattern=B64URL, min_length=80, max_length=100)] = Field(
        description="Открытый ключ браузера P-256 (base64url, 65 байт без сжатия).")
    auth: Annotated[str, StringConstraints(pattern=B64URL, min_length=16, max_length=32)] = Field(
        description="Секрет аутентификации браузера (base64url, 16 байт).")

    @field_validator("p256dh")
    @classmethod
    def _point(cls, value: str) -> str:
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            raw = b64url_decode(value)
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except (ValueError, binascii.Error):
            raise ValueError("ключ p256dh не является открытым ключом P-256") from None
        if len(raw) != 65:
            raise ValueError("ключ p256dh должен быть несжатой точкой P-256 (65 байт)")
        return value

    @field_validator("auth")
    @classmethod
    def _secret(cls, value: str) -> str:
        try:
            raw = b64url_decode(value)
        except (ValueError, binascii.Error):
            raise ValueError("секрет auth задан неверно") from None
        if len(raw) != 16:
            raise ValueError("секрет auth должен быть длиной 16 байт")
        return value


class SubscriptionIn(_Strict):
    """PushSubscription браузера, как её возвращает subscription.toJSON()."""

    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ENDPOINT_LENGTH)] = Field(
        description="Адрес службы push-уведомлений браузера (https).")
    # Browsers send null; a push service that expires subscriptions gives epoch milliseconds.
    expirationTime: int | None = Field(default=None, ge=0)  # noqa: N815 - the browser's field name
    keys: SubscriptionKeys

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return check_endpoint(value)


class EndpointIn(_Strict):
    endpoint: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ENDPOINT_LENGTH)]

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        return check_endpoint(value)
