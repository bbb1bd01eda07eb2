"""Polls in DynamoDB, through the botocore client (docs/decisions/021-ports-and-adapters.md). Every
change is a write conditioned on the version, so two editors or two scheduler runs can never
overwrite each other silently.

The item keeps the attribute shapes the PynamoDB model wrote (``aj74.items``): the content, the
history and the typed poll state (``aj74.polls.state``) as JSON strings, ``amend_pending`` a
boolean, ``version`` a number that every save raises by one. The GSI ``by-state`` (``state``,
``opens_at``) lists the polls of a state by opening time.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from aj74.clock import iso
from aj74.errors import Conflict, NotFound
from aj74.items import BOOL, JSON, NUMBER, TEXT, from_item, to_item
from aj74.polls.model import EDITABLE_STATES, Poll, poll_from_record
from aj74.settings import get_settings
from aj74.storage import dynamodb_call, dynamodb_client, is_condition_failure, raise_unavailable
from aj74.workflow import Transition

ATTRIBUTES = {
    "poll_id": TEXT, "state": TEXT, "opens_at": TEXT, "closes_at": TEXT, "version": NUMBER, "content": JSON,
    "created_by": TEXT, "created_at": TEXT, "history": JSON, "fingerprint": TEXT, "result": JSON,
    "amendments": JSON, "amend_pending": BOOL,
    # The content the Directorate last rejected: the approval queue shows what changed since.
    "review_snapshot": JSON,
    # The execution report of a final poll (decision, status, dated updates).
    "execution": JSON,
    # The feed news item that informs residents of the result (one per poll; see polls.informing).
    "informed": JSON,
}
# Read back as an empty list when absent, and so written by every save (as the model's defaults were).
DEFAULTS = {"history": list, "amendments": list}
BY_STATE = "by-state"
STALE = "Опрос изменился, пока вы работали с ним. Обновите страницу."


def _table() -> str:
    name = get_settings().polls_table
    if not name:
        raise RuntimeError("POLLS_TABLE is not configured")
    return name


def _stored(value):
    """A field's value as its attribute stores it: the typed poll state (aj74.polls.state) as the
    JSON it always was, a tuple of them as a list; anything else as given."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_stored(v) for v in value]
    return value


def _to_poll(values: dict) -> Poll:
    return poll_from_record(
        values["poll_id"], values["state"], values["version"], values["content"],
        {"created_by": values["created_by"], "created_at": values["created_at"], "history": values["history"],
         "fingerprint": values["fingerprint"], "result": values["result"], "amendments": values["amendments"] or [],
         "amend_pending": bool(values["amend_pending"]), "review_snapshot": values["review_snapshot"],
         "execution": values["execution"], "informed": values["informed"]},
    )


