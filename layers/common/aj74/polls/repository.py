"""Polls in DynamoDB (PynamoDB). Every change is a conditional write on the version, so two
editors or two scheduler runs can never overwrite each other silently."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from aj74.clock import iso
from aj74.errors import Conflict, NotFound
from aj74.polls.model import EDITABLE_STATES, Poll, poll_from_record
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, is_condition_failure, meta, raise_unavailable
from aj74.workflow import Transition


@lru_cache(maxsize=1)
def _model():
    from pynamodb.attributes import (
        BooleanAttribute,
        JSONAttribute,
        UnicodeAttribute,
        VersionAttribute,
    )
    from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
    from pynamodb.models import Model

    class ByState(GlobalSecondaryIndex):
        class Meta:
            index_name = "by-state"
            projection = AllProjection()

        state = UnicodeAttribute(hash_key=True)
        opens_at = UnicodeAttribute(range_key=True)

    class PollRecord(Model):
        Meta = meta("polls_table")
        poll_id = UnicodeAttribute(hash_key=True)
        state = UnicodeAttribute()
        opens_at = UnicodeAttribute()
        closes_at = UnicodeAttribute()
        version = VersionAttribute()
        content = JSONAttribute()
        created_by = UnicodeAttribute()
        created_at = UnicodeAttribute()
        history = JSONAttribute(default=list)
        fingerprint = UnicodeAttribute(null=True)
        result = JSONAttribute(null=True)
        amendments = JSONAttribute(default=list)
        amend_pending = BooleanAttribute(null=True)
        # The content the Directorate last rejected: the approval queue shows what changed since.
        review_snapshot = JSONAttribute(null=True)
        # The execution report of a final poll (decision, status, dated updates).
        execution = JSONAttribute(null=True)
        # The feed news item that informs residents of the result (one per poll; see polls.informing).
        informed = JSONAttribute(null=True)
        by_state = ByState()

    return PollRecord


def _stored(value):
    """A field's value as its attribute stores it: the typed poll state (aj74.polls.state) as the
    JSON it always was, a tuple of them as a list; anything else as given."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_stored(v) for v in value]
    return value


def _to_poll(record) -> Poll:
    return poll_from_record(
        record.poll_id, record.state, record.version, record.content,
        {"created_by": record.created_by, "created_at": record.created_at, "history": record.history,
         "fingerprint": record.fingerprint, "result": record.result, "amendments": record.amendments or [],
         "amend_pending": bool(record.amend_pending), "review_snapshot": record.review_snapshot,
         "execution": record.execution, "informed": record.informed},
    )


class PollRepository:
    def create(self, poll: Poll) -> Poll:
        Record = _model()
        content = poll.content()
        record = Record(poll.poll_id, state=poll.state, opens_at=content["opens_at"], closes_at=content["closes_at"],
                        content=content, created_by=poll.created_by, created_at=poll.created_at, history=[])
        try:
            record.save(condition=Record.poll_id.does_not_exist())
        except Exception as exc:  # pynamodb.exceptions.PutError
            if is_condition_failure(exc):
                raise Conflict("Опрос с таким идентификатором уже существует.") from exc
            raise_unavailable(exc)
        return _to_poll(record)

    def _record(self, poll_id: str, consistent: bool = True):
        Record = _model()
        try:
            return Record.get(poll_id, consistent_read=consistent)
        except Record.DoesNotExist:
            raise NotFound("Опрос не найден.", code="poll-not-found") from None
        except Exception as exc:
            raise_unavailable(exc)

    def get(self, poll_id: str, consistent: bool = True) -> Poll:
        return _to_poll(self._record(poll_id, consistent))

    def save_content(self, poll: Poll, expected_version: int, edit: dict | None = None) -> Poll:
        """Replace a draft's content if nobody saved it since ``expected_version``. The condition on
        the state is what freezes a poll's content in storage once it leaves editing."""
        editable_states = EDITABLE_STATES
        Record = _model()
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
            record.history = [*(record.history or []), edit]
        self._save(record, Record.state.is_in(*editable_states))
        return _to_poll(record)

    def apply(self, poll_id: str, transition: Transition, expected_version: int | None = None, **fields) -> Poll:
        """Store a workflow transition (and any extra fields) if the poll is still where it was."""
        Record = _model()
        record = self._record(poll_id)
        if record.state != transition.from_state or (expected_version and record.version != expected_version):
            raise Conflict("Опрос изменился, пока вы работали с ним. Обновите страницу.", code="state-changed",
                           state=record.state)
        record.state = transition.to_state
        record.history = [*(record.history or []), transition.as_dict()]
        for name, value in fields.items():
            setattr(record, name, _stored(value))
        self._save(record, Record.state == transition.from_state)
        return _to_poll(record)

    def set_fields(self, poll_id: str, expected_state: str, **fields) -> Poll:
        Record = _model()
        record = self._record(poll_id)
        if record.state != expected_state:
            raise Conflict("Опрос изменился.", code="state-changed", state=record.state)
        for name, value in fields.items():
            setattr(record, name, _stored(value))
        self._save(record, Record.state == expected_state)
        return _to_poll(record)

    def mark_amendment_pending(self, poll_id: str) -> None:
        """A ballot reached the ledger after close: ask the scheduler to check the published result.

        Set whatever the state: if finalisation is under way, the version bump makes its save fail
        and the next tick recounts with this ballot; if it is done, the next tick amends.

        A plain UpdateItem that adds 1 to the version: PynamoDB's update of an item it has not
        loaded would *set* the version to 1, and a stale editor holding version 1 could then save
        over a newer poll (found by tests/integration/test_vote_ports_contract.py)."""
        try:
            dynamodb_client().update_item(
                TableName=get_settings().polls_table, Key={"poll_id": {"S": poll_id}},
                UpdateExpression="SET amend_pending = :yes ADD #version :one",
                ConditionExpression="attribute_exists(poll_id)",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":yes": {"BOOL": True}, ":one": {"N": "1"}})
        except Exception as exc:
            if not is_condition_failure(exc):
                raise_unavailable(exc)

    def _save(self, record, condition) -> None:
        try:
            record.save(condition=condition)
        except Exception as exc:
            if is_condition_failure(exc):
                raise Conflict("Опрос изменился, пока вы работали с ним. Обновите страницу.",
                               code="version-conflict") from exc
            raise_unavailable(exc)

    def by_state(self, state: str, *, opens_before: datetime | None = None, limit: int | None = None,
                 cursor: dict | None = None):
        """Polls in ``state`` ordered by opening time; returns (polls, next cursor)."""
        Record = _model()
        condition = Record.opens_at <= iso(opens_before) if opens_before else None
        try:
            result = Record.by_state.query(state, condition, limit=limit, last_evaluated_key=cursor,
                                           scan_index_forward=False)
            polls = [_to_poll(r) for r in result]
            return polls, result.last_evaluated_key
        except Exception as exc:
            raise_unavailable(exc)
