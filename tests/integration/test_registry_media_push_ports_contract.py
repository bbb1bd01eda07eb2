"""The fakes of the territory registry, the images bucket, the push subscriptions table and the push
queue (tests/support/fakes/{territories,media,push}.py) hold to the adapters they stand for
(aj74.territories.repository.TerritoryRegistry, aj74.polls.repository.PollRepository's state index,
aj74.media.storage.MediaBucket, aj74.push.subscriptions.PushSubscriptions, aj74.push.outbox.PushQueue).

The same checks run against each fake and against the real adapter on moto (a stack provisioned from
template.yaml), so a fake that drifts from its adapter fails here, not in a unit test that trusts it
(docs/decisions/021-ports-and-adapters.md). The sender (HTTP to a browser vendor's push service) is
out of this contract: tests/integration/test_push.py checks it against a stand-in push service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aj74.errors import Conflict
from aj74.ids import ulid
from aj74.media import images
from aj74.push.subscriptions import SHARDS, subscription_id, territory_partition
from aj74.territories import Territory

from infra.local.provision import aws_client
from infra.local.s3_browser import PolicyError, check_policy
from tests.support.env import emptied, provisioned, use_stack
from tests.support.fakes.media import BUCKET, FakeMediaBucket
from tests.support.fakes.push import FakeOutbox, FakeSubscriptions
from tests.support.fakes.territories import FakePollsByState, FakeRegistry
from tests.support.fakes.vote import a_poll


@dataclass
class Subject:
    """One implementation of each port, and the test's own hands on what they store."""

    registry: object  # RegistryStore
    polls: object  # PollsByState
    seed_poll: Callable  # poll -> None (stored as it is)
    bucket: object  # ImageBucket
    bucket_name: str
    upload: Callable  # (media_id, bytes) -> None: what a browser's post leaves in uploads/
    public: Callable  # media_id -> bytes of media/<id>
    subscriptions: object  # SubscriptionStore
    queue: object  # OutboxQueue
    received: Callable  # () -> the messages the queue holds, as dicts


@pytest.fixture(scope="module")
def ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-registry-media-push-ports", "ApiFunction", "PushFanoutFunction") as env:
        yield env


def _fake() -> Subject:
    polls, bucket, queue = FakePollsByState(), FakeMediaBucket(), FakeOutbox()

    def received() -> list[dict]:
        taken = [m for m, _ in queue.pending]
        queue.pending.clear()
        return taken

    return Subject(registry=FakeRegistry(), polls=polls, seed_poll=polls.put, bucket=bucket, bucket_name=BUCKET,
                   upload=bucket.upload, public=lambda media_id: bucket.public(media_id)[0],
                   subscriptions=FakeSubscriptions(), queue=queue, received=received)


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74 import territories
    from aj74.media.storage import MediaBucket, public_key, upload_key
    from aj74.polls.repository import PollRepository
    from aj74.push.outbox import PushQueue
    from aj74.push.subscriptions import PushSubscriptions
    from aj74.territories.repository import TerritoryRegistry, write_seed

    dynamodb, s3, sqs = (aws_client(s, endpoint) for s in ("dynamodb", "s3", "sqs"))
    emptied(dynamodb, env["TERRITORIES_TABLE"], ("territory_id",))
    write_seed(dynamodb, env["TERRITORIES_TABLE"])  # version 1, as the first reader seeds it
    territories.invalidate()
    emptied(dynamodb, env["POLLS_TABLE"], ("poll_id",))
    emptied(dynamodb, env["PUSH_SUBSCRIPTIONS_TABLE"], ("pk", "sk"))
    bucket, url = env["MEDIA_BUCKET"], env["PUSH_QUEUE_URL"]

    def received() -> list[dict]:
        messages = []
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
            messages += [json.loads(m["Body"]) for m in got]
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return messages

    received()  # start from an empty queue
    return Subject(registry=TerritoryRegistry(territories.registry, territories.invalidate), polls=PollRepository(),
                   seed_poll=PollRepository().create, bucket=MediaBucket(), bucket_name=bucket,
                   upload=lambda media_id, data: s3.put_object(Bucket=bucket, Key=upload_key(media_id), Body=data),
                   public=lambda media_id: s3.get_object(Bucket=bucket, Key=public_key(media_id))["Body"].read(),
                   subscriptions=PushSubscriptions(), queue=PushQueue(), received=received)


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("ports_stack"), request.getfixturevalue("moto_endpoint"))


# ------------------------------------------------------------------ the territory registry


NEW = Territory(id="sp-novoye", name="Новое сельское поселение", kind="rural_settlement", parent_id="mr-satkinsky",
                official_name="Новое сельское поселение Саткинского муниципального района", oktmo="75652000",
                population=1234, population_year=2024)


