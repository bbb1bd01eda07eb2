"""A poll's state after its content is fixed (result, amendments, execution report, informing,
review snapshot, amendment flag) is typed in the domain (aj74.polls.state) but stored as it always
was: an item written before the types existed loads into them, and writing them back stores the
same JSON (docs/decisions/005-data-layout.md)."""

from __future__ import annotations

import json

from infra.local.provision import aws_client
from tests.support.polls import persona, poll_body

OLD_RESULT = {"total_ballots": 3, "counts": {"q1-o1": 2, "q1-o2": 1}, "merkle_root": "ab" * 32, "tree_size": 3,
              "live_tally_matched": True, "finalised_at": "2026-05-20T12:00:00Z",
              "breakdowns": [None, {"tables": {"territory": {"groups": ["gp-satka"]}}}],
              "audit_head": {"seq": 4, "hash": "cd" * 32, "at": "2026-05-20T11:59:00Z"}}
OLD_AMENDMENTS = [{"at": "2026-05-20T13:00:00Z", "previous_total": 2, "total": 3, "previous_merkle_root": "ef" * 32,
                   "merkle_root": "ab" * 32, "audit_head": {"seq": 4, "hash": "cd" * 32}}]
OLD_EXECUTION = {"updates": [{"date": "2026-12-01", "text": "Заключён контракт", "links": ["https://satka.ru/n"],
                              "added_at": "2026-12-01T09:00:00Z", "added_by": "moderator-satka"}],
                 "created_at": "2026-11-30T09:00:00Z", "decision": "Поставить фонари", "status": "in_progress",
                 "status_title": "выполняется", "updated_at": "2026-12-01T09:00:00Z", "updated_by": "moderator-satka"}
OLD_INFORMED = {"content_id": "01J00000000000000000000000", "at": "2026-12-02T09:00:00Z", "by": "approver"}


def _old_shaped_final_poll(stack) -> tuple[str, dict]:
    from aj74.polls import service
    from aj74.settings import get_settings

    poll = service.create_poll(persona("moderator-satka"), poll_body())
    snapshot = {"title": "Прежний заголовок", "questions": []}
    client, table = aws_client("dynamodb", stack.endpoint), get_settings().polls_table
    client.update_item(
        TableName=table, Key={"poll_id": {"S": poll["id"]}},
        UpdateExpression="SET #s = :s, #r = :r, amendments = :a, execution = :e, informed = :i, "
                         "review_snapshot = :rs, amend_pending = :p",
        ExpressionAttributeNames={"#s": "state", "#r": "result"},
        ExpressionAttributeValues={
            ":s": {"S": "final"}, ":r": {"S": json.dumps(OLD_RESULT)}, ":a": {"S": json.dumps(OLD_AMENDMENTS)},
            ":e": {"S": json.dumps(OLD_EXECUTION)}, ":i": {"S": json.dumps(OLD_INFORMED)},
            ":rs": {"S": json.dumps(snapshot)}, ":p": {"BOOL": True}})
    return poll["id"], snapshot


def _stored(stack, poll_id: str) -> dict:
    from aj74.settings import get_settings

    item = aws_client("dynamodb", stack.endpoint).get_item(
        TableName=get_settings().polls_table, Key={"poll_id": {"S": poll_id}}, ConsistentRead=True)["Item"]
    return {name: json.loads(item[name]["S"]) for name in ("result", "amendments", "execution", "informed")}


def test_an_item_in_the_stored_shape_loads_into_the_typed_state(stack):
    from aj74.polls.repository import PollRepository
    from aj74.polls.state import Amendment, Execution, ExecutionUpdate, Informed, Result

    poll_id, snapshot = _old_shaped_final_poll(stack)

    poll = PollRepository().get(poll_id)

    assert poll.result == Result(total_ballots=3, counts={"q1-o1": 2, "q1-o2": 1}, merkle_root="ab" * 32,
                                 tree_size=3, live_tally_matched=True, finalised_at="2026-05-20T12:00:00Z",
                                 breakdowns=(None, {"tables": {"territory": {"groups": ["gp-satka"]}}}),
                                 audit_head=OLD_RESULT["audit_head"])
    assert poll.amendments == (Amendment(**OLD_AMENDMENTS[0]),)
    assert poll.execution.updates == (ExecutionUpdate("2026-12-01", "Заключён контракт", ("https://satka.ru/n",),
                                                      "2026-12-01T09:00:00Z", "moderator-satka"),)
    assert isinstance(poll.execution, Execution) and poll.execution.status == "in_progress"
    from aj74.polls.reporting import resident_execution, staff_execution

    assert resident_execution(poll)["updates"][0]["photos"] == []  # written before photos existed
    assert staff_execution(poll.execution)["updates"][0] == {**OLD_EXECUTION["updates"][0], "photos": []}
    assert poll.informed == Informed(**OLD_INFORMED)
    assert poll.review_snapshot.content == snapshot
    assert poll.amend_pending is True
    PollRepository().set_fields(poll_id, "final", amend_pending=None)  # no scheduler amends this poll


def test_the_typed_state_is_stored_as_the_same_json(stack):
    from aj74.polls.repository import PollRepository

    poll_id, _ = _old_shaped_final_poll(stack)
    poll = PollRepository().get(poll_id)

    PollRepository().set_fields(poll_id, "final", result=poll.result, amendments=poll.amendments,
                                execution=poll.execution, informed=poll.informed, amend_pending=None)

    assert _stored(stack, poll_id) == {"result": OLD_RESULT, "amendments": OLD_AMENDMENTS,
                                       "execution": OLD_EXECUTION, "informed": OLD_INFORMED}
    assert PollRepository().get(poll_id).amend_pending is False


def test_an_execution_update_stored_before_photos_existed_loads_and_is_stored_unchanged():
    from aj74.polls.state import Execution, Photo

    report = Execution.from_dict(OLD_EXECUTION)

    assert report.updates[0].photos == ()
    assert report.as_dict() == OLD_EXECUTION  # no "photos": [] is added to old items
    assert report.for_residents(lambda media_id: f"https://cdn/media/{media_id}")["updates"][0] == {
        "date": "2026-12-01", "text": "Заключён контракт", "links": ["https://satka.ru/n"], "photos": []}
    with_photo = {**OLD_EXECUTION["updates"][0], "photos": [{"id": "01JA", "alt": "Фонари"}]}
    update = Execution.from_dict({**OLD_EXECUTION, "updates": [with_photo]}).updates[0]
    assert update.photos == (Photo(id="01JA", alt="Фонари"),) and update.as_dict() == with_photo


def test_a_result_stored_before_its_later_fields_existed_still_answers():
    from aj74.polls.state import Result

    result = Result.from_dict({"total_ballots": 3, "counts": {"q1-o1": 3}})

    assert (result.merkle_root, result.breakdowns, result.audit_head) == (None, None, None)
    assert result.as_dict() == {"total_ballots": 3, "counts": {"q1-o1": 3}}
