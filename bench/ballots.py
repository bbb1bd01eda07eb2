"""The ballot pipeline under a spike: write units per ballot, throughput, and finalisation time.

One moto server (a subprocess, as the local stack runs it) holds a stack provisioned from
template.yaml; the domain package runs in this process against it with the environment of both the
API and the consumer (it casts, consumes and settles points), as in the integration tests.
Threads: ``AJ74_BENCH_CAST_THREADS`` (2), ``AJ74_BENCH_CONSUMERS`` (2), backlog bound
``AJ74_BENCH_MAX_BACKLOG`` (200).

1. Write units. ``AJ74_BENCH_BALLOTS`` distinct residents (default 10,000) cast a ballot in one
   poll through ``cast_ballot``; the real consumer handler drains the queue through the local SQS
   driver (BatchSize and batching window from the template). Then a share of them
   (``AJ74_BENCH_CHANGED_FRACTION``, default 0.1) change their ballot: a second, different one,
   drained the same way. Then the scheduler closes and finalises the poll, and every voter's
   participation points are settled by the API (``aj74.points.settlement.settle``: a BatchGetItem
   of their ballot key on the ledger, then the conditional credit put). Every DynamoDB request of
   the domain's clients is recorded by a botocore hook, by phase, and billed with
   ``infra.capacity`` (moto's ConsumedCapacity is a constant).
   A first ballot is billed its spike (ledger put, its share of the per-batch tally update, any
   refused conditional write) plus its settlement (the credit put, any refused credit), against the
   floor of 2 writes (ledger item + points credit); it must stay within ``FIRST_BALLOT_BUDGET``
   (1.05×) of that floor, else the benchmark prints FAIL and raises (``make bench`` exits 1).
   A changed ballot is billed its own phase against the floor of its one replacing ledger put.
   The finalisation's writes are no per-ballot cost: they are reported apart. Compared with the
   naive design (one TransactWriteItems of ballot + tally + points per ballot, plus a Powertools
   idempotency record written twice), sized from the same items.
2. Throughput. First ballots counted per second from the first cast to the last ledger write,
   against the rate of bare conditional PutItems of ledger-sized items on the same server from as
   many threads.
3. Finalisation. ``recount`` of ``AJ74_BENCH_FINAL_BALLOTS`` ledger items (default 100,000, seeded
   with BatchWriteItem) against a bare paginated Query of the same 16 shard partitions, both in an
   in-process moto (see ``in_process_ledger``). moto's Query costs ~1-2 ms per item returned, so
   this part dominates the run at the default size.

Timings are reported, never asserted: only the ratios to baselines measured in the same run mean
anything across machines. Write units are asserted (they do not depend on the machine).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
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

from infra import capacity
from infra.template import REPO_ROOT

SPIKE_BALLOTS = int(os.environ.get("AJ74_BENCH_BALLOTS", "10000"))
FINAL_BALLOTS = int(os.environ.get("AJ74_BENCH_FINAL_BALLOTS", "100000"))
CAST_THREADS = int(os.environ.get("AJ74_BENCH_CAST_THREADS", "2"))
# Each consumer thread is its own execution environment (its own copy of the handler module); the
# domain package is shared, and with it the process's one poll cache (aj74.polls.access), which the
# cast threads fill too: poll reads on the consume side come out lower than in separate Lambdas.
CONSUMERS = int(os.environ.get("AJ74_BENCH_CONSUMERS", "2"))
# moto's SQS scans the whole queue several times per message sent or received, so a deep queue
# makes every call slower (quadratic in the backlog): casting waits while more than this many
# ballots are queued or in flight. Real SQS has no such cost; the figure is about our code.
MAX_BACKLOG = int(os.environ.get("AJ74_BENCH_MAX_BACKLOG", "200"))
# Share of the residents who change their ballot once their first one is recorded.
CHANGED_FRACTION = float(os.environ.get("AJ74_BENCH_CHANGED_FRACTION", "0.1"))
RAW_PUTS = 2000
BATCH_WRITE_LIMIT = 25
NAIVE_GOAL = 4.0
# The acceptance point: write units per counted first ballot, points credit included,
# within this factor of the floor (ledger item + points credit).
FIRST_BALLOT_BUDGET = 1.05
API_ID = "ApiFunction"
CONSUMER_ID = "BallotConsumerFunction"
STACK_NAME = "aj74-bench"
# Quiet the handlers' INFO logs (one line per batch); their EMF metrics go to /dev/null below.
QUIET_ENV = {"POWERTOOLS_LOG_LEVEL": "WARNING"}


# ====================================================================== request log
@dataclass(frozen=True)
class Call:
    """One DynamoDB API call as a client made it, with what came back, and the phase of the run
    (``first``, ``change``, ``finalise``, ``settle``) it was made in."""

    operation: str
    params: dict
    response: dict
    thread: str
    phase: str

    @property
    def table(self) -> str:
        return self.params.get("TableName", "")

    @property
    def error(self) -> str | None:
        return (self.response.get("Error") or {}).get("Code")


@dataclass
class RequestLog:
    """Every call of the hooked clients while a ``phase`` is set, labelled with it."""

    calls: list[Call] = field(default_factory=list)
    phase: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextlib.contextmanager
    def recording(self, phase: str) -> Iterator[None]:
        self.phase = phase
        try:
            yield
        finally:
            self.phase = None

    def of(self, phase: str) -> list[Call]:
        return [c for c in self.calls if c.phase == phase]

    def attach(self, client) -> None:
        # provide-client-params sees the caller's own parameters; after-call the parsed response
        # (an error too, before botocore raises it). The request context links the two.
        events = client.meta.events
        events.register("provide-client-params.dynamodb", self._on_params, unique_id=f"bench-params-{id(self)}")
        events.register("after-call.dynamodb", self._on_response, unique_id=f"bench-response-{id(self)}")

    def _on_params(self, params, context, **_):
        if self.phase is not None:
            context["bench_params"] = (self.phase, dict(params))

    def _on_response(self, parsed, model, context, **_):
        if context.get("bench_params") is None:
            return
        phase, params = context["bench_params"]
        call = Call(model.name, params, parsed or {}, threading.current_thread().name, phase)
        with self._lock:
            self.calls.append(call)


def domain_clients() -> list:
    """The botocore clients behind every repository that the ballot pipeline, the scheduler and
    the points settlement touch (the integrity repository uses the shared ``dynamodb_client``)."""
    from aj74.storage import dynamodb_client

    # One client since the repositories left PynamoDB (docs/decisions/021-ports-and-adapters.md).
    return [dynamodb_client()]


# ====================================================================== the local AWS
@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server subprocess on a free port (the integration tests' helper); its endpoint."""
    from infra.local import moto_process

    with (tempfile.TemporaryDirectory(prefix="aj74-bench-") as log_dir,
          moto_process.moto_server(Path(log_dir), timeout=60) as endpoint):
        yield endpoint


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
    # In-process, the benchmark plays the API (casting, settling points) and the consumer.
    use_stack({**resources.env_for(API_ID, overrides=QUIET_ENV), **resources.env_for(CONSUMER_ID, overrides=QUIET_ENV)},
              endpoint)
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