def test_the_seeded_registry_is_version_1_with_the_packaged_tree(subject):
    registry = subject.registry.stored()

    assert registry.version == 1 and "файл версии" in registry.source
    assert registry.tree.get("gp-satka").parent_id == "mr-satkinsky"
    assert subject.registry.held().version == 1


def test_a_saved_territory_reads_back_whole_and_raises_the_version(subject):
    assert subject.registry.save(NEW, 1, new=True) == 2

    registry = subject.registry.stored()

    assert registry.version == 2
    assert next(t for t in registry.records if t.id == NEW.id) == NEW
    renamed = Territory.from_dict({**NEW.as_record(), "name": "Новое-2", "population": None,
                                   "population_year": None})
    assert subject.registry.save(renamed, 2, new=False) == 3
    assert next(t for t in subject.registry.stored().records if t.id == NEW.id) == renamed


@pytest.mark.parametrize("case", ["stale-version", "id-taken"])
def test_a_save_on_a_moved_registry_or_a_taken_id_is_refused_and_writes_nothing(subject, case):
    if case == "stale-version":
        subject.registry.save(NEW, 1, new=True)
        attempt = Territory.from_dict({**NEW.as_record(), "id": "sp-other", "name": "Другое"})
        expected = 1  # the registry is at 2 now
    else:
        attempt, expected = Territory.from_dict({**NEW.as_record(), "id": "gp-satka", "name": "Не Сатка"}), 1
    before = subject.registry.stored()

    with pytest.raises(Conflict) as refused:
        subject.registry.save(attempt, expected, new=True)

    assert refused.value.code == "registry-changed"
    assert subject.registry.stored().records == before.records and subject.registry.stored().version == before.version


def test_polls_by_state_come_latest_opening_first_in_pages(subject):
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    polls = [a_poll(start + timedelta(days=d)) for d in range(3)]
    for poll in polls:
        subject.seed_poll(poll)
    subject.seed_poll(a_poll(start, state="final"))

    pages, cursor = [], None
    for _ in range(4):
        page, cursor = subject.polls.by_state("open", limit=2, cursor=cursor)
        pages.append([p.poll_id for p in page])
        if not cursor:
            break

    assert [i for page in pages for i in page] == [p.poll_id for p in reversed(polls)]
    assert len(pages[0]) == 2


# ------------------------------------------------------------------ the images bucket


@pytest.mark.parametrize("content_type", ["image/png", None])
def test_an_upload_form_holds_the_browser_to_its_key_size_and_type(subject, content_type):
    media_id = ulid()
    form = subject.bucket.presigned_post(media_id, content_type, images.MAX_BYTES, ("image/png",))
    fields = {**form["fields"], "Content-Type": content_type or "image/webp"}

    assert form["fields"]["key"] == f"uploads/{media_id}"
    assert check_policy(fields, subject.bucket_name, images.MAX_BYTES)
    with pytest.raises(PolicyError) as too_large:
        check_policy(fields, subject.bucket_name, images.MAX_BYTES + 1)
    with pytest.raises(PolicyError) as other_type:
        check_policy({**fields, "Content-Type": "text/html"}, subject.bucket_name, 10)
    assert (too_large.value.code, other_type.value.code) == ("EntityTooLarge", "AccessDenied")


def test_an_upload_is_read_up_to_one_byte_past_the_limit_and_deleted(subject):
    media_id, missing, empty = ulid(), ulid(), ulid()
    subject.upload(media_id, b"0123456789")
    subject.upload(empty, b"")

    assert subject.bucket.read_upload(media_id, 100) == b"0123456789"
    assert subject.bucket.read_upload(media_id, 4) == b"01234"
    assert subject.bucket.read_upload(missing, 100) is None
    assert subject.bucket.read_upload(empty, 100) == b""
    subject.bucket.delete_upload(media_id)
    assert subject.bucket.read_upload(media_id, 100) is None


def test_a_clean_copy_exists_once_stored_and_is_never_replaced(subject):
    media_id = ulid()
    assert subject.bucket.public_exists(media_id) is False

    subject.bucket.put_public(media_id, b"first", "image/png")
    subject.bucket.put_public(media_id, b"second", "image/png")

    assert subject.bucket.public_exists(media_id) is True
    assert subject.public(media_id) == b"first"
    assert subject.bucket.public_base_url().startswith("http")


# ------------------------------------------------------------------ the push subscriptions table


ENDPOINT = "https://fcm.googleapis.com/fcm/send/"


