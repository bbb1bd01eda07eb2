"""Building polls and residents for tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from aj74.clock import iso, utcnow
from aj74.identity.principal import Principal, principal_from_claims

from infra.local.dev_identity.provider import PERSONAS


def persona(name: str, **overrides) -> Principal:
    return principal_from_claims({**PERSONAS[name], **overrides})


def resident(sub: str, territory_id: str = "gp-satka", birth_year: int = 1980, gender: str = "f") -> Principal:
    return principal_from_claims({"sub": sub, "roles": ["resident"], "territory_id": territory_id,
                                  "birth_year": birth_year, "gender": gender})


def poll_body(opens_at: datetime | None = None, closes_in: timedelta = timedelta(hours=1), **overrides) -> dict:
    opens_at = opens_at or utcnow() - timedelta(seconds=1)
    body = {
        "title": "Благоустройство сквера у ДК металлургов",
        "description": "Выберите, что сделать в первую очередь.",
        "territory_ids": ["mr-satkinsky"],
        "opens_at": iso(opens_at),
        "closes_at": iso(opens_at + closes_in),
        "min_age": 16,
        "results_visibility": "after_vote",
        "questions": [
            {"text": "Что важнее всего?", "kind": "single",
             "options": [{"text": "Освещение"}, {"text": "Скамейки"}, {"text": "Детская площадка"}]},
            {"text": "Что ещё добавить?", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "Фонтан"}, {"text": "Велопарковка"}, {"text": "Туалет"}]},
        ],
    }
    body.update(overrides)
    return body


def answers(q1: int, q2: tuple[int, ...]) -> dict:
    return {"answers": [{"question_id": "q1", "option_ids": [f"q1-o{q1}"]},
                        {"question_id": "q2", "option_ids": [f"q2-o{i}" for i in q2]}]}
