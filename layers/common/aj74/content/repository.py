"""Content items and the per-territory feed and calendar entries, through the botocore client
(docs/decisions/021-ports-and-adapters.md).

Content: one item per piece of content, every change a put conditioned on ``version`` and state,
in the attribute shapes the PynamoDB model wrote (``aj74.items``: territories, fields, history and
the review snapshot as JSON strings). The GSI ``by-state`` (``state``, ``due_at``) answers the
scheduler's one question per state: what is due now. Feed: partition ``feed#<territory>`` or
``events#<territory>``, sort key from ``aj74.content.model``; the card is stored in the entry so a
page reads nothing else.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from aj74.clock import iso
from aj74.content import model
from aj74.content.model import Content, Entry
from aj74.errors import Conflict, NotFound
from aj74.items import JSON, NUMBER, TEXT, from_item, to_item
from aj74.settings import get_settings
from aj74.storage import dynamodb_call, dynamodb_client, is_condition_failure, raise_unavailable
from aj74.territories import TerritoryTree, territory_tree
from aj74.workflow import Transition

# Calendar entries outlive their event by a week (TTL housekeeping only; reads filter by date).
EVENT_TTL_MARGIN = timedelta(days=7)

ATTRIBUTES = {
    "content_id": TEXT, "type": TEXT, "state": TEXT, "due_at": TEXT, "version": NUMBER, "territory_ids": JSON,
    "fields": JSON, "publish_at": TEXT, "published_at": TEXT, "feed_pending": TEXT, "created_by": TEXT,
    "created_at": TEXT, "history": JSON, "review_snapshot": JSON,
}
# Read back as an empty list when absent, and so written by every save (as the model's default was).
DEFAULTS = {"history": list}
BY_STATE = "by-state"
STALE = "Материал изменился, пока вы работали с ним. Обновите страницу."


def found_visible() -> timedelta:
    return timedelta(hours=get_settings().found_notice_visible_hours)


def _table() -> str:
    name = get_settings().content_table
    if not name:
        raise RuntimeError("CONTENT_TABLE is not configured")
    return name


def values_of(content: Content) -> dict:
    """The item's plain attribute values, ``due_at`` (when the scheduler looks next) included."""
    return {"content_id": content.content_id, "type": content.type, "state": content.state,
            "due_at": model.due_at(content, found_visible()), "version": content.version,
            "territory_ids": list(content.territory_ids), "fields": content.fields,
            "publish_at": content.publish_at, "published_at": content.published_at,
            "feed_pending": content.feed_pending, "created_by": content.created_by,
            "created_at": content.created_at, "history": list(content.history),
            "review_snapshot": content.review_snapshot}


def content_item(content: Content) -> dict:
    """The attribute-value item of ``content``."""
    return to_item(ATTRIBUTES, values_of(content))


def content_from_item(item: dict) -> Content:
    v = from_item(ATTRIBUTES, item, DEFAULTS)
    return Content(content_id=v["content_id"], type=v["type"], state=v["state"],
                   territory_ids=tuple(v["territory_ids"]), fields=v["fields"], publish_at=v["publish_at"],
                   created_by=v["created_by"], created_at=v["created_at"], version=v["version"],
                   history=tuple(v["history"]), published_at=v["published_at"],
                   feed_pending=v["feed_pending"], review_snapshot=v["review_snapshot"])


