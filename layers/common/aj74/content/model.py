"""Feed content as the domain knows it, and the rules that need no storage: which territories an
item is stored under, its place in the feed, what a feed entry holds, when the scheduler must look
at it again, and how per-territory pages merge into one feed page.

See docs/decisions/009-feed.md for the data layout these rules serve.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from aj74.clock import iso, parse_iso
from aj74.territories import TerritoryTree

TYPES = ("news", "bulletin", "missing_person", "event")
# Types that may carry an uploaded image (aj74.media); their views always have ``image`` (or null).
IMAGE_TYPES = ("news", "event")
TYPE_TITLES = {"news": "новость", "bulletin": "бюллетень МЧС", "missing_person": "поиск человека",
               "event": "событие"}
SEVERITIES = ("info", "warning", "danger")
SEARCH_STATUSES = ("searching", "found")
# The Russian labels residents read next to the codes (the admin site's words, web/admin/src/parts/content).
SEVERITY_TITLES = {"info": "Информация", "warning": "Предупреждение", "danger": "Опасность"}
SEARCH_STATUS_TITLES = {"searching": "Идёт поиск", "found": "Поиск завершён"}
CATEGORY_TITLES = {"holiday": "Праздник", "culture": "Культура", "sport": "Спорт", "education": "Образование",
                   "ecology": "Экология", "other": "Другое"}

STATES = ("draft", "in_review", "approved", "published", "rejected", "retracted", "expired")
STATE_TITLES = {
    "draft": "черновик", "in_review": "на согласовании", "approved": "согласован", "published": "опубликован",
    "rejected": "отклонён", "retracted": "снят с публикации", "expired": "срок показа истёк",
}
EDITABLE_STATES = frozenset({"draft", "rejected"})
# Before creation an item has no state; the emergency fast path starts from here.
NEW = "new"
# The scheduler's index sorts "due" times; this one is never due.
NEVER = "9999-12-31T23:59:59Z"
# Longest event the calendar accepts: the events query looks this far back for ongoing events.
MAX_EVENT_DAYS = 31
EXCERPT_CHARS = 280

# Feed sort keys: pinned bulletins sort above everything else of a territory, so one descending
# query per territory returns active bulletins first, then the rest, newest first.
PINNED_PREFIX = "p#"
REGULAR_PREFIX = "f#"


@dataclass(frozen=True)
class Content:
    content_id: str
    type: str
    state: str
    territory_ids: tuple[str, ...]
    # Title and the type's own fields, as the editor gave them (times as UTC ISO strings).
    fields: dict
    publish_at: str | None
    created_by: str
    created_at: str
    version: int = 1
    history: tuple[dict, ...] = ()
    published_at: str | None = None
    # "publish" or "remove" while the feed entries do not yet match the state (see sync).
    feed_pending: str | None = None
    # The item as the Directorate last rejected it (create-body shape): the queue shows what changed.
    review_snapshot: dict | None = None

    @property
    def title(self) -> str:
        return self.fields["title"]

    def with_fields(self, fields: dict, territory_ids=None, publish_at: str | None = ...) -> Content:
        return replace(self, fields=fields,
                       territory_ids=tuple(territory_ids) if territory_ids is not None else self.territory_ids,
                       publish_at=self.publish_at if publish_at is ... else publish_at)


# ------------------------------------------------------------------ time
def iso_ms(dt: datetime) -> str:
    """UTC with milliseconds: the feed's order key, fine enough that a burst keeps its order."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def as_time(value: str | None) -> datetime | None:
    return parse_iso(value) if value else None


# ------------------------------------------------------------------ review
# The fields an approver compares, with the titles people read, in the editor's order.
REVIEWED_FIELDS = {
    "title": "Заголовок", "body": "Текст", "description": "Описание", "territory_ids": "Территории",
    "publish_at": "Время публикации", "image_url": "Изображение (ссылка)", "image": "Изображение",
    "photo_url": "Фотография",
    "severity": "Уровень опасности", "expires_at": "Действует до", "starts_at": "Начало", "ends_at": "Окончание",
    "venue": "Место проведения", "address": "Адрес", "category": "Категория", "link": "Ссылка на регистрацию",
    "last_seen_place": "Где видели в последний раз", "last_seen_at": "Когда видели в последний раз",
    "contact_phone": "Телефон для сообщений", "status": "Статус поиска", "outcome": "Итог поиска",
}


def review_changes(before: dict | None, after: dict) -> list[dict]:
    """What changed between the item the Directorate last rejected and the item now (both in the
    create-body shape); empty on a first review."""
    if not before:
        return []
    return [{"field": name, "title": title, "before": before.get(name), "after": after.get(name)}
            for name, title in REVIEWED_FIELDS.items() if before.get(name) != after.get(name)]


# ------------------------------------------------------------------ targeting
def storage_territories(territory_ids: Iterable[str], tree: TerritoryTree) -> list[str]:
    """The targets minus any that lie below another target. A resident's chain then meets at most
    one of them, so an item is stored once per chain and a feed page never reads it twice."""
    ids = list(dict.fromkeys(territory_ids))
    return [t for t in ids if not any(other != t and tree.is_within(t, other) for other in ids)]


def reaches(territory_ids: Iterable[str], home: str | None, tree: TerritoryTree) -> bool:
    """A resident sees an item aimed at their home territory or at anything above it."""
    return bool(home) and home in tree and tree.within_any(home, territory_ids)


