"""What the content desk and the approval queue rely on: the МЧС operator retracts its bulletins
(and nothing else), and an item sent back to review shows what changed since it was rejected."""

from __future__ import annotations

import pytest
from aj74.errors import Forbidden

from tests.integration.content.conftest import bulletin, news
from tests.support.polls import persona, resident

pytestmark = pytest.mark.usefixtures("clean_feed")

SATKA = resident("r-satka", "gp-satka")


def feed_ids(who) -> list[str]:
    from aj74.content import service

    return [i["id"] for i in service.feed(who, 50, None)["items"]]


def test_the_emergency_operator_retracts_its_bulletin_and_the_feed_drops_it(bulletin_queue):
    from aj74.audit.repository import AuditLog
    from aj74.content import service

    created = service.create_content(persona("emergency"), bulletin(["mr-satkinsky"], "Паводок"))
    assert feed_ids(SATKA) == [created["id"]]

    retracted = service.moderate(persona("emergency"), created["id"], "retract", {"comment": "Угроза миновала"})

    assert retracted["state"] == "retracted"
    assert retracted["history"][-1]["actor_role"] == "emergency"
    assert feed_ids(SATKA) == []
    entry = [e for e in AuditLog().entries() if e["target_id"] == created["id"]][-1]
    assert (entry["action"], entry["actor_role"]) == ("content.retract", "emergency")


def test_the_emergency_operator_cannot_retract_other_content():
    from aj74.content import service

    item = service.create_content(persona("moderator-satka"), news(["gp-satka"]))
    service.moderate(persona("moderator-satka"), item["id"], "submit")
    service.moderate(persona("approver"), item["id"], "approve")

    with pytest.raises(Forbidden, match="только бюллетени"):
        service.moderate(persona("emergency"), item["id"], "retract", {"comment": "ошибка"})


def test_a_resubmitted_item_shows_what_changed_since_it_was_rejected():
    from aj74.content import service

    mod = persona("moderator-satka")
    item = service.create_content(mod, news(["gp-satka"], "Ремонт моста"))
    assert item["changes_since_review"] == []
    service.moderate(mod, item["id"], "submit")
    rejected = service.moderate(persona("approver"), item["id"], "reject", {"comment": "Уточните сроки"})
    edited = service.edit_content(mod, item["id"], {"version": rejected["version"], "title": "Ремонт моста до 1 июня"})
    resubmitted = service.moderate(mod, item["id"], "submit")

    assert edited["changes_since_review"] == resubmitted["changes_since_review"] == [
        {"field": "title", "title": "Заголовок", "before": "Ремонт моста", "after": "Ремонт моста до 1 июня"}]
