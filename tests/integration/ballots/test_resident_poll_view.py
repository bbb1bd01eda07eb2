"""What the resident's poll list and poll page say before a ballot: can I vote, and if not why;
how many have taken part so far (stepped while open); the labels of the codes; images."""

from __future__ import annotations

import pytest
from aj74.ballots.demographics import age_band
from aj74.clock import utcnow
from aj74.errors import InvalidInput
from aj74.polls import service, voting

from tests.support.polls import answers, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_poll_resident_and_execution.py, test_result_services.py), and the contract
# tests hold the fakes to the adapters on moto;
# here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow


def _listed(voter, poll_id: str) -> dict:
    items = service.list_for_resident(voter, "open", 50, None)["items"]
    return next(p for p in items if p["id"] == poll_id)


def test_an_eligible_resident_can_vote_and_still_can_after_voting(pipeline, open_poll):
    voter = resident(f"eligible-{open_poll}")

    before = _listed(voter, open_poll)
    voting.cast_ballot(voter, open_poll, answers(1, (1,)), None)
    pipeline.drain()
    after = service.get_for_resident(voter, open_poll)

    assert before["can_vote"] is True and before["cannot_vote_reason"] is None and before["voted"] is False
    # a ballot cast is not a reason: it may be changed until close
    assert after["can_vote"] is True and after["cannot_vote_reason"] is None and after["voted"] is True
    assert before["state_title"] == "идёт голосование"
    assert [q["kind_title"] for q in before["questions"]] == ["один вариант", "несколько вариантов"]
    assert "image" in before and before["image"] is None


def test_a_resident_born_too_late_is_told_why_before_opening_the_poll(pipeline, open_poll):
    child = resident(f"child-{open_poll}", birth_year=2015)

    poll = _listed(child, open_poll)

    assert poll["can_vote"] is False
    assert poll["cannot_vote_reason"] == {"code": "age", "detail": "Опрос для участников от 16 лет."}


def test_a_resident_without_a_birth_year_is_told_so(pipeline, open_poll):
    from aj74.identity.principal import principal_from_claims

    nobody = principal_from_claims({"sub": f"nobirth-{open_poll}", "roles": ["resident"], "territory_id": "gp-satka"})

    reason = service.get_for_resident(nobody, open_poll)["cannot_vote_reason"]

    assert reason["code"] == "no-birth-year" and "год рождения" in reason["detail"]


def test_participants_so_far_move_in_the_steps_live_results_do(pipeline, open_poll):
    for i in range(13):
        voting.cast_ballot(resident(f"p{i}-{open_poll}"), open_poll, answers(2, (3,)), None)
    pipeline.drain()

    participants = service.get_for_resident(resident(f"reader-{open_poll}"), open_poll)["participants"]

    assert participants == {"count": 10, "step": 10, "final": False}


def test_an_answer_error_names_the_question_by_its_text(pipeline, open_poll):
    with pytest.raises(InvalidInput) as invalid:
        voting.cast_ballot(resident(f"half-{open_poll}"), open_poll,
                            {"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]}, None)

    assert invalid.value.errors == [{"field": "answers", "detail": "нет ответа на вопрос «Что ещё добавить?»"}]


def test_a_fourteen_year_old_ballot_lands_in_the_14_17_band():
    assert age_band(utcnow().year - 14, utcnow().year) == "14–17"
    assert age_band(utcnow().year - 17, utcnow().year) == "14–17"
