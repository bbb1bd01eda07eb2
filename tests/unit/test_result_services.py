"""Reading results on fakes (tests/support/fakes/integrity.py, tests/support/fakes/vote.py): staff
results (aj74.polls.reporting), checking the vote (aj74.polls.verification) and a resident's poll
page (aj74.polls.resident_view), the real service code with in-memory stand-ins only at the ports
of aj74.integrity.ports — what an analyst, an auditor or a resident would see, with no moto."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.errors import DomainError
from aj74.integrity.fingerprint import fingerprint
from aj74.integrity.published import PublishedBallot, check_proof, tally
from aj74.pagination import encode_cursor
from aj74.polls import reporting, resident_view, verification
from aj74.polls.recording import BallotRecorder

from tests.support.fakes.integrity import ResultWorld
from tests.support.fakes.vote import MESSAGE_KEY, a_poll
from tests.support.polls import answers, persona, resident

RETENTION_SECONDS = 4 * 24 * 3600
THRESHOLD = 10  # small_cell_threshold by default: live numbers move in steps of 10


@pytest.fixture
def world() -> ResultWorld:
    return ResultWorld()


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def vote(world: ResultWorld, poll, choices: list[tuple[int, tuple[int, ...]]]) -> list[dict]:
    """Each resident of Сатка casts one ballot (``choices[i]`` as q1 option, q2 options); the
    consumer records them all. The 202 bodies, with the receipts."""
    bodies = [world.cast(resident(f"voter-{i}"), poll.poll_id, answers(q1, q2)) for i, (q1, q2) in enumerate(choices)]
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    recorder.add_to_live_tallies([recorder.record(body) for body in world.queue.bodies()])
    world.queue.sent.clear()
    return bodies


def closed_and_final(world: ResultWorld, poll, choices, publish: bool = True):
    receipts = vote(world, poll, choices)
    world.clock.now = poll.closes_at + timedelta(minutes=5)
    return world.finalise(poll, publish=publish), receipts


def fixed_poll(world: ResultWorld):
    """An open poll whose content was fingerprinted at approval, as every approved poll's is."""
    poll = world.open_poll()
    return world.polls.put(replace(poll, fingerprint=fingerprint(poll.content())))


def option_counts(body: dict) -> dict[str, int]:
    return {o["id"]: o["count"] for q in body["questions"] for o in q["options"]}


# ====================================================================== staff results while open


def test_with_results_hidden_until_close_the_analyst_sees_participation_in_steps_and_no_counts(world):
    poll = world.polls.put(replace(world.open_poll(), results_visibility="after_close"))
    vote(world, poll, [(1, (1,))] * 13)
    world.backlog = 4

    body = reporting.staff_results(persona("analyst"), poll.poll_id, ports=world.reporting_ports())

    assert body["state"] == "open" and body["results_visibility"] == "after_close"
    assert body["participation"]["ballots_counted"] == 10  # 13 recorded, shown in steps of 10
    assert body["participation"]["step"] == THRESHOLD
    assert body["participation"]["queue_backlog"] == 4 and body["participation"]["total"] == 14
    assert body["participation"]["measured_at"] == "2026-05-04T09:00:00Z"  # the clock's now
    assert "live" not in body
    assert body["hidden_reason"] == "Результаты скрыты до завершения голосования: так выбрано при создании опроса."


def test_with_results_shown_after_voting_the_live_counts_move_in_steps_and_hide_a_small_count(world):
    poll = world.open_poll()
    vote(world, poll, [(1, (1,))] * 12 + [(2, (2,))] * 9)

    body = reporting.staff_results(persona("approver"), poll.poll_id, ports=world.reporting_ports())

    live = option_counts(body["live"])
    assert body["live"]["total_ballots"] == 20  # 21 recorded
    assert live["q1-o1"] == 10 and live["q2-o1"] == 10  # 12 each, rounded down
    assert live["q1-o2"] == 0 and live["q2-o2"] == 0  # 9 is below the threshold: no ballot is seen
    assert "hidden_reason" not in body


def test_the_final_result_shows_every_count_its_root_and_the_turnout(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1, 2))] * 3 + [(3, (3,))] * 2)

    body = reporting.staff_results(persona("analyst"), poll.poll_id, ports=world.reporting_ports())

    assert body["state"] == "final" and body["state_title"] == "итоги подведены"
    assert body["total_ballots"] == 5
    assert option_counts(body) == {"q1-o1": 3, "q1-o2": 0, "q1-o3": 2, "q2-o1": 3, "q2-o2": 3, "q2-o3": 2}
    assert body["merkle_root"] == poll.result.merkle_root
    assert body["territories"] == ["Саткинский муниципальный район"]
    # The packaged registry has no population for the district: no share is made up.
    assert (body["turnout"]["ballots"], body["turnout"]["share"]) == (5, None)
    assert body["turnout"]["territories_without_population"] == ["Саткинский муниципальный район"]


