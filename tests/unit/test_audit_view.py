"""Reading the audit log for people (aj74.audit.view) on the fakes of its ports: what an approver, a
moderator of one territory and a resident see, the pages, the filters' refusals, the CSV and the head
published to anyone (docs/decisions/013, 021)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aj74.audit import view
from aj74.audit.chain import GENESIS
from aj74.audit.ports import AuditViewPorts
from aj74.errors import DomainError
from aj74.pagination import encode_cursor
from aj74.territories import packaged

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.staff import FakeStaff
from tests.support.fakes.vote import FakeClock, FakePolls, a_poll
from tests.support.polls import persona, resident

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def world():
    audit, polls, staff = FakeAuditLog(), FakePolls(), FakeStaff()
    satka = polls.put(a_poll(NOW, territory_ids=("gp-satka",)))
    magnitogorsk = polls.put(a_poll(NOW.replace(minute=5), territory_ids=("go-magnitogorsk",)))
    staff.put({"subject": "staff-mod-satka", "roles": ["moderator"], "scope_territory_ids": ["gp-satka"],
               "display_name": "Ирина Соколова", "updated_at": "2026-05-01T09:00:00Z", "updated_by": "staff-it-admin"})
    for at, actor, role, action, target in [
        ("2026-05-01T10:00:00Z", "staff-mod-satka", "moderator", "poll.create", satka.poll_id),
        ("2026-05-02T10:00:00Z", "staff-mod-magnitogorsk", "moderator", "poll.create", magnitogorsk.poll_id),
        ("2026-05-03T10:00:00Z", "staff-approver", "approver", "poll.approve", satka.poll_id),
        ("2026-05-03T11:00:00Z", "staff-it-admin", "admin", "staff.assign", "staff-mod-satka"),
    ]:
        audit.append(actor=actor, actor_role=role, action=action, target_type=action.split(".")[0],
                     target_id=target, after={"state": "draft"}, at=at)
    ports = AuditViewPorts(audit=audit, polls=polls, staff=staff, territories=lambda: packaged().tree,
                           clock=FakeClock(NOW))
    return {"ports": ports, "audit": audit, "satka": satka.poll_id, "magnitogorsk": magnitogorsk.poll_id}


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def test_an_approver_pages_the_whole_log_newest_first_with_titles_in_russian(world):
    # When the approver reads two entries at a time
    first = view.audit_page(persona("approver"), {}, 2, ports=world["ports"])
    second = view.audit_page(persona("approver"), {"cursor": first["next_cursor"]}, 2, ports=world["ports"])

    # Then every entry comes once, newest first, and the last page has no cursor
    assert [e["seq"] for e in first["items"]] == [4, 3] and [e["seq"] for e in second["items"]] == [2, 1]
    assert second["next_cursor"] is None
    # And each reads in Russian, with the staff member's name where the IT administrator recorded one
    oldest = second["items"][-1]
    assert (oldest["action_title"], oldest["actor_role_title"], oldest["actor_name"]) == (
        "создание", "Модератор муниципалитета", "Ирина Соколова")
    assert first["items"][0]["action_title"] == "назначение ролей" and first["items"][0]["actor_name"] is None


def test_a_moderator_reads_only_the_entries_about_polls_of_their_territory(world):
    page = view.audit_page(persona("moderator-satka"), {}, 50, ports=world["ports"])

    assert [(e["action"], e["target_id"]) for e in page["items"]] == [
        ("poll.approve", world["satka"]), ("poll.create", world["satka"])]


def test_filters_by_poll_actor_and_dates_end_of_day_included(world):
    ports = world["ports"]
    by_poll = view.audit_page(persona("analyst"), {"poll_id": world["magnitogorsk"]}, 50, ports=ports)
    by_actor = view.audit_page(persona("analyst"), {"actor": "staff-approver"}, 50, ports=ports)
    by_day = view.audit_page(persona("analyst"), {"from": "2026-05-03", "to": "2026-05-03"}, 50, ports=ports)

    assert [e["seq"] for e in by_poll["items"]] == [2]
    assert [e["seq"] for e in by_actor["items"]] == [3]
    assert [e["seq"] for e in by_day["items"]] == [4, 3]


def test_a_resident_is_refused_and_bad_filters_name_their_field(world):
    ports = world["ports"]
    no_role = refused(lambda: view.audit_page(resident("curious"), {}, 10, ports=ports))
    bad_date = refused(lambda: view.audit_page(persona("approver"), {"from": "03.05.2026"}, 10, ports=ports))
    bad_cursor = refused(lambda: view.audit_page(persona("approver"), {"cursor": encode_cursor({"s": "3"})}, 10,
                                                 ports=ports))

    assert no_role.code == "role-required" and "модераторам" in str(no_role)
    assert bad_date.errors == [{"field": "from", "detail": "дата ГГГГ-ММ-ДД или время ISO 8601"}]
    assert bad_cursor.errors == [{"field": "cursor", "detail": "неверный курсор"}]


def test_the_csv_lists_the_filtered_entries_for_excel(world):
    text = view.audit_csv(persona("approver"), {"actor": "staff-mod-satka"}, ports=world["ports"])

    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("№;Время (UTC);Кто;Роль;Действие")
    assert len(lines) == 2
    assert lines[1].startswith("1;2026-05-01T10:00:00Z;staff-mod-satka;Модератор муниципалитета;создание;poll;")


def test_the_published_head_is_the_chains_newest_entry_stamped_with_the_clock(world):
    head = view.published_head(ports=world["ports"])
    empty = view.published_head(ports=AuditViewPorts(audit=FakeAuditLog(), polls=FakePolls(), staff=None,
                                                     territories=lambda: packaged().tree, clock=FakeClock(NOW)))

    assert (head["seq"], head["hash"], head["published_at"]) == (
        4, world["audit"].entries()[-1]["hash"], "2026-05-04T09:00:00Z")
    assert (empty["seq"], empty["hash"], empty["at"]) == (0, GENESIS, None)
