"""A resident's polls (aj74.polls.service: the list, a poll's page, its results) and the execution
report staff keep of a final poll (aj74.polls.reporting) on fakes (tests/support/fakes/polls.py):
what a resident of Сатка sees and is refused, and what a moderator's report stores, audits and
tells the poll's followers — the real service code with in-memory stand-ins only at the ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.errors import DomainError
from aj74.ids import ulid
from aj74.media import service as media
from aj74.polls import reporting, service
from aj74.polls.recording import BallotRecorder

from tests.support.fakes.media import FakeMediaWorld
from tests.support.fakes.polls import FakePollWorld
from tests.support.fakes.vote import MESSAGE_KEY, a_poll
from tests.support.polls import answers, persona, resident

RETENTION_SECONDS = 4 * 24 * 3600
SATKA, MAGNITOGORSK = resident("resident-satka"), resident("resident-mgn", territory_id="go-magnitogorsk")
MODERATOR = persona("moderator-satka")


@pytest.fixture
def world() -> FakePollWorld:
    return FakePollWorld()


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def open_poll(world: FakePollWorld, title: str = "Благоустройство сквера у ДК металлургов",
              territory_ids: tuple[str, ...] = ("mr-satkinsky",), **fields):
    poll = a_poll(world.clock.now - timedelta(minutes=1), territory_ids=territory_ids)
    return world.put(replace(poll, title=title, **fields))


def final_poll(world: FakePollWorld):
    poll = a_poll(world.clock.now - timedelta(days=3), state="final")
    return world.put(replace(poll, title="Ремонт дороги на улице Бакальской"))


def vote_and_record(world: FakePollWorld, voter, poll_id: str) -> None:
    """The resident casts a ballot and the consumer records it (ledger and live tallies)."""
    world.cast(voter, poll_id, answers(1, (1,)))
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    recorder.add_to_live_tallies([recorder.record(body) for body in world.queue.bodies()])
    world.queue.sent.clear()


# ====================================================================== residents
def test_a_resident_sees_only_the_open_polls_of_their_territory_and_above(world):
    # Given open polls for Саткинский район, for the whole region and for Магнитогорск, and a draft in Сатка
    district = open_poll(world, "Сквер у ДК металлургов")
    region = open_poll(world, "Областной бюджет 2027", territory_ids=("chelyabinsk-oblast",))
    open_poll(world, "Набережная Урала", territory_ids=("go-magnitogorsk",))
    open_poll(world, "Черновик", state="draft")

    # When a resident of Сатка lists the open polls
    listed = service.list_for_resident(SATKA, "open", 50, None, ports=world.resident_ports())

    # Then the district's and the region's polls are there, not Магнитогорск's nor the draft
    assert sorted((p["id"], p["title"]) for p in listed["items"]) == sorted(
        [(district.poll_id, "Сквер у ДК металлургов"), (region.poll_id, "Областной бюджет 2027")])
    assert listed["next_cursor"] is None
    shown = {p["id"]: p for p in listed["items"]}[district.poll_id]
    assert (shown["territories"], shown["voted"], shown["can_vote"]) == (
        ["Саткинский муниципальный район"], False, True)


def test_a_resident_who_voted_sees_it_on_the_poll_page(world):
    # Given an open poll of Саткинский район the resident voted in
    poll = open_poll(world)
    vote_and_record(world, SATKA, poll.poll_id)

    # When they open its page, it says so; their neighbour's page does not
    assert service.get_for_resident(SATKA, poll.poll_id, ports=world.resident_ports())["voted"] is True
    neighbour = service.get_for_resident(resident("resident-satka-2"), poll.poll_id, ports=world.resident_ports())
    assert neighbour["voted"] is False


def test_a_resident_of_another_territory_gets_404_for_the_poll_and_its_results(world):
    # Given an open poll of Саткинский район
    poll = open_poll(world)

    # When a resident of Магнитогорск asks for it or for its results, it does not exist for them
    not_found = (404, "poll-not-found", "Опрос не найден.")
    assert refused(lambda: service.get_for_resident(MAGNITOGORSK, poll.poll_id, ports=world.resident_ports())) \
        == not_found
    assert refused(lambda: service.results(MAGNITOGORSK, poll.poll_id, ports=world.resident_ports())) == not_found
    # Nor does a poll that was never published, even in their own district
    draft = open_poll(world, "Черновик", state="draft")
    assert refused(lambda: service.get_for_resident(SATKA, draft.poll_id, ports=world.resident_ports())) == not_found


def test_live_results_hidden_until_close_are_refused_even_after_voting(world):
    # Given an open poll whose results were chosen to stay hidden until it closes, and a resident who voted
    poll = open_poll(world, results_visibility="after_close")
    vote_and_record(world, SATKA, poll.poll_id)

    # When the resident asks for the results, they are told when they will see them
    assert refused(lambda: service.results(SATKA, poll.poll_id, ports=world.resident_ports())) == (
        403, "results-hidden", "Результаты будут опубликованы после завершения голосования.")


def test_live_results_shown_after_voting_wait_for_the_residents_ballot_and_move_in_steps(world):
    # Given an open poll whose results are shown to those who voted
    poll = open_poll(world)

    # When a resident asks before voting, they are refused
    assert refused(lambda: service.results(SATKA, poll.poll_id, ports=world.resident_ports())) == (
        403, "results-after-vote", "Результаты видны после того, как ваш голос учтён.")

    # And after their ballot is recorded, they see the live result in steps of 10: one ballot shows as 0
    vote_and_record(world, SATKA, poll.poll_id)
    body = service.results(SATKA, poll.poll_id, ports=world.resident_ports())
    assert (body["state"], body["total_ballots"]) == ("live", 0)
    assert {o["count"] for q in body["questions"] for o in q["options"]} == {0}


# ====================================================================== the execution report
def test_an_execution_report_is_stored_audited_shown_to_residents_and_pushed_to_followers(world):
    # Given a final poll of Саткинский район
    poll = final_poll(world)

    # When its moderator records the decision and then a dated update
    report = reporting.put_execution(MODERATOR, poll.poll_id, {"decision": "Отремонтировать дорогу в 2027 году",
                                                               "status": "planned"}, ports=world.staff_ports())
    updated = reporting.add_execution_update(
        MODERATOR, poll.poll_id, {"date": "2026-05-10", "text": "Заключён контракт с подрядчиком",
                                  "links": ["https://satka.ru/news/road"]}, ports=world.staff_ports())

    # Then the report is kept with its status in Russian and the update, both in the audit log
    assert (report["decision"], report["status"], report["status_title"], report["updated_by"]) == (
        "Отремонтировать дорогу в 2027 году", "planned", "запланировано", "staff-mod-satka")
    assert [(u["date"], u["text"]) for u in updated["updates"]] == [("2026-05-10", "Заключён контракт с подрядчиком")]
    assert world.audit.actions() == ["poll.execution", "poll.execution_update"]
    assert world.audit.entries()[0]["after"] == {"decision": "Отремонтировать дорогу в 2027 году", "status": "planned"}
    # residents of Сатка read it on the poll's page
    shown = service.get_for_resident(SATKA, poll.poll_id, ports=world.resident_ports())["execution"]
    assert (shown["status_title"], shown["updates"][0]["text"]) == ("запланировано", "Заключён контракт с подрядчиком")
    # and the poll's followers hear of both changes
    assert world.push.sent == [{"kind": "poll_execution", "poll_id": poll.poll_id,
                                "title": "Ремонт дороги на улице Бакальской", "territory_ids": [],
                                "status_title": "запланировано"}] * 2


def test_saving_the_same_decision_and_status_again_tells_no_follower(world):
    # Given a final poll with a report "planned"
    poll = final_poll(world)
    body = {"decision": "Отремонтировать дорогу в 2027 году", "status": "planned"}
    reporting.put_execution(MODERATOR, poll.poll_id, body, ports=world.staff_ports())

    # When the same report is saved again, and then marked done
    reporting.put_execution(MODERATOR, poll.poll_id, body, ports=world.staff_ports())
    reporting.put_execution(MODERATOR, poll.poll_id, {**body, "status": "done"}, ports=world.staff_ports())

    # Then followers heard of the report and of its completion only
    assert [m["status_title"] for m in world.push.sent] == ["запланировано", "выполнено"]


def test_an_update_with_a_photo_never_uploaded_is_refused_with_422_and_nothing_changes(world):
    # Given a final poll with a report, and a media store that holds no image
    poll = final_poll(world)
    reporting.put_execution(MODERATOR, poll.poll_id, {"decision": "Отремонтировать дорогу", "status": "in_progress"},
                            ports=world.staff_ports())
    bucket = FakeMediaWorld()
    ports = world.staff_ports(check_images=lambda refs: media.check(refs, ports=bucket.ports()))

    # When an update names a photo by an id that was never uploaded
    body = {"date": "2026-05-10", "text": "Уложен асфальт", "photos": [{"id": ulid(), "alt": "Новый асфальт"}]}
    with pytest.raises(DomainError) as caught:
        reporting.add_execution_update(MODERATOR, poll.poll_id, body, ports=ports)

    # Then it is refused on the photo's field, and the report, the audit log and followers are as before
    assert (status_for(caught.value)[0], caught.value.code, caught.value.detail) == (
        422, "unknown-image", "Изображение не найдено: загрузите его заново.")
    assert caught.value.errors == [{"field": "photos.0.id", "detail": "изображение не найдено: загрузите его заново"}]
    assert world.polls.get(poll.poll_id).execution.updates == ()
    assert world.audit.actions() == ["poll.execution"]
    assert len(world.push.sent) == 1


def test_an_execution_report_before_the_final_result_is_refused(world):
    # Given a poll still open
    poll = open_poll(world)

    # When its moderator writes an execution report or an update, both are refused
    not_final = (409, "not-final", "Отчёт об исполнении ведётся по опросам с подведёнными итогами.")
    report, update = {"decision": "Сделать", "status": "planned"}, {"date": "2026-05-10", "text": "Начато"}
    assert refused(lambda: reporting.put_execution(MODERATOR, poll.poll_id, report, ports=world.staff_ports())) \
        == not_final
    assert refused(lambda: reporting.add_execution_update(MODERATOR, poll.poll_id, update,
                                                          ports=world.staff_ports())) == not_final

    # Then nothing is stored, audited or pushed
    assert world.polls.get(poll.poll_id).execution is None
    assert (world.audit.actions(), world.push.sent) == ([], [])


def test_an_update_before_any_decision_asks_for_the_decision_first(world):
    poll = final_poll(world)

    assert refused(lambda: reporting.add_execution_update(MODERATOR, poll.poll_id, {"date": "2026-05-10",
                                                                                   "text": "Начато"},
                                                          ports=world.staff_ports())) == (
        409, "no-execution-report", "Сначала укажите принятое решение и статус исполнения.")
