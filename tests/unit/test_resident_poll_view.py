"""The resident's poll view: why one cannot vote (codes and Russian words), participants in steps,
labels; the 14–17 age band through a breakdown."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.identity.principal import principal_from_claims
from aj74.polls import breakdown as bd
from aj74.polls import resident_view
from aj74.polls.state import Result
from aj74.territories import territory_tree

from tests.unit.test_poll_rules import OPENS, make_poll


def person(**claims):
    return principal_from_claims({"sub": "r-1", "roles": ["resident"], "territory_id": "gp-satka",
                                  "birth_year": 1980, **claims})


@pytest.fixture
def poll():
    return replace(make_poll(min_age=14), state="open")


def reason(poll, who, at=OPENS + timedelta(hours=1)):
    return resident_view.cannot_vote_reason(poll, who, territory_tree(), at)


def test_an_eligible_resident_of_an_open_poll_has_no_reason(poll):
    assert reason(poll, person()) is None


@pytest.mark.parametrize(("claims", "code", "words"), [
    ({"territory_id": "go-magnitogorsk"}, "territory", "только для жителей"),
    ({"birth_year": OPENS.year - 13}, "age", "от 14 лет"),
    ({"birth_year": None}, "no-birth-year", "год рождения"),
    ({"territory_id": None}, "no-territory", "место жительства"),
    ({"roles": ["moderator"]}, "not-resident", "только жители"),
])
def test_each_eligibility_problem_has_its_code_and_the_cast_paths_words(poll, claims, code, words):
    got = reason(poll, person(**claims))

    assert got["code"] == code and words in got["detail"]


def test_a_fourteen_year_old_may_vote_in_a_poll_from_fourteen(poll):
    assert reason(poll, person(birth_year=OPENS.year - 14)) is None


@pytest.mark.parametrize(("state", "at", "code"), [
    ("approved", OPENS - timedelta(hours=1), "not-started"),
    ("open", OPENS + timedelta(days=11), "closed"),
    ("final", OPENS + timedelta(days=12), "closed"),
    ("cancelled", OPENS + timedelta(hours=1), "cancelled"),
])
def test_a_poll_not_taking_ballots_says_so(poll, state, at, code):
    assert reason(replace(poll, state=state), person(), at)["code"] == code


def test_participants_are_stepped_while_open_and_exact_once_final(poll):
    final = replace(poll, state="final", result=Result.from_dict({"total_ballots": 13}))

    assert resident_view.participants(poll, 19, 10) == {"count": 10, "step": 10, "final": False}
    assert resident_view.participants(final, None, 10) == {"count": 13, "step": 1, "final": True}


def test_codes_come_with_labels(poll):
    assert resident_view.labels(poll)["state_title"] == "идёт голосование"
    assert resident_view.ballot_with_title({"state": "counted"})["state_title"] == "засчитан"


def test_a_breakdown_by_age_accepts_the_14_17_band():
    questions = [{"id": "q1", "text": "Что важнее?", "options": [{"id": "q1-o1", "text": "А"},
                                                                 {"id": "q1-o2", "text": "Б"}]}]
    ballots = [bd.VoterGroupBallot(("q1-o1",), "gp-satka", "14–17", "f") for _ in range(12)]
    ballots += [bd.VoterGroupBallot(("q1-o2",), "gp-satka", "25–34", "m") for _ in range(12)]

    table = bd.breakdown(questions, ballots, "age", 10)

    rows = {r["group"]: r["total"]["count"] for r in table["questions"][0]["rows"]}
    assert rows == {"14–17": 12, "25–34": 12}