def test_a_poll_before_voting_has_no_results_and_breakdowns_wait_for_the_final_result(world):
    approved = world.polls.put(a_poll(world.clock.now + timedelta(days=1), state="approved"))
    open_poll = world.open_poll()
    ports = world.reporting_ports()

    status, code, detail = refused(lambda: reporting.staff_results(persona("analyst"), approved.poll_id, ports=ports))
    assert (status, code, detail) == (409, "no-results", "Итогов пока нет: опрос в состоянии «согласован».")

    status, code, detail = refused(
        lambda: reporting.staff_results(persona("analyst"), open_poll.poll_id, "gender", ports=ports))
    assert (status, code, detail) == (409, "breakdown-after-final", "Разрезы итогов доступны после подведения итогов.")

    status, code, detail = refused(lambda: reporting.results_csv(persona("analyst"), open_poll.poll_id, ports=ports))
    assert (status, code, detail) == (409, "no-results", "Выгрузка итогов доступна после подведения итогов.")


def test_a_moderator_of_another_territory_is_refused_the_results_with_the_territory_named(world):
    poll = world.open_poll()

    status, code, detail = refused(lambda: reporting.staff_results(
        persona("moderator-magnitogorsk"), poll.poll_id, ports=world.reporting_ports()))

    assert (status, code) == (403, "territory-scope")
    assert detail.startswith("Опрос проводится на территориях вне вашей зоны ответственности: Саткинский")


def test_an_unknown_poll_has_no_results(world):
    unknown = a_poll(world.clock.now).poll_id  # a well-formed id nobody stored

    status, code, detail = refused(
        lambda: reporting.staff_results(persona("analyst"), unknown, ports=world.reporting_ports()))

    assert (status, code, detail) == (404, "poll-not-found", "Опрос не найден.")


# ====================================================================== the published ballot list


def test_the_published_list_pages_through_every_ballot_and_recounts_to_the_result(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1,)), (2, (2, 3)), (3, (1,)), (1, (3,)), (2, (2,))])
    auditor = persona("analyst")
    ports = world.verification_ports()

    pages, cursor = [], None
    while True:
        page = verification.published_ballots(auditor, poll.poll_id, cursor, "2", ports=ports)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [PublishedBallot(b["commitment"], tuple(b["option_ids"])) for p in pages for b in p]
    assert page["tree_size"] == 5 and page["canonical_order"] == "commitment ascending"
    assert tally(listed) == {"total_ballots": 5, "counts": poll.result.counts,
                             "merkle_root": poll.result.merkle_root, "tree_size": 5}


def test_anyone_reads_the_same_list_and_the_result_of_a_final_poll(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1,)), (2, (2,))])
    ports = world.verification_ports()

    public = verification.public_published_ballots(poll.poll_id, None, None, ports=ports)
    staff = verification.published_ballots(persona("approver"), poll.poll_id, None, None, ports=ports)
    result = verification.public_result(poll.poll_id, ports=ports)

    assert public == staff and public["next_cursor"] is None and len(public["items"]) == 2
    assert (result["total_ballots"], result["merkle_root"], result["tree_size"]) == (2, poll.result.merkle_root, 2)


def test_a_malformed_cursor_a_stale_cursor_and_a_bad_limit_are_refused(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1,)), (2, (2,))])
    ports = world.verification_ports()
    read = lambda cursor, limit=None: verification.public_published_ballots(poll.poll_id, cursor, limit, ports=ports)  # noqa: E731

    assert refused(lambda: read("not a cursor!")) == (422, "invalid-input", "Неверный курсор страницы.")
    amended_since = encode_cursor({"r": "0" * 64, "i": 1})
    assert refused(lambda: read(amended_since)) == (
        409, "published-list-changed", "Итоги опроса изменились (опубликована поправка): начните чтение списка заново.")
    assert refused(lambda: read(None, "1001")) == (422, "invalid-input", "limit должен быть от 1 до 1000.")


def test_the_list_of_a_poll_not_yet_final_or_unknown_is_refused(world):
    open_poll = world.open_poll()
    unknown = a_poll(world.clock.now).poll_id
    ports = world.verification_ports()

    status, code, detail = refused(lambda: verification.public_published_ballots(open_poll.poll_id, None, None,
                                                                                 ports=ports))
    assert (status, code) == (409, "poll-not-final")
    assert detail.startswith("Итоги опроса ещё не подведены: проверка голосов станет доступна")
    assert refused(lambda: verification.public_result(unknown, ports=ports)) == (404, "poll-not-found",
                                                                                  "Опрос не найден.")
    assert refused(lambda: verification.public_result("not-a-ulid", ports=ports))[:2] == (404, "poll-not-found")


