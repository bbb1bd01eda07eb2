"""The ballot pipeline under a spike: write units per ballot, throughput, and finalisation time.

One moto server (a subprocess, as the local stack runs it) holds a stack provisioned from
template.yaml; the domain package runs in this process against it, as in the integration tests.
Threads: ``AJ74_BENCH_CAST_THREADS`` (2), ``AJ74_BENCH_CONSUMERS`` (2), backlog bound
``AJ74_BENCH_MAX_BACKLOG`` (200).

1. Write units. ``AJ74_BENCH_BALLOTS`` distinct residents (default 10,000) cast a ballot in one
   poll through ``cast_ballot``; the real consumer handler drains the queue through the local SQS
   driver (BatchSize and batching window from the template). Every DynamoDB request of the domain's
   clients is recorded by a botocore hook, and billed with ``bench.capacity`` (moto's
   ConsumedCapacity is a constant). Compared with the floor (the ledger item and the points credit
   of each ballot) and with the naive design (one TransactWriteItems of ballot + tally + points per
   ballot, plus a Powertools idempotency record written twice), both sized from the same items.
2. Throughput. Ballots counted per second from the first cast to the last ledger write, against the
   rate of bare conditional PutItems of ledger-sized items on the same server from as many threads.
3. Finalisation. ``recount`` of ``AJ74_BENCH_FINAL_BALLOTS`` ledger items (default 100,000, seeded
   with BatchWriteItem) against a bare paginated Query of the same 16 shard partitions, both in an
   in-process moto (see ``in_process_ledger``). moto's Query costs ~1-2 ms per item returned, so
   this part dominates the run at the default size.

Timings are reported, never asserted: only the ratios to baselines measured in the same run mean
anything across machines.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from statistics import mean
from typing import Any

from bench import capacity

REPO_ROOT = Path(__file__).resolve().parent.parent
SPIKE_BALLOTS = int(os.environ.get("AJ74_BENCH_BALLOTS", "10000"))
FINAL_BALLOTS = int(os.environ.get("AJ74_BENCH_FINAL_BALLOTS", "100000"))
CAST_THREADS = int(os.environ.get("AJ74_BENCH_CAST_THREADS", "2"))
# Each consumer thread is its own execution environment (its own copy of the handler module).
CONSUMERS = int(os.environ.get("AJ74_BENCH_CONSUMERS", "2"))
# moto's SQS scans the whole queue several times per message sent or received, so a deep queue
# makes every call slower (quadratic in the backlog): casting waits while more than this many
# ballots are queued or in flight. Real SQS has no such cost; the figure is about our code.
MAX_BACKLOG = int(os.environ.get("AJ74_BENCH_MAX_BACKLOG", "200"))
RAW_PUTS = 2000
BATCH_WRITE_LIMIT = 25
NAIVE_GOAL = 4.0
CONSUMER_ID = "BallotConsumerFunction"
STACK_NAME = "aj74-bench"
# Quiet the handlers' INFO logs (one line per batch); their EMF metrics go to /dev/null below.
QUIET_ENV = {"POWERTOOLS_LOG_LEVEL": "WARNING"}


# ====================================================================== request log
@dataclass(frozen=True)
class Call:
    """One DynamoDB API call as a client made it, with what came back."""

    operation: str
    params: dict
    response: dict
    thread: str

    @property
    def table(self) -> str:
        return self.params.get("TableName", "")

    @property
    def error(self) -> str | None:
        return (self.response.get("Error") or {}).get("Code")


@dataclass
class RequestLog:
    """Every call of the hooked clients while ``recording`` is set."""

    calls: list[Call] = field(default_factory=list)
    recording: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, client) -> None:
        # provide-client-params sees the caller's own parameters; after-call the parsed response
        # (an error too, before botocore raises it). The request context links the two.
        events = client.meta.events
        events.register("provide-client-params.dynamodb", self._on_params, unique_id=f"bench-params-{id(self)}")
        events.register("after-call.dynamodb", self._on_response, unique_id=f"bench-response-{id(self)}")

    def _on_params(self, params, context, **_):
        if self.recording:
            context["bench_params"] = dict(params)

    def _on_response(self, parsed, model, context, **_):
        params = context.get("bench_params")
        if params is None:
            return
        call = Call(model.name, params, parsed or {}, threading.current_thread().name)
        with self._lock:
            self.calls.append(call)


def domain_clients() -> list:
    """The botocore clients behind every repository that the ballot pipeline touches."""
    from aj74.audit.repository import _model as audit_model
    from aj74.ballots.repository import _ballot_model
    from aj74.points.repository import _model as points_model
    from aj74.polls.repository import _model as polls_model
    from aj74.storage import dynamodb_client

    models = (_ballot_model(), points_model(), polls_model(), audit_model())
    clients = [m._get_connection().connection.client for m in models] + [dynamodb_client()]
    return list({id(c): c for c in clients}.values())


# ====================================================================== the local AWS
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server subprocess on a free port; its endpoint."""
    from infra.local.stack import child_env, moto_command, moto_ready, spawn, terminate, wait_until

    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="aj74-bench-") as log_dir:
        moto = spawn("moto", moto_command("127.0.0.1", port), env=child_env({}), log_dir=Path(log_dir))
        try:
            wait_until(lambda: moto_ready(endpoint), moto, timeout=60, what="moto server")
            yield endpoint
        finally:
            terminate([moto], timeout=5)


