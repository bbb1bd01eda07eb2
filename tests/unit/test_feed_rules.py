"""The feed rules that need no storage: where an item is stored, who it reaches, the content
workflow, when the scheduler is due, and how per-territory pages merge under a moving feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aj74.content import model
from aj74.content.lifecycle import CONTENT_WORKFLOW
from aj74.content.model import NEW, Content, Entry
from aj74.errors import Conflict, Forbidden
from aj74.territories import territory_tree

from tests.support.polls import persona

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
tree = territory_tree()


def content(kind: str = "news", **kw) -> Content:
    fields = {"title": "Заголовок", "body": "Текст"}
    if kind == "bulletin":
        fields |= {"severity": "danger", "expires_at": "2026-11-28T18:00:00Z"}
    defaults = dict(content_id="01M8HD4Y1GB7PR50TG8ARX5PYX", type=kind, state="published",
                    territory_ids=("gp-satka",), fields=fields, publish_at=None, created_by="staff-mod-satka",
                    created_at="2026-11-28T10:00:00Z", published_at="2026-11-28T11:00:00.000Z")
    return Content(**(defaults | kw))


def test_targets_below_another_target_are_not_stored_twice():
    assert model.storage_territories(["gp-satka", "mr-satkinsky", "go-magnitogorsk"], tree) == [
        "mr-satkinsky", "go-magnitogorsk"]
    assert model.storage_territories(["gp-satka", "chelyabinsk-oblast"], tree) == ["chelyabinsk-oblast"]


@pytest.mark.parametrize(("home", "targets", "seen"), [
    ("gp-satka", ["gp-satka"], True),
    ("gp-satka", ["mr-satkinsky"], True),
    ("gp-satka", ["chelyabinsk-oblast"], True),
    ("gp-satka", ["go-magnitogorsk"], False),
    ("go-magnitogorsk", ["gp-satka"], False),
    ("vr-tsentralny", ["go-chelyabinsk"], True),
    ("mr-satkinsky", ["gp-satka"], False),
    (None, ["chelyabinsk-oblast"], False),
])
def test_an_item_reaches_its_territories_and_everyone_below_them(home, targets, seen):
    assert model.reaches(targets, home, tree) is seen


def test_bulletins_sort_above_everything_else():
    alert = model.feed_sort_key(content("bulletin", published_at="2026-01-01T00:00:00.000Z"))
    fresh = model.feed_sort_key(content(published_at="2026-11-28T11:59:59.999Z"))
    assert alert > fresh


def test_due_times_drive_the_scheduler():
    visible = timedelta(hours=72)
    assert model.due_at(content(state="approved", publish_at="2026-12-01T09:00:00Z"), visible) == "2026-12-01T09:00:00Z"
    assert model.due_at(content("bulletin"), visible) == "2026-11-28T18:00:00Z"
    assert model.due_at(content(), visible) == model.NEVER
    found = content("missing_person", fields={"title": "t", "status": "found", "found_at": "2026-11-28T10:00:00Z"})
    assert model.due_at(found, visible) == "2026-12-01T10:00:00Z"
    assert model.due_at(content(feed_pending="publish"), visible) == "2026-11-28T11:00:00.000Z"


def test_a_bulletin_is_live_until_it_expires():
    alert = content("bulletin")
    assert model.is_live(alert, NOW, timedelta(hours=1))
    assert not model.is_live(alert, datetime(2026, 11, 28, 18, 0, tzinfo=UTC), timedelta(hours=1))
    assert not model.is_live(content(state="retracted"), NOW, timedelta(hours=1))


def _entry(i: int, pinned: bool = False) -> Entry:
    prefix = model.PINNED_PREFIX if pinned else model.REGULAR_PREFIX
    return Entry(f"{prefix}2026-11-28T10:00:{i:02d}.000Z#{i:026d}", {"id": f"{i:026d}"})


def _pages(levels_of, limit: int) -> list[str]:
    """Walk the feed page by page; ``levels_of(page_no)`` gives the partitions at that moment."""
    seen, after, page_no = [], None, 0
    while True:
        levels = [[e for e in level if after is None or e.sort_key < after][:limit + 1]
                  for level in levels_of(page_no)]
        page = model.merge_feed(levels, limit, NOW)
        seen += [i["id"] for i in page.items]
        after, page_no = page.next_after, page_no + 1
        if after is None:
            return seen


def test_merge_gives_pinned_first_then_newest_and_a_stable_cursor():
    town = [_entry(i) for i in (9, 6, 3)]
    district = [_entry(50, pinned=True)] + [_entry(i) for i in (8, 5, 2)]
    region = [_entry(i) for i in (7, 4, 1)]
    expected = [f"{i:026d}" for i in (50, 9, 8, 7, 6, 5, 4, 3, 2, 1)]

    assert _pages(lambda _: [town, district, region], 3) == expected

    # New items (newer keys, pinned or not) arriving between requests never shift later pages.
    def growing(page_no):
        extra = [_entry(40 + k) for k in range(page_no)] + [_entry(60 + page_no, pinned=True)]
        return [sorted(town + extra, key=lambda e: e.sort_key, reverse=True), district, region]

    walked = _pages(growing, 3)
    assert [i for i in walked if i in expected] == expected
    assert len(walked) == len(set(walked))


def test_expired_entries_are_left_out_but_advance_the_cursor():
    expired = Entry(_entry(5, pinned=True).sort_key, {"id": "x"}, until=int(NOW.timestamp()) - 1)
    page = model.merge_feed([[expired, _entry(4)]], 1, NOW)
    assert page.items == [] and page.next_after == expired.sort_key


def test_content_workflow_rules():
    author = persona("moderator-satka")
    item = {"territory_ids": ("gp-satka",), "created_by": author.subject, "type": "news"}
    at = "2026-11-28T12:00:00Z"
    assert CONTENT_WORKFLOW.plan("submit", "draft", author, item, None, at).to_state == "in_review"
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("submit", "draft", persona("moderator-magnitogorsk"), item, None, at)
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("approve", "in_review", author, item, None, at)
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("approve", "in_review", persona("approver"), {**item, "created_by": "staff-approver"},
                              None, at)
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("emergency_publish", NEW, persona("emergency"), item, None, at)
    fast = CONTENT_WORKFLOW.plan("emergency_publish", NEW, persona("emergency"), {**item, "type": "bulletin"}, None, at)
    assert (fast.to_state, fast.actor_role) == ("published", "emergency")
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("emergency_publish", NEW, author, {**item, "type": "bulletin"}, None, at)
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("retract", "published", author, item, "ошибка", at)
    with pytest.raises(Conflict):
        CONTENT_WORKFLOW.plan("retract", "draft", persona("approver"), item, "ошибка", at)
    with pytest.raises(Forbidden):
        CONTENT_WORKFLOW.plan("publish", "approved", persona("approver"), item, None, at)
    assert CONTENT_WORKFLOW.plan("publish", "approved", None, item, None, at).actor == "system:scheduler"


def test_the_emergency_operator_retracts_bulletins_only():
    operator, at = persona("emergency"), "2026-11-28T12:00:00Z"
    bulletin = {"territory_ids": ("mr-satkinsky",), "created_by": "staff-approver", "type": "bulletin"}
    retract = CONTENT_WORKFLOW.plan("retract", "published", operator, bulletin, "Отбой", at)
    assert (retract.to_state, retract.actor_role) == ("retracted", "emergency")
    with pytest.raises(Forbidden, match="только бюллетени"):
        CONTENT_WORKFLOW.plan("retract", "published", operator, {**bulletin, "type": "news"}, "Отбой", at)


def test_review_changes_list_what_differs_since_the_rejection():
    before = {"type": "news", "title": "Мост", "body": "Текст", "territory_ids": ["gp-satka"]}
    after = {**before, "title": "Мост закрыт", "publish_at": "2026-12-01T05:00:00Z"}
    assert model.review_changes(None, after) == []
    assert model.review_changes(before, after) == [
        {"field": "title", "title": "Заголовок", "before": "Мост", "after": "Мост закрыт"},
        {"field": "publish_at", "title": "Время публикации", "before": None, "after": "2026-12-01T05:00:00Z"}]