def test_a_result_finalised_before_lists_existed_says_the_list_is_missing(world):
    poll, receipts = closed_and_final(world, world.open_poll(), [(1, (1,))], publish=False)
    ports = world.verification_ports()
    missing = (409, "published-list-missing",
               "Список голосов этого опроса не опубликован (итоги подведены до появления списков).")

    assert refused(lambda: verification.public_published_ballots(poll.poll_id, None, None, ports=ports)) == missing
    commitment = receipts[0]["receipt"]["commitment"]
    assert refused(lambda: verification.public_proof(poll.poll_id, commitment, ports=ports)) == missing


# ====================================================================== receipts and proofs


def test_a_receipts_proof_verifies_against_the_published_root_and_a_changed_choice_fails(world):
    poll, receipts = closed_and_final(world, world.open_poll(), [(1, (1,)), (2, (2, 3)), (3, (1,))])
    mine = receipts[1]["receipt"]

    proof = verification.public_proof(poll.poll_id, mine["commitment"].upper(), ports=world.verification_ports())

    assert proof["merkle_root"] == poll.result.merkle_root and proof["tree_size"] == 3
    assert sorted(proof["option_ids"]) == ["q1-o2", "q2-o2", "q2-o3"]
    assert check_proof(mine["commitment"], ["q1-o2", "q2-o2", "q2-o3"], proof, poll.result.merkle_root) is None
    # A verifier who believes the ballot said «Освещение» finds it is not what was counted.
    problem = check_proof(mine["commitment"], ["q1-o1", "q2-o2", "q2-o3"], proof, poll.result.merkle_root)
    assert problem is not None and "the ballot was altered after it was cast" in problem
    forged = {**proof, "option_ids": ["q1-o1", "q2-o2", "q2-o3"]}
    assert "does not lead" in check_proof(mine["commitment"], ["q1-o1", "q2-o2", "q2-o3"], forged,
                                          poll.result.merkle_root)


def test_a_receipt_of_a_ballot_replaced_later_is_named_so_to_its_resident_only(world):
    poll = world.open_poll()
    me = persona("resident-satka")
    earlier = world.cast(me, poll.poll_id, answers(1, (1,)))
    world.clock.advance(seconds=30)
    world.cast(me, poll.poll_id, answers(2, (2,)))
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    recorder.add_to_live_tallies([recorder.record(b) for b in world.queue.bodies()])
    world.clock.now = poll.closes_at + timedelta(minutes=5)
    poll = world.finalise(poll)
    ports = world.verification_ports()
    old = earlier["receipt"]["commitment"]

    status, code, detail = refused(lambda: verification.proof(me, poll.poll_id, old, ports=ports))
    assert (status, code) == (409, "ballot-replaced")
    assert detail.startswith("Этот голос заменён вашим более поздним голосом")
    assert refused(lambda: verification.proof(persona("approver"), poll.poll_id, old, ports=ports)) == (
        404, "receipt-not-found", "Голос с таким обязательством не входит в опубликованные итоги опроса.")


def test_a_malformed_receipt_is_refused_before_any_poll_is_read(world):
    status, code, detail = refused(lambda: verification.public_proof(a_poll(world.clock.now).poll_id, "abc",
                                                                     ports=world.verification_ports()))

    assert (status, code) == (422, "invalid-input")
    assert detail == "receipt: укажите обязательство из квитанции — 64 шестнадцатеричных символа."


# ====================================================================== the integrity report


def test_the_integrity_report_of_an_untouched_poll_is_ok(world):
    poll, _ = closed_and_final(world, fixed_poll(world), [(1, (1,)), (2, (2,)), (3, (3,))])

    report = verification.integrity_report(persona("analyst"), poll.poll_id, ports=world.verification_ports())

    assert report["ok"] is True
    assert report["fingerprint"]["matches"] is True
    assert report["result"]["matches"] is True and report["result"]["differences"] == []
    assert report["published_list"] == {"matches": True, "differences": []}