@contextlib.contextmanager
def restored_environment() -> Iterator[None]:
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class Stack:
    endpoint: str
    resources: Any
    sqs: Any

    @property
    def consumer(self):
        return self.resources.functions[CONSUMER_ID]

    @property
    def queue_url(self) -> str:
        return self.consumer.sqs_events[0].queue_url


def provision_stack(endpoint: str) -> Stack:
    from infra.local.provision import aws_client, provision
    from tests.support.env import use_stack

    resources = provision(endpoint, stack_name=STACK_NAME, parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-bench", "AdminOrigin": "http://127.0.0.1:9"})
    use_stack(resources.env_for(CONSUMER_ID, overrides=QUIET_ENV), endpoint)
    return Stack(endpoint, resources, aws_client("sqs", endpoint))


def open_poll() -> str:
    """A poll for Саткинский район, drafted, approved and opened by the scheduler."""
    from aj74.polls import service
    from aj74.polls.scheduling import tick

    from tests.support.polls import persona, poll_body

    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(hours=2)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    if poll["id"] not in tick().opened:
        raise RuntimeError("the scheduler did not open the benchmark poll")
    return poll["id"]


def choice(i: int) -> tuple[int, tuple[int, ...]]:
    """A spread of answers: one of three options, then one or two of three."""
    return i % 3 + 1, tuple(sorted({i % 3 + 1, (i // 3) % 3 + 1}))


def voter_subject(poll_id: str, i: int) -> str:
    # Pseudonymous subjects the length of the identity provider's (a UUID), since the points
    # credit is keyed by it and its size is billed.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aj74-bench/{poll_id}/{i}"))


# ====================================================================== the spike
def consumer_handler(spec, index: int) -> Callable:
    """The consumer's handler as a fresh module: each copy is one execution environment, with its
    own BatchProcessor and recorder (the module keeps per-invocation state in globals)."""
    from infra.local.invocation import load_handler

    if index == 0:
        return load_handler(spec.module, spec.attribute)
    path = REPO_ROOT / (spec.module.replace(".", "/") + ".py")
    module_spec = importlib.util.spec_from_file_location(f"{spec.module}__bench{index}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return getattr(module, spec.attribute)


def queue_empty(stack: Stack) -> bool:
    attrs = stack.sqs.get_queue_attributes(
        QueueUrl=stack.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 0


@dataclass
class Spike:
    ballots: int
    accepted: int = 0
    settled: int = 0  # deleted from the queue by the consumers
    paced_seconds: float = 0.0  # casting threads' total wait for the backlog to shrink
    batches: int = 0
    failed_batches: int = 0
    cast_seconds: float = 0.0
    total_seconds: float = 0.0


def run_spike(stack: Stack, poll_id: str, ballots: int) -> Spike:
    """Cast ``ballots`` ballots from CAST_THREADS threads while CONSUMERS drain the queue."""
    from aj74.polls import service

    from infra.local.invocation import Invoker
    from infra.local.provision import aws_client
    from infra.local.sqs_driver import SqsDriver
    from tests.support.polls import answers, resident

    spike = Spike(ballots)
    spec = stack.consumer
    lock = threading.Lock()
    casting_done = threading.Event()
    errors: list[BaseException] = []

    def cast(worker: int) -> None:
        try:
            for i in range(worker, ballots, CAST_THREADS):
                waited = time.perf_counter()
                while spike.accepted - spike.settled >= MAX_BACKLOG and not errors:
                    time.sleep(0.005)
                waited = time.perf_counter() - waited
                q1, q2 = choice(i)
                service.cast_ballot(resident(voter_subject(poll_id, i)), poll_id, answers(q1, q2), f"bench-{i}")
                with lock:
                    spike.accepted += 1
                    spike.paced_seconds += waited
        except BaseException as exc:  # noqa: BLE001 - reported after the threads are joined
            errors.append(exc)

    def consume(index: int) -> None:
        try:
            invoker = Invoker.for_function(spec, consumer_handler(spec, index))
            # Lambda's poller long-polls; a failed record comes back after 1 s instead of 180 s.
            driver = SqsDriver(aws_client("sqs", stack.endpoint), spec.sqs_events[0], invoker, spec.region,
                               retry_delay_seconds=1, wait_time_seconds=1)
            while True:
                outcome = driver.deliver_batch()
                if outcome is not None:
                    with lock:
                        spike.settled += outcome.deleted
                        spike.batches += 1
                        spike.failed_batches += bool(outcome.failed_ids)
                elif casting_done.is_set() and queue_empty(stack):
                    return
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            casting_done.set()

    casters = [threading.Thread(target=cast, args=(w,), name=f"cast-{w}") for w in range(CAST_THREADS)]
    consumers = [threading.Thread(target=consume, args=(c,), name=f"consume-{c}") for c in range(CONSUMERS)]
    started = time.perf_counter()
    # The handler prints its EMF metrics on stdout, one line per batch, as Lambda expects.
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        for t in casters + consumers:
            t.start()
        for t in casters:
            t.join()
        spike.cast_seconds = time.perf_counter() - started
        casting_done.set()
        for t in consumers:
            t.join()
    spike.total_seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"the spike failed: {errors[0]!r}") from errors[0]
    return spike


def ledger_count(stack: Stack, poll_id: str) -> int:
    """Ballots of a poll in the ledger. Counted with a client of its own: the domain's 5 s read
    timeout is too short for moto's Query while the server is busy (see the finalisation)."""
    from aj74.ballots.keys import BALLOT_SHARDS
    from aj74.settings import get_settings

    from infra.local.provision import aws_client

    client, table = aws_client("dynamodb", stack.endpoint), get_settings().ballots_table
    pages = (client.get_paginator("query").paginate(
        TableName=table, ConsistentRead=True, Select="COUNT", KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"{poll_id}#{n:02d}"}}) for n in range(BALLOT_SHARDS))
    return sum(page["Count"] for shard in pages for page in shard)


def tally_items(poll_id: str) -> dict[str, dict]:
    """The live-tally items of a poll, by sort key, as stored after the spike."""
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    pages = dynamodb_client().get_paginator("query").paginate(
        TableName=get_settings().tallies_table, ConsistentRead=True,
        KeyConditionExpression="poll_id = :p", ExpressionAttributeValues={":p": {"S": poll_id}})
    return {item["part"]["S"]: item for page in pages for item in page["Items"]}


# ====================================================================== billing the spike
@dataclass
class Bill:
    ledger_puts: list[int] = field(default_factory=list)  # item sizes of successful puts
    points_puts: list[int] = field(default_factory=list)
    failed_puts: Counter = field(default_factory=Counter)  # table role -> conditional failures
    failed_units: int = 0
    tally_updates: int = 0
    tally_units: int = 0
    other_writes: Counter = field(default_factory=Counter)
    other_units: int = 0
    reads: dict = field(default_factory=lambda: defaultdict(Counter))  # side -> operation/role -> count
    read_units: dict = field(default_factory=lambda: defaultdict(float))  # side -> RCU

    @property
    def write_units(self) -> int:
        return (sum(map(capacity.write_units, self.ledger_puts + self.points_puts)) + self.failed_units
                + self.tally_units + self.other_units)


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def bill(calls: list[Call], roles: dict[str, str], tally_sizes: dict[tuple[str, str], int]) -> Bill:
    """Write and read units of the recorded calls. An UpdateItem of a tally item is billed on the
    item's size after the spike: counters only grow, so that is the largest it ever was."""
    out = Bill()
    for call in calls:
        role = roles.get(call.table, call.table)
        if call.operation == "PutItem":
            size = capacity.item_size(call.params["Item"])
            if call.error == "ConditionalCheckFailedException":
                out.failed_puts[role] += 1
                out.failed_units += capacity.write_units(size)
            elif call.error is None and role in ("ballots", "points"):
                (out.ledger_puts if role == "ballots" else out.points_puts).append(size)
            else:
                out.other_writes[f"PutItem {role} {call.error or ''}".strip()] += 1
                out.other_units += capacity.write_units(size)
        elif call.operation == "UpdateItem" and role == "tallies":
            key = call.params["Key"]
            size = tally_sizes[(key["poll_id"]["S"], key["part"]["S"])]
            out.tally_updates += 1
            out.tally_units += capacity.update_units(size, size)
        elif call.operation in WRITES:
            # Not expected during a spike; billed at the minimum, and listed in the report.
            out.other_writes[f"{call.operation} {role}"] += 1
            out.other_units += 1
        else:
            side = "cast" if call.thread.startswith("cast") else "consumer"
            consistent = bool(call.params.get("ConsistentRead"))
            if call.operation == "GetItem":
                sizes = [capacity.item_size(call.response.get("Item") or {})]
            else:
                sizes = [capacity.item_size(item) for item in call.response.get("Items", [])]
            out.reads[side][f"{call.operation} {role}{'' if consistent else ' (eventual)'}"] += 1
            out.read_units[side] += capacity.read_units(sizes, consistent)
    return out


def idempotency_record_sizes(function_name: str) -> tuple[int, int]:
    """The Powertools DynamoDB idempotency record of one SQS record, as first put (INPROGRESS)
    and as updated when the record handler returns (COMPLETED, with its response)."""
    now = int(time.time())
    in_progress = {
        "id": {"S": f"{function_name}.record_handler#{uuid.uuid4().hex}"},  # function + md5 of the record
        "expiration": {"N": str(now + 3600)},
        "in_progress_expiration": {"N": str(now * 1000 + 30_000)},
        "status": {"S": "INPROGRESS"},
    }
    completed = {**in_progress, "status": {"S": "COMPLETED"}, "data": {"S": "null"}}
    return capacity.item_size(in_progress), capacity.item_size(completed)


def size_range(sizes: list[int]) -> str:
    if not sizes:
        return "none"
    low, high = min(sizes), max(sizes)
    return f"{low} B" if low == high else f"{low}–{high} B (mean {mean(sizes):.0f})"


def write_unit_report(spike: Spike, counted: int, billed: Bill, tally_sizes: list[int],
                      function_name: str) -> list[str]:
    ledger, points = billed.ledger_puts, billed.points_puts
    floor = sum(map(capacity.write_units, ledger + points))
    tally_size = max(tally_sizes)
    idem_put, idem_done = idempotency_record_sizes(function_name)
    naive_per_ballot = [capacity.transaction_units([b, tally_size, p]) + capacity.write_units(idem_put)
                        + capacity.update_units(idem_put, idem_done)
                        for b, p in zip(ledger, points, strict=False)]
    naive = sum(naive_per_ballot)
    total = billed.write_units
    per = (lambda units: units / counted) if counted else (lambda units: float("nan"))
    over_1kb = [s for s in ledger + points + tally_sizes if s > capacity.WRITE_UNIT_BYTES]
    lines = [
        f"write units per counted ballot, all-in, {spike.ballots:,}-ballot spike on one poll "
        f"(goal: close to the floor; naive design ≈ {NAIVE_GOAL:.0f}× floor)",
        f"  counted {counted:,} of {spike.accepted:,} accepted; {spike.batches} consumer batches "
        f"({spike.failed_batches} with failed records)",
        f"  writes: {len(ledger):,} ledger puts, {len(points):,} points credits, {billed.tally_updates} tally "
        f"updates, {sum(billed.failed_puts.values())} conditional puts refused "
        f"({', '.join(f'{k} {v}' for k, v in billed.failed_puts.items()) or 'none'}), "
        f"{sum(billed.other_writes.values())} other"
        + (f" ({', '.join(f'{k} ×{v}' for k, v in billed.other_writes.items())})" if billed.other_writes else ""),
        f"  item sizes: ledger {size_range(ledger)}, points credit {size_range(points)}, "
        f"tally item {size_range(tally_sizes)}, idempotency record {idem_put}/{idem_done} B; "
        + (f"{len(over_1kb)} over 1 KB" if over_1kb else "all under 1 KB, so 1 WCU each"),
        f"  {'all-in (measured)':<34} {total:>9,} WCU  {per(total):6.3f}/ballot  {total / floor:5.2f}× floor",
        f"  {'floor: ledger + points credit':<34} {floor:>9,} WCU  {per(floor):6.3f}/ballot  1.00× floor",
        f"  {'naive: 3-item transaction + idem.':<34} {naive:>9,} WCU  {per(naive):6.3f}/ballot  "
        f"{naive / floor:5.2f}× floor",
        f"  {'ballot alone (DESIGN.md ideal)':<34} {sum(map(capacity.write_units, ledger)):>9,} WCU  "
        f"{per(sum(map(capacity.write_units, ledger))):6.3f}/ballot  "
        f"{sum(map(capacity.write_units, ledger)) / floor:5.2f}× floor",
    ]
    for side, label in (("cast", "cast route"), ("consumer", "consumer")):
        reads = billed.reads.get(side, {})
        detail = ", ".join(f"{v:,} {k}" for k, v in sorted(reads.items())) or "none"
        units = billed.read_units.get(side, 0.0)
        per_cast = units / spike.accepted if spike.accepted else float("nan")
        lines.append(f"  reads by the {label}: {units:,.1f} RCU ({per_cast:.3f} per cast): {detail}")
    return lines


# ====================================================================== raw put baseline
def ledger_like_item(poll_id: str, i: int) -> dict:
    from aj74.ballots import keys, receipts

    secret = b"bench-secret-bench-secret-bench-secret"
    key = keys.ballot_key(secret, poll_id, voter_subject(poll_id, i))
    q1, q2 = choice(i)
    options = (f"q1-o{q1}", *(f"q2-o{o}" for o in q2))
    return {
        "pk": {"S": keys.ledger_partition(poll_id, key)}, "ballot_key": {"S": key},
        "options": {"S": ",".join(options)},
        "commitment": {"S": receipts.commitment(poll_id, key, options, receipts.random_salt())},
        "accepted_at": {"N": str(int(time.time() * 1000))}, "territory": {"S": "gp-satka"},
        "age_band": {"S": "35-44"}, "gender": {"S": "f"},
    }


def raw_put_rate(puts: int, threads: int) -> float:
    """Conditional PutItems per second of ledger-sized items, ``threads`` at a time."""
    from aj74.ids import ulid
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    table, client, poll_id = get_settings().ballots_table, dynamodb_client(), ulid()
    items = [ledger_like_item(poll_id, i) for i in range(puts)]

    def put(item: dict) -> None:
        client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(ballot_key)")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(put, items))
    return puts / (time.perf_counter() - started)


def throughput_report(spike: Spike, counted: int, raw_rate: float) -> list[str]:
    threads = CAST_THREADS + CONSUMERS
    rate = counted / spike.total_seconds
    return [
        "local end-to-end throughput: ballots counted per second, cast → SQS → consumer → ledger, against "
        "bare conditional puts (goal: near 0.25; 0.5 would mean the two conditional puts of a ballot were "
        "all it cost, but the cast's GetItem and SendMessage and the SQS receives hit the same server)",
        f"  pipeline: {counted:,} ballots in {spike.total_seconds:.1f} s = {rate:,.0f} ballots/s "
        f"({CAST_THREADS} casting threads, done after {spike.cast_seconds:.1f} s; {CONSUMERS} consumers)",
        f"  casting paced to ≤ {MAX_BACKLOG} queued or in-flight ballots (moto's SQS scans the whole queue "
        f"on every call); casters waited {spike.paced_seconds:.1f} s in all",
        f"  baseline: {RAW_PUTS:,} bare conditional PutItems of ledger-sized items from {threads} threads "
        f"= {raw_rate:,.0f} puts/s",
        f"  ratio: {rate / raw_rate:.2f}",
    ]


# ====================================================================== finalisation
# The tables the recount touches: it reads the ledger and stores the published ballot list.
FINALISATION_TABLES = {"ballots_table": "BallotsTable", "tallies_table": "TalliesTable"}


@contextlib.contextmanager
def in_process_ledger(stack: Stack) -> Iterator[None]:
    """The domain pointed at an in-process moto holding empty tables built from the template.
    Through the moto server, a Query page of a big poll takes moto longer than the domain's 5 s
    read timeout once several run at once, so the recount could not finish there."""
    import boto3
    from aj74.settings import get_settings
    from moto import mock_aws

    from tests.support.env import clear_cached_clients

    endpoint = os.environ.pop("AWS_ENDPOINT_URL")
    try:
        with mock_aws():
            clear_cached_clients()
            settings = get_settings()
            client = boto3.client("dynamodb", region_name=settings.region)
            for attr, logical_id in FINALISATION_TABLES.items():
                props = stack.resources.template["Resources"][logical_id]["Properties"]
                client.create_table(TableName=getattr(settings, attr), BillingMode="PAY_PER_REQUEST",
                                    KeySchema=props["KeySchema"], AttributeDefinitions=props["AttributeDefinitions"])
            yield
    finally:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        clear_cached_clients()


def seed_ledger(poll_id: str, ballots: int) -> None:
    """``ballots`` ledger items of ``poll_id``, 25 per BatchWriteItem."""
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    table, client = get_settings().ballots_table, dynamodb_client()
    for start in range(0, ballots, BATCH_WRITE_LIMIT):
        requests = [{"PutRequest": {"Item": ledger_like_item(poll_id, i)}}
                    for i in range(start, min(start + BATCH_WRITE_LIMIT, ballots))]
        while requests:
            left = client.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {})
            requests = left.get(table, [])


def bare_read(poll_id: str) -> int:
    """Every ledger item of a poll, paginated Query per shard, as many shards at a time as the
    recount reads; nothing is done with the items."""
    from aj74.ballots.keys import BALLOT_SHARDS
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    table, client = get_settings().ballots_table, dynamodb_client()

    def shard(n: int) -> int:
        pages = client.get_paginator("query").paginate(
            TableName=table, ConsistentRead=True, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"{poll_id}#{n:02d}"}})
        return sum(page["Count"] for page in pages)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(shard, range(BALLOT_SHARDS)))


