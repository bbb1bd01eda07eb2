"""The fake poll table (tests/support/fakes/polls.py) holds to aj74.polls.repository.PollRepository.

The same checks run against the fake and against the adapter on moto (a stack provisioned from
template.yaml): creating, conditional saves and their conflict codes, transitions refused from a
wrong state or version, fields that read back typed, the amendment flag that fails a stale save,
and the ``by-state`` index with its paging (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aj74.api.problems import status_for
from aj74.clock import iso
from aj74.errors import Conflict, NotFound
from aj74.polls.lifecycle import POLL_WORKFLOW
from aj74.polls.state import Informed, Result, ReviewSnapshot

from tests.support.env import provisioned, use_stack
from tests.support.fakes.polls import FakePollTable
from tests.support.fakes.vote import a_poll
from tests.support.polls import persona

MODERATOR = persona("moderator-satka")
AT = "2026-05-04T09:00:00Z"


@pytest.fixture(scope="module")
def polls_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-poll-ports", "ApiFunction") as env:
        yield env


@pytest.fixture(params=["fake", "adapter"])
def table(request):
    if request.param == "fake":
        return FakePollTable()
    use_stack(request.getfixturevalue("polls_stack"), request.getfixturevalue("moto_endpoint"))
    from aj74.polls.repository import PollRepository

    return PollRepository()


def new_poll(state: str = "draft", opens_at: datetime | None = None):
    return replace(a_poll(opens_at or datetime.now(UTC) + timedelta(days=1)), state=state)


def conflict(call) -> Conflict:
    with pytest.raises(Conflict) as caught:
        call()
    return caught.value


def plan(action: str, state: str):
    actor = MODERATOR if action == "submit" else None
    item = {"territory_ids": ["mr-satkinsky"], "created_by": "someone", "state": state, "history": []}
    return POLL_WORKFLOW.plan(action, state, actor, item, None, AT)


# ------------------------------------------------------------------ create and read


def test_a_created_poll_reads_back_at_version_1_and_its_id_cannot_be_reused(table):
    poll = new_poll()

    created = table.create(poll)

    assert created == replace(poll, version=1)
    assert table.get(poll.poll_id) == created == table.get(poll.poll_id, consistent=False)
    assert conflict(lambda: table.create(poll)).code == "conflict"
    with pytest.raises(NotFound) as caught:
        table.get(new_poll().poll_id)
    assert caught.value.code == "poll-not-found"


# ------------------------------------------------------------------ content


def test_content_is_saved_from_the_current_version_only(table):
    poll = table.create(new_poll())
    edit = {"action": "edit", "actor": "staff-mod-satka", "actor_role": "moderator", "at": AT, "from": "draft",
            "to": "draft", "comment": None, "version": 2}

    saved = table.save_content(replace(poll, title="Новый заголовок"), 1, edit=edit)
    stale = conflict(lambda: table.save_content(replace(poll, title="Старая правка"), 1))

    assert (saved.title, saved.version, saved.history) == ("Новый заголовок", 2, (edit,))
    assert table.get(poll.poll_id) == saved
    assert (status_for(stale)[0], stale.code, stale.extra["current_version"]) == (409, "version-conflict", 2)
    assert stale.detail == ("Опрос уже изменён другим редактором (текущая версия 2). "
                            "Обновите страницу и внесите правки заново.")


def test_content_outside_draft_and_rejected_is_not_saved(table):
    poll = table.create(new_poll(state="open"))

    refused = conflict(lambda: table.save_content(replace(poll, title="Другое"), 1))

    assert refused.code == "not-editable"
    assert table.get(poll.poll_id).title == poll.title


# ------------------------------------------------------------------ transitions and fields


def test_a_transition_applies_from_its_state_and_version_only(table):
    poll = table.create(new_poll())
    submit = plan("submit", "draft")

    wrong_version = conflict(lambda: table.apply(poll.poll_id, submit, expected_version=7))
    wrong_state = conflict(lambda: table.apply(poll.poll_id, plan("open", "approved")))
    submitted = table.apply(poll.poll_id, submit, expected_version=1,
                            review_snapshot=ReviewSnapshot(poll.content()))

    assert (wrong_version.code, wrong_state.code) == ("state-changed", "state-changed")
    assert (status_for(wrong_state)[0], wrong_state.extra["state"]) == (409, "draft")
    assert wrong_state.detail == "Опрос изменился, пока вы работали с ним. Обновите страницу."
    assert (submitted.state, submitted.version) == ("in_review", 2)
    assert submitted.history == (submit.as_dict(),)
    assert submitted.review_snapshot == ReviewSnapshot(poll.content())
    assert table.get(poll.poll_id) == submitted
    again = conflict(lambda: table.apply(poll.poll_id, submit))
    assert again.code == "state-changed"


def test_a_final_result_and_fields_read_back_typed(table):
    poll = table.create(new_poll(state="closed"))
    result = Result(total_ballots=2, counts={"q1-o1": 2, "q2-o3": 1}, merkle_root="ab" * 32,
                    live_tally_matched=True, finalised_at=AT, audit_head={"seq": 3, "hash": "cd" * 32, "at": AT})

    final = table.apply(poll.poll_id, plan("finalise", "closed"), result=result)
    informed = table.set_fields(poll.poll_id, "final", informed=Informed(content_id="c1", at=AT, by="x"))
    wrong = conflict(lambda: table.set_fields(poll.poll_id, "closed", amend_pending=None))

    assert (final.state, final.result, final.version) == ("final", result, 2)
    assert (informed.informed, informed.result, informed.version) == (Informed("c1", AT, "x"), result, 3)
    assert (wrong.code, wrong.detail) == ("state-changed", "Опрос изменился.")
    assert table.get(poll.poll_id) == informed


def test_the_amendment_flag_fails_a_save_from_the_version_before_it(table):
    poll = table.create(new_poll())

    table.mark_amendment_pending(poll.poll_id)
    flagged = table.get(poll.poll_id)

    assert (flagged.amend_pending, flagged.version) == (True, 2)
    assert conflict(lambda: table.save_content(poll, 1)).code == "version-conflict"
    assert conflict(lambda: table.apply(poll.poll_id, plan("submit", "draft"), expected_version=1)).code == (
        "state-changed")
    cleared = table.set_fields(poll.poll_id, "draft", amend_pending=None)
    assert (cleared.amend_pending, cleared.version) == (False, 3)


# ------------------------------------------------------------------ by state


def test_by_state_lists_latest_opening_first_in_pages(table):
    start = datetime(2031, 3, 1, 9, 0, tzinfo=UTC) + timedelta(days=int(datetime.now(UTC).timestamp()) % 1000)
    mine = [table.create(new_poll("approved", start + timedelta(minutes=i))) for i in range(5)]
    ids = {p.poll_id for p in mine}

    pages, cursor = [], None
    while True:
        page, cursor = table.by_state("approved", limit=2, cursor=cursor)
        pages.append(page)
        if not cursor:
            break
    seen = [p.poll_id for page in pages for p in page]
    everything, no_cursor = table.by_state("approved")
    due, _ = table.by_state("approved", opens_before=start + timedelta(minutes=2))

    assert all(len(page) <= 2 for page in pages) and len(seen) == len(set(seen))
    assert [p for p in seen if p in ids] == [p.poll_id for p in reversed(mine)]
    assert [p.poll_id for p in everything] == seen and no_cursor is None
    assert [p.poll_id for p in due if p.poll_id in ids] == [p.poll_id for p in reversed(mine[:3])]
    assert all(iso(p.opens_at) <= iso(start + timedelta(minutes=2)) for p in due)
    assert table.by_state("approved", limit=2)[0] == everything[:2]
    assert table.get(mine[0].poll_id) in everything
