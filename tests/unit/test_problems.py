"""Domain errors become RFC 9457 problem responses in one place, with the right status and fields."""

from __future__ import annotations

import json

import pytest
from aj74 import errors
from aj74.api import problems


@pytest.mark.parametrize("exc,status,code", [
    (errors.MalformedRequest("Тело запроса не JSON."), 400, "malformed-request"),
    (errors.PayloadTooLarge("Слишком большое тело."), 413, "payload-too-large"),
    (errors.UnsupportedMediaType("Нужен JSON."), 415, "unsupported-media-type"),
    (errors.InvalidInput("Ошибка в данных."), 422, "invalid-input"),
    (errors.Unauthenticated("Нужен вход."), 401, "unauthenticated"),
    (errors.Forbidden("Вне вашей территории."), 403, "forbidden"),
    (errors.NotFound("Опрос не найден."), 404, "not-found"),
    (errors.Conflict("Вы уже проголосовали."), 409, "conflict"),
    (errors.RateLimited("Подождите.", retry_after=7), 429, "rate-limited"),
    (errors.Unavailable("База недоступна."), 503, "unavailable"),
])
def test_each_domain_error_maps_to_its_status_and_code(exc, status, code):
    # When a domain error is turned into a response
    got_status, headers, body = problems.problem_for(exc, "/v1/polls/p1/ballots")

    # Then the status, content type and every RFC 9457 member say the same thing
    assert got_status == status
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"/problems/{code}"
    assert body["detail"] == exc.detail
    assert body["instance"] == "/v1/polls/p1/ballots"
    assert body["title"]


def test_subclasses_map_before_their_base():
    # MalformedRequest is an InvalidInput, but is a 400, not a 422.
    assert problems.status_for(errors.MalformedRequest("x"))[0] == 400
    assert problems.status_for(errors.InvalidInput("x"))[0] == 422


def test_a_specific_code_overrides_the_class_default():
    _, _, body = problems.problem_for(errors.Forbidden("Только модератор.", code="role-required"))

    assert body["code"] == "role-required"
    assert body["type"] == "/problems/role-required"


def test_invalid_input_lists_field_errors():
    exc = errors.InvalidInput("Атрибуты заданы неверно.",
                              errors=[{"field": "birth_year", "detail": "год рождения от 1900 до 2030"}])

    status, _, body = problems.problem_for(exc)

    assert status == 422
    assert body["errors"] == [{"field": "birth_year", "detail": "год рождения от 1900 до 2030"}]
    assert "instance" not in body


def test_invalid_input_without_field_errors_has_no_errors_member():
    _, _, body = problems.problem_for(errors.InvalidInput("Ошибка."))

    assert "errors" not in body


def test_unauthenticated_challenges_for_a_bearer_token():
    _, headers, _ = problems.problem_for(errors.Unauthenticated("Срок действия токена истёк.",
                                                                code="token-expired"))

    assert headers["WWW-Authenticate"].startswith("Bearer")


def test_rate_limited_tells_when_to_retry():
    _, headers, _ = problems.problem_for(errors.RateLimited("Слишком часто.", retry_after=12))

    assert headers["Retry-After"] == "12"


def test_extra_fields_of_the_error_reach_the_body():
    _, _, body = problems.problem_for(errors.Conflict("Версия устарела.", current_version=4, hint=None))

    assert body["current_version"] == 4
    assert "hint" not in body


def test_internal_error_reveals_nothing_but_a_russian_apology():
    body = problems.internal_error_body("/v1/me")

    assert body["status"] == 500
    assert body["code"] == "internal-error"
    assert body["instance"] == "/v1/me"
    assert "Traceback" not in body["detail"]


def test_bodies_serialise_as_readable_utf8():
    text = problems.dumps(problems.problem_body(404, "Не найдено", "Опрос не найден.", "not-found"))

    assert "Опрос не найден." in text
    assert json.loads(text)["detail"] == "Опрос не найден."