@contextlib.contextmanager
def timed(owner: type, name: str) -> Iterator[list[float]]:
    """Seconds spent in ``owner.name`` while the block runs (the method is wrapped, then restored)."""
    spent = [0.0]
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    setattr(owner, name, wrapper)
    try:
        yield spent
    finally:
        setattr(owner, name, original)


def finalisation_report(stack: Stack, poll, ballots: int) -> list[str]:
    """Seed ``ballots`` ledger items of ``poll`` in an in-process moto, then time a bare read and
    the recount against it."""
    from aj74.ballots.repository import BallotLedger
    from aj74.polls.scheduling import recount

    with in_process_ledger(stack):
        started = time.perf_counter()
        seed_ledger(poll.poll_id, ballots)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        read = bare_read(poll.poll_id)
        baseline = time.perf_counter() - started
        with timed(BallotLedger, "all_ballots") as reading:
            started = time.perf_counter()
            result = recount(poll)
            elapsed = time.perf_counter() - started
    if read != ballots or result["total_ballots"] != ballots:
        raise RuntimeError(f"seeded {ballots} ballots, read {read}, recounted {result['total_ballots']}")
    return [
        f"finalisation: recount of {ballots:,} ballots against a bare paginated read of them "
        "(goal: ratio close to 1, the reading is the work)",
        f"  engine: in-process moto (mock_aws) for both timings, seeded with BatchWriteItem ×{BATCH_WRITE_LIMIT} "
        f"in {seeded:.1f} s; through the moto server the recount's pages outlast the 5 s read timeout",
        f"  bare Query of the 16 shards, 8 at a time:          {baseline:7.2f} s",
        f"  recount (read, count, Merkle root, publish list): {elapsed:7.2f} s, of which reading the ledger "
        f"{reading[0]:.2f} s, the rest {elapsed - reading[0]:.2f} s",
        f"  ratio: {elapsed / baseline:.2f}",
    ]


