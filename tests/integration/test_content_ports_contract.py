"""The fakes of the content services' ports (tests/support/fakes/content.py) hold to the adapters they
stand for.

The same checks run against each fake and against the real adapter on moto (a stack provisioned
from template.yaml), so a fake that drifts from its adapter fails here, not in a unit test that
trusts it (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pytest
from aj74.clock import iso
from aj74.content import model
from aj74.content.model import Content
from aj74.errors import Conflict, NotFound
from aj74.ids import ulid
from aj74.workflow import Transition

from infra.local.provision import aws_client
from tests.support.env import provisioned, use_stack
from tests.support.fakes.content import FakeBulletins, FakeContentStore, FakeFeed
from tests.support.fakes.vote import FakeClock

NOW = FakeClock().now


@dataclass
class Subject:
    content: object  # ContentStore
    feed: object  # FeedStore
    bulletins: object  # Bulletins


@pytest.fixture(scope="module")
def content_ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-content-ports", "ApiFunction") as env:
        yield env


def _fake() -> Subject:
    from aj74.territories import packaged

    return Subject(content=FakeContentStore(), feed=FakeFeed(packaged().tree), bulletins=FakeBulletins())


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74.content.notifications import BulletinTopic
    from aj74.content.repository import ContentRepository, FeedRepository

    return Subject(content=ContentRepository(), feed=FeedRepository(), bulletins=BulletinTopic())


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("content_ports_stack"), request.getfixturevalue("moto_endpoint"))


def a_draft(kind: str = "news", territories=("mr-satkinsky",), **changes) -> Content:
    fields = {"title": "Ремонт моста через Ай", "body": "Движение закрыто «до 1 июня».\nПодробнее — на сайте.",
              "links": ["https://satka74.ru"], "nested": {"a": [1, 2.5, None, True]}}
    if kind == "bulletin":
        fields |= {"severity": "warning", "expires_at": iso(NOW + timedelta(hours=6))}
    return replace(Content(content_id=ulid(), type=kind, state="draft", territory_ids=tuple(territories),
                           fields=fields, publish_at=None, created_by="staff-mod-satka", created_at=iso(NOW)),
                   **changes)


def step(action: str, from_state: str, to_state: str, at: datetime = NOW) -> Transition:
    return Transition(action, "staff-approver", "approver", iso(at), from_state, to_state)


def published(subject: Subject, content: Content, at: datetime = NOW) -> Content:
    """``content`` created, then published at ``at`` with its feed sync pending."""
    created = subject.content.create(replace(content, state="approved"))
    return subject.content.apply(created.content_id, step("publish", "approved", "published", at),
                                 published_at=model.iso_ms(at), feed_pending="publish")


# ------------------------------------------------------------------ content items


def test_an_item_reads_back_as_created_at_version_1_and_its_id_is_taken_once(subject):
    draft = a_draft()

    created = subject.content.create(draft)

    assert created == replace(draft, version=1)
    assert subject.content.get(draft.content_id) == created
    assert subject.content.get(draft.content_id, consistent=False) == created
    with pytest.raises(Conflict):
        subject.content.create(draft)
    with pytest.raises(NotFound) as missing:
        subject.content.get(ulid())
    assert missing.value.code == "content-not-found"


def test_a_save_needs_the_version_read_and_an_editable_state_and_raises_the_version(subject):
    created = subject.content.create(a_draft())
    edit = {"action": "edit", "actor": "staff-mod-satka", "version": 2}
    changed = created.with_fields({**created.fields, "title": "Мост откроют 1 июня"}, ("gp-satka",),
                                  iso(NOW + timedelta(days=1)))

    saved = subject.content.save(changed, 1, model.EDITABLE_STATES, edit=edit)

    assert (saved.version, saved.title, saved.territory_ids, saved.history) == (
        2, "Мост откроют 1 июня", ("gp-satka",), (edit,))
    assert saved.publish_at == iso(NOW + timedelta(days=1))
    assert subject.content.get(created.content_id) == saved
    with pytest.raises(Conflict) as stale:
        subject.content.save(changed, 1, model.EDITABLE_STATES)
    assert (stale.value.code, stale.value.extra["current_version"]) == ("version-conflict", 2)
    with pytest.raises(Conflict) as frozen:
        subject.content.save(changed, 2, frozenset({"published"}))
    assert frozen.value.code == "not-editable"
    assert subject.content.get(created.content_id) == saved


def test_a_transition_is_stored_only_from_its_state_and_at_the_expected_version(subject):
    created = subject.content.create(a_draft())
    submit = step("submit", "draft", "in_review")

    with pytest.raises(Conflict) as moved:
        subject.content.apply(created.content_id, step("approve", "in_review", "approved"))
    assert moved.value.code == "state-changed"
    with pytest.raises(Conflict) as stale:
        subject.content.apply(created.content_id, submit, expected_version=7)
    assert stale.value.code == "state-changed"

    snapshot = {"type": "news", "title": "Прежний заголовок"}
    saved = subject.content.apply(created.content_id, submit, expected_version=1, review_snapshot=snapshot)

    assert (saved.state, saved.version, saved.review_snapshot) == ("in_review", 2, snapshot)
    assert saved.history == (submit.as_dict(),)
    assert subject.content.get(created.content_id) == saved


def test_settling_clears_the_pending_feed_mark_only_while_it_is_the_one_synced(subject):
    live = published(subject, a_draft())
    assert (live.state, live.feed_pending, live.version) == ("published", "publish", 2)

    assert subject.content.settle(replace(live, feed_pending="remove")) is False
    assert subject.content.settle(live) is True
    settled = subject.content.get(live.content_id)
    assert (settled.feed_pending, settled.version) == (None, 3)
    assert subject.content.settle(live) is False  # already settled
    assert subject.content.settle(a_draft()) is False  # no such item


def test_the_scheduler_finds_what_is_due_by_state_and_time(subject):
    soon = subject.content.create(a_draft(state="approved", publish_at=iso(NOW + timedelta(hours=2))))
    bulletin = published(subject, a_draft("bulletin"))
    subject.content.settle(bulletin)

    def due(state: str, at: datetime | None) -> set[str]:
        return {c.content_id for c in subject.content.in_state(state, due_by=at)} & {
            soon.content_id, bulletin.content_id}

    assert due("approved", NOW + timedelta(hours=1)) == set()
    assert due("approved", NOW + timedelta(hours=2)) == {soon.content_id}
    assert due("approved", None) == {soon.content_id}
    assert due("published", NOW + timedelta(hours=5)) == set()
    assert due("published", NOW + timedelta(hours=6)) == {bulletin.content_id}  # expires then


# ------------------------------------------------------------------ feed entries


def test_feed_entries_are_stored_per_target_pinned_first_and_paged_below_a_key(subject):
    district = published(subject, a_draft(territories=("mr-satkinsky", "gp-satka")), NOW)
    bulletin = published(subject, a_draft("bulletin", territories=("gp-satka",)), NOW - timedelta(hours=1))
    later = published(subject, a_draft(), NOW + timedelta(minutes=1))
    for content in (district, bulletin, later):
        subject.feed.put(content)
    subject.feed.put(district)  # a retried sync writes nothing twice

    satka = subject.feed.feed_page("gp-satka", None, 10)
    assert [e.content_id for e in satka] == [bulletin.content_id]
    assert satka[0].until == int(datetime.fromisoformat(bulletin.fields["expires_at"]).timestamp())
    page = subject.feed.feed_page("mr-satkinsky", None, 1)
    assert [e.content_id for e in page] == [later.content_id]
    assert page[0].card == model.summary(later) and page[0].until is None
    rest = subject.feed.feed_page("mr-satkinsky", page[0].sort_key, 10)
    assert [e.content_id for e in rest] == [district.content_id]

    subject.feed.delete(district)
    subject.feed.delete(district)
    assert [e.content_id for e in subject.feed.feed_page("mr-satkinsky", None, 10)] == [later.content_id]


def test_calendar_entries_are_read_between_two_keys_earliest_first(subject):
    starts = [NOW + timedelta(days=d) for d in (3, 1, 2)]
    events = []
    for when in starts:
        draft = a_draft("event", territories=("go-magnitogorsk",))
        draft = replace(draft, fields={**draft.fields, "starts_at": iso(when),
                                       "ends_at": iso(when + timedelta(hours=2)), "venue": "ДК",
                                       "address": "ул. Ленина, 1", "category": "holiday"})
        events.append(published(subject, draft))
        subject.feed.put(events[-1])

    found = subject.feed.events("go-magnitogorsk", iso(NOW + timedelta(days=1)), iso(NOW + timedelta(days=2)) + "#~")

    assert [e.content_id for e in found] == [events[1].content_id, events[2].content_id]
    subject.feed.delete(events[1])
    assert [e.content_id for e in subject.feed.events("go-magnitogorsk", iso(NOW), iso(NOW + timedelta(days=9)))] == [
        events[2].content_id, events[0].content_id]


def test_a_bulletin_is_announced_with_a_message_id(subject):
    bulletin = published(subject, a_draft("bulletin"))

    assert subject.bulletins.publish(bulletin)


# ------------------------------------------------------------------ the stored shape (adapter only)


def test_the_adapter_stores_an_item_in_the_shape_the_pynamodb_model_wrote(content_ports_stack, moto_endpoint):
    real = _real(content_ports_stack, moto_endpoint)
    from aj74.settings import get_settings

    live = published(real, a_draft())
    item = aws_client("dynamodb", moto_endpoint).get_item(
        TableName=get_settings().content_table, Key={"content_id": {"S": live.content_id}},
        ConsistentRead=True)["Item"]

    assert item["version"] == {"N": "2"} and item["state"] == {"S": "published"}
    assert item["fields"] == {"S": json.dumps(live.fields)}  # JSONAttribute: json's defaults, ASCII escapes
    assert item["territory_ids"] == {"S": '["mr-satkinsky"]'}
    assert json.loads(item["history"]["S"]) == [step("publish", "approved", "published").as_dict()]
    assert item["due_at"] == {"S": live.published_at} and item["feed_pending"] == {"S": "publish"}
    assert "publish_at" not in item and "review_snapshot" not in item  # a null attribute is left out
