"""Informing the public of a final poll's result drafts one news item per poll, however often the
action is repeated (double clicks, retries, the moderator and the Directorate both pressing it)."""

from __future__ import annotations

from aj74.clock import iso, utcnow

from tests.support.polls import persona, poll_body


def final_poll() -> str:
    """A Сатка poll drafted by its moderator and moved straight to ``final`` with a small result."""
    import json

    from aj74.polls import service
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    poll = service.create_poll(persona("moderator-satka"), poll_body())
    result = {"total_ballots": 3, "counts": {"q1-o1": 2, "q1-o2": 1}, "finalised_at": iso(utcnow())}
    dynamodb_client().update_item(
        TableName=get_settings().polls_table, Key={"poll_id": {"S": poll["id"]}},
        UpdateExpression="SET #state = :final, #result = :result ADD #version :one",
        ExpressionAttributeNames={"#state": "state", "#result": "result", "#version": "version"},
        ExpressionAttributeValues={":final": {"S": "final"}, ":result": {"S": json.dumps(result)},
                                   ":one": {"N": "1"}})
    return poll["id"]


def results_news_in_review() -> set[str]:
    from aj74.content import service

    items = service.list_staff(persona("approver"), "in_review", 100, None)["items"]
    return {c["id"] for c in items if c["title"].startswith("Итоги опроса")}


def test_informing_twice_returns_the_first_news_item_instead_of_a_second_one():
    from aj74.polls import informing
    from aj74.polls import service as polls

    poll_id = final_poll()
    news_before = results_news_in_review()

    first, created_first = informing.inform(persona("moderator-satka"), poll_id)
    again, created_again = informing.inform(persona("moderator-satka"), poll_id)
    by_approver, created_by_approver = informing.inform(persona("approver"), poll_id)

    assert (created_first, created_again, created_by_approver) == (True, False, False)
    assert again["id"] == by_approver["id"] == first["id"]
    assert first["state"] == "in_review"
    assert polls.get_staff(persona("approver"), poll_id)["informed_content_id"] == first["id"]
    assert results_news_in_review() == news_before | {first["id"]}


def test_a_call_interrupted_after_reserving_the_id_is_completed_by_the_next_one():
    from aj74.polls import informing
    from aj74.polls.repository import PollRepository

    poll_id = final_poll()
    reserved = {"content_id": "01J00000000000000000000000", "at": iso(utcnow()), "by": "moderator-satka"}
    PollRepository().set_fields(poll_id, "final", informed=reserved)

    item, created = informing.inform(persona("moderator-satka"), poll_id)

    assert created is True
    assert item["id"] == reserved["content_id"] and item["state"] == "in_review"
