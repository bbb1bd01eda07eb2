"""Request bodies of the poll and ballot routes: what the editor and the app may send, and the
Russian field errors they get back for everything else (``parse_model`` → InvalidInput)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aj74.errors import InvalidInput
from aj74.polls.schemas import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    BallotIn,
    CommentIn,
    PollContentIn,
    PollPatchIn,
)
from aj74.validation import parse_model, summary


def question(n_options: int = 3, **fields) -> dict:
    return {"text": "Что благоустроить первым?", "kind": "single",
            "options": [{"text": f"Вариант {i}"} for i in range(1, n_options + 1)], **fields}


def poll_body(**fields) -> dict:
    return {
        "title": "Благоустройство набережной",
        "territory_ids": ["mr-satkinsky"],
        "opens_at": "2026-06-01T09:00:00+05:00",
        "closes_at": "2026-06-10T21:00:00+05:00",
        "questions": [question()],
        **fields,
    }


def field_errors(model, body: dict) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as invalid:
        parse_model(model, body)
    return [(e["field"], e["detail"]) for e in invalid.value.errors]


# ------------------------------------------------------------------ a valid poll
def test_a_minimal_poll_gets_the_documented_defaults():
    # When
    poll = parse_model(PollContentIn, poll_body())

    # Then
    assert poll.min_age == 14
    assert poll.results_visibility == "after_close"
    assert poll.description == ""
    assert poll.image_url is None
    assert poll.opens_at == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    assert (poll.questions[0].min_choices, poll.questions[0].max_choices) == (1, 1)


def test_text_is_trimmed():
    poll = parse_model(PollContentIn, poll_body(title="  Благоустройство  ", description="  Подробности \n"))

    assert (poll.title, poll.description) == ("Благоустройство", "Подробности")


def test_a_multiple_choice_question_allows_every_option_unless_limited():
    poll = parse_model(PollContentIn, poll_body(questions=[question(4, kind="multiple")]))

    assert (poll.questions[0].min_choices, poll.questions[0].max_choices) == (1, 4)


@pytest.mark.parametrize(("n_questions", "n_options"), [(1, 2), (MAX_QUESTIONS, MAX_OPTIONS)])
def test_the_limits_themselves_are_accepted(n_questions, n_options):
    poll = parse_model(PollContentIn, poll_body(questions=[question(n_options)] * n_questions))

    assert len(poll.questions) == n_questions
    assert len(poll.questions[0].options) == n_options


# ------------------------------------------------------------------ questions and options
def test_a_poll_needs_at_least_one_question():
    assert field_errors(PollContentIn, poll_body(questions=[])) == [("questions", "элементов должно быть не меньше: 1")]


def test_a_poll_has_at_most_twenty_questions():
    errors = field_errors(PollContentIn, poll_body(questions=[question()] * 21))

    assert errors == [("questions", "элементов должно быть не больше: 20")]


def test_a_question_needs_at_least_two_options():
    errors = field_errors(PollContentIn, poll_body(questions=[question(), question(1)]))

    assert errors == [("questions.1.options", "элементов должно быть не меньше: 2")]


def test_a_question_has_at_most_fifty_options():
    errors = field_errors(PollContentIn, poll_body(questions=[question(51)]))

    assert errors == [("questions.0.options", "элементов должно быть не больше: 50")]


@pytest.mark.parametrize(("limits", "field"), [
    ({"max_choices": 2}, "max_choices"), ({"min_choices": 2}, "min_choices"),
    ({"min_choices": 2, "max_choices": 2}, "max_choices")])
def test_a_single_choice_question_takes_exactly_one_option(limits, field):
    errors = field_errors(PollContentIn, poll_body(questions=[question(3, **limits)]))

    assert errors == [(f"questions.0.{field}", "В вопросе с одним ответом отмечается ровно один вариант")]


def test_a_multiple_choice_maximum_cannot_exceed_the_options():
    errors = field_errors(PollContentIn, poll_body(questions=[question(3, kind="multiple", max_choices=4)]))

    assert errors == [("questions.0.max_choices", "Можно отметить не больше вариантов, чем есть в вопросе")]


def test_a_multiple_choice_minimum_cannot_exceed_the_maximum():
    body = poll_body(questions=[question(5, kind="multiple", min_choices=3, max_choices=2)])

    assert field_errors(PollContentIn, body) == [
        ("questions.0.min_choices", "Минимум отмеченных вариантов не может быть больше максимума")]


def test_choice_limits_start_at_one():
    errors = field_errors(PollContentIn, poll_body(questions=[question(3, kind="multiple", min_choices=0)]))

    assert errors == [("questions.0.min_choices", "значение должно быть не меньше 1")]


def test_an_unknown_question_kind_lists_the_allowed_ones():
    errors = field_errors(PollContentIn, poll_body(questions=[question(kind="ranking")]))

    assert [f for f, _ in errors] == ["questions.0.kind"]
    assert errors[0][1].startswith("допустимые значения:")
    assert "single" in errors[0][1] and "multiple" in errors[0][1]


def options(*texts: str) -> list[dict]:
    return [{"text": t} for t in texts]


@pytest.mark.parametrize("repeat", ["Детская площадка", "детская площадка", "  ДЕТСКАЯ ПЛОЩАДКА ", "Детская  площадка"])
def test_an_option_repeated_in_a_question_is_refused_at_the_repeat(repeat):
    body = poll_body(questions=[question(), {**question(), "options": options("Детская площадка", repeat, "Сквер")}])

    errors = field_errors(PollContentIn, body)

    assert errors == [("questions.1.options.1.text", "Такой вариант ответа уже есть в этом вопросе")]


def test_every_repeat_is_named_and_the_first_occurrence_is_not():
    body = poll_body(questions=[{**question(), "options": options("Да", "Нет", "да", "Не знаю", "НЕТ")}])

    errors = field_errors(PollContentIn, body)

    assert [f for f, _ in errors] == ["questions.0.options.2.text", "questions.0.options.4.text"]


def test_the_same_option_in_different_questions_is_fine():
    body = poll_body(questions=[{**question(), "options": options("Да", "Нет")},
                                {**question(), "options": options("Да", "Нет")}])

    assert len(parse_model(PollContentIn, body).questions) == 2


def test_a_repeated_option_and_a_bad_limit_are_both_reported():
    body = poll_body(questions=[question(kind="multiple", max_choices=4) | {"options": options("А", "Б", "а")}])

    errors = field_errors(PollContentIn, body)

    assert errors == [("questions.0.options.2.text", "Такой вариант ответа уже есть в этом вопросе"),
                      ("questions.0.max_choices", "Можно отметить не больше вариантов, чем есть в вопросе")]


def test_a_patch_with_repeated_options_is_refused_the_same_way():
    errors = field_errors(PollPatchIn, {"version": 1, "questions": [{**question(), "options": options("Да", "да")}]})

    assert errors == [("questions.0.options.1.text", "Такой вариант ответа уже есть в этом вопросе")]


# ------------------------------------------------------------------ schedule
@pytest.mark.parametrize("closes_at", ["2026-06-01T09:00:00+05:00", "2026-06-01T03:59:59Z"])
def test_closing_must_come_after_opening(closes_at):
    errors = field_errors(PollContentIn, poll_body(closes_at=closes_at))

    assert errors == [("closes_at", "Окончание голосования должно быть позже начала")]


def test_the_same_instant_in_another_offset_is_still_compared_correctly():
    # 09:00 at +05:00 is 04:00 UTC, so closing at 04:30 UTC is after opening
    poll = parse_model(PollContentIn, poll_body(closes_at="2026-06-01T04:30:00Z"))

    assert poll.closes_at > poll.opens_at


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_times_need_an_offset(field):
    errors = field_errors(PollContentIn, poll_body(**{field: "2026-06-05T09:00:00"}))

    assert errors == [(field, "укажите смещение часового пояса, например +05:00")]


@pytest.mark.parametrize("value", ["завтра", "01.06.2026 09:00", ""])
def test_times_must_be_iso_8601(value):
    errors = field_errors(PollContentIn, poll_body(opens_at=value))

    assert errors == [("opens_at", "ожидается дата и время ISO 8601 со смещением")]


# ------------------------------------------------------------------ territories
@pytest.mark.parametrize("territory_id", ["Satka", "gp_satka", "г-сатка", "x", "a" * 41, "gp satka"])
def test_territory_ids_are_lowercase_latin_with_hyphens(territory_id):
    errors = field_errors(PollContentIn, poll_body(territory_ids=["gp-satka", territory_id]))

    assert errors == [("territory_ids.1", "неверный формат")]


def test_a_poll_targets_at_least_one_territory():
    errors = field_errors(PollContentIn, poll_body(territory_ids=[]))

    assert errors == [("territory_ids", "элементов должно быть не меньше: 1")]


def test_a_territory_is_listed_once():
    errors = field_errors(PollContentIn, poll_body(territory_ids=["gp-satka", "gp-bakal", "gp-satka"]))

    assert errors == [("territory_ids", "Каждая территория указывается один раз")]


# ------------------------------------------------------------------ strings and other fields
@pytest.mark.parametrize(("body", "field", "limit"), [
    (poll_body(title="Я" * 201), "title", 200),
    (poll_body(description="Я" * 5001), "description", 5000),
    (poll_body(questions=[question(text="Я" * 501)]), "questions.0.text", 500),
    (poll_body(questions=[{**question(), "options": [{"text": "Я" * 301}, {"text": "Нет"}]}]),
     "questions.0.options.0.text", 300),
])
def test_too_long_strings_name_their_limit(body, field, limit):
    assert field_errors(PollContentIn, body) == [(field, f"максимум {limit} символов")]


def test_the_longest_allowed_strings_are_accepted():
    poll = parse_model(PollContentIn, poll_body(title="Я" * 200, description="Я" * 5000))

    assert len(poll.title) == 200


@pytest.mark.parametrize("title", ["", "   "])
def test_a_title_cannot_be_blank(title):
    assert field_errors(PollContentIn, poll_body(title=title)) == [("title", "поле не может быть пустым")]


def test_missing_required_fields_are_each_named():
    errors = field_errors(PollContentIn, {"territory_ids": ["gp-satka"]})

    assert sorted(errors) == [("closes_at", "обязательное поле"), ("opens_at", "обязательное поле"),
                              ("questions", "обязательное поле"), ("title", "обязательное поле")]


@pytest.mark.parametrize(("body", "field"), [
    (poll_body(author="staff-mod-satka"), "author"),
    (poll_body(questions=[question(weight=2)]), "questions.0.weight"),
    (poll_body(questions=[{**question(), "options": [{"text": "Да", "id": "q1-o1"}, {"text": "Нет"}]}]),
     "questions.0.options.0.id"),
])
def test_unknown_fields_are_rejected_wherever_they_are(body, field):
    assert field_errors(PollContentIn, body) == [(field, "неизвестное поле")]


@pytest.mark.parametrize(("min_age", "detail"), [
    (-1, "значение должно быть не меньше 0"), (121, "значение должно быть не больше 120"),
    ("четырнадцать", "ожидается целое число"),
])
def test_min_age_is_a_whole_number_of_years(min_age, detail):
    assert field_errors(PollContentIn, poll_body(min_age=min_age)) == [("min_age", detail)]


@pytest.mark.parametrize("image_url", ["http://example.org/a.png", "javascript:alert(1)", "https://"])
def test_an_image_must_be_an_https_address(image_url):
    assert field_errors(PollContentIn, poll_body(image_url=image_url)) == [("image_url", "неверный формат")]


def test_results_visibility_is_one_of_two_values():
    errors = field_errors(PollContentIn, poll_body(results_visibility="never"))

    assert [f for f, _ in errors] == ["results_visibility"]


def test_the_summary_detail_counts_the_fields_without_naming_them():
    with pytest.raises(InvalidInput) as invalid:
        parse_model(PollContentIn, poll_body(title="", min_age=200))

    assert invalid.value.detail == "Запрос содержит ошибки в 2 полях."
    assert invalid.value.errors == [{"field": "title", "detail": "поле не может быть пустым"},
                                    {"field": "min_age", "detail": "значение должно быть не больше 120"}]


@pytest.mark.parametrize(("fields", "detail"), [
    (1, "Запрос содержит ошибку в одном поле."), (2, "Запрос содержит ошибки в 2 полях."),
    (5, "Запрос содержит ошибки в 5 полях."), (11, "Запрос содержит ошибки в 11 полях."),
    (21, "Запрос содержит ошибки в 21 поле."), (22, "Запрос содержит ошибки в 22 полях."),
])
def test_the_summary_agrees_with_the_number_of_fields(fields, detail):
    errors = [{"field": f"questions.{i}.text", "detail": "поле не может быть пустым"} for i in range(fields)]

    assert summary(errors) == detail


def test_a_model_level_error_is_named_by_its_field_once_and_the_summary_speaks_to_people():
    with pytest.raises(InvalidInput) as invalid:
        parse_model(PollContentIn, poll_body(closes_at="2026-05-01T09:00:00+05:00"))

    assert invalid.value.errors == [{"field": "closes_at", "detail": "Окончание голосования должно быть позже начала"}]
    assert invalid.value.detail == "Запрос содержит ошибку в одном поле."
    assert "closes_at" not in invalid.value.detail and "opens_at" not in invalid.value.detail


@pytest.mark.parametrize("body", [[], "строка", None])
def test_a_body_that_is_not_an_object_is_invalid_input(body):
    with pytest.raises(InvalidInput) as invalid:
        parse_model(PollContentIn, body)

    assert invalid.value.errors == [{"field": "body", "detail": "ожидается объект"}]


# ------------------------------------------------------------------ patch and comment
def test_a_patch_needs_the_version_the_editor_saw():
    assert field_errors(PollPatchIn, {"title": "Новое"}) == [("version", "обязательное поле")]
    assert field_errors(PollPatchIn, {"version": 0}) == [("version", "значение должно быть не меньше 1")]


def test_a_patch_applies_the_same_field_rules():
    errors = field_errors(PollPatchIn, {"version": 3, "title": "Я" * 201, "territory_ids": ["BAD"], "x": 1})

    assert sorted(errors) == [("territory_ids.0", "неверный формат"), ("title", "максимум 200 символов"),
                              ("x", "неизвестное поле")]


def test_a_patch_keeps_only_what_was_sent():
    patch = parse_model(PollPatchIn, {"version": 2, "min_age": 18})

    assert patch.model_dump(exclude_unset=True) == {"version": 2, "min_age": 18}


def test_a_moderation_comment_is_trimmed_and_limited():
    assert parse_model(CommentIn, {"comment": "  Уточните сроки  "}).comment == "Уточните сроки"
    assert parse_model(CommentIn, {}).comment is None
    assert field_errors(CommentIn, {"comment": "Я" * 2001}) == [("comment", "максимум 2000 символов")]


# ------------------------------------------------------------------ ballots
def test_a_ballot_lists_answers_and_may_bring_its_own_commitment():
    ballot = parse_model(BallotIn, {"answers": [{"question_id": "q1", "option_ids": ["q1-o2"]}],
                                    "commitment": "a" * 64})

    assert ballot.answers[0].option_ids == ["q1-o2"]
    assert ballot.commitment == "a" * 64


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"answers": []}, "answers", "элементов должно быть не меньше: 1"),
    ({"answers": [{"question_id": "q1", "option_ids": []}]}, "answers.0.option_ids",
     "элементов должно быть не меньше: 1"),
    ({"answers": [{"question_id": "вопрос", "option_ids": ["q1-o1"]}]}, "answers.0.question_id",
     "неверный формат"),
    ({"answers": [{"question_id": "q1", "option_ids": ["o1"]}]}, "answers.0.option_ids.0", "неверный формат"),
    ({"answers": [{"question_id": "q1", "option_ids": "q1-o1"}]}, "answers.0.option_ids", "ожидается список"),
    ({"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}], "commitment": "A" * 64}, "commitment",
     "неверный формат"),
    ({"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}], "commitment": "a" * 63}, "commitment",
     "неверный формат"),
    ({"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}], "voter": "me"}, "voter",
     "неизвестное поле"),
])
def test_a_malformed_ballot_names_the_bad_field(body, field, detail):
    assert field_errors(BallotIn, body) == [(field, detail)]
