"""The feed against moto: targeting, pinned and expiring bulletins, cursors under concurrent
publication, the emergency fast path, retraction, the SNS fan-out and the events calendar."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aj74.clock import iso, utcnow
from aj74.errors import Conflict, Forbidden, InvalidInput, NotFound

from tests.integration.content.conftest import bulletin, event, news, publish
from tests.support.polls import persona, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_feed_service.py), and the contract tests hold the fakes to the
# adapters on moto; here they run end to end through the real adapters (docs/decisions/021).
pytestmark = [pytest.mark.usefixtures("clean_feed"), pytest.mark.slow]

SATKA = resident("r-satka", "gp-satka")
BAKAL = resident("r-bakal", "gp-bakal")
MAGNITOGORSK = resident("r-mgn", "go-magnitogorsk")
CHELYABINSK = resident("r-chel", "vr-tsentralny")


def feed_ids(who, limit: int = 50) -> list[str]:
    from aj74.content import service

    return [i["id"] for i in service.feed(who, limit, None)["items"]]


def test_targeting_reaches_home_and_every_territory_above_it_only():
    satka_news = publish(news(["gp-satka"], "Ремонт моста через Ай"))
    district_news = publish(news(["mr-satkinsky"], "Новости района"))
    mgn_news = publish(news(["go-magnitogorsk"], "Новости Магнитогорска"), moderator="moderator-magnitogorsk")
    region_news = publish(news(["chelyabinsk-oblast"], "Новости области"), moderator="approver")

    assert set(feed_ids(SATKA)) == {satka_news, district_news, region_news}
    assert set(feed_ids(BAKAL)) == {district_news, region_news}
    assert set(feed_ids(MAGNITOGORSK)) == {mgn_news, region_news}
    assert feed_ids(CHELYABINSK) == [region_news]


def test_a_satka_resident_cannot_open_a_magnitogorsk_item():
    from aj74.content import service

    mgn_news = publish(news(["go-magnitogorsk"]), moderator="moderator-magnitogorsk")

    with pytest.raises(NotFound):
        service.get_for_resident(SATKA, mgn_news)
    assert service.get_for_resident(MAGNITOGORSK, mgn_news)["id"] == mgn_news


def test_an_item_aimed_at_a_district_and_its_town_appears_once():
    both = publish(news(["gp-satka", "mr-satkinsky"]))

    assert feed_ids(SATKA) == [both]


def test_active_bulletins_are_pinned_above_newer_items():
    alert = publish(bulletin(["mr-satkinsky"]))
    later_news = publish(news(["gp-satka"], "Свежая новость"))

    from aj74.content import service

    items = service.feed(SATKA, 10, None)["items"]

    assert [(i["id"], i["pinned"]) for i in items] == [(alert, True), (later_news, False)]


def test_an_expired_bulletin_leaves_the_feed_and_the_scheduler_retires_it():
    from aj74.content import publishing, service

    alert = publish(bulletin(["gp-satka"], hours=1))
    after_expiry = utcnow() + timedelta(hours=1, minutes=1)

    assert service.feed(SATKA, 10, None, now=after_expiry)["items"] == []  # hidden before the tick
    assert publishing.tick(after_expiry).expired == [alert]
    assert feed_ids(SATKA) == []
    assert service.get_staff(persona("approver"), alert)["state"] == "expired"
    assert publishing.tick(after_expiry).expired == []  # idempotent


def test_a_found_notice_stays_with_its_outcome_then_leaves():
    from aj74.content import publishing, service

    notice = publish({"type": "missing_person", "title": "Пропала Анна Петрова, 78 лет", "territory_ids": ["gp-satka"],
                      "description": "Рост 160 см, синее пальто.", "last_seen_place": "Сатка, ул. Солнечная",
                      "last_seen_at": iso(utcnow() - timedelta(hours=5)), "contact_phone": "+7 351 000-00-00"})
    version = service.get_staff(persona("moderator-satka"), notice)["version"]

    service.edit_content(persona("moderator-satka"), notice, {"version": version, "status": "found",
                                                               "outcome": "Найдена, жива."})

    card = service.feed(SATKA, 10, None)["items"][0]
    assert (card["status"], card["outcome"]) == ("found", "Найдена, жива.")
    later = utcnow() + timedelta(hours=73)
    assert publishing.tick(later).expired == [notice]
    assert feed_ids(SATKA) == []


def test_cursor_pages_skip_and_repeat_nothing_while_new_items_arrive():
    from aj74.content import service

    before = [publish(news([t], f"№{i}")) for i, t in enumerate(["gp-satka", "mr-satkinsky"] * 4)]
    before += [publish(news(["chelyabinsk-oblast"], "Область"), moderator="approver")]
    seen, cursor, pages = [], None, 0
    while True:
        page = service.feed(SATKA, 3, cursor)
        seen += [i["id"] for i in page["items"]]
        pages += 1
        # Items published between page requests sort above the cursor: the next page is not shifted.
        publish(news(["gp-satka"], f"Между страницами {pages}"))
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert len(seen) == len(set(seen)) == len(before)
    assert seen == list(reversed(before))
    assert pages == 3


def test_emergency_bulletin_is_live_at_once_audited_and_retractable(bulletin_queue):
    from aj74.audit.repository import AuditLog
    from aj74.content import service

    created = service.create_content(persona("emergency"), bulletin(["mr-satkinsky"], "Паводок: эвакуация"))

    assert created["state"] == "published"
    assert feed_ids(SATKA) == [created["id"]]
    with pytest.raises(Forbidden):
        service.moderate(persona("moderator-satka"), created["id"], "retract", {"comment": "ошибка"})
    with pytest.raises(InvalidInput):
        service.moderate(persona("approver"), created["id"], "retract", {})

    retracted = service.moderate(persona("approver"), created["id"], "retract", {"comment": "Ложная тревога"})

    assert retracted["state"] == "retracted"
    assert feed_ids(SATKA) == []
    with pytest.raises(NotFound):
        service.get_for_resident(SATKA, created["id"])
    actions = [(e["action"], e["actor"]) for e in AuditLog().entries() if e["target_id"] == created["id"]]
    assert actions == [("content.emergency_publish", "staff-mchs"), ("content.retract", "staff-approver")]


def test_emergency_role_cannot_fast_path_anything_but_a_bulletin():
    from aj74.content import service

    with pytest.raises(Forbidden):
        service.create_content(persona("emergency"), news(["gp-satka"]))


def test_published_bulletin_reaches_the_topic_with_its_territories(bulletin_queue):
    from aj74.content import service

    created = service.create_content(persona("emergency"), bulletin(["gp-satka", "gp-bakal"], "Отключение газа"))

    messages = bulletin_queue()
    assert len(messages) == 1
    envelope = messages[0]
    assert envelope["MessageAttributes"]["territory_ids"] == {"Type": "String.Array",
                                                              "Value": '["gp-satka", "gp-bakal"]'}
    assert envelope["MessageAttributes"]["severity"]["Value"] == "warning"
    assert json.loads(envelope["Message"])["id"] == created["id"]


def test_scheduled_bulletin_is_sent_when_published(bulletin_queue):
    alert = publish(bulletin(["mr-satkinsky"]))

    assert [json.loads(m["Message"])["id"] for m in bulletin_queue()] == [alert]


def test_nobody_approves_their_own_draft_and_moderators_stay_in_scope():
    from aj74.content import service

    own = service.create_content(persona("approver"), news(["gp-satka"]))
    service.moderate(persona("approver"), own["id"], "submit")
    with pytest.raises(Forbidden):
        service.moderate(persona("approver"), own["id"], "approve")
    with pytest.raises(Forbidden):
        service.create_content(persona("moderator-magnitogorsk"), news(["gp-satka"]))
    draft = service.create_content(persona("moderator-satka"), news(["gp-satka"]))
    with pytest.raises(Forbidden):
        service.get_staff(persona("moderator-magnitogorsk"), draft["id"])


def test_draft_edits_need_the_current_version_and_are_only_for_drafts():
    from aj74.content import service

    draft = service.create_content(persona("moderator-satka"), news(["gp-satka"]))
    edited = service.edit_content(persona("moderator-satka"), draft["id"], {"version": 1, "title": "Новый заголовок"})
    assert (edited["title"], edited["version"]) == ("Новый заголовок", 2)
    with pytest.raises(Conflict):
        service.edit_content(persona("moderator-satka"), draft["id"], {"version": 1, "title": "Поздно"})


def test_publish_at_in_the_future_waits_for_its_time():
    from aj74.content import publishing, service

    body = news(["gp-satka"], publish_at=iso(utcnow() + timedelta(hours=2)))
    item = service.create_content(persona("moderator-satka"), body)
    service.moderate(persona("moderator-satka"), item["id"], "submit")
    service.moderate(persona("approver"), item["id"], "approve")

    assert publishing.tick().published == []
    assert publishing.tick(utcnow() + timedelta(hours=2, seconds=1)).published == [item["id"]]


def test_events_come_earliest_first_within_the_dates_asked():
    from aj74.content import service

    later = publish(event(["mr-satkinsky"], "Лыжня России", timedelta(days=10)))
    soon = publish(event(["chelyabinsk-oblast"], "День области", timedelta(days=2)), moderator="approver")
    ongoing = publish(event(["gp-satka"], "Ярмарка", timedelta(hours=-2), hours=6))
    far = publish(event(["gp-satka"], "Летний фестиваль", timedelta(days=60)))
    publish(event(["go-magnitogorsk"], "Праздник в Магнитогорске", timedelta(days=3)),
            moderator="moderator-magnitogorsk")

    def titles(**q):
        return [i["id"] for i in service.events(SATKA, q.get("start"), q.get("end"), q.get("territory_id"), 50, None)[
            "items"]]

    assert titles() == [ongoing, soon, later]
    assert titles(start=iso(utcnow() + timedelta(days=1)), end=iso(utcnow() + timedelta(days=5))) == [soon]
    assert titles(end=iso(utcnow() + timedelta(days=90))) == [ongoing, soon, later, far]
    assert titles(territory_id="mr-satkinsky") == [soon, later]
    with pytest.raises(Forbidden):
        titles(territory_id="go-magnitogorsk")
    with pytest.raises(InvalidInput):
        titles(start="завтра")
