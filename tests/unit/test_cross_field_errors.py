"""Checks that compare fields (content and shop bodies): each error names the field it is about, once,
in Russian for people, and never quotes field names in its text."""

from __future__ import annotations

import re

import pytest
from aj74.content.schemas import CONTENT_MODELS
from aj74.errors import InvalidInput
from aj74.shop.schemas import ItemIn, ItemPatchIn
from aj74.validation import FieldProblem, parse_model

API_NAME = re.compile(r"[a-z]+_[a-z]+")


def field_errors(model, body: dict) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as invalid:
        parse_model(model, body)
    assert not API_NAME.search(invalid.value.detail), invalid.value.detail
    return [(e["field"], e["detail"]) for e in invalid.value.errors]


def content(kind: str, **fields) -> dict:
    base = {"type": kind, "title": "Заголовок", "territory_ids": ["gp-satka"]}
    return {**base, **fields}


EVENT = {"description": "Праздник двора", "starts_at": "2030-06-01T10:00:00+05:00",
         "ends_at": "2030-06-01T14:00:00+05:00", "venue": "Сквер", "address": "ул. Ленина, 1", "category": "holiday"}


@pytest.mark.parametrize(("kind", "body", "expected"), [
    ("news", {"body": "Текст", "territory_ids": ["gp-satka", "gp-satka"]},
     ("territory_ids", "Каждая территория указывается один раз")),
    ("bulletin", {"severity": "warning", "body": "Ветер", "publish_at": "2030-06-01T10:00:00Z",
                  "expires_at": "2030-06-01T09:00:00Z"},
     ("expires_at", "Срок действия должен закончиться позже публикации")),
    ("missing_person", {"description": "Рост 170 см", "last_seen_place": "Сатка", "contact_phone": "+7 351 000-00-00",
                        "last_seen_at": "2030-06-01T10:00:00Z", "status": "found"},
     ("outcome", "Расскажите, чем закончился поиск")),
    ("event", {**EVENT, "ends_at": "2030-06-01T09:00:00+05:00"},
     ("ends_at", "Окончание события должно быть позже начала")),
    ("event", {**EVENT, "ends_at": "2030-08-01T09:00:00+05:00"},
     ("ends_at", "Событие не может длиться дольше 31 дня")),
])
def test_content_cross_field_errors_name_their_field(kind, body, expected):
    assert field_errors(CONTENT_MODELS[kind], content(kind, **body)) == [expected]


@pytest.mark.parametrize(("model", "body"), [
    (ItemIn, {"title": "Билет", "partner": "Челябинский зоопарк", "price": 150, "stock": 5,
              "valid_from": "2030-06-02T00:00:00Z", "valid_until": "2030-06-01T00:00:00Z",
              "territory_ids": ["gp-satka"]}),
    (ItemPatchIn, {"version": 3, "valid_from": "2030-06-02T00:00:00Z", "valid_until": "2030-06-02T00:00:00Z"}),
])
def test_a_reward_ends_after_it_starts(model, body):
    assert field_errors(model, body) == [("valid_until", "Окончание действия должно быть позже начала")]


def test_a_field_problem_nested_in_a_list_gets_the_full_path():
    from pydantic import BaseModel, model_validator

    class Inner(BaseModel):
        a: int

        @model_validator(mode="after")
        def _check(self):
            raise FieldProblem("a", "Плохо", ("b.0", "Тоже плохо"))

    class Outer(BaseModel):
        items: list[Inner]

    assert field_errors(Outer, {"items": [{"a": 1}, {"a": 2}]}) == [
        ("items.0.a", "Плохо"), ("items.0.b.0", "Тоже плохо"), ("items.1.a", "Плохо"), ("items.1.b.0", "Тоже плохо")]


def test_a_problem_with_the_whole_body_is_its_own_sentence():
    with pytest.raises(InvalidInput) as invalid:
        parse_model(ItemIn, [])

    assert invalid.value.detail == "Ожидается объект."