def test_the_integrity_report_flags_a_ballot_moved_to_another_option_in_storage(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1,)), (1, (1,)), (2, (2,))])
    # Someone with table access moves one ballot: its first option bit goes from q1-o1 to q1-o3.
    [chunk_part] = [p for p in world.published.parts(poll.poll_id) if not p.endswith("index")]
    stored = world.published.item(poll.poll_id, chunk_part)
    ballots = world.published.all(poll.poll_id, poll.result.merkle_root)
    moved = next(i for i, b in enumerate(ballots) if "q1-o1" in b.option_ids)
    choices = bytearray(stored["choices"]["B"])
    choices[moved] ^= 0b101  # option bits of q1-o1 (bit 0) and q1-o3 (bit 2): one byte per ballot
    stored["choices"]["B"] = bytes(choices)

    report = verification.integrity_report(persona("analyst"), poll.poll_id, ports=world.verification_ports())

    assert report["ok"] is False
    assert report["result"]["matches"] is True  # the ledger still recounts to the published result
    listed = report["published_list"]
    assert listed["matches"] is False
    assert "counts[q1-o1]: published 2, recounted 1" in listed["differences"]
    assert "counts[q1-o3]: published 0, recounted 1" in listed["differences"]
    assert listed["differences"][-1].startswith("the stored ballot list does not rebuild the published Merkle root")


def test_the_integrity_report_flags_a_missing_list_and_a_poll_changed_after_its_fingerprint(world):
    poll, _ = closed_and_final(world, fixed_poll(world), [(1, (1,))], publish=False)
    world.polls.put(replace(poll, title="Другой заголовок"))

    report = verification.integrity_report(persona("approver"), poll.poll_id, ports=world.verification_ports())

    assert report["ok"] is False
    assert report["fingerprint"]["matches"] is False
    assert report["published_list"] == {"matches": False, "differences": ["the published ballot list is missing"]}


def test_a_resident_outside_the_polls_territory_cannot_ask_for_its_integrity_report(world):
    poll, _ = closed_and_final(world, world.open_poll(), [(1, (1,))])

    assert refused(lambda: verification.integrity_report(persona("resident-magnitogorsk"), poll.poll_id,
                                                         ports=world.verification_ports())) == (
        404, "poll-not-found", "Опрос не найден.")


def test_the_audit_export_ends_at_the_chains_head(world):
    for action in ("poll.create", "poll.submit"):
        world.audit.append(actor="moderator-satka", actor_role="moderator", action=action, target_type="poll",
                           target_id="p-1")

    export = verification.audit_export(ports=world.verification_ports())

    assert [e["action"] for e in export["entries"]] == ["poll.create", "poll.submit"]
    assert export["head"] == {"seq": 2, "hash": export["entries"][-1]["hash"]}
    assert export["exported_at"].startswith("2026-05-04T09:00")


# ====================================================================== a resident's poll page


def test_a_resident_sees_participants_in_steps_while_open_and_the_exact_total_once_final(world):
    poll = world.open_poll()
    vote(world, poll, [(1, (1,))] * 14)
    me = persona("resident-satka")

    while_open = resident_view.extend({"questions": []}, poll, me, world.tree, ports=world.resident_view_ports())
    final, _ = closed_and_final(world, poll, [])
    once_final = resident_view.extend({"questions": []}, final, me, world.tree, ports=world.resident_view_ports())

    assert while_open["participants"] == {"count": 10, "step": THRESHOLD, "final": False}
    assert while_open["can_vote"] is True and while_open["cannot_vote_reason"] is None
    assert once_final["participants"] == {"count": 14, "step": 1, "final": True}
    assert once_final["cannot_vote_reason"] == {"code": "closed", "detail": "Голосование уже завершено."}


def test_a_breakdown_by_gender_computed_from_the_ledger_hides_a_group_of_three_in_the_table_and_the_csv(world):
    poll = world.open_poll()
    for i in range(15):  # twelve women, three men
        world.cast(resident(f"voter-{i}", gender="m" if i >= 12 else "f"), poll.poll_id, answers(1 + i // 12, (1,)))
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    recorder.add_to_live_tallies([recorder.record(b) for b in world.queue.bodies()])
    world.clock.now = poll.closes_at + timedelta(minutes=5)
    world.finalise(poll)  # a result without frozen breakdowns: computed on request from the ledger
    analyst = persona("analyst")

    body = reporting.staff_results(analyst, poll.poll_id, "gender", ports=world.reporting_ports())
    csv = reporting.results_csv(analyst, poll.poll_id, "gender", ports=world.reporting_ports())

    table = body["breakdown"]
    assert (table["title"], table["threshold"], table["total_ballots"]) == ("по полу", THRESHOLD, 15)
    men = next(r for r in table["questions"][0]["rows"] if r["title"] == "мужчины")
    assert men["total"]["count"] is None and all(c["count"] is None for c in men["cells"])
    assert "Разрез по полу (по 15 бюллетеням); «скрыто» — ячейка скрыта ради тайны голосования (порог 10)" in csv
    assert "мужчины;скрыто" in csv
