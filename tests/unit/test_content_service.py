"""The content use cases on fakes (tests/support/fakes/content.py): the real drafting, moderation,
publishing and feed code, with in-memory stand-ins only at the ports (aj74.content.ports), so no
moto and no socket. The fakes are held to the adapters by tests/integration/test_content_ports_contract.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aj74.clock import iso
from aj74.content import publishing, service

from tests.support.fakes.content import FakeContentWorld, refused
from tests.support.polls import persona

MODERATOR, APPROVER = persona("moderator-satka"), persona("approver")
SATKA, MAGNITOGORSK = persona("resident-satka"), persona("resident-magnitogorsk")


@pytest.fixture
def world() -> FakeContentWorld:
    return FakeContentWorld()


def news(territories=("mr-satkinsky",), title: str = "Ремонт моста через Ай", **extra) -> dict:
    return {"type": "news", "title": title, "territory_ids": list(territories),
            "body": "Движение по мосту закрыто до 1 июня.", **extra}


def feed_ids(world: FakeContentWorld, resident) -> list[str]:
    return [i["id"] for i in service.feed(resident, 20, None, ports=world.ports())["items"]]


def in_review(world: FakeContentWorld, author, body: dict) -> dict:
    draft = service.create_content(author, body, ports=world.ports())
    return service.moderate(author, draft["id"], "submit", ports=world.ports())


def test_approved_news_goes_live_at_its_publish_at_and_not_before(world):
    # Given news for the Satka district drafted for two hours from now, submitted and approved
    publish_at = world.clock.now + timedelta(hours=2)
    item = in_review(world, MODERATOR, news(publish_at=iso(publish_at)))
    approved = service.moderate(APPROVER, item["id"], "approve", ports=world.ports())
    assert (approved["state"], approved["state_title"]) == ("approved", "согласован")

    # When the scheduler runs an hour early, then at publish_at
    world.clock.advance(hours=1)
    early = publishing.tick(ports=world.ports())
    assert early.published == [] and feed_ids(world, SATKA) == []
    world.clock.advance(hours=1)
    on_time = publishing.tick(ports=world.ports())

    # Then it is published once, residents of Satka read it, and every step is in the audit log
    assert on_time.published == [item["id"]]
    assert service.get_staff(APPROVER, item["id"], ports=world.ports())["state"] == "published"
    assert feed_ids(world, SATKA) == [item["id"]]
    assert publishing.tick(ports=world.ports()).published == []
    assert world.audit.actions() == ["content.create", "content.submit", "content.approve", "content.publish"]
    assert world.bulletins.published == []  # news goes to no bulletin topic


def test_an_approver_cannot_approve_their_own_draft_another_approver_can(world):
    # Given news the approver drafted and submitted themselves
    item = in_review(world, APPROVER, news(territories=("chelyabinsk-oblast",)))

    # When they approve it, it is refused with the four-eyes code and stays in review
    assert refused(lambda: service.moderate(APPROVER, item["id"], "approve", ports=world.ports())) == (
        403, "action-not-allowed", "Нельзя согласовывать собственный черновик.")
    assert service.get_staff(APPROVER, item["id"], ports=world.ports())["state"] == "in_review"

    # Then a second member of the Directorate approves it
    second = persona("approver-2")
    assert service.moderate(second, item["id"], "approve", ports=world.ports())["state"] == "approved"
    assert [e["actor"] for e in world.audit.entries()][-1] == second.subject


def test_an_emergency_bulletin_is_live_at_once_pinned_announced_and_audited(world):
    # Given a resident of Satka who already has news in their feed
    older = in_review(world, MODERATOR, news())
    service.moderate(APPROVER, older["id"], "approve", ports=world.ports())
    publishing.tick(ports=world.ports())
    world.clock.advance(minutes=5)

    # When the МЧС operator issues a storm warning for the district
    bulletin = service.create_content(persona("emergency"), {
        "type": "bulletin", "title": "Штормовое предупреждение", "territory_ids": ["mr-satkinsky"],
        "severity": "warning", "body": "Ожидается усиление ветра до 25 м/с.",
        "expires_at": iso(world.clock.now + timedelta(hours=6))}, ports=world.ports())

    # Then it is published without review, pinned above the news, sent to the bulletin topic once
    assert (bulletin["state"], bulletin["published_at"] is not None) == ("published", True)
    assert feed_ids(world, SATKA) == [bulletin["id"], older["id"]]
    assert service.feed(SATKA, 20, None, ports=world.ports())["items"][0]["pinned"] is True
    assert [c.content_id for c in world.bulletins.published] == [bulletin["id"]]
    # and the audit log says who published it, with what
    entry = world.audit.entries()[-1]
    assert (entry["action"], entry["actor"], entry["actor_role"]) == (
        "content.emergency_publish", "staff-mchs", "emergency")
    assert entry["after"]["state"] == "published" and entry["after"]["title"] == "Штормовое предупреждение"
    # and once it expires the scheduler takes it out of the feed
    world.clock.advance(hours=6)
    assert publishing.tick(ports=world.ports()).expired == [bulletin["id"]]
    assert feed_ids(world, SATKA) == [older["id"]]


def test_an_edit_of_a_stale_version_is_refused_and_the_newer_edit_stays(world):
    # Given a draft that one editor saved as version 2
    draft = service.create_content(MODERATOR, news(), ports=world.ports())
    saved = service.edit_content(MODERATOR, draft["id"], {"version": 1, "title": "Мост откроют 1 июня"},
                                 ports=world.ports())
    assert saved["version"] == 2

    # When a second editor, still holding version 1, saves their change
    status, code, detail = refused(lambda: service.edit_content(
        MODERATOR, draft["id"], {"version": 1, "title": "Мост закрыт"}, ports=world.ports()))

    # Then it is refused with the current version named, and the first edit is what is stored
    assert (status, code) == (409, "version-conflict")
    assert "текущая версия 2" in detail
    stored = service.get_staff(MODERATOR, draft["id"], ports=world.ports())
    assert (stored["title"], stored["version"]) == ("Мост откроют 1 июня", 2)


def test_content_for_a_district_reaches_its_towns_and_nobody_elsewhere(world):
    # Given news approved for the Satka district and, separately, for the district and Satka itself
    district = in_review(world, MODERATOR, news())
    both = in_review(world, MODERATOR, news(territories=("mr-satkinsky", "gp-satka"), title="Субботник"))
    for item in (district, both):
        service.moderate(APPROVER, item["id"], "approve", ports=world.ports())
    publishing.tick(ports=world.ports())

    # Then a resident of Satka (a town in the district) reads both, each once
    assert sorted(feed_ids(world, SATKA)) == sorted([district["id"], both["id"]])
    opened = service.get_for_resident(SATKA, district["id"], ports=world.ports())
    assert opened["territories"] == ["Саткинский муниципальный район"]
    # and a resident of Magnitogorsk sees neither, and cannot open them by id
    assert feed_ids(world, MAGNITOGORSK) == []
    assert refused(lambda: service.get_for_resident(MAGNITOGORSK, district["id"], ports=world.ports()))[:2] == (
        404, "content-not-found")
