"""The fakes of the audit log and the staff table (tests/support/fakes/audit.py, staff.py) hold to the
adapters they stand for (aj74.audit.repository.AuditLog, aj74.staff.repository.StaffRepository).

The same checks run against each fake and against the real adapter on moto (a stack provisioned
from template.yaml), so a fake that drifts from its adapter fails here, not in a unit test that
trusts it (docs/decisions/021-ports-and-adapters.md). The adapter-only checks at the end pin the
stored items to the shape the PynamoDB models wrote, so the data stored before the move still reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from aj74.audit.chain import GENESIS, head_of, verify_chain

from infra.local.provision import aws_client
from tests.support.env import emptied, provisioned, use_stack
from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.staff import FakeStaff


@dataclass
class Subject:
    """One implementation of each port, and the test's own view of the audit chain's head."""

    audit: object  # AuditTrail, plus entries()
    staff: object  # StaffStore
    head: Callable[[], dict]  # {"seq", "hash"} of the newest entry


@pytest.fixture(scope="module")
def ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-staff-ports", "ApiFunction") as env:
        yield env


def _fake() -> Subject:
    audit = FakeAuditLog()
    return Subject(audit=audit, staff=FakeStaff(), head=lambda: head_of(audit.entries()))


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74.audit.repository import AuditLog
    from aj74.staff.repository import StaffRepository

    dynamodb = aws_client("dynamodb", endpoint)
    emptied(dynamodb, env["AUDIT_TABLE"], ("log", "seq"))
    emptied(dynamodb, env["STAFF_TABLE"], ("subject",))
    return Subject(audit=AuditLog(), staff=StaffRepository(),
                   head=lambda: {k: v for k, v in AuditLog().head().items() if k in ("seq", "hash")})


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("ports_stack"), request.getfixturevalue("moto_endpoint"))


ASSIGNED = {"roles": ["moderator"], "scope_territory_ids": ["mr-satkinsky"], "display_name": "Ирина Соколова",
            "partner": None}


def append_three(audit) -> list[dict]:
    return [
        audit.append(actor="staff-it-admin", actor_role="admin", action="staff.assign", target_type="staff",
                     target_id="staff-mod-satka", after=ASSIGNED, at="2026-05-04T09:00:00Z"),
        audit.append(actor="staff-it-admin", actor_role="admin", action="staff.assign.request", target_type="staff",
                     target_id="staff-new", before=None, after={"roles": ["approver"], "scope_territory_ids": []},
                     comment="Ждёт подтверждения другим администратором.", at="2026-05-04T09:01:00Z"),
        audit.append(actor="staff-it-admin-2", actor_role="admin", action="staff.assign.confirm",
                     target_type="staff", target_id="staff-new", before={"nested": {"n": 1, "ok": True}},
                     after={"roles": ["approver"], "note": "кавычки \" и \\ обратная черта"},
                     comment="Подтверждено; запросил staff-it-admin.", at="2026-05-04T09:02:00Z"),
    ]


# ------------------------------------------------------------------ audit log


def test_appends_chain_from_seq_1_each_linked_to_the_one_before(subject):
    assert subject.head() == {"seq": 0, "hash": GENESIS}

    first, second, third = append_three(subject.audit)

    assert [e["seq"] for e in (first, second, third)] == [1, 2, 3]
    assert [e["prev_hash"] for e in (first, second, third)] == [GENESIS, first["hash"], second["hash"]]
    assert len({first["hash"], second["hash"], third["hash"]}) == 3


def test_the_entries_read_back_as_appended_and_agree_with_the_head(subject):
    appended = append_three(subject.audit)

    entries = subject.audit.entries()

    assert entries == appended
    assert verify_chain(entries) == []
    assert subject.head() == {"seq": 3, "hash": appended[-1]["hash"]}
    assert (entries[0]["before"], entries[0]["comment"]) == (None, None)


# ------------------------------------------------------------------ staff table


def test_an_assignment_reads_back_as_stored_and_the_list_is_by_subject(subject):
    pending = {"roles": ["approver"], "scope_territory_ids": ["chelyabinsk-oblast"], "display_name": None,
               "partner": None, "requested_by": "staff-it-admin", "requested_at": "2026-05-04T09:01:00Z"}
    requested = {"subject": "staff-new", "roles": None, "scope_territory_ids": [], "display_name": None,
                 "updated_at": "2026-05-04T09:01:00Z", "updated_by": "staff-it-admin", "pending": pending}
    applied = {"subject": "staff-mod-satka", **ASSIGNED, "updated_at": "2026-05-04T09:00:00Z",
               "updated_by": "staff-it-admin"}
    cashier = {"subject": "partner-chelzoo-cashier", "roles": ["partner"], "scope_territory_ids": [],
               "display_name": "Анна Лебедева", "partner": "Челябинский зоопарк",
               "updated_at": "2026-05-04T09:03:00Z", "updated_by": "staff-it-admin"}

    for assignment in (requested, applied, cashier):
        assert subject.staff.put(assignment) == assignment

    complete = {"display_name": None, "partner": None, "pending": None}  # null fields read back as None
    assert subject.staff.get("staff-new") == requested | {"partner": None}
    assert subject.staff.get("staff-mod-satka") == complete | applied
    assert subject.staff.get("staff-unknown") is None
    assert [a["subject"] for a in subject.staff.all()] == ["partner-chelzoo-cashier", "staff-mod-satka", "staff-new"]
    assert subject.staff.all()[0] == complete | cashier


def test_a_put_replaces_the_whole_assignment(subject):
    base = {"subject": "staff-new", "scope_territory_ids": [], "updated_at": "2026-05-04T09:01:00Z",
            "updated_by": "staff-it-admin"}
    subject.staff.put({**base, "roles": None, "pending": {"roles": ["approver"], "requested_by": "staff-it-admin"}})

    subject.staff.put({**base, "roles": ["approver"], "scope_territory_ids": ["chelyabinsk-oblast"]})

    stored = subject.staff.get("staff-new")
    assert (stored["roles"], stored["scope_territory_ids"], stored["pending"]) == (
        ["approver"], ["chelyabinsk-oblast"], None)


def test_a_field_the_table_does_not_have_is_refused(subject):
    with pytest.raises(ValueError):
        subject.staff.put({"subject": "staff-x", "roles": ["analyst"], "scope_territory_ids": [],
                           "updated_at": "2026-05-04T09:00:00Z", "updated_by": "staff-it-admin", "shoe_size": 42})
    assert subject.staff.get("staff-x") is None


# ------------------------------------------------------------------ adapters only: the stored shape


@pytest.fixture
def real(ports_stack, moto_endpoint) -> Subject:
    return _real(ports_stack, moto_endpoint)


def test_an_audit_entry_is_stored_as_the_pynamodb_model_stored_it(real, ports_stack, moto_endpoint):
    _, _, third = append_three(real.audit)

    item = aws_client("dynamodb", moto_endpoint).get_item(
        TableName=ports_stack["AUDIT_TABLE"], Key={"log": {"S": "moderation"}, "seq": {"N": "3"}})["Item"]

    # JSONAttribute: json.dumps with its defaults (", " and ": ", non-ASCII escaped).
    assert item["after"] == {"S": json.dumps(third["after"])}
    assert "\\u043a" in item["after"]["S"]  # «к», escaped
    assert item["before"] == {"S": '{"nested": {"n": 1, "ok": true}}'}
    assert item["seq"] == {"N": "3"} and item["comment"] == {"S": "Подтверждено; запросил staff-it-admin."}


def test_items_written_by_the_pynamodb_models_read_back(real, ports_stack, moto_endpoint):
    from aj74.audit.chain import entry_hash

    dynamodb = aws_client("dynamodb", moto_endpoint)
    entry = {"seq": 1, "at": "2026-04-01T10:00:00Z", "actor": "staff-mod-satka", "actor_role": "moderator",
             "action": "poll.submit", "target_type": "poll", "target_id": "01J", "before": None,
             "after": {"title": "Сквер", "state": "review"}, "comment": None, "prev_hash": GENESIS}
    entry["hash"] = entry_hash(entry)
    dynamodb.put_item(TableName=ports_stack["AUDIT_TABLE"], Item={
        "log": {"S": "moderation"}, "seq": {"N": "1"}, "after": {"S": json.dumps(entry["after"])},
        **{k: {"S": entry[k]} for k in ("at", "actor", "actor_role", "action", "target_type", "target_id",
                                         "prev_hash", "hash")}})
    dynamodb.put_item(TableName=ports_stack["STAFF_TABLE"], Item={
        "subject": {"S": "staff-old"}, "roles": {"S": '["moderator"]'}, "scope_territory_ids": {"S": '["gp-satka"]'},
        "display_name": {"S": "Старое назначение"}, "updated_at": {"S": "2026-04-01T10:00:00Z"},
        "updated_by": {"S": "staff-it-admin"}})

    assert real.audit.entries() == [entry]
    assert verify_chain(real.audit.entries()) == []
    assert real.staff.get("staff-old") == {
        "subject": "staff-old", "roles": ["moderator"], "scope_territory_ids": ["gp-satka"],
        "display_name": "Старое назначение", "partner": None, "pending": None,
        "updated_at": "2026-04-01T10:00:00Z", "updated_by": "staff-it-admin"}


def test_the_newest_entries_come_first_and_page_below_a_sequence_number(subject):
    appended = append_three(subject.audit)

    assert list(subject.audit.newest_first()) == list(reversed(appended))
    assert [e["seq"] for e in subject.audit.newest_first(before_seq=3)] == [2, 1]
    assert list(subject.audit.newest_first(before_seq=1)) == []