def changed_choice(i: int) -> tuple[int, tuple[int, ...]]:
    """Resident ``i``'s second ballot: another option for q1 (so it always differs), and q2 anew."""
    q1 = (i + 1) % 3 + 1
    return q1, tuple(sorted({q1, (i // 9) % 3 + 1}))


def changers(ballots: int, fraction: float) -> list[int]:
    """``floor(ballots × fraction)`` residents, spread evenly over the voters."""
    return [i for i in range(ballots) if int((i + 1) * fraction) > int(i * fraction)]


def option_ids(q1: int, q2: tuple[int, ...]) -> tuple[str, ...]:
    return (f"q1-o{q1}", *(f"q2-o{o}" for o in q2))


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


def run_spike(stack: Stack, poll_id: str, voters: list[int],
              choose: Callable[[int], tuple[int, tuple[int, ...]]] = choice, label: str = "first") -> Spike:
    """Residents ``voters`` cast the ballot ``choose(i)`` from CAST_THREADS threads while CONSUMERS
    drain the queue."""
    from aj74.polls import voting

    from infra.local.invocation import Invoker
    from infra.local.provision import aws_client
    from infra.local.sqs_driver import SqsDriver
    from tests.support.polls import answers, resident

    spike = Spike(len(voters))
    spec = stack.consumer
    lock = threading.Lock()
    casting_done = threading.Event()
    errors: list[BaseException] = []

    def cast(worker: int) -> None:
        try:
            for i in voters[worker::CAST_THREADS]:
                waited = time.perf_counter()
                while spike.accepted - spike.settled >= MAX_BACKLOG and not errors:
                    time.sleep(0.005)
                waited = time.perf_counter() - waited
                q1, q2 = choose(i)
                voting.cast_ballot(resident(voter_subject(poll_id, i)), poll_id, answers(q1, q2),
                                    f"bench-{label}-{i}")
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


def live_tally(poll_id: str) -> tuple[dict[str, dict], int, Counter]:
    """The live-tally items of a poll by sort key, and their sum: (items, ballots, per option)."""
    from aj74.ballots.tally import option_from_counter
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    pages = dynamodb_client().get_paginator("query").paginate(
        TableName=get_settings().tallies_table, ConsistentRead=True,
        KeyConditionExpression="poll_id = :p AND begins_with(part, :live)",
        ExpressionAttributeValues={":p": {"S": poll_id}, ":live": {"S": "live#"}})
    items = {item["part"]["S"]: item for page in pages for item in page["Items"]}
    total, counts = 0, Counter()
    for item in items.values():
        for name, value in item.items():
            if name == "n":
                total += int(value["N"])
            elif name.startswith("c_"):
                counts[option_from_counter(name)] += int(value["N"])
    return items, total, +counts


def expected_counts(ballots: int, changed: set[int]) -> Counter:
    """Per option, the ballots that should count: each resident's latest choice."""
    return Counter(o for i in range(ballots) for o in option_ids(*(changed_choice(i) if i in changed else choice(i))))


# ====================================================================== result and points
@dataclass
class Finalised:
    total_ballots: int
    live_tally_matched: bool
    seconds: float


def finalise(poll_id: str) -> Finalised:
    """Close and finalise the poll at once: a scheduler tick dated just past its close, no grace."""
    from aj74.points.settlement import forget_final_polls
    from aj74.polls.repository import PollRepository
    from aj74.polls.scheduling import tick

    poll = PollRepository().get(poll_id)
    started = time.perf_counter()
    report = tick(now=poll.closes_at + timedelta(seconds=1), grace_seconds=0)
    seconds = time.perf_counter() - started
    if poll_id not in report.finalised:
        raise RuntimeError(f"the scheduler did not finalise the benchmark poll: {report.as_dict()}")
    forget_final_polls()  # final polls are cached for 30 s
    result = PollRepository().get(poll_id).result
    return Finalised(result.total_ballots, bool(result.live_tally_matched), seconds)


@dataclass
class Settlement:
    residents: int
    credited: int = 0
    seconds: float = 0.0


def settle_points(poll_id: str, ballots: int) -> Settlement:
    """Every voter opens their points once after the result: ``settle`` credits their ballot."""
    from aj74.points.settlement import settle

    from tests.support.polls import resident

    out = Settlement(ballots)
    lock = threading.Lock()

    def run(worker: int) -> None:
        for i in range(worker, ballots, CAST_THREADS):
            credited = settle(resident(voter_subject(poll_id, i)))
            with lock:
                out.credited += credited.count(poll_id)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CAST_THREADS, thread_name_prefix="settle") as pool:
        list(pool.map(run, range(CAST_THREADS)))
    out.seconds = time.perf_counter() - started
    return out


# ====================================================================== billing
@dataclass
class Bill:
    ledger_puts: list[int] = field(default_factory=list)  # billed sizes of applied ledger puts
    replacing_puts: int = 0  # of which replaced a resident's earlier ballot (billed on the larger item)
    points_puts: list[int] = field(default_factory=list)
    failed_puts: Counter = field(default_factory=Counter)  # table role -> refused conditional writes
    failed_units: int = 0
    tally_updates: int = 0
    tally_units: int = 0
    other_writes: Counter = field(default_factory=Counter)
    other_units: int = 0
    reads: dict = field(default_factory=lambda: defaultdict(Counter))  # side -> operation/role -> count
    read_units: dict = field(default_factory=lambda: defaultdict(float))  # side -> RCU
    batch_get_keys: int = 0

    @property
    def ledger_units(self) -> int:
        return sum(map(capacity.write_units, self.ledger_puts))

    @property
    def points_units(self) -> int:
        return sum(map(capacity.write_units, self.points_puts))

    @property
    def write_units(self) -> int:
        return self.ledger_units + self.points_units + self.failed_units + self.tally_units + self.other_units

    def __add__(self, other: Bill) -> Bill:
        out = Bill(self.ledger_puts + other.ledger_puts, self.replacing_puts + other.replacing_puts,
                   self.points_puts + other.points_puts, self.failed_puts + other.failed_puts,
                   self.failed_units + other.failed_units, self.tally_updates + other.tally_updates,
                   self.tally_units + other.tally_units, self.other_writes + other.other_writes,
                   self.other_units + other.other_units, batch_get_keys=self.batch_get_keys + other.batch_get_keys)
        for bill_ in (self, other):
            for side, reads in bill_.reads.items():
                out.reads[side].update(reads)
                out.read_units[side] += bill_.read_units[side]
        return out


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
SIDES = {"cast": "cast route", "consume": "consumer", "settle": "points settlement"}


def side_of(call: Call) -> str:
    """Who made a call, by its thread's name (``cast-0``, ``consume-1``, ``settle_0``)."""
    return SIDES.get(call.thread.replace("_", "-").partition("-")[0], "scheduler")


def bill(calls: list[Call], roles: dict[str, str], sized: Callable[[str, dict], int]) -> Bill:
    """Write and read units of the recorded calls. An UpdateItem is billed on the size of its item
    at the end of the run (``sized``): tally counters only grow, and a finalised poll item only
    gains its result, so that is the largest the item ever was."""
    out = Bill()
    for call in calls:
        role = roles.get(call.table, call.table)
        if call.operation == "PutItem":
            size = capacity.item_size(call.params["Item"])
            if call.error == "ConditionalCheckFailedException":
                out.failed_puts[role] += 1  # a refused conditional write costs as if it was written
                out.failed_units += capacity.write_units(size)
            elif call.error is None and role == "ballots":
                # A put that replaces an item is billed on the larger of the two (ALL_OLD shows it).
                old = call.response.get("Attributes")
                out.ledger_puts.append(max(size, capacity.item_size(old)) if old else size)
                out.replacing_puts += bool(old)
            elif call.error is None and role == "points":
                out.points_puts.append(size)
            else:
                out.other_writes[f"PutItem {role} {call.error or ''}".strip()] += 1
                out.other_units += capacity.write_units(size)
        elif call.operation == "UpdateItem":
            size = sized(call.table, call.params["Key"])
            if call.error == "ConditionalCheckFailedException":
                out.failed_puts[f"{role} update"] += 1
                out.failed_units += capacity.write_units(size)
            elif call.error is None and role == "tallies":
                out.tally_updates += 1
                out.tally_units += capacity.update_units(size, size)
            else:
                out.other_writes[f"UpdateItem {role} {call.error or ''}".strip()] += 1
                out.other_units += capacity.update_units(size, size)
        elif call.operation == "BatchWriteItem":
            unprocessed = call.response.get("UnprocessedItems") or {}
            for table, requests in call.params["RequestItems"].items():
                done = [r for r in requests if r not in unprocessed.get(table, [])]
                puts = [capacity.item_size(r["PutRequest"]["Item"]) for r in done if "PutRequest" in r]
                out.other_writes[f"BatchWriteItem {roles.get(table, table)} item"] += len(done)
                out.other_units += sum(map(capacity.write_units, puts)) + (len(done) - len(puts))
        elif call.operation in WRITES:
            # Not expected on the ballot path; billed at the minimum, and listed in the report.
            items = len(call.params.get("TransactItems", ())) or 1
            out.other_writes[f"{call.operation} {role}"] += 1
            out.other_units += items * (capacity.TRANSACTION_FACTOR if call.operation == "TransactWriteItems" else 1)
        else:
            _bill_read(out, call, roles)
    return out


def _bill_read(out: Bill, call: Call, roles: dict[str, str]) -> None:
    side, role = side_of(call), roles.get(call.table, call.table)
    if call.operation == "BatchGetItem":
        # Every key is a read of its own, rounded up alone (a key not found still costs a read);
        # the projection does not change the units, which count whole items.
        unprocessed = call.response.get("UnprocessedKeys") or {}
        for table, request in call.params["RequestItems"].items():
            consistent = bool(request.get("ConsistentRead"))
            found = [capacity.item_size(i) for i in call.response.get("Responses", {}).get(table, [])]
            keys = len(request["Keys"]) - len((unprocessed.get(table) or {}).get("Keys", []))
            out.batch_get_keys += keys
            out.read_units[side] += sum(capacity.read_units([s], consistent) for s in found)
            out.read_units[side] += (keys - len(found)) * capacity.read_units([0], consistent)
            label = f"BatchGetItem {roles.get(table, table)}{'' if consistent else ' (eventual)'}"
            out.reads[side][label] += 1
        return
    consistent = bool(call.params.get("ConsistentRead"))
    if call.operation == "GetItem":
        sizes = [capacity.item_size(call.response.get("Item") or {})]
    else:
        sizes = [capacity.item_size(item) for item in call.response.get("Items", [])]
    out.reads[side][f"{call.operation} {role}{'' if consistent else ' (eventual)'}"] += 1
    out.read_units[side] += capacity.read_units(sizes, consistent)


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


@dataclass
class Measured:
    """Everything the write-unit report is made of."""

    first: Spike
    change: Spike
    counted: int  # ballots in the ledger after both phases (one per resident)
    settlement: Settlement
    finalised: Finalised
    bills: dict[str, Bill]  # phase -> its bill
    tally_sizes: list[int]
    tally_total: int
    tally_counts: Counter
    expected: Counter
    function_name: str

    @property
    def first_bill(self) -> Bill:
        """A first ballot's cost: its spike, and the settlement that credits its points."""
        return self.bills["first"] + self.bills["settle"]

    @property
    def first_floor(self) -> int:
        return self.bills["first"].ledger_units + self.bills["settle"].points_units

    @property
    def first_ratio(self) -> float:
        return self.first_bill.write_units / self.first_floor if self.first_floor else float("nan")

    def problems(self) -> list[str]:
        """Why the run fails its acceptance point, if it does."""
        out = []
        if not self.first_ratio <= FIRST_BALLOT_BUDGET:
            out.append(f"first ballots cost {self.first_ratio:.3f}× the floor, "
                       f"over the {FIRST_BALLOT_BUDGET:.2f}× budget")
        if self.counted != self.first.accepted:
            out.append(f"{self.first.accepted:,} first ballots accepted but {self.counted:,} in the ledger")
        if self.bills["change"].replacing_puts != self.change.accepted:
            out.append(f"{self.change.accepted:,} changed ballots accepted but "
                       f"{self.bills['change'].replacing_puts:,} replaced a recorded one")
        if self.settlement.credited != self.counted:
            out.append(f"{self.counted:,} ballots counted but {self.settlement.credited:,} points credits")
        return out


def _row(label: str, units: int, count: int, floor: int | None) -> str:
    per = units / count if count else float("nan")
    versus = f"  {units / floor:5.2f}× floor" if floor else ""
    return f"  {label:<44} {units:>9,} WCU  {per:6.3f}/ballot{versus}"


def _refused(b: Bill) -> str:
    return f"{sum(b.failed_puts.values())}" + (f" ({', '.join(f'{k} {v}' for k, v in b.failed_puts.items())})"
                                              if b.failed_puts else "")


def _other(b: Bill) -> str:
    return f"{sum(b.other_writes.values())}" + (f" ({', '.join(f'{k} ×{v}' for k, v in b.other_writes.items())})"
                                               if b.other_writes else "")


def write_unit_report(m: Measured) -> list[str]:
    first, change, settle, final = m.bills["first"], m.bills["change"], m.bills["settle"], m.bills["finalise"]
    ledger, points = first.ledger_puts, settle.points_puts
    counted, changed = m.counted, change.replacing_puts
    tally_size = max(m.tally_sizes)
    idem_put, idem_done = idempotency_record_sizes(m.function_name)
    idem = capacity.write_units(idem_put) + capacity.update_units(idem_put, idem_done)
    naive_first = sum(capacity.transaction_units([b, tally_size, p]) + idem
                      for b, p in zip(ledger, points, strict=False))
    naive_change = sum(capacity.transaction_units([b, tally_size]) + idem for b in change.ledger_puts)
    all_first = m.first_bill
    sizes = ledger + change.ledger_puts + points + m.tally_sizes
    over_1kb = [s for s in sizes if s > capacity.WRITE_UNIT_BYTES]
    per_batch = counted / first.tally_updates if first.tally_updates else float("nan")
    per_change_batch = changed / change.tally_updates if change.tally_updates else float("nan")
    lines = [
        f"write units per counted ballot, all-in, {m.first.ballots:,} residents voting in one poll, "
        f"{m.change.ballots:,} of them changing their ballot, points settled after the result "
        f"(acceptance: first ballots ≤ {FIRST_BALLOT_BUDGET:.2f}× the floor of ledger + credit; "
        f"naive design ≈ {NAIVE_GOAL:.0f}× floor)",
        f"  first ballots: {m.first.accepted:,} accepted, {counted:,} in the ledger; {m.first.batches} consumer "
        f"batches ({m.first.failed_batches} with failed records)",
        f"  changed ballots: {m.change.accepted:,} cast after the first were recorded "
        f"({CHANGED_FRACTION:.0%} of residents), {changed:,} replaced one; {m.change.batches} consumer batches "
        f"({m.change.failed_batches} with failed records)",
        f"  points: {m.settlement.residents:,} residents settled once after the result "
        f"({CAST_THREADS} threads, {m.settlement.seconds:.1f} s): {len(points):,} credits",
        f"  writes: first {len(ledger):,} ledger puts + {first.tally_updates} tally updates (1 per "
        f"{per_batch:.0f} ballots); changes {len(change.ledger_puts):,} ledger puts + {change.tally_updates} "
        f"tally updates; settlement {len(points):,} credit puts; conditional writes refused: first "
        f"{_refused(first)}, changes {_refused(change)}, settlement {_refused(settle)}; other: "
        f"{_other(first + change + settle)}",
        f"  item sizes: ledger {size_range(ledger)}, replacing ledger put (larger of old and new) "
        f"{size_range(change.ledger_puts)}, points credit {size_range(points)}, tally item "
        f"{size_range(m.tally_sizes)}, idempotency record {idem_put}/{idem_done} B; "
        + (f"{len(over_1kb)} over 1 KB" if over_1kb else "all under 1 KB, so 1 WCU each"),
        "  per first ballot = its spike (ledger put, share of a tally update, refused writes) + its settlement "
        "(credit put, refused credits):",
        _row("first ballot, all-in (measured)", all_first.write_units, counted, m.first_floor),
        _row("  ledger puts", first.ledger_units, counted, None),
        _row("  live tally updates (amortised per batch)", first.tally_units, counted, None),
        _row("  points credit puts (settlement)", settle.points_units, counted, None),
        _row("  refused conditional writes", all_first.failed_units, counted, None),
        _row("  other writes", all_first.other_units, counted, None),
        _row("floor: ledger + points credit", m.first_floor, counted, m.first_floor),
        _row("naive: 3-item transaction + idem.", naive_first, counted, m.first_floor),
        _row("ballot alone (DESIGN.md ideal)", first.ledger_units, counted, m.first_floor),
        "  per changed ballot = its replacing ledger put (billed on the larger item), its share of a tally "
        f"update (1 per {per_change_batch:.0f} changes), refused writes; no points:",
        _row("changed ballot, all-in (measured)", change.write_units, changed, change.ledger_units),
        _row("  replacing ledger puts", change.ledger_units, changed, None),
        _row("  live tally updates (amortised per batch)", change.tally_units, changed, None),
        _row("  refused conditional writes", change.failed_units, changed, None),
        _row("floor: the replacing ledger put", change.ledger_units, changed, change.ledger_units),
        _row("naive: 2-item transaction + idem.", naive_change, changed, change.ledger_units),
    ]
    for phase, side, per_label, count in (("first", "cast route", "first cast", m.first.accepted),
                                          ("change", "cast route", "changed cast", m.change.accepted),
                                          ("first", "consumer", "first ballot", counted),
                                          ("change", "consumer", "changed ballot", changed),
                                          ("settle", "points settlement", "resident", m.settlement.residents)):
        bill_ = m.bills[phase]
        reads = bill_.reads.get(side, {})
        detail = ", ".join(f"{v:,} {k}" for k, v in sorted(reads.items())) or "none"
        units = bill_.read_units.get(side, 0.0)
        per = units / count if count else float("nan")
        keys = f" ({bill_.batch_get_keys:,} keys)" if phase == "settle" else ""
        lines.append(f"  reads by the {side} ({phase}): {units:,.1f} RCU ({per:.3f} per {per_label}): {detail}{keys}")
    lines += [
        f"  finalisation (once per poll, not billed per ballot): tick {m.finalised.seconds:.1f} s, "
        f"{final.write_units:,} WCU ({len(final.ledger_puts) + len(final.points_puts)} ballot/points puts, "
        f"{final.tally_updates} tally updates, other {_other(final)}, refused {_refused(final)}), "
        f"{sum(final.read_units.values()):,.1f} RCU",
        f"  live tally {m.tally_total:,} = ledger {counted:,}: {m.tally_total == counted}; options = each "
        f"resident's latest ballot: {m.tally_counts == m.expected}; result {m.finalised.total_ballots:,} "
        f"ballots, live tally matched: {m.finalised.live_tally_matched}",
    ]
    problems = m.problems()
    per_first = all_first.write_units / counted if counted else float("nan")
    lines.append(f"  {'PASS' if not problems else 'FAIL'}: first ballots {per_first:.3f} WCU each "
                 f"= {m.first_ratio:.3f}× the floor (budget {FIRST_BALLOT_BUDGET:.2f}×)"
                 + "".join(f"; {p}" for p in problems))
    return lines


# ====================================================================== raw put baseline
def ledger_like_item(poll_id: str, i: int, secret: bytes) -> dict:
    """Resident ``i``'s ledger item as the consumer writes it; ``secret`` is the stack's ballot-key
    secret (``aj74.keystore.ballot_key_secret()``, read once while the domain points at the stack)."""
    from aj74.ballots import keys, receipts

    key = keys.ballot_key(secret, poll_id, voter_subject(poll_id, i))
    options = option_ids(*choice(i))
    return {
        "pk": {"S": keys.ledger_partition(poll_id, key)}, "ballot_key": {"S": key},
        "options": {"S": ",".join(options)},
        "commitment": {"S": receipts.commitment(poll_id, key, options, receipts.random_salt())},
        "accepted_at": {"N": str(int(time.time() * 1000))}, "territory": {"S": "gp-satka"},
        "age_band": {"S": "35-44"}, "gender": {"S": "f"},
    }


def raw_put_rate(puts: int, threads: int, secret: bytes) -> float:
    """Conditional PutItems per second of ledger-sized items, ``threads`` at a time."""
    from aj74.ids import ulid
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    table, client, poll_id = get_settings().ballots_table, dynamodb_client(), ulid()
    items = [ledger_like_item(poll_id, i, secret) for i in range(puts)]

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


def seed_ledger(poll_id: str, ballots: int, secret: bytes) -> None:
    """``ballots`` ledger items of ``poll_id``, 25 per BatchWriteItem."""
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    table, client = get_settings().ballots_table, dynamodb_client()
    for start in range(0, ballots, BATCH_WRITE_LIMIT):
        requests = [{"PutRequest": {"Item": ledger_like_item(poll_id, i, secret)}}
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


def finalisation_report(stack: Stack, poll, ballots: int, secret: bytes) -> list[str]:
    """Seed ``ballots`` ledger items of ``poll`` in an in-process moto, then time a bare read and
    the recount against it. ``secret`` is read beforehand: the in-process moto has no secrets."""
    from aj74.ballots.repository import BallotLedger
    from aj74.polls.scheduling import recount

    with in_process_ledger(stack):
        started = time.perf_counter()
        seed_ledger(poll.poll_id, ballots, secret)
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
class BudgetExceeded(RuntimeError):
    """The write units per first ballot exceed FIRST_BALLOT_BUDGET × the floor (or the run did not
    count what it cast). Raised after the report is printed, so ``python -m bench`` exits 1."""


def item_sizer(endpoint: str) -> Callable[[str, dict], int]:
    """Size of an item as stored now, by table and key, read once with an unrecorded client."""
    from infra.local.provision import aws_client

    client, cache = aws_client("dynamodb", endpoint), {}

    def sized(table: str, key: dict) -> int:
        ident = (table, tuple(sorted((k, tuple(v.items())) for k, v in key.items())))
        if ident not in cache:
            item = client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {}
            cache[ident] = capacity.item_size(item)
        return cache[ident]

    return sized


def run(ballots: int = SPIKE_BALLOTS, final_ballots: int = FINAL_BALLOTS) -> list[str]:
    """Run the three measurements against one moto server; return the report lines."""
    lines: list[str] = []
    with restored_environment(), moto_server() as endpoint:
        os.environ.update(QUIET_ENV)  # before infra.local.invocation builds its logger
        started = time.perf_counter()
        stack = provision_stack(endpoint)
        poll_id = open_poll()
        from aj74.keystore import ballot_key_secret
        from aj74.polls.repository import PollRepository
        from aj74.settings import get_settings

        settings = get_settings()
        secret = ballot_key_secret()
        roles = {settings.ballots_table: "ballots", settings.points_table: "points",
                 settings.tallies_table: "tallies", settings.polls_table: "polls", settings.audit_table: "audit"}
        log = RequestLog()
        for client in domain_clients():
            log.attach(client)
        setup = time.perf_counter() - started

        with log.recording("first"):
            spike = run_spike(stack, poll_id, list(range(ballots)))
        changed = changers(ballots, CHANGED_FRACTION)
        with log.recording("change"):
            change = run_spike(stack, poll_id, changed, changed_choice, label="change")
        counted = ledger_count(stack, poll_id)
        tallies, tally_total, tally_counts = live_tally(poll_id)
        with log.recording("finalise"):
            finalised = finalise(poll_id)
        with log.recording("settle"):
            settlement = settle_points(poll_id, ballots)
        sized = item_sizer(endpoint)
        bills = {phase: bill(log.of(phase), roles, sized) for phase in ("first", "change", "finalise", "settle")}
        measured = Measured(spike, change, counted, settlement, finalised, bills,
                            [capacity.item_size(item) for item in tallies.values()], tally_total, tally_counts,
                            expected_counts(ballots, set(changed)), stack.consumer.function_name)
        lines += write_unit_report(measured)

        started = time.perf_counter()
        raw_rate = raw_put_rate(RAW_PUTS, CAST_THREADS + CONSUMERS, secret)
        lines += throughput_report(spike, counted, raw_rate)
        raw_seconds = time.perf_counter() - started

        started = time.perf_counter()
        lines += finalisation_report(stack, PollRepository().get(poll_id), final_ballots, secret)
        final_seconds = time.perf_counter() - started
        lines.append(f"  (parts: set-up {setup:.1f} s, spike {spike.total_seconds:.1f} s, changes "
                     f"{change.total_seconds:.1f} s, result {finalised.seconds:.1f} s, points "
                     f"{settlement.seconds:.1f} s, raw puts {raw_seconds:.1f} s, finalisation {final_seconds:.1f} s)")
    problems = measured.problems()
    if problems:
        # python -m bench prints a benchmark's lines only when it returns: print them first.
        for line in lines:
            print(line, flush=True)
        raise BudgetExceeded("; ".join(problems))
    return lines
