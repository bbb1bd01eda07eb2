"""A poll draft refused over HTTP, in-process: the 422 problem names each bad field by its path once,
with a Russian detail for the form, and its top-level detail speaks to people, not in API names.

The route is called through ``chalice.test.Client``; the body is checked before any storage call
(the staff-assignment lookup is replaced by the token's own claims), so no AWS is needed.
"""

from __future__ import annotations

import json

import pytest
from aj74.identity.principal import principal_from_claims
from chalice.test import Client

from infra.local.dev_identity.provider import PERSONAS


@pytest.fixture(scope="module")
def client():
    import app as module

    with Client(module.app) as c:
        yield c


@pytest.fixture
def moderator_headers(monkeypatch):
    from aj74.api import http, routing

    moderator = principal_from_claims(PERSONAS["moderator-satka"])

    class Verifier:
        def verify(self, token):
            return moderator

    monkeypatch.setattr(http, "_verifier", lambda: Verifier())
    monkeypatch.setattr(routing, "effective_principal", lambda principal: principal)
    return {"Authorization": "Bearer x", "Content-Type": "application/json"}


def draft(**fields) -> dict:
    return {
        "title": "Благоустройство набережной Саткинского пруда", "territory_ids": ["gp-satka"],
        "opens_at": "2030-06-01T09:00:00+05:00", "closes_at": "2030-06-10T21:00:00+05:00",
        "questions": [{"text": "Что сделать в первую очередь?", "kind": "single",
                       "options": [{"text": "Освещение"}, {"text": "Прогулочная дорожка"}]}],
        **fields,
    }


def refused(client, headers, body: dict) -> dict:
    response = client.http.post("/v1/admin/polls", headers=headers, body=json.dumps(body).encode())
    assert response.status_code == 422, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.body)


def test_a_repeated_option_is_a_422_at_the_options_path(client, moderator_headers):
    questions = [{"text": "Что сделать в первую очередь?", "kind": "single",
                  "options": [{"text": "Детская площадка"}, {"text": "  детская ПЛОЩАДКА "}, {"text": "Сквер"}]}]

    problem = refused(client, moderator_headers, draft(questions=questions))

    assert problem["errors"] == [{"field": "questions.0.options.1.text",
                                  "detail": "Такой вариант ответа уже есть в этом вопросе"}]
    assert problem["detail"] == "Запрос содержит ошибку в одном поле."


def test_closing_before_opening_is_reported_once_at_closes_at_in_words_for_people(client, moderator_headers):
    problem = refused(client, moderator_headers, draft(closes_at="2030-05-01T09:00:00+05:00"))

    assert problem["errors"] == [{"field": "closes_at", "detail": "Окончание голосования должно быть позже начала"}]
    assert "closes_at" not in problem["detail"] and "opens_at" not in problem["detail"]


def test_several_bad_fields_are_counted_not_named_in_the_detail(client, moderator_headers):
    problem = refused(client, moderator_headers, draft(title="", min_age=200, territory_ids=["gp-satka", "gp-satka"]))

    assert {e["field"] for e in problem["errors"]} == {"title", "min_age"}
    assert problem["detail"] == "Запрос содержит ошибки в 2 полях."
    assert not any(name in problem["detail"] for name in ("title", "min_age"))