# ------------------------------------------------------------------ lifetimes
def visible_until(content: Content, found_visible: timedelta) -> str | None:
    """When a published item leaves the feed by itself (None: it stays until retracted)."""
    if content.type == "bulletin":
        return content.fields["expires_at"]
    if content.type == "missing_person" and content.fields.get("status") == "found":
        found_at = content.fields.get("found_at")
        return iso(parse_iso(found_at) + found_visible) if found_at else None
    return None


def is_live(content: Content, now: datetime, found_visible: timedelta) -> bool:
    if content.state != "published":
        return False
    until = visible_until(content, found_visible)
    return until is None or now < parse_iso(until)


def due_at(content: Content, found_visible: timedelta) -> str:
    """When the scheduler must next act on the item: publish, finish a feed sync, or expire it."""
    if content.feed_pending:
        return content.published_at or iso(datetime.now(UTC))
    if content.state == "approved":
        return content.publish_at or content.created_at
    if content.state == "published":
        return visible_until(content, found_visible) or NEVER
    return NEVER


# ------------------------------------------------------------------ feed entries
def feed_sort_key(content: Content) -> str:
    prefix = PINNED_PREFIX if content.type == "bulletin" else REGULAR_PREFIX
    return f"{prefix}{content.published_at}#{content.content_id}"


def event_sort_key(content: Content) -> str:
    return f"{content.fields['starts_at']}#{content.content_id}"


def with_titles(item: dict) -> dict:
    """A card or view with the Russian label of each code it carries: ``type_title`` and, by type,
    ``severity_title``, ``status_title`` (search status) or ``category_title``."""
    titles = {"type_title": TYPE_TITLES.get(item.get("type"), item.get("type"))}
    for code, table in (("severity", SEVERITY_TITLES), ("category", CATEGORY_TITLES)):
        if code in item:
            titles[f"{code}_title"] = table.get(item[code], item[code])
    if item.get("type") == "missing_person" and "status" in item:
        titles["status_title"] = SEARCH_STATUS_TITLES.get(item["status"], item["status"])
    return {**item, **titles}


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS - 1].rstrip() + "…"


def summary(content: Content) -> dict:
    """What a feed entry holds: enough for the feed card, so a page needs no per-item read."""
    f = content.fields
    card = {"id": content.content_id, "type": content.type, "title": f["title"],
            "published_at": content.published_at, "territory_ids": list(content.territory_ids)}
    if content.type == "news":
        card |= {"excerpt": _excerpt(f["body"]), "image_url": f.get("image_url"), "image": f.get("image")}
    elif content.type == "bulletin":
        card |= {"severity": f["severity"], "excerpt": _excerpt(f["body"]), "expires_at": f["expires_at"]}
    elif content.type == "missing_person":
        card |= {"status": f.get("status", "searching"), "outcome": f.get("outcome"), "photo_url": f.get("photo_url"),
                 "last_seen_place": f["last_seen_place"], "last_seen_at": f["last_seen_at"]}
    elif content.type == "event":
        # The calendar shows where and how to register without a read per event.
        card |= {"starts_at": f["starts_at"], "ends_at": f["ends_at"], "venue": f["venue"], "address": f["address"],
                 "category": f["category"], "link": f.get("link"), "image": f.get("image")}
    return {k: v for k, v in card.items() if v is not None}


@dataclass(frozen=True)
class Entry:
    """A feed or calendar entry as read from one territory's partition."""

    sort_key: str
    card: dict
    until: int | None = None  # epoch seconds after which the entry must not be shown

    @property
    def content_id(self) -> str:
        return self.card["id"]

    def live(self, now: datetime) -> bool:
        return self.until is None or now.timestamp() < self.until


@dataclass
class Page:
    items: list[dict]
    next_after: str | None  # the sort key to continue after, or None at the end
    pinned: list[bool] = field(default_factory=list)


def merge_feed(levels: list[list[Entry]], limit: int, now: datetime) -> Page:
    """One feed page from per-territory pages, each newest first (pinned first) and each holding up
    to ``limit + 1`` entries after the cursor. Every partition shares one sort-key space, so the
    merged order is global and the last key shown is a cursor that new items (which sort above
    it) cannot disturb."""
    merged = heapq.merge(*levels, key=lambda e: e.sort_key, reverse=True)
    seen: set[str] = set()
    chosen: list[Entry] = []
    more = False
    for entry in merged:
        if entry.content_id in seen:
            continue
        seen.add(entry.content_id)
        if len(chosen) == limit:
            more = True
            break
        chosen.append(entry)
    # Entries past their time are left out (the scheduler deletes them within a tick), but still
    # advance the cursor so that the next page starts after them.
    items = [dict(e.card, pinned=e.sort_key.startswith(PINNED_PREFIX)) for e in chosen if e.live(now)]
    return Page(items, chosen[-1].sort_key if more and chosen else None)


def merge_events(levels: list[list[Entry]], start: datetime, end: datetime, limit: int,
                 after: str | None) -> Page:
    """Events overlapping [start, end], earliest start first, from per-territory lists ordered by start."""
    merged = heapq.merge(*levels, key=lambda e: e.sort_key)
    seen: set[str] = set()
    chosen: list[Entry] = []
    more = False
    for entry in merged:
        if entry.content_id in seen or (after and entry.sort_key <= after):
            continue
        if parse_iso(entry.card["ends_at"]) < start or parse_iso(entry.card["starts_at"]) > end:
            continue
        seen.add(entry.content_id)
        if len(chosen) == limit:
            more = True
            break
        chosen.append(entry)
    return Page([e.card for e in chosen], chosen[-1].sort_key if more and chosen else None)
