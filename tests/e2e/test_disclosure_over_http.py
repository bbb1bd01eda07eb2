"""Disclosure control over HTTP, as the admin site and an analyst read it: a group whose members
all chose one option is never shown unanimous, hidden cells say only that they are hidden, and
live counts move in steps of the threshold (docs/decisions/014-disclosure-control.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_poll_cycle import Client, iso, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.slow]

WOMEN, MEN = 12, 26
WINDOW_SECONDS = 25


def test_a_unanimous_group_is_not_shown_and_hidden_cells_give_no_reason(local_stack):
    api = Client(local_stack.api_url)
    moderator, approver, analyst = (api.token(persona=p) for p in ("moderator-satka", "approver", "analyst"))
    women = [api.token(sub=f"disclosure-f-{i}", roles=["resident"], territory_id="gp-satka", birth_year=1980,
                       gender="f") for i in range(WOMEN)]
    men = [api.token(sub=f"disclosure-m-{i}", roles=["resident"], territory_id="gp-satka", birth_year=1975,
                     gender="m") for i in range(MEN)]
    now = datetime.now(UTC)
    draft = api.request("POST", "/v1/admin/polls", moderator, {
        "title": "Нужна ли новая остановка у поликлиники?", "description": "Опрос жителей Сатки.",
        "territory_ids": ["mr-satkinsky"], "opens_at": iso(now + timedelta(seconds=3)),
        "closes_at": iso(now + timedelta(seconds=WINDOW_SECONDS)), "min_age": 16, "results_visibility": "after_vote",
        "questions": [{"text": "Остановка", "kind": "single",
                       "options": [{"text": "Да"}, {"text": "Нет"}, {"text": "Всё равно"}]}]})
    assert draft.status_code == 201, draft.text
    poll_id = draft.json()["id"]
    api.request("POST", f"/v1/admin/polls/{poll_id}/submit", moderator, {})
    assert api.request("POST", f"/v1/admin/polls/{poll_id}/approve", approver, {}).status_code == 200
    wait_for(lambda: api.request("GET", f"/v1/polls/{poll_id}", women[0]).json().get("state") == "open",
             30, "the poll to open")

    # Given twelve women who all say «Да», and men divided over the three answers
    for bearer in women:
        body = {"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]}
        assert api.request("POST", f"/v1/polls/{poll_id}/ballots", bearer, body).status_code == 202
    for i, bearer in enumerate(men):
        body = {"answers": [{"question_id": "q1", "option_ids": [f"q1-o{1 + i % 3}"]}]}
        assert api.request("POST", f"/v1/polls/{poll_id}/ballots", bearer, body).status_code == 202

    # While voting goes on, live counts move in steps of the threshold
    live = wait_for(lambda: (lambda r: r if r.get("participation", {}).get("ballots_counted") else None)(
        api.request("GET", f"/v1/admin/polls/{poll_id}/results", analyst).json()), 30, "live participation")
    assert live["participation"]["ballots_counted"] % live["threshold"] == 0

    # When the result is final and an analyst reads the gender breakdown and its CSV
    wait_for(lambda: api.request("GET", f"/v1/admin/polls/{poll_id}/results", analyst).json().get("state")
             == "final", WINDOW_SECONDS + 60, "the final result", every=1)
    body = api.request("GET", f"/v1/admin/polls/{poll_id}/results?breakdown=gender", analyst).json()
    csv = api.request("GET", f"/v1/admin/polls/{poll_id}/results.csv?breakdown=gender", analyst)

    # Then the women's row does not show all twelve on «Да»
    assert body["total_ballots"] == WOMEN + MEN
    [table] = body["breakdown"]["questions"]
    women_row = next(row for row in table["rows"] if row["group"] == "f")
    shown_yes = women_row["cells"][0]["count"]
    assert women_row["total"]["count"] is None or shown_yes is None or shown_yes < women_row["total"]["count"]
    # and nothing says why a cell is hidden: a hidden cell is only {"count": null}, the CSV only «скрыто»
    cells = [c for row in table["rows"] for c in [row["total"], *row["cells"]]]
    assert all(set(c) == {"count"} for c in cells)
    assert csv.status_code == 200
    assert "<10" not in csv.text and "‹10" not in csv.text and "менее" not in csv.text.lower()
