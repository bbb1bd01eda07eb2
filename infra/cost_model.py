"""Cost of one million ballots on AWS, and the peak ballots per second one poll absorbs.

``python -m infra.cost_model`` prints both. The per-ballot request counts default to the design in
docs/decisions/004-exactly-once-ballots.md; pass what ``make bench`` (bench/ballots.py) measured
to replace them, e.g. ``--wcu-per-ballot 2.02``. Storage, logs and data transfer are left out:
they grow with retention, not with the number of ballots.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

# Published on-demand prices, region eu-central-1 (Frankfurt), USD, as recorded on 2025-01-15
# from the AWS pricing pages (first pricing tier, no free tier). Re-check before budgeting.
PRICES_REGION = "eu-central-1"
PRICES_DATE = "2025-01-15"
API_GATEWAY_REST_PER_MILLION = 3.70       # REST API requests, first 333 million a month
LAMBDA_REQUEST_PER_MILLION = 0.20
LAMBDA_ARM64_PER_GB_SECOND = 0.0000133334  # Graviton, first 7.5 billion GB-s a month
SQS_STANDARD_PER_MILLION = 0.40           # per 64 KB request chunk
DYNAMODB_WRITE_PER_MILLION = 0.7625       # on-demand write request units (after the Nov 2024 cut)
DYNAMODB_READ_PER_MILLION = 0.1525        # on-demand read request units

# Service limits that bound one poll (defaults; most can be raised on request).
API_GATEWAY_ACCOUNT_RPS = 10_000          # per account and region
LEDGER_SHARDS = 16                        # aj74.ballots.keys.BALLOT_SHARDS
PARTITION_WCU_PER_SECOND = 1_000          # one DynamoDB partition
TABLE_WRU_PER_SECOND = 40_000             # on-demand table default quota
LAMBDA_ACCOUNT_CONCURRENCY = 1_000


@dataclass(frozen=True)
class PerBallot:
    """What one ballot costs in requests, from the cast route to the recount (defaults: decision 004)."""

    api_requests: float = 1.0              # POST /v1/polls/{id}/ballots
    api_lambda_ms: float = 40.0            # the cast route: validate, courtesy read, SendMessage
    api_memory_mb: int = 512
    rru_at_cast: float = 1.5               # strongly consistent ledger read (1) + cached poll read (0.5)
    sqs_requests: float = 1.2              # SendMessage 1 + Lambda's ReceiveMessage and DeleteMessageBatch, 10 a call
    batch_size: int = 100                  # consumer BatchSize
    consumer_batch_ms: float = 1_000.0     # one batch of 100: ~200 conditional puts
    consumer_memory_mb: int = 512
    # ledger put 1 + points credit 1 (settled after the result, 012) + a tally ADD per batch
    wcu_per_ballot: float = 2.01
    ballot_item_bytes: int = 250           # the recount reads the ledger once at close

    def gb_seconds_api(self) -> float:
        return self.api_requests * self.api_lambda_ms / 1000 * self.api_memory_mb / 1024

    def gb_seconds_consumer(self) -> float:
        return self.consumer_batch_ms / 1000 / self.batch_size * self.consumer_memory_mb / 1024

    def rru_recount(self) -> float:
        # Strongly consistent Query: one RRU per 4 KB read, items summed before rounding.
        return self.ballot_item_bytes / 4096


def cost_per_million(b: PerBallot) -> dict[str, float]:
    """USD for one million ballots, by service."""
    m = 1_000_000
    lambda_requests = b.api_requests + 1 / b.batch_size
    return {
        "API Gateway (REST)": b.api_requests * API_GATEWAY_REST_PER_MILLION,
        "Lambda requests": lambda_requests * LAMBDA_REQUEST_PER_MILLION,
        "Lambda arm64 duration": (b.gb_seconds_api() + b.gb_seconds_consumer()) * m * LAMBDA_ARM64_PER_GB_SECOND,
        "SQS": b.sqs_requests * SQS_STANDARD_PER_MILLION,
        "DynamoDB writes": b.wcu_per_ballot * DYNAMODB_WRITE_PER_MILLION,
        "DynamoDB reads": (b.rru_at_cast + b.rru_recount()) * DYNAMODB_READ_PER_MILLION,
    }


def peak_ballots_per_second(b: PerBallot, consumer_max_concurrency: int = 100,
                            api_rps: int = API_GATEWAY_ACCOUNT_RPS,
                            lambda_concurrency: int = LAMBDA_ACCOUNT_CONCURRENCY) -> dict[str, float]:
    """The ceiling each stage puts on one poll's ballots per second; the smallest one binds."""
    api_lambda = lambda_concurrency / (b.api_lambda_ms / 1000)
    return {
        "API Gateway account limit": float(api_rps),
        "API Lambda concurrency": api_lambda,
        "ledger partitions (16 x 1,000 WCU/s, 1 WCU a ballot)": float(LEDGER_SHARDS * PARTITION_WCU_PER_SECOND),
        "points table quota (1 WCU a ballot)": float(TABLE_WRU_PER_SECOND),
        "consumer drain (MaximumConcurrency x batch / batch time)":
            consumer_max_concurrency * b.batch_size / (b.consumer_batch_ms / 1000),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = PerBallot()
    for f in fields(PerBallot):
        parser.add_argument("--" + f.name.replace("_", "-"), type=type(getattr(defaults, f.name)),
                            default=getattr(defaults, f.name))
    parser.add_argument("--consumer-max-concurrency", type=int, default=100)
    args = vars(parser.parse_args(argv))
    concurrency = args.pop("consumer_max_concurrency")
    per_ballot = PerBallot(**args)

    costs = cost_per_million(per_ballot)
    print(f"Cost of 1,000,000 ballots, on-demand prices of {PRICES_REGION} recorded {PRICES_DATE} (USD):")
    for name, usd in costs.items():
        print(f"  {name:<28} {usd:>8.2f}")
    print(f"  {'total':<28} {sum(costs.values()):>8.2f}")
    ceilings = peak_ballots_per_second(per_ballot, concurrency)
    print("Peak ballots per second on one poll, by stage:")
    for name, rate in ceilings.items():
        print(f"  {name:<58} {rate:>9,.0f}")
    binding = min(ceilings, key=ceilings.get)
    print(f"  absorbed without throttling: {ceilings[binding]:,.0f} ballots/s (bound by {binding})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
