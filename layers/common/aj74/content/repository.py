"""Content items (PynamoDB) and the per-territory feed and calendar entries (plain DynamoDB).

Content: one item per piece of content, every change a conditional write on ``version`` and state.
The GSI ``by-state`` (``state``, ``due_at``) answers the scheduler's one question per state: what is
due now. Feed: partition ``feed#<territory>`` or ``events#<territory>``, sort key from
``aj74.content.model``; the card is stored in the entry so a page reads nothing else.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache

from aj74.clock import iso
from aj74.content import model
from aj74.content.model import Content, Entry
from aj74.errors import Conflict, NotFound
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, is_condition_failure, meta, raise_unavailable
from aj74.territories import territory_tree
from aj74.workflow import Transition

# Calendar entries outlive their event by a week (TTL housekeeping only; reads filter by date).
EVENT_TTL_MARGIN = timedelta(days=7)


def found_visible() -> timedelta:
    return timedelta(hours=get_settings().found_notice_visible_hours)


@lru_cache(maxsize=1)
def _model():
    from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute
    from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
    from pynamodb.models import Model

    class ByState(GlobalSecondaryIndex):
        class Meta:
            index_name = "by-state"
            projection = AllProjection()

        state = UnicodeAttribute(hash_key=True)
        due_at = UnicodeAttribute(range_key=True)

    class ContentRecord(Model):
        Meta = meta("content_table")
        content_id = UnicodeAttribute(hash_key=True)
        type = UnicodeAttribute()
        state = UnicodeAttribute()
        due_at = UnicodeAttribute()
        version = VersionAttribute()
        territory_ids = JSONAttribute()
        fields = JSONAttribute()
        publish_at = UnicodeAttribute(null=True)
        published_at = UnicodeAttribute(null=True)
        feed_pending = UnicodeAttribute(null=True)
        created_by = UnicodeAttribute()
        created_at = UnicodeAttribute()
        history = JSONAttribute(default=list)
        review_snapshot = JSONAttribute(null=True)
        by_state = ByState()

    return ContentRecord


def _to_content(r) -> Content:
    return Content(content_id=r.content_id, type=r.type, state=r.state, territory_ids=tuple(r.territory_ids),
                   fields=r.fields, publish_at=r.publish_at, created_by=r.created_by, created_at=r.created_at,
                   version=r.version, history=tuple(r.history or ()), published_at=r.published_at,
                   feed_pending=r.feed_pending, review_snapshot=r.review_snapshot)


def _sync_due(record) -> None:
    record.due_at = model.due_at(_to_content(record), found_visible())


class ContentRepository:
    def create(self, content: Content) -> Content:
        Record = _model()
        record = Record(content.content_id, type=content.type, state=content.state, due_at=model.NEVER,
                        territory_ids=list(content.territory_ids), fields=content.fields,
                        publish_at=content.publish_at, published_at=content.published_at,
                        feed_pending=content.feed_pending, created_by=content.created_by,
                        created_at=content.created_at, history=list(content.history))
        _sync_due(record)
        try:
            record.save(condition=Record.content_id.does_not_exist())
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict("Материал с таким идентификатором уже существует.") from exc
            raise_unavailable(exc)
        return _to_content(record)

    def _record(self, content_id: str, consistent: bool = True):
        Record = _model()
        try:
            return Record.get(content_id, consistent_read=consistent)
        except Record.DoesNotExist:
            raise NotFound("Материал не найден.", code="content-not-found") from None
        except Exception as exc:
            raise_unavailable(exc)

    def get(self, content_id: str, consistent: bool = True) -> Content:
        return _to_content(self._record(content_id, consistent))

    def save(self, content: Content, expected_version: int, expected_states: frozenset[str],
             edit: dict | None = None) -> Content:
        """Store edited fields (and a pending feed sync) if nobody saved since ``expected_version``."""
        Record = _model()
        record = self._record(content.content_id)
        if record.version != expected_version:
            raise Conflict(f"Материал уже изменён другим редактором (текущая версия {record.version}). "
                           "Обновите страницу и внесите правки заново.", code="version-conflict",
                           current_version=record.version)
        if record.state not in expected_states:
            raise Conflict("Материал в этом состоянии не редактируется.", code="not-editable", state=record.state)
        record.fields = content.fields
        record.territory_ids = list(content.territory_ids)
        record.publish_at = content.publish_at
        record.feed_pending = content.feed_pending
        if edit:  # who wrote this version, for four eyes (aj74.workflow.authors)
            record.history = [*(record.history or []), edit]
        _sync_due(record)
        self._save(record, Record.state.is_in(*expected_states))
        return _to_content(record)

    def apply(self, content_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> Content:
        """Store a workflow transition (and extra fields) if the item is still where it was."""
        Record = _model()
        record = self._record(content_id)
        if record.state != transition.from_state or (expected_version and record.version != expected_version):
            raise Conflict("Материал изменился, пока вы работали с ним. Обновите страницу.", code="state-changed",
                           state=record.state)
        record.state = transition.to_state
        record.history = [*(record.history or []), transition.as_dict()]
        for name, value in fields.items():
            setattr(record, name, value)
        _sync_due(record)
        self._save(record, Record.state == transition.from_state)
        return _to_content(record)

    def settle(self, content: Content) -> bool:
        """Clear the pending feed sync once the entries match the state; False when the item moved on
        meanwhile (another sync is then due)."""
        Record = _model()
        try:
            record = self._record(content.content_id)
        except NotFound:
            return False
        if record.state != content.state or record.feed_pending != content.feed_pending:
            return False
        record.feed_pending = None
        _sync_due(record)
        try:
            record.save(condition=(Record.state == content.state) & (Record.feed_pending == content.feed_pending))
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise_unavailable(exc)
        return True

    def _save(self, record, condition) -> None:
        try:
            record.save(condition=condition)
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict("Материал изменился, пока вы работали с ним. Обновите страницу.",
                               code="version-conflict") from exc
            raise_unavailable(exc)

    def in_state(self, state: str, due_by: datetime | None = None) -> list[Content]:
        """Items in ``state`` (only those due by ``due_by`` when given), by the GSI."""
        Record = _model()
        condition = Record.due_at <= iso(due_by) if due_by else None
        try:
            return [_to_content(r) for r in Record.by_state.query(state, condition)]
        except Exception as exc:
            raise_unavailable(exc)


# ====================================================================== feed entries
def _epoch(value: str | None) -> int | None:
    return int(model.as_time(value).timestamp()) if value else None


class FeedRepository:
    """Per-territory feed and calendar entries; one raw client, attribute names kept short because
    every byte of an entry is read on every feed page."""

    def __init__(self) -> None:
        self.table = get_settings().feed_table
        if not self.table:
            raise RuntimeError("FEED_TABLE is not configured")

    @staticmethod
    def items_for(content: Content) -> list[dict]:
        """Every entry a published item owns, as DynamoDB items."""
        until = _epoch(model.visible_until(content, found_visible()))
        card = json.dumps(model.summary(content), ensure_ascii=False, separators=(",", ":"))
        items = []
        for territory in model.storage_territories(content.territory_ids, territory_tree()):
            entry = {"pk": {"S": f"feed#{territory}"}, "sk": {"S": model.feed_sort_key(content)}, "c": {"S": card}}
            if until is not None:
                entry |= {"u": {"N": str(until)}, "ttl": {"N": str(until)}}
            items.append(entry)
            if content.type == "event":
                ends = model.as_time(content.fields["ends_at"]) + EVENT_TTL_MARGIN
                items.append({"pk": {"S": f"events#{territory}"}, "sk": {"S": model.event_sort_key(content)},
                              "c": {"S": card}, "ttl": {"N": str(int(ends.timestamp()))}})
        return items

    def put(self, content: Content) -> None:
        client = dynamodb_client()
        for item in self.items_for(content):
            try:
                client.put_item(TableName=self.table, Item=item)
            except Exception as exc:
                raise_unavailable(exc)

    def delete(self, content: Content) -> None:
        client = dynamodb_client()
        for item in self.items_for(content):
            try:
                client.delete_item(TableName=self.table, Key={"pk": item["pk"], "sk": item["sk"]})
            except Exception as exc:
                raise_unavailable(exc)

    def feed_page(self, territory_id: str, after: str | None, limit: int) -> list[Entry]:
        """Up to ``limit`` entries of one territory below ``after``, pinned first, newest first: one Query."""
        values = {":p": {"S": f"feed#{territory_id}"}}
        condition = "pk = :p"
        if after:
            condition += " AND sk < :a"
            values[":a"] = {"S": after}
        try:
            response = dynamodb_client().query(TableName=self.table, KeyConditionExpression=condition,
                                               ExpressionAttributeValues=values, ScanIndexForward=False,
                                               Limit=limit)
        except Exception as exc:
            raise_unavailable(exc)
        return [_entry(i) for i in response.get("Items", [])]

    def events(self, territory_id: str, low: str, high: str) -> list[Entry]:
        """Calendar entries of one territory starting within [low, high], earliest first."""
        entries, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            try:
                response = dynamodb_client().query(
                    TableName=self.table, KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                    ExpressionAttributeValues={":p": {"S": f"events#{territory_id}"}, ":lo": {"S": low},
                                               ":hi": {"S": high}}, **kwargs)
            except Exception as exc:
                raise_unavailable(exc)
            entries.extend(_entry(i) for i in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return entries


def _entry(item: dict) -> Entry:
    until = item.get("u")
    return Entry(item["sk"]["S"], json.loads(item["c"]["S"]), int(until["N"]) if until else None)
