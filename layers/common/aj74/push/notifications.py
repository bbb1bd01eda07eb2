"""What a notification says, built from the events that cause one. Pure: no AWS here.

The payload the service worker reads is JSON ``{"title", "body", "url", "tag"}``: ``url`` is a hash
route of the resident app (``/#/feed``, ``/#/polls/<poll_id>``) and ``tag`` lets the device replace
a notification it already shows (a redelivered message collapses into the same one).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

MAX_PAYLOAD_BYTES = 3000  # RFC 8291 leaves 3,993 bytes of plaintext in one 4 KB record
MAX_BODY_CHARS = 240
DAY = 86_400
SEVERITY_TITLES = {"info": "Информация", "warning": "Предупреждение", "danger": "Опасность"}


@dataclass(frozen=True)
class Notification:
    title: str
    body: str
    url: str
    tag: str
    ttl: int = DAY  # seconds the push service keeps it for an offline browser
    urgency: str = "normal"  # RFC 8030 §5.3: very-low, low, normal, high

    def payload(self) -> bytes:
        data = json.dumps({"title": self.title, "body": self.body, "url": self.url, "tag": self.tag},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(data) > MAX_PAYLOAD_BYTES:
            raise ValueError("notification payload too large")
        return data

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Notification:
        return cls(**{k: data[k] for k in ("title", "body", "url", "tag", "ttl", "urgency")})


def _short(text: str, limit: int = MAX_BODY_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ttl_until(expires_at: str | None, now: datetime) -> int:
    """Seconds until a bulletin expires (a stale warning is not worth delivering), within a day."""
    if not expires_at:
        return DAY
    try:
        until = datetime.fromisoformat(expires_at)
    except ValueError:
        return DAY
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return max(60, min(DAY, int((until - now).total_seconds())))


def bulletin(message: dict, now: datetime) -> Notification:
    """An МЧС bulletin as BulletinTopic publishes it (aj74.content.notifications)."""
    severity = SEVERITY_TITLES.get(message.get("severity", ""), "")
    title = f"МЧС: {message['title']}"
    body = _short(message.get("excerpt") or message.get("body") or "")
    if severity:
        body = f"{severity}. {body}" if body else severity
    return Notification(title=_short(title, 120), body=body, url="/#/feed", tag=f"bulletin-{message['id']}",
                        ttl=_ttl_until(message.get("expires_at"), now), urgency="high")


def poll_opened(poll_id: str, title: str) -> Notification:
    return Notification(title="Новый опрос", body=_short(title), url=f"/#/polls/{poll_id}", tag=f"poll-{poll_id}")


def poll_final(poll_id: str, title: str) -> Notification:
    return Notification(title="Итоги опроса", body=_short(title), url=f"/#/polls/{poll_id}",
                        tag=f"poll-{poll_id}-result")


def poll_execution(poll_id: str, title: str, status_title: str | None = None) -> Notification:
    body = _short(f"{title}. {status_title}" if status_title else title)
    return Notification(title="Исполнение решения по опросу", body=body, url=f"/#/polls/{poll_id}",
                        tag=f"poll-{poll_id}-execution")