def test_one_browser_is_one_subscription_and_moving_takes_it_along(subject):
    store = subject.subscriptions
    store.subscribe("r-1", "gp-satka", ENDPOINT + "a", "p" * 87, "auth-a")
    store.subscribe("r-1", "gp-satka", ENDPOINT + "a", "p" * 87, "auth-a")
    store.subscribe("r-1", "gp-satka", ENDPOINT + "b", "p" * 87, "auth-b")
    assert store.subscription_count("r-1") == 2 and store.is_subscribed("r-1", ENDPOINT + "a")

    store.subscribe("r-1", "gp-bakal", ENDPOINT + "a", "p" * 87, "auth-a")

    sid = subscription_id(ENDPOINT + "a")
    keys = [k for shard in range(SHARDS) for k in store.partition_page(territory_partition("gp-bakal", shard), None)[0]]
    old = [k for shard in range(SHARDS) for k in store.partition_page(territory_partition("gp-satka", shard), None)[0]]
    assert keys == [[keys[0][0], f"sub#{sid}"]] and f"sub#{sid}" not in [k[1] for k in old]
    assert store.subscription_count("r-1") == 2
    assert store.unsubscribe("r-1", ENDPOINT + "a") == 1 and store.unsubscribe("r-1", ENDPOINT + "a") == 0
    assert store.is_subscribed("r-1", ENDPOINT + "a") is False and store.is_subscribed("r-2", ENDPOINT + "b") is False


def test_a_shard_is_paged_and_its_subscriptions_read_back_and_removed(subject):
    store = subject.subscriptions
    # Three browsers in one shard of Сатка (the shard follows from the endpoint's hash)
    endpoints, shard = [], None
    for n in range(200):
        endpoint = f"{ENDPOINT}page-{n}"
        partition = territory_partition("gp-satka", int(subscription_id(endpoint)[:4], 16) % SHARDS)
        if shard in (None, partition):
            shard = partition
            endpoints.append(endpoint)
            store.subscribe(f"r-{n}", "gp-satka", endpoint, f"key-{n}", f"auth-{n}")
        if len(endpoints) == 3:
            break

    first, cursor = store.partition_page(shard, None, limit=2)
    second, cursor2 = store.partition_page(shard, cursor, limit=2)
    keys = first + second

    assert len(first) == 2 and cursor is not None and len(second) == 1 and cursor2 is None
    assert sorted(k[1] for k in keys) == sorted(f"sub#{subscription_id(e)}" for e in endpoints)
    found = store.get_many(keys + [[shard, "sub#missing"]])
    assert sorted(s.endpoint for s in found) == sorted(endpoints)
    assert {s.info()["keys"]["auth"] for s in found} == {f"auth-{e.rsplit('-', 1)[1]}" for e in endpoints}
    store.remove(tuple(keys[0]))
    assert len(store.get_many(keys)) == 2


def test_follows_are_per_poll_and_per_resident(subject):
    store = subject.subscriptions
    store.subscribe("r-follower", "gp-satka", ENDPOINT + "f", "p" * 87, "auth-f")
    for resident in ("r-follower", "r-2", "r-3"):
        store.follow(resident, "poll-b")
    store.follow("r-follower", "poll-a")
    store.follow("r-follower", "poll-a")

    assert store.followed_polls("r-follower") == ["poll-a", "poll-b"]
    residents, cursor = store.followers_page("poll-b", None, limit=2)
    rest, end = store.followers_page("poll-b", cursor, limit=2)
    assert sorted(residents + rest) == ["r-2", "r-3", "r-follower"] and end is None
    assert [k[1] for k in store.subscription_keys_of("r-follower")] == [f"sub#{subscription_id(ENDPOINT + 'f')}"]
    assert store.subscription_count("r-follower") == 1  # a follow is not a device
    store.unfollow("r-follower", "poll-b")
    assert store.followed_polls("r-follower") == ["poll-a"]


# ------------------------------------------------------------------ the push queue


def test_what_is_queued_is_received_whole_in_russian(subject):
    first = {"kind": "poll_final", "poll_id": "p-1", "title": "Благоустройство сквера «Юность»"}
    batch = [{"kind": "deliver", "n": {"title": "МЧС: Паводок"}, "keys": [["pk", f"sub#{i}"]], "attempt": 0}
             for i in range(12)]

    subject.queue.send(first)
    subject.queue.send_all(batch)

    received = subject.received()
    assert sorted(json.dumps(m, ensure_ascii=False, sort_keys=True) for m in received) == sorted(
        json.dumps(m, ensure_ascii=False, sort_keys=True) for m in [first, *batch])


def test_a_delay_past_the_queue_limit_is_cut_to_it_not_refused(subject):
    subject.queue.send({"kind": "deliver", "n": {}, "keys": [], "attempt": 4}, delay_seconds=5000)