class PollRepository:
    def create(self, poll: Poll) -> Poll:
        content = poll.content()
        values = {"poll_id": poll.poll_id, "state": poll.state, "opens_at": content["opens_at"],
                  "closes_at": content["closes_at"], "version": 1, "content": content,
                  "created_by": poll.created_by, "created_at": poll.created_at, "history": [], "amendments": []}
        try:
            dynamodb_client().put_item(
                TableName=_table(), Item=to_item(ATTRIBUTES, values),
                ConditionExpression="attribute_not_exists(poll_id) AND attribute_not_exists(#version)",
                ExpressionAttributeNames={"#version": "version"})
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict("Опрос с таким идентификатором уже существует.") from exc
            raise_unavailable(exc)
        return _to_poll(from_item(ATTRIBUTES, to_item(ATTRIBUTES, values), DEFAULTS))

    def _record(self, poll_id: str, consistent: bool = True) -> SimpleNamespace:
        """The poll's attributes as plain values (JSON decoded, the list defaults filled in), to
        change and save."""
        item = dynamodb_call("get_item", TableName=_table(), Key={"poll_id": {"S": poll_id}},
                             ConsistentRead=consistent).get("Item")
        if item is None:
            raise NotFound("Опрос не найден.", code="poll-not-found")
        return SimpleNamespace(**from_item(ATTRIBUTES, item, DEFAULTS))

    def get(self, poll_id: str, consistent: bool = True) -> Poll:
        return _to_poll(vars(self._record(poll_id, consistent)))

    def save_content(self, poll: Poll, expected_version: int, edit: dict | None = None) -> Poll:
        """Replace a draft's content if nobody saved it since ``expected_version``. The condition on
        the state is what freezes a poll's content in storage once it leaves editing."""
        editable_states = sorted(EDITABLE_STATES)
        record = self._record(poll.poll_id)
        if record.version != expected_version:
            raise Conflict(f"Опрос уже изменён другим редактором (текущая версия {record.version}). "
                           "Обновите страницу и внесите правки заново.", code="version-conflict",
                           current_version=record.version)
        if record.state not in editable_states:
            raise Conflict("Редактировать можно только черновик или отклонённый опрос.", code="not-editable")
        content = poll.content()
        record.content = content
        record.opens_at, record.closes_at = content["opens_at"], content["closes_at"]
        if edit:  # who wrote this version, for four eyes (aj74.workflow.authors)
            record.history = [*record.history, edit]
        names = [f":s{i}" for i in range(len(editable_states))]
        return self._save(record, f"#state IN ({', '.join(names)})",
                          {n: {"S": s} for n, s in zip(names, editable_states, strict=True)})

    def apply(self, poll_id: str, transition: Transition, expected_version: int | None = None, **fields) -> Poll:
        """Store a workflow transition (and any extra fields) if the poll is still where it was."""
        record = self._record(poll_id)
        if record.state != transition.from_state or (expected_version and record.version != expected_version):
            raise Conflict(STALE, code="state-changed", state=record.state)
        record.state = transition.to_state
        record.history = [*record.history, transition.as_dict()]
        vars(record).update({name: _stored(value) for name, value in fields.items()})
        return self._save(record, "#state = :from", {":from": {"S": transition.from_state}})

    def set_fields(self, poll_id: str, expected_state: str, **fields) -> Poll:
        record = self._record(poll_id)
        if record.state != expected_state:
            raise Conflict("Опрос изменился.", code="state-changed", state=record.state)
        vars(record).update({name: _stored(value) for name, value in fields.items()})
        return self._save(record, "#state = :from", {":from": {"S": expected_state}})

    def mark_amendment_pending(self, poll_id: str) -> None:
        """A ballot reached the ledger after close: ask the scheduler to check the published result.

        Set whatever the state: if finalisation is under way, the version bump makes its save fail
        and the next tick recounts with this ballot; if it is done, the next tick amends.

        An UpdateItem that adds 1 to the version: the PynamoDB update it replaced, on an item not
        loaded, *set* the version to 1, and a stale editor holding version 1 could then save over a
        newer poll (found by tests/integration/test_vote_ports_contract.py)."""
        try:
            dynamodb_client().update_item(
                TableName=_table(), Key={"poll_id": {"S": poll_id}},
                UpdateExpression="SET amend_pending = :yes ADD #version :one",
                ConditionExpression="attribute_exists(poll_id)",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":yes": {"BOOL": True}, ":one": {"N": "1"}})
        except Exception as exc:
            if not is_condition_failure(exc):
                raise_unavailable(exc)

    def _save(self, record: SimpleNamespace, condition: str, condition_values: dict) -> Poll:
        """Put the whole item, the version raised by one, if the stored version is still the one
        read and ``condition`` (on ``#state``) holds; else Conflict ``version-conflict``."""
        stored = {**vars(record), "version": record.version + 1}
        try:
            dynamodb_client().put_item(
                TableName=_table(), Item=to_item(ATTRIBUTES, stored),
                ConditionExpression=f"({condition}) AND #version = :version",
                ExpressionAttributeNames={"#state": "state", "#version": "version"},
                ExpressionAttributeValues={**condition_values, ":version": {"N": str(record.version)}})
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict(STALE, code="version-conflict") from exc
            raise_unavailable(exc)
        return _to_poll(from_item(ATTRIBUTES, to_item(ATTRIBUTES, stored), DEFAULTS))

    def by_state(self, state: str, *, opens_before: datetime | None = None, limit: int | None = None,
                 cursor: dict | None = None):
        """Polls in ``state`` ordered by opening time, latest first; returns (polls, next cursor).
        With ``limit``, up to that many polls and the key to go on from (None after the last page);
        without it, every poll of the state."""
        condition, values = "#state = :state", {":state": {"S": state}}
        if opens_before:
            condition += " AND opens_at <= :before"
            values[":before"] = {"S": iso(opens_before)}
        polls, start = [], cursor
        while limit is None or len(polls) < limit:
            request = {"TableName": _table(), "IndexName": BY_STATE, "KeyConditionExpression": condition,
                       "ExpressionAttributeNames": {"#state": "state"}, "ExpressionAttributeValues": values,
                       "ScanIndexForward": False}
            if limit is not None:
                request["Limit"] = limit - len(polls)
            if start:
                request["ExclusiveStartKey"] = start
            try:
                response = dynamodb_client().query(**request)
            except Exception as exc:
                raise_unavailable(exc)
            polls += [_to_poll(from_item(ATTRIBUTES, item, DEFAULTS)) for item in response.get("Items", [])]
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return polls, start
