"""The poll rules that need no storage: territory scope of staff, who may vote, what a valid set of
answers is, and how results read (counts, shares, the recount and the coarse demographic bands).

Callers are the development personas turned into principals exactly as a verified token would be.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from aj74.ballots.demographics import age_band
from aj74.ballots.tally import counter_name, option_from_counter
from aj74.errors import Forbidden, InvalidInput
from aj74.identity.principal import principal_from_claims
from aj74.integrity.published import count
from aj74.polls.model import (
    assign_ids,
    eligibility_problem,
    new_poll,
    normalize_answers,
    results_body,
    visible_to,
)
from aj74.scope import check_territories_exist, out_of_scope, require_scope
from aj74.territories import territory_tree

from infra.local.dev_identity.provider import PERSONAS

CHELYABINSK_TIME = timezone(timedelta(hours=5))
OPENS = datetime(2026, 6, 1, 9, 0, tzinfo=CHELYABINSK_TIME)
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def tree():
    return territory_tree()


def persona(name: str, **overrides):
    return principal_from_claims({**PERSONAS[name], **overrides})


def question(text: str, n_options: int, kind: str = "single", min_choices: int = 1,
             max_choices: int = 1) -> dict:
    return {"text": text, "kind": kind, "min_choices": min_choices, "max_choices": max_choices,
            "options": [{"text": f"Вариант {i}"} for i in range(1, n_options + 1)]}


def make_poll(territory_ids=("mr-satkinsky",), min_age: int = 14, questions=None):
    content = {
        "title": "Благоустройство набережной озера Зюраткуль",
        "description": "",
        "image_url": None,
        "territory_ids": list(territory_ids),
        "opens_at": OPENS,
        "closes_at": OPENS + timedelta(days=10),
        "min_age": min_age,
        "results_visibility": "after_close",
        "questions": questions if questions is not None else [
            question("Что благоустроить первым?", 3),
            question("Что ещё нужно?", 4, kind="multiple", min_choices=1, max_choices=2),
        ],
    }
    return new_poll("01JXK5T8QD0000000000000000", content, persona("moderator-satka"), NOW)


# ------------------------------------------------------------------ a new poll
def test_a_new_poll_is_a_draft_with_ids_in_the_order_the_editor_wrote():
    # When
    poll = make_poll()

    # Then
    assert poll.state == "draft"
    assert poll.created_by == "staff-mod-satka"
    assert poll.created_at == "2026-05-20T12:00:00Z"
    assert [q.id for q in poll.questions] == ["q1", "q2"]
    assert poll.option_ids == ["q1-o1", "q1-o2", "q1-o3", "q2-o1", "q2-o2", "q2-o3", "q2-o4"]
    assert poll.content()["opens_at"] == "2026-06-01T04:00:00Z"


def test_assign_ids_numbers_questions_and_options_from_one():
    # Given
    questions = [question("Первый", 2), question("Второй", 3)]

    # When
    with_ids = assign_ids(questions)

    # Then
    assert [(q["id"], [o["id"] for o in q["options"]]) for q in with_ids] == [
        ("q1", ["q1-o1", "q1-o2"]), ("q2", ["q2-o1", "q2-o2", "q2-o3"]),
    ]
    assert [o["text"] for o in with_ids[1]["options"]] == ["Вариант 1", "Вариант 2", "Вариант 3"]


def test_a_poll_accepts_ballots_only_while_open_and_within_its_window():
    # Given
    poll = make_poll()
    open_poll = replace(poll, state="open")

    # Then
    assert not poll.is_accepting(OPENS + timedelta(hours=1)), "a draft never accepts ballots"
    assert not open_poll.is_accepting(OPENS - timedelta(seconds=1))
    assert open_poll.is_accepting(OPENS)
    assert open_poll.is_accepting(open_poll.closes_at - timedelta(seconds=1))
    assert not open_poll.is_accepting(open_poll.closes_at)


# ------------------------------------------------------------------ territory scope
@pytest.mark.parametrize("territory_ids", [["gp-satka"], ["mr-satkinsky"], ["gp-satka", "mr-satkinsky"]])
def test_a_district_moderator_may_target_the_district_and_its_settlements(tree, territory_ids):
    # Given
    moderator = persona("moderator-satka")

    # When
    outside = out_of_scope(moderator, territory_ids, tree)

    # Then
    assert outside == []
    require_scope(moderator, territory_ids, tree)


def test_a_district_moderator_may_not_target_another_city(tree):
    # Given
    moderator = persona("moderator-satka")

    # When
    outside = out_of_scope(moderator, ["gp-satka", "go-magnitogorsk"], tree)

    # Then
    assert outside == ["go-magnitogorsk"]


def test_a_scope_denial_is_forbidden_with_a_russian_reason_naming_the_territory(tree):
    # Given
    moderator = persona("moderator-satka")

    # When
    with pytest.raises(Forbidden) as denied:
        require_scope(moderator, ["mr-satkinsky", "go-magnitogorsk"], tree)

    # Then
    assert denied.value.code == "territory-scope"
    assert "Магнитогорский городской округ" in denied.value.detail
    assert "вне вашей зоны ответственности" in denied.value.detail
    assert "Саткинский" not in denied.value.detail


def test_a_district_moderator_may_not_target_the_whole_region(tree):
    moderator = persona("moderator-satka")

    assert out_of_scope(moderator, ["chelyabinsk-oblast"], tree) == ["chelyabinsk-oblast"]


@pytest.mark.parametrize("name", ["approver", "admin"])
def test_regional_staff_act_anywhere(tree, name):
    assert out_of_scope(persona(name), ["go-magnitogorsk", "gp-satka", "chelyabinsk-oblast"], tree) == []


def test_unknown_territories_are_invalid_input_listing_each(tree):
    with pytest.raises(InvalidInput) as invalid:
        check_territories_exist(["gp-satka", "gp-atlantis", "mr-nowhere"], tree)

    assert [e["field"] for e in invalid.value.errors] == ["territory_ids", "territory_ids"]
    assert "gp-atlantis" in invalid.value.detail and "mr-nowhere" in invalid.value.detail


# ------------------------------------------------------------------ eligibility and visibility
@pytest.mark.parametrize("target", ["mr-satkinsky", "gp-satka", "chelyabinsk-oblast"])
def test_a_satka_resident_may_vote_on_a_poll_for_satka_its_district_or_the_region(tree, target):
    # Given
    poll = make_poll(territory_ids=[target])

    # When
    problem = eligibility_problem(poll, persona("resident-satka"), tree)

    # Then
    assert problem is None
    assert visible_to(poll, persona("resident-satka"), tree)


def test_a_satka_resident_may_not_vote_on_a_magnitogorsk_poll(tree):
    # Given
    poll = make_poll(territory_ids=["go-magnitogorsk"])

    # When
    problem = eligibility_problem(poll, persona("resident-satka"), tree)

    # Then
    assert problem == "Опрос проводится только для жителей: Магнитогорский городской округ."
    assert not visible_to(poll, persona("resident-satka"), tree)


def test_a_poll_on_a_settlement_is_not_for_the_rest_of_its_district(tree):
    # Given a poll for the town of Bakal only
    poll = make_poll(territory_ids=["gp-bakal"])

    # Then a resident of Satka, in the same district, neither sees it nor votes
    assert eligibility_problem(poll, persona("resident-satka"), tree) is not None
    assert not visible_to(poll, persona("resident-satka"), tree)


def test_a_resident_who_turns_the_minimum_age_in_the_opening_year_may_vote(tree):
    # Given a 14+ poll opening in 2026 and a resident born in 2012
    poll = make_poll(min_age=14)
    teen = persona("resident-satka", birth_year=2012)

    # Then
    assert eligibility_problem(poll, teen, tree) is None


def test_an_under_age_resident_is_refused_by_birth_year(tree):
    # Given a 14+ poll opening in 2026 and a resident born in 2013
    poll = make_poll(min_age=14)
    child = persona("resident-satka", birth_year=2013)

    # When
    problem = eligibility_problem(poll, child, tree)

    # Then
    assert problem == "Опрос для участников от 14 лет."


def test_a_missing_birth_year_is_refused_when_the_poll_has_a_minimum_age(tree):
    # Given
    poll = make_poll(min_age=18)
    unknown_age = persona("resident-satka", birth_year=None)

    # When
    problem = eligibility_problem(poll, unknown_age, tree)

    # Then
    assert problem == "Для участия нужен указанный год рождения."


def test_a_missing_birth_year_is_fine_when_the_poll_has_no_minimum_age(tree):
    poll = make_poll(min_age=0)

    assert eligibility_problem(poll, persona("resident-satka", birth_year=None), tree) is None


@pytest.mark.parametrize("name", ["moderator-satka", "approver", "admin", "analyst", "emergency"])
def test_staff_without_the_resident_role_cannot_vote_even_where_they_live(tree, name):
    # Given a regional poll: every staff persona lives inside the region
    poll = make_poll(territory_ids=["chelyabinsk-oblast"])

    # When
    problem = eligibility_problem(poll, persona(name), tree)

    # Then
    assert problem == "Голосовать могут только жители (роль «житель»)."


def test_staff_who_are_also_residents_vote_like_residents(tree):
    poll = make_poll(territory_ids=["mr-satkinsky"])
    resident_moderator = persona("moderator-satka", roles=["moderator", "resident"])

    assert eligibility_problem(poll, resident_moderator, tree) is None


@pytest.mark.parametrize("territory_id", [None, "gp-atlantis"])
def test_a_resident_without_a_known_home_neither_votes_nor_sees_polls(tree, territory_id):
    poll = make_poll(territory_ids=["chelyabinsk-oblast"])
    homeless = persona("resident-satka", territory_id=territory_id)

    assert eligibility_problem(poll, homeless, tree) == "В профиле не указано место жительства."
    assert not visible_to(poll, homeless, tree)


# ------------------------------------------------------------------ answers
def answer(question_id: str, *option_ids: str) -> dict:
    return {"question_id": question_id, "option_ids": list(option_ids)}


def rejected_fields(poll, answers) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as invalid:
        normalize_answers(poll, answers)
    return [(e["field"], e["detail"]) for e in invalid.value.errors]


def test_valid_answers_become_the_chosen_option_ids_in_poll_order():
    # Given answers listed out of order
    poll = make_poll()

    # When
    chosen = normalize_answers(poll, [answer("q2", "q2-o4", "q2-o1"), answer("q1", "q1-o3")])

    # Then
    assert chosen == ("q1-o3", "q2-o1", "q2-o4")


def test_option_order_is_numeric_not_alphabetical():
    # Given a poll with 10 questions of 12 options
    poll = make_poll(questions=[question(f"Вопрос {i}", 12) for i in range(1, 11)])
    answers = [answer(f"q{i}", f"q{i}-o{13 - i}") for i in range(10, 0, -1)]

    # When
    chosen = normalize_answers(poll, answers)

    # Then q2 comes before q10 and o2 before o12
    assert chosen == tuple(f"q{i}-o{13 - i}" for i in range(1, 11))


def test_every_question_must_be_answered_and_a_missing_one_is_named_by_its_text():
    poll = make_poll()

    assert rejected_fields(poll, [answer("q1", "q1-o1")]) == [("answers", "нет ответа на вопрос «Что ещё нужно?»")]


def test_no_answers_at_all_names_every_question():
    poll = make_poll()

    assert rejected_fields(poll, []) == [("answers", "нет ответа на вопрос «Что благоустроить первым?»"),
                                         ("answers", "нет ответа на вопрос «Что ещё нужно?»")]


def test_options_must_belong_to_the_question():
    # Given an option of q2 given as an answer to q1
    poll = make_poll()

    # When
    errors = rejected_fields(poll, [answer("q1", "q2-o1"), answer("q2", "q2-o2")])

    # Then
    assert errors == [("answers.0.option_ids", "«Что благоустроить первым?»: варианты не из этого вопроса: q2-o1")]


def test_an_option_that_does_not_exist_is_refused():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o9"), answer("q2", "q2-o1")])

    assert errors == [("answers.0.option_ids", "«Что благоустроить первым?»: варианты не из этого вопроса: q1-o9")]


def test_a_question_answered_twice_is_refused():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o1"), answer("q2", "q2-o1"), answer("q1", "q1-o2")])

    assert errors == [("answers.2.question_id", "ответ на вопрос «Что благоустроить первым?» указан дважды")]


def test_the_same_option_twice_is_refused():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o1"), answer("q2", "q2-o1", "q2-o1")])

    assert errors == [("answers.1.option_ids", "«Что ещё нужно?»: варианты повторяются")]


def test_a_single_choice_question_takes_exactly_one_option():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o1", "q1-o2"), answer("q2", "q2-o1")])

    assert errors == [("answers.0.option_ids", "«Что благоустроить первым?»: нужно выбрать один вариант")]


def test_a_multiple_choice_question_takes_no_more_than_its_maximum():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o1"), answer("q2", "q2-o1", "q2-o2", "q2-o3")])

    assert errors == [("answers.1.option_ids", "«Что ещё нужно?»: нужно выбрать от 1 до 2 вариантов")]


def test_a_multiple_choice_question_takes_no_fewer_than_its_minimum():
    poll = make_poll(questions=[question("Выберите не меньше двух", 4, kind="multiple", min_choices=2,
                                         max_choices=3)])

    assert rejected_fields(poll, [answer("q1", "q1-o1")]) == [
        ("answers.0.option_ids", "«Выберите не меньше двух»: нужно выбрать от 2 до 3 вариантов")]
    assert normalize_answers(poll, [answer("q1", "q1-o3", "q1-o1")]) == ("q1-o1", "q1-o3")


def test_an_unknown_question_is_refused_and_the_real_one_reported_missing():
    poll = make_poll()

    errors = rejected_fields(poll, [answer("q1", "q1-o1"), answer("q7", "q7-o1")])

    assert errors == [("answers.1.question_id", "в опросе нет такого вопроса"),
                      ("answers", "нет ответа на вопрос «Что ещё нужно?»")]


def test_invalid_answers_are_reported_in_russian_all_at_once():
    poll = make_poll()

    with pytest.raises(InvalidInput) as invalid:
        normalize_answers(poll, [answer("q1", "q1-o1", "q1-o2"), answer("q2", "q2-o1", "q2-o1")])

    assert invalid.value.detail == "Ответы заполнены неверно."
    assert len(invalid.value.errors) == 2


# ------------------------------------------------------------------ results
def test_results_give_each_option_its_count_and_share_of_ballots():
    # Given three ballots
    poll = make_poll()
    total, counts = count([("q1-o1", "q2-o1"), ("q1-o1", "q2-o1", "q2-o2"), ("q1-o2", "q2-o4")])

    # When
    body = results_body(poll, counts, total, "final")

    # Then
    assert body["poll_id"] == poll.poll_id
    assert body["state"] == "final"
    assert body["total_ballots"] == 3
    first, second = body["questions"]
    assert [(o["id"], o["count"], o["share"]) for o in first["options"]] == [
        ("q1-o1", 2, 0.6667), ("q1-o2", 1, 0.3333), ("q1-o3", 0, 0.0),
    ]
    assert first["options"][0]["text"] == "Вариант 1"
    # a multiple-choice question's shares are per ballot, so they may add up to more than one
    assert [o["share"] for o in second["options"]] == [0.6667, 0.3333, 0.0, 0.3333]
    assert second["kind"] == "multiple"


def test_results_with_no_ballots_show_zero_shares_not_an_error():
    poll = make_poll()

    body = results_body(poll, {}, 0, "closed")

    assert body["total_ballots"] == 0
    assert all(o["count"] == 0 and o["share"] == 0.0 for q in body["questions"] for o in q["options"])


def test_the_recount_counts_ballots_and_each_chosen_option():
    total, counts = count(iter([("q1-o1",), ("q1-o1",), ("q1-o2",)]))

    assert total == 3
    assert counts == {"q1-o1": 2, "q1-o2": 1}
    assert count([]) == (0, {})


@pytest.mark.parametrize("option_id", ["q1-o1", "q1-o10", "q20-o50"])
def test_tally_counter_names_round_trip(option_id):
    name = counter_name(option_id)

    assert name.startswith("c_") and "-" not in name
    assert option_from_counter(name) == option_id


@pytest.mark.parametrize(("birth_year", "band"), [
    (2013, "до 14"), (2012, "14–17"), (2009, "14–17"), (2008, "18–24"), (2002, "18–24"), (2001, "25–34"),
    (1962, "55–64"), (1961, "65+"),
    (1900, "65+"), (None, "не указан"), (2030, "не указан"),
])
def test_ballots_keep_only_a_coarse_age_band(birth_year, band):
    assert age_band(birth_year, 2026) == band