class ContentRepository:
    def create(self, content: Content) -> Content:
        item = content_item(replace(content, version=1))
        try:
            dynamodb_client().put_item(
                TableName=_table(), Item=item,
                ConditionExpression="attribute_not_exists(content_id) AND attribute_not_exists(#version)",
                ExpressionAttributeNames={"#version": "version"})
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict("Материал с таким идентификатором уже существует.") from exc
            raise_unavailable(exc)
        return content_from_item(item)

    def get(self, content_id: str, consistent: bool = True) -> Content:
        item = dynamodb_call("get_item", TableName=_table(), Key={"content_id": {"S": content_id}},
                             ConsistentRead=consistent).get("Item")
        if item is None:
            raise NotFound("Материал не найден.", code="content-not-found")
        return content_from_item(item)

    def save(self, content: Content, expected_version: int, expected_states: frozenset[str],
             edit: dict | None = None) -> Content:
        """Store edited fields (and a pending feed sync) if nobody saved since ``expected_version``."""
        current = self.get(content.content_id)
        if current.version != expected_version:
            raise Conflict(f"Материал уже изменён другим редактором (текущая версия {current.version}). "
                           "Обновите страницу и внесите правки заново.", code="version-conflict",
                           current_version=current.version)
        if current.state not in expected_states:
            raise Conflict("Материал в этом состоянии не редактируется.", code="not-editable", state=current.state)
        updated = replace(current, fields=content.fields, territory_ids=tuple(content.territory_ids),
                          publish_at=content.publish_at, feed_pending=content.feed_pending,
                          # who wrote this version, for four eyes (aj74.workflow.authors)
                          history=(*current.history, edit) if edit else current.history)
        states = sorted(expected_states)
        names = [f":s{i}" for i in range(len(states))]
        return self._save(current, updated, f"#state IN ({', '.join(names)})",
                          {n: {"S": s} for n, s in zip(names, states, strict=True)})

    def apply(self, content_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> Content:
        """Store a workflow transition (and extra fields) if the item is still where it was."""
        current = self.get(content_id)
        if current.state != transition.from_state or (expected_version and current.version != expected_version):
            raise Conflict(STALE, code="state-changed", state=current.state)
        updated = replace(current, state=transition.to_state, history=(*current.history, transition.as_dict()),
                          **fields)
        return self._save(current, updated, "#state = :from", {":from": {"S": transition.from_state}})

    def settle(self, content: Content) -> bool:
        """Clear the pending feed sync once the entries match the state; False when the item moved on
        meanwhile (another sync is then due)."""
        try:
            current = self.get(content.content_id)
        except NotFound:
            return False
        if current.state != content.state or current.feed_pending != content.feed_pending:
            return False
        try:  # sync_feed settles only a pending mark ("publish" or "remove")
            self._put(current, replace(current, feed_pending=None), "#state = :state AND feed_pending = :pending",
                      {":state": {"S": content.state}, ":pending": {"S": content.feed_pending}})
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise_unavailable(exc)
        return True

    def _put(self, current: Content, updated: Content, condition: str, condition_values: dict) -> Content:
        """Put ``updated`` whole (its ``due_at`` recomputed, the version one above ``current``'s) if
        the stored version is still ``current``'s and ``condition`` (on ``#state``) holds."""
        item = content_item(replace(updated, version=current.version + 1))
        dynamodb_client().put_item(
            TableName=_table(), Item=item, ConditionExpression=f"({condition}) AND #version = :version",
            ExpressionAttributeNames={"#state": "state", "#version": "version"},
            ExpressionAttributeValues={**condition_values, ":version": {"N": str(current.version)}})
        return content_from_item(item)

    def _save(self, current: Content, updated: Content, condition: str, condition_values: dict) -> Content:
        try:
            return self._put(current, updated, condition, condition_values)
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict(STALE, code="version-conflict") from exc
            raise_unavailable(exc)
            raise

    def in_state(self, state: str, due_by: datetime | None = None) -> list[Content]:
        """Items in ``state`` (only those due by ``due_by`` when given), by the GSI."""
        condition, values = "#state = :state", {":state": {"S": state}}
        if due_by:
            condition += " AND due_at <= :due"
            values[":due"] = {"S": iso(due_by)}
        items, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            try:
                response = dynamodb_client().query(
                    TableName=_table(), IndexName=BY_STATE, KeyConditionExpression=condition,
                    ExpressionAttributeNames={"#state": "state"}, ExpressionAttributeValues=values, **kwargs)
            except Exception as exc:
                raise_unavailable(exc)
            items += [content_from_item(i) for i in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                return items


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
    def items_for(content: Content, tree: TerritoryTree | None = None) -> list[dict]:
        """Every entry a published item owns, as DynamoDB items: one per territory it targets and
        each one below (``tree``, by default the region's)."""
        until = _epoch(model.visible_until(content, found_visible()))
        card = json.dumps(model.summary(content), ensure_ascii=False, separators=(",", ":"))
        items = []
        for territory in model.storage_territories(content.territory_ids, tree or territory_tree()):
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
        return [feed_entry(i) for i in response.get("Items", [])]

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
            entries.extend(feed_entry(i) for i in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start:
                return entries


def feed_entry(item: dict) -> Entry:
    """An entry of the feed table as a page reads it: its sort key, card and visible-until time."""
    until = item.get("u")
    return Entry(item["sk"]["S"], json.loads(item["c"]["S"]), int(until["N"]) if until else None)
