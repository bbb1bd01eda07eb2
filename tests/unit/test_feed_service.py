"""The feed behaviours of tests/integration/content/test_feed.py on the content services' fakes
(tests/support/fakes/content.py): the same Given/When/Then, run by the real service, publishing and
feed code with in-memory stand-ins at the ports only, so the fast tier keeps them. The fakes are held
to the adapters by tests/integration/test_content_ports_contract.py.

Behaviours of test_feed.py that tests/unit/test_content_service.py already runs on the fakes, and so
are not repeated here: an item aimed at a district and its town appears once, an approver cannot
approve their own draft, a stale draft version is refused with 409 ``version-conflict``, and
``publish_at`` in the future waits for its time.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aj74.clock import iso
from aj74.content import publishing, service
from aj74.content.notifications import bulletin_message

from tests.support.fakes.content import FakeContentWorld, publish, refused
from tests.support.polls import persona, resident

SATKA = resident("r-satka", "gp-satka")
BAKAL = resident("r-bakal", "gp-bakal")
MAGNITOGORSK = resident("r-mgn", "go-magnitogorsk")
CHELYABINSK = resident("r-chel", "vr-tsentralny")


@pytest.fixture
def world() -> FakeContentWorld:
    return FakeContentWorld()


def news(territories: list[str], title: str = "Новость", **extra) -> dict:
    return {"type": "news", "title": title, "territory_ids": territories,
            "body": "Текст новости.\n\nПодробнее: https://satka74.ru", **extra}


def bulletin(world: FakeContentWorld, territories: list[str], title: str = "Штормовое предупреждение",
             hours: float = 6) -> dict:
    return {"type": "bulletin", "title": title, "territory_ids": territories, "severity": "warning",
            "body": "Ожидается усиление ветра до 25 м/с.",
            "expires_at": iso(world.clock.now + timedelta(hours=hours))}


def event(world: FakeContentWorld, territories: list[str], title: str, starts_in: timedelta,
          hours: float = 3) -> dict:
    starts = world.clock.now + starts_in
    return {"type": "event", "title": title, "territory_ids": territories, "description": "Приходите всей семьёй.",
            "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=hours)), "venue": "ДК «Магнезит»",
            "address": "Сатка, ул. Пролетарская, 1", "category": "holiday"}


def feed_ids(world: FakeContentWorld, who, limit: int = 50) -> list[str]:
    return [i["id"] for i in service.feed(who, limit, None, ports=world.ports())["items"]]


def test_targeting_reaches_home_and_every_territory_above_it_only(world):
    # Given news for Satka, for its district, for Magnitogorsk and for the whole region
    satka_news = publish(world, news(["gp-satka"], "Ремонт моста через Ай"))
    district_news = publish(world, news(["mr-satkinsky"], "Новости района"))
    mgn_news = publish(world, news(["go-magnitogorsk"], "Новости Магнитогорска"), moderator="moderator-magnitogorsk")
    region_news = publish(world, news(["chelyabinsk-oblast"], "Новости области"), moderator="approver")

    # Then each resident reads what targets their home and the territories above it, and nothing else
    assert set(feed_ids(world, SATKA)) == {satka_news, district_news, region_news}
    assert set(feed_ids(world, BAKAL)) == {district_news, region_news}
    assert set(feed_ids(world, MAGNITOGORSK)) == {mgn_news, region_news}
    assert feed_ids(world, CHELYABINSK) == [region_news]


def test_a_satka_resident_cannot_open_a_magnitogorsk_item(world):
    # Given news published for Magnitogorsk
    mgn_news = publish(world, news(["go-magnitogorsk"]), moderator="moderator-magnitogorsk")

    # When a resident of Satka opens it by id, it is not found for them; a Magnitogorsk resident opens it
    assert refused(lambda: service.get_for_resident(SATKA, mgn_news, ports=world.ports())) == (
        404, "content-not-found", "Материал не найден.")
    assert service.get_for_resident(MAGNITOGORSK, mgn_news, ports=world.ports())["id"] == mgn_news


def test_active_bulletins_are_pinned_above_newer_items(world):
    # Given a bulletin for the district and, after it, fresher news for Satka
    alert = publish(world, bulletin(world, ["mr-satkinsky"]))
    later_news = publish(world, news(["gp-satka"], "Свежая новость"))

    # Then the bulletin is first and pinned, the newer news below it
    items = service.feed(SATKA, 10, None, ports=world.ports())["items"]
    assert [(i["id"], i["pinned"]) for i in items] == [(alert, True), (later_news, False)]


def test_an_expired_bulletin_leaves_the_feed_and_the_scheduler_retires_it(world):
    # Given a bulletin for Satka valid for an hour
    alert = publish(world, bulletin(world, ["gp-satka"], hours=1))
    after_expiry = world.clock.now + timedelta(hours=1, minutes=1)

    # Then once it expires it is hidden even before the scheduler's tick
    assert service.feed(SATKA, 10, None, now=after_expiry, ports=world.ports())["items"] == []
    # When the scheduler ticks it retires the bulletin, once
    assert publishing.tick(after_expiry, ports=world.ports()).expired == [alert]
    assert feed_ids(world, SATKA) == []
    assert service.get_staff(persona("approver"), alert, ports=world.ports())["state"] == "expired"
    assert publishing.tick(after_expiry, ports=world.ports()).expired == []


def test_a_found_notice_stays_with_its_outcome_then_leaves(world):
    # Given a published missing person notice for Satka
    notice = publish(world, {
        "type": "missing_person", "title": "Пропала Анна Петрова, 78 лет", "territory_ids": ["gp-satka"],
        "description": "Рост 160 см, синее пальто.", "last_seen_place": "Сатка, ул. Солнечная",
        "last_seen_at": iso(world.clock.now - timedelta(hours=5)), "contact_phone": "+7 351 000-00-00"})
    version = service.get_staff(persona("moderator-satka"), notice, ports=world.ports())["version"]

    # When the moderator records that she was found
    service.edit_content(persona("moderator-satka"), notice,
                         {"version": version, "status": "found", "outcome": "Найдена, жива."}, ports=world.ports())

    # Then residents see the card with its outcome, and after 72 hours the scheduler takes it away
    card = service.feed(SATKA, 10, None, ports=world.ports())["items"][0]
    assert (card["status"], card["outcome"]) == ("found", "Найдена, жива.")
    later = world.clock.now + timedelta(hours=73)
    assert publishing.tick(later, ports=world.ports()).expired == [notice]
    assert feed_ids(world, SATKA) == []


def test_cursor_pages_skip_and_repeat_nothing_while_new_items_arrive(world):
    # Given nine items in a Satka resident's feed, over three territory levels
    before = [publish(world, news([t], f"№{i}")) for i, t in enumerate(["gp-satka", "mr-satkinsky"] * 4)]
    before += [publish(world, news(["chelyabinsk-oblast"], "Область"), moderator="approver")]

    # When they page through three at a time while news is published between page requests
    seen, cursor, pages = [], None, 0
    while True:
        page = service.feed(SATKA, 3, cursor, ports=world.ports())
        seen += [i["id"] for i in page["items"]]
        pages += 1
        publish(world, news(["gp-satka"], f"Между страницами {pages}"))
        cursor = page["next_cursor"]
        if not cursor:
            break

    # Then they saw each earlier item once, newest first, in three pages
    assert len(seen) == len(set(seen)) == len(before)
    assert seen == list(reversed(before))
    assert pages == 3


def test_emergency_bulletin_is_retracted_only_by_an_approver_with_a_comment(world):
    # Given a flood bulletin the МЧС operator published at once for the district
    created = service.create_content(persona("emergency"), bulletin(world, ["mr-satkinsky"], "Паводок: эвакуация"),
                                     ports=world.ports())
    assert created["state"] == "published"
    assert feed_ids(world, SATKA) == [created["id"]]

    # When a district moderator retracts it, or an approver without a comment, it is refused
    assert refused(lambda: service.moderate(persona("moderator-satka"), created["id"], "retract",
                                            {"comment": "ошибка"}, ports=world.ports())) == (
        403, "action-not-allowed",
        "Снять материал с публикации может только Управление по внутренней политике или, для бюллетеня, ГУ МЧС.")
    assert refused(lambda: service.moderate(persona("approver"), created["id"], "retract", {},
                                            ports=world.ports())) == (422, "invalid-input", "Укажите комментарий.")
    # When an approver retracts it with a reason
    retracted = service.moderate(persona("approver"), created["id"], "retract", {"comment": "Ложная тревога"},
                                 ports=world.ports())

    # Then it leaves the feed, residents can no longer open it, and the audit log names both steps
    assert retracted["state"] == "retracted"
    assert feed_ids(world, SATKA) == []
    assert refused(lambda: service.get_for_resident(SATKA, created["id"], ports=world.ports()))[:2] == (
        404, "content-not-found")
    actions = [(e["action"], e["actor"]) for e in world.audit.entries() if e["target_id"] == created["id"]]
    assert actions == [("content.emergency_publish", "staff-mchs"), ("content.retract", "staff-approver")]


def test_emergency_role_cannot_fast_path_anything_but_a_bulletin(world):
    # When the МЧС operator posts news, it is refused and nothing is published
    assert refused(lambda: service.create_content(persona("emergency"), news(["gp-satka"]),
                                                  ports=world.ports())) == (
        403, "action-not-allowed",
        "Срочно публикуются только бюллетени МЧС; остальные материалы проходят согласование.")
    assert feed_ids(world, SATKA) == [] and world.bulletins.published == []


def test_published_bulletin_reaches_the_topic_with_its_territories(world):
    # When the МЧС operator warns Satka and Bakal of a gas outage
    created = service.create_content(persona("emergency"),
                                     bulletin(world, ["gp-satka", "gp-bakal"], "Отключение газа"), ports=world.ports())

    # Then one message goes to the topic, its attributes carrying both territories and the severity
    assert len(world.bulletins.published) == 1
    message, attributes = bulletin_message(world.bulletins.published[0])
    assert attributes["territory_ids"] == {"DataType": "String.Array", "StringValue": '["gp-satka", "gp-bakal"]'}
    assert attributes["severity"]["StringValue"] == "warning"
    assert json.loads(message)["id"] == created["id"]


def test_scheduled_bulletin_is_sent_when_published(world):
    # When a reviewed bulletin is published by the scheduler
    alert = publish(world, bulletin(world, ["mr-satkinsky"]))

    # Then it goes to the topic once
    assert [c.content_id for c in world.bulletins.published] == [alert]


def test_moderators_stay_in_their_scope(world):
    # Given a Satka moderator's draft
    draft = service.create_content(persona("moderator-satka"), news(["gp-satka"]), ports=world.ports())

    # Then the Magnitogorsk moderator can neither write for Satka nor open that draft
    out_of_scope = (403, "territory-scope", "Территории вне вашей зоны ответственности: Сатка.")
    assert refused(lambda: service.create_content(persona("moderator-magnitogorsk"), news(["gp-satka"]),
                                                  ports=world.ports())) == out_of_scope
    assert refused(lambda: service.get_staff(persona("moderator-magnitogorsk"), draft["id"],
                                             ports=world.ports())) == out_of_scope


def test_published_items_are_not_edited_as_drafts(world):
    # Given published news for Satka
    item = publish(world, news(["gp-satka"]))
    version = service.get_staff(persona("moderator-satka"), item, ports=world.ports())["version"]

    # When its moderator edits it as a draft, it is refused and stays as published
    assert refused(lambda: service.edit_content(persona("moderator-satka"), item,
                                                {"version": version, "title": "Поздно"}, ports=world.ports())) == (
        409, "not-editable", "Редактировать можно только черновик или отклонённый материал.")
    assert service.get_for_resident(SATKA, item, ports=world.ports())["title"] == "Новость"


def test_events_come_earliest_first_within_the_dates_asked(world):
    # Given events for the district, the region, Satka (one going on now, one in summer) and Magnitogorsk
    now = world.clock.now
    later = publish(world, event(world, ["mr-satkinsky"], "Лыжня России", timedelta(days=10)))
    soon = publish(world, event(world, ["chelyabinsk-oblast"], "День области", timedelta(days=2)),
                   moderator="approver")
    ongoing = publish(world, event(world, ["gp-satka"], "Ярмарка", timedelta(hours=-2), hours=6))
    far = publish(world, event(world, ["gp-satka"], "Летний фестиваль", timedelta(days=60)))
    publish(world, event(world, ["go-magnitogorsk"], "Праздник в Магнитогорске", timedelta(days=3)),
            moderator="moderator-magnitogorsk")

    def ids(start=None, end=None, territory_id=None):
        return [i["id"] for i in service.events(SATKA, start, end, territory_id, 50, None, ports=world.ports())[
            "items"]]

    # Then a Satka resident gets the next 30 days earliest first, or the dates and territory they ask for
    assert ids() == [ongoing, soon, later]
    assert ids(start=iso(now + timedelta(days=1)), end=iso(now + timedelta(days=5))) == [soon]
    assert ids(end=iso(now + timedelta(days=90))) == [ongoing, soon, later, far]
    assert ids(territory_id="mr-satkinsky") == [soon, later]
    assert refused(lambda: ids(territory_id="go-magnitogorsk"))[:2] == (403, "territory-not-yours")
    assert refused(lambda: ids(start="завтра")) == (
        422, "invalid-input", "from: ожидается дата и время ISO 8601 со смещением.")
