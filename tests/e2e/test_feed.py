"""The feed over HTTP on the local stack, as the admin site and the mobile app use it: drafting and
approval with the scheduler publishing, the МЧС fast path with its SNS fan-out and retraction,
targeting, seeded demo content, and problem responses for bad input."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from infra.local.provision import aws_client

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def api(persona_api):
    return persona_api


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_ids(api, persona: str) -> list[str]:
    response = api("GET", "/v1/feed", persona, limit="50")
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


def wait_for(check, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError("condition not reached in time")


def test_seeded_demo_content_is_in_the_satka_feed(api):
    wait_for(lambda: {i["type"] for i in api("GET", "/v1/feed", "resident-satka").json()["items"]} >= {
        "news", "bulletin", "event", "missing_person"})
    first = api("GET", "/v1/feed", "resident-satka").json()["items"][0]
    assert (first["type"], first["pinned"]) == ("bulletin", True)
    satka_bulletin = first["id"]
    assert satka_bulletin not in {i["id"] for i in api("GET", "/v1/feed", "resident-magnitogorsk").json()["items"]}


def test_a_drafted_item_is_published_by_the_scheduler_for_its_territory_only(api):
    body = {"type": "news", "title": "Субботник в Магнитогорске", "territory_ids": ["go-magnitogorsk"],
            "body": "Приглашаем на субботник в парке у Вечного огня."}
    created = api("POST", "/v1/admin/content", "moderator-magnitogorsk", body)
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    assert api("POST", f"/v1/admin/content/{content_id}/submit", "moderator-magnitogorsk").status_code == 200
    assert api("POST", f"/v1/admin/content/{content_id}/approve", "approver").json()["state"] == "approved"

    wait_for(lambda: content_id in feed_ids(api, "resident-magnitogorsk"))

    assert content_id not in feed_ids(api, "resident-satka")
    assert api("GET", f"/v1/feed/{content_id}", "resident-satka").status_code == 404
    assert api("GET", f"/v1/feed/{content_id}", "resident-magnitogorsk").json()["body"].startswith("Приглашаем")


def test_emergency_bulletin_is_live_at_once_reaches_the_topic_and_can_be_retracted(api, local_stack):
    sqs, sns = aws_client("sqs", local_stack.aws_endpoint), aws_client("sns", local_stack.aws_endpoint)
    queue = sqs.create_queue(QueueName="e2e-push")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=local_stack.resources.ref("BulletinTopic"), Protocol="sqs", Endpoint=queue_arn)
    body = {"type": "bulletin", "title": "Паводок: подтопление улиц", "territory_ids": ["gp-satka"],
            "severity": "danger", "body": "Уровень воды в реке Ай поднялся на 2 м.",
            "expires_at": _iso(datetime.now(UTC) + timedelta(hours=3))}

    created = api("POST", "/v1/admin/content", "emergency", body)

    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    assert created.json()["state"] == "published"
    assert feed_ids(api, "resident-satka")[0] == content_id
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    envelope = json.loads(messages[0]["Body"])
    assert json.loads(envelope["Message"])["id"] == content_id
    assert json.loads(envelope["MessageAttributes"]["territory_ids"]["Value"]) == ["gp-satka"]

    refused = api("POST", f"/v1/admin/content/{content_id}/retract", "moderator-satka", {"comment": "ошибка"})
    assert refused.status_code == 403
    retracted = api("POST", f"/v1/admin/content/{content_id}/retract", "approver", {"comment": "Ложная тревога"})
    assert retracted.json()["state"] == "retracted"
    assert content_id not in feed_ids(api, "resident-satka")
    assert [h["action"] for h in retracted.json()["history"]] == ["emergency_publish", "retract"]


@pytest.mark.parametrize(("method", "path", "persona", "body", "params", "status", "field"), [
    ("POST", "/v1/admin/content", "moderator-satka", {"type": "poem", "title": "x", "territory_ids": ["gp-satka"]},
     {}, 422, "type"),
    ("POST", "/v1/admin/content", "moderator-satka", {"type": "news", "territory_ids": ["gp-satka"]}, {}, 422,
     "title"),
    ("POST", "/v1/admin/content", "moderator-satka", {"type": "bulletin", "title": "x", "territory_ids": ["gp-satka"],
                                                      "severity": "warning", "body": "x",
                                                      "expires_at": "2020-01-01T00:00:00Z"}, {}, 422, "expires_at"),
    ("POST", "/v1/admin/content", "moderator-satka", {"type": "event", "title": "x", "territory_ids": ["gp-satka"],
                                                      "description": "x", "starts_at": "завтра",
                                                      "ends_at": "2030-01-01T00:00:00Z", "venue": "x", "address": "x",
                                                      "category": "sport"}, {}, 422, "starts_at"),
    ("POST", "/v1/admin/content", "moderator-satka", {"type": "news", "title": "x", "territory_ids": ["gp-satka"],
                                                      "body": "x", "colour": "red"}, {}, 422, "colour"),
    ("GET", "/v1/feed", "resident-satka", None, {"limit": "51"}, 422, "limit"),
    ("GET", "/v1/feed", "resident-satka", None, {"cursor": "!!garbage!!"}, 422, "cursor"),
    ("GET", "/v1/feed", "resident-satka", None, {"cursor": "eyJrIjoxfQ"}, 422, "cursor"),
    ("GET", "/v1/events", "resident-satka", None, {"from": "вчера"}, 422, "from"),
    ("GET", "/v1/events", "resident-satka", None, {"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"},
     422, "to"),
])
def test_bad_input_gets_a_problem_response(api, method, path, persona, body, params, status, field):
    response = api(method, path, persona, body, **params)

    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["detail"] and field in {e["field"] for e in problem.get("errors", [])}


def test_events_come_earliest_first(api):
    response = api("GET", "/v1/events", "resident-satka", **{"to": _iso(datetime.now(UTC) + timedelta(days=30))})

    assert response.status_code == 200
    starts = [i["starts_at"] for i in response.json()["items"]]
    assert starts == sorted(starts) and starts
