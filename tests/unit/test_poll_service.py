"""Staff use cases of a poll (aj74.polls.service) on fakes (tests/support/fakes/polls.py): drafting,
moderation with four eyes, stale versions and frozen content, as a moderator and an approver see them
in the admin site — the real service code with in-memory stand-ins only at the ports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.clock import iso
from aj74.errors import DomainError, InvalidInput
from aj74.polls import service

from tests.support.fakes.polls import FakePollWorld
from tests.support.polls import persona, poll_body

MODERATOR, APPROVER, APPROVER_2 = persona("moderator-satka"), persona("approver"), persona("approver-2")


@pytest.fixture
def world() -> FakePollWorld:
    return FakePollWorld()


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def draft(world: FakePollWorld, actor=MODERATOR, **overrides) -> dict:
    body = poll_body(opens_at=world.clock.now + timedelta(hours=1), closes_in=timedelta(hours=2), **overrides)
    return service.create_poll(actor, body, ports=world.staff_ports())


def act(world: FakePollWorld, actor, poll_id: str, action: str, comment: str | None = None) -> dict:
    body = {"comment": comment} if comment is not None else None
    return service.moderate(actor, poll_id, action, body, ports=world.staff_ports())


def edit(world: FakePollWorld, actor, poll_id: str, version: int, **changes) -> dict:
    return service.edit_poll(actor, poll_id, {"version": version, **changes}, ports=world.staff_ports())


def test_a_draft_submitted_by_the_moderator_and_approved_by_an_approver_is_scheduled(world):
    # Given a moderator's draft
    poll = draft(world)
    assert (poll["state"], poll["state_title"], poll["version"]) == ("draft", "черновик", 1)

    # When the moderator submits it and an approver approves it
    submitted = act(world, MODERATOR, poll["id"], "submit")
    approved = act(world, APPROVER, poll["id"], "approve")

    # Then it waits for its opening time, and its history and the audit log say who did what
    assert (submitted["state_title"], submitted["version"]) == ("на согласовании", 2)
    assert (approved["state"], approved["state_title"], approved["version"]) == ("approved", "согласован", 3)
    assert [(h["action"], h["actor"], h["to"]) for h in approved["history"]] == [
        ("submit", "staff-mod-satka", "in_review"), ("approve", "staff-approver", "approved")]
    assert world.audit.actions() == ["poll.create", "poll.submit", "poll.approve"]
    assert service.get_staff(APPROVER, poll["id"], ports=world.staff_ports()) == approved
    listed = service.list_staff(MODERATOR, "approved", 10, None, ports=world.staff_ports())
    assert [p["id"] for p in listed["items"]] == [poll["id"]]


def test_an_approver_cannot_approve_a_poll_they_drafted(world):
    # Given a poll an approver drafted and submitted
    poll = draft(world, actor=APPROVER)
    act(world, APPROVER, poll["id"], "submit")

    # When the same approver approves it, it is refused; another approver may
    assert refused(lambda: act(world, APPROVER, poll["id"], "approve")) == (
        403, "action-not-allowed", "Нельзя согласовывать собственный черновик.")
    assert service.get_staff(APPROVER, poll["id"], ports=world.staff_ports())["state"] == "in_review"
    assert act(world, APPROVER_2, poll["id"], "approve")["state"] == "approved"


def test_an_approver_who_edited_the_version_under_review_cannot_approve_it(world):
    poll = draft(world)
    edit(world, APPROVER, poll["id"], 1, title="Сквер у ДК металлургов: что сделать первым")
    act(world, MODERATOR, poll["id"], "submit")

    status, code, detail = refused(lambda: act(world, APPROVER, poll["id"], "approve"))

    assert (status, code) == (403, "action-not-allowed")
    assert detail.startswith("Вы редактировали или отправляли на согласование эту версию")
    assert world.audit.entries()[1]["comment"] == service.APPROVER_EDIT_NOTE


def test_a_rejected_poll_goes_back_with_the_comment_and_shows_what_changed_since(world):
    # Given a poll under review
    poll = draft(world)
    act(world, MODERATOR, poll["id"], "submit")

    # When an approver rejects it without a comment, then with one
    with pytest.raises(InvalidInput) as caught:
        act(world, APPROVER, poll["id"], "reject")
    rejected = act(world, APPROVER, poll["id"], "reject", "Уточните формулировку второго вопроса.")

    # Then the moderator sees it rejected with the reviewer's words, and after an edit what changed
    assert caught.value.errors == [{"field": "comment", "detail": "обязательное поле"}]
    assert (rejected["state"], rejected["state_title"]) == ("rejected", "отклонён")
    assert rejected["history"][-1]["comment"] == "Уточните формулировку второго вопроса."
    assert world.polls.get(poll["id"]).review_snapshot.content["title"] == poll["title"]
    assert rejected["changes_since_review"] == []
    edited = edit(world, MODERATOR, poll["id"], rejected["version"], title="Сквер у ДК: что сделать первым")
    assert edited["changes_since_review"] == [
        {"field": "title", "title": "Заголовок", "before": poll["title"], "after": "Сквер у ДК: что сделать первым"}]
    assert act(world, MODERATOR, poll["id"], "submit")["state"] == "in_review"


def test_an_edit_from_a_stale_version_is_refused_409_and_keeps_the_newer_text(world):
    # Given two editors who opened version 1, and the first saved
    poll = draft(world)
    edit(world, MODERATOR, poll["id"], 1, title="Первая правка")

    # When the second saves from version 1
    status, code, detail = refused(lambda: edit(world, APPROVER, poll["id"], 1, title="Вторая правка"))

    # Then it is refused and the first editor's text stands
    assert (status, code) == (409, "version-conflict")
    assert detail == ("Опрос уже изменён другим редактором (текущая версия 2). "
                      "Обновите страницу и внесите правки заново.")
    stored = service.get_staff(MODERATOR, poll["id"], ports=world.staff_ports())
    assert (stored["title"], stored["version"]) == ("Первая правка", 2)


def test_a_stale_moderation_is_refused_409(world):
    poll = draft(world)
    act(world, MODERATOR, poll["id"], "submit")
    act(world, APPROVER, poll["id"], "approve")

    assert refused(lambda: act(world, APPROVER_2, poll["id"], "approve")) == (
        409, "invalid-state", "Действие невозможно: сейчас «согласован».")


def test_an_open_poll_cannot_be_edited(world):
    # Given a poll the scheduler opened
    poll = draft(world)
    act(world, MODERATOR, poll["id"], "submit")
    act(world, APPROVER, poll["id"], "approve")
    from aj74.polls.scheduling import tick

    world.clock.advance(hours=1)
    assert tick(ports=world.scheduler_ports()).opened == [poll["id"]]

    # When the moderator edits it, it is refused and its content stays frozen
    status, code, detail = refused(lambda: edit(world, MODERATOR, poll["id"], 4, title="Другой заголовок"))
    assert (status, code) == (409, "not-editable")
    assert detail == ("Редактировать можно только черновик или отклонённый опрос; после открытия "
                      "содержание опроса не меняется.")
    assert world.polls.get(poll["id"]).title == poll["title"]


def test_a_poll_that_closed_in_the_past_is_refused_422(world):
    body = poll_body(opens_at=world.clock.now - timedelta(hours=3), closes_in=timedelta(hours=1))

    status, code, detail = refused(lambda: service.create_poll(MODERATOR, body, ports=world.staff_ports()))

    assert (status, detail) == (422, "Время окончания опроса уже прошло.")
    assert world.audit.actions() == []


def test_a_moderator_cannot_draft_for_another_district(world):
    status, code, _ = refused(lambda: draft(world, territory_ids=["go-magnitogorsk"]))

    assert (status, code) == (403, "territory-scope")


def test_an_image_the_media_check_does_not_know_is_refused_with_its_field(world):
    def unknown(references):
        from aj74.media import service as media

        missing = [(f, r) for f, r in references if r is not None]
        if missing:
            raise InvalidInput("Изображение не найдено: загрузите его заново.", code="unknown-image",
                               errors=[{"field": f"{f}.id", "detail": media.UNKNOWN_IMAGE} for f, _ in missing])

    body = poll_body(opens_at=world.clock.now + timedelta(hours=1), image={"id": "01J0000000000000000000000A",
                                                                          "alt": "Сквер"})
    with pytest.raises(InvalidInput) as caught:
        service.create_poll(MODERATOR, body, ports=world.staff_ports(check_images=unknown))

    assert (caught.value.code, [e["field"] for e in caught.value.errors]) == ("unknown-image", ["image.id"])
    assert world.polls.by_state("draft") == ([], None)


def test_the_created_at_and_audit_time_are_the_clock_s(world):
    poll = draft(world)

    assert poll["created_at"] == iso(world.clock.now)
    assert world.audit.entries()[0]["at"] == iso(world.clock.now)