# ====================================================================== run
def run(ballots: int = SPIKE_BALLOTS, final_ballots: int = FINAL_BALLOTS) -> list[str]:
    """Run the three measurements against one moto server; return the report lines."""
    lines: list[str] = []
    with restored_environment(), moto_server() as endpoint:
        os.environ.update(QUIET_ENV)  # before infra.local.invocation builds its logger
        started = time.perf_counter()
        stack = provision_stack(endpoint)
        poll_id = open_poll()
        from aj74.polls.repository import PollRepository
        from aj74.settings import get_settings

        settings = get_settings()
        roles = {settings.ballots_table: "ballots", settings.points_table: "points",
                 settings.tallies_table: "tallies", settings.polls_table: "polls", settings.audit_table: "audit"}
        log = RequestLog()
        for client in domain_clients():
            log.attach(client)
        setup = time.perf_counter() - started

        log.recording = True
        spike = run_spike(stack, poll_id, ballots)
        log.recording = False
        counted = ledger_count(stack, poll_id)
        tallies = tally_items(poll_id)
        tally_sizes = {(poll_id, part): capacity.item_size(item) for part, item in tallies.items()}
        billed = bill(log.calls, roles, tally_sizes)
        lines += write_unit_report(spike, counted, billed, list(tally_sizes.values()),
                                   stack.consumer.function_name)
        tally_total = sum(int(item["n"]["N"]) for item in tallies.values())
        lines.append(f"  live tally {tally_total:,} = ledger {counted:,}: {tally_total == counted}")

        started = time.perf_counter()
        raw_rate = raw_put_rate(RAW_PUTS, CAST_THREADS + CONSUMERS)
        lines += throughput_report(spike, counted, raw_rate)
        raw_seconds = time.perf_counter() - started

        started = time.perf_counter()
        lines += finalisation_report(stack, PollRepository().get(poll_id), final_ballots)
        final_seconds = time.perf_counter() - started
        lines.append(f"  (parts: set-up {setup:.1f} s, spike {spike.total_seconds:.1f} s, "
                     f"raw puts {raw_seconds:.1f} s, finalisation {final_seconds:.1f} s)")
    return lines
