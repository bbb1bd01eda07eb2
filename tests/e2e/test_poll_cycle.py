"""The poll cycle end to end over HTTP against the running local stack, as the admin site and the
mobile app drive it: a moderator drafts, an approver approves, the scheduler opens the poll, over a
thousand residents send two thousand requests (retries, second ballots, outsiders, the under-age,
malformed answers), the scheduler closes and finalises, and the final result is exactly right."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests

from infra.local.provision import aws_client

pytestmark = [pytest.mark.stack, pytest.mark.slow]

RESIDENTS = 1000
RETRIES = 500
SECOND_BALLOTS = 300
OUTSIDERS = 100
UNDER_AGE = 50
MALFORMED = 50
# Long enough for 2,000 requests through the local stack on a 2-core machine, the queue to drain
# and the changed ballots to follow: about 80 s when nothing else runs, up to twice that while the
# other pytest-xdist worker drives a browser on the second core.
WINDOW_SECONDS = 180


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_connections=16, pool_maxsize=16))

    def token(self, **body) -> str:
        response = self.http.post(f"{self.base}/dev/token", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def request(self, method: str, path: str, token: str, body=None, headers=None) -> requests.Response:
        return self.http.request(method, f"{self.base}{path}", json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {token}", **(headers or {})})


def choice(i: int) -> list[dict]:
    return [{"question_id": "q1", "option_ids": [f"q1-o{1 + i % 3}"]},
            {"question_id": "q2", "option_ids": sorted({f"q2-o{1 + i % 4}", f"q2-o{1 + (i // 4) % 4}"})}]


def resident_claims(i: int, territory: str = "gp-satka", birth_year: int = 1970) -> dict:
    return {"sub": f"e2e-{territory}-{i:05d}", "roles": ["resident"], "territory_id": territory,
            "birth_year": birth_year, "gender": "f" if i % 2 else "m"}


def wait_for(predicate, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def queue_depth(stack) -> int:
    sqs = aws_client("sqs", stack.aws_endpoint)
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.resources.ref("BallotQueue"),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_poll_from_draft_to_exact_final_result(local_stack):
    api = Client(local_stack.api_url)
    moderator, approver = api.token(persona="moderator-satka"), api.token(persona="approver")
    # Residents sign in first (the poll's window then only has to hold the voting)
    def mint(claims):
        return api.token(**claims)

    with ThreadPoolExecutor(8) as pool:
        residents = list(pool.map(mint, [resident_claims(i, "gp-bakal" if i % 5 == 0 else "gp-satka")
                                         for i in range(RESIDENTS)]))
        outsiders = list(pool.map(mint, [resident_claims(i, "go-magnitogorsk") for i in range(OUTSIDERS)]))
        young = list(pool.map(mint, [resident_claims(i, "gp-satka", birth_year=datetime.now(UTC).year - 12)
                                     for i in range(UNDER_AGE)]))
    now = datetime.now(UTC)
    opens, closes = now + timedelta(seconds=4), now + timedelta(seconds=WINDOW_SECONDS)
    # Given a moderator's draft for Саткинский район, submitted and approved by the Directorate
    draft = api.request("POST", "/v1/admin/polls", moderator, {
        "title": "Где построить новую лыжную базу?", "description": "Опрос жителей Саткинского района.",
        "territory_ids": ["mr-satkinsky"], "opens_at": iso(opens), "closes_at": iso(closes), "min_age": 16,
        "results_visibility": "after_close",
        "questions": [
            {"text": "Место", "kind": "single", "options": [{"text": "Зюраткуль"}, {"text": "Сулея"},
                                                           {"text": "Бакал"}]},
            {"text": "Что нужно на базе?", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "Прокат"}, {"text": "Кафе"}, {"text": "Освещённая трасса"}, {"text": "Душ"}]},
        ]})
    assert draft.status_code == 201, draft.text
    poll_id = draft.json()["id"]
    assert api.request("POST", f"/v1/admin/polls/{poll_id}/submit", moderator, {}).json()["state"] == "in_review"
    assert api.request("POST", f"/v1/admin/polls/{poll_id}/approve", approver, {}).json()["state"] == "approved"

    # When the scheduler opens it
    first = api.token(**resident_claims(0))
    wait_for(lambda: api.request("GET", f"/v1/polls/{poll_id}", first).json().get("state") == "open",
             30, "the scheduler to open the poll")

    # And residents send their requests
    with ThreadPoolExecutor(8) as pool:

        def cast(args):
            token, body, key = args
            headers = {"Idempotency-Key": key} if key else {}
            return api.request("POST", f"/v1/polls/{poll_id}/ballots", token, body, headers)

        wave1 = [(residents[i], {"answers": choice(i)}, f"k-{i}") for i in range(RESIDENTS)]
        wave1 += [(residents[i], {"answers": choice(i)}, f"k-{i}") for i in range(RETRIES)]
        statuses1 = [r.status_code for r in pool.map(cast, wave1)]
        assert statuses1.count(202) == RESIDENTS + RETRIES, Counter(statuses1)

        # Outsiders, the under-age and malformed ballots are refused whatever the queue holds
        refused = [(t, {"answers": choice(0)}, None) for t in outsiders]
        refused += [(t, {"answers": choice(0)}, None) for t in young]
        refused += [(residents[i], {"answers": [{"question_id": "q1", "option_ids": ["q1-o1", "q1-o2"]}]}, None)
                    for i in range(MALFORMED)]
        refused_responses = list(pool.map(cast, refused))

        # Once the queue has drained, some residents change their mind: the change replaces the first
        wait_for(lambda: queue_depth(local_stack) == 0, 180, "the ballot queue to drain", every=1)
        seconds = [(residents[i], {"answers": choice(i + 1)}, None) for i in range(SECOND_BALLOTS)]
        second_responses = list(pool.map(cast, seconds))
    assert Counter((r.status_code, r.json()["code"]) for r in refused_responses) == Counter(
        {(403, "not-eligible"): OUTSIDERS + UNDER_AGE, (422, "invalid-input"): MALFORMED})
    assert Counter((r.status_code, r.json().get("code")) for r in second_responses) == Counter(
        {(202, None): SECOND_BALLOTS})
    assert all(r.headers["Content-Type"].startswith("application/problem+json") for r in refused_responses)
    assert len(wave1) + len(refused) + len(seconds) >= 2000

    # Then, after the scheduler closes and finalises the poll, the result is exact
    results = wait_for(lambda: (lambda r: r.json() if r.status_code == 200 and r.json()["state"] == "final"
                                else None)(api.request("GET", f"/v1/polls/{poll_id}/results", first)),
                       WINDOW_SECONDS + 60, "the final result", every=2)
    expected = Counter()
    for i in range(RESIDENTS):
        for answer in choice(i + 1 if i < SECOND_BALLOTS else i):  # the last ballot of each counts
            expected.update(answer["option_ids"])
    counted = Counter({o["id"]: o["count"] for q in results["questions"] for o in q["options"] if o["count"]})
    assert results["total_ballots"] == RESIDENTS
    assert counted == expected
    assert len(results["merkle_root"]) == 64
    staff_view = api.request("GET", f"/v1/admin/polls/{poll_id}", approver).json()
    assert staff_view["state"] == "final"
    assert staff_view["result"]["live_tally_matched"] is True
    assert [h["to"] for h in staff_view["history"]] == ["in_review", "approved", "open", "closed", "final"]
