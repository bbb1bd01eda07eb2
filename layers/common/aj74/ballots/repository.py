"""The ballot ledger and the live tallies in DynamoDB.

Ledger: one item per resident and poll, holding their latest ballot; partition
``<poll_id>#<shard>`` (16 shards per poll, so a 10,000 ballots/s spike stays under each partition's
1,000 WCU/s), sort key the ballot key. The conditional put on the ballot key is what enforces one
person, one ballot: a later ballot of the same resident replaces the earlier one, never adds to it.

Tallies: items ``(poll_id, "live#NN")`` with one top-level number per option (``c_q1_o2``) plus
``n`` (ballots); a consumer batch adds its new ballots to one random item in one update.
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aj74.ballots.keys import BALLOT_SHARDS, ledger_partition
from aj74.ballots.message import BallotMessage
from aj74.ballots.tally import TALLY_SHARDS, counter_name, option_from_counter
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, is_condition_failure, raise_unavailable

LEDGER_PAGE_SIZE = 1000


@dataclass(frozen=True)
class LedgerBallot:
    ballot_key: str
    option_ids: tuple[str, ...]
    commitment: str
    accepted_at_ms: int
    territory_id: str
    age_band: str
    gender: str


def _ledger_ballot(item: dict) -> LedgerBallot:
    return LedgerBallot(item["ballot_key"]["S"], tuple(item["options"]["S"].split(",")), item["commitment"]["S"],
                        int(item["accepted_at"]["N"]), item["territory"]["S"], item["age_band"]["S"],
                        item["gender"]["S"])


@dataclass(frozen=True)
class Recorded:
    """What a ledger write did: ``new`` (first ballot of this key), ``replaced`` (a later ballot of
    the same resident replaced ``previous``), or ``unchanged`` (a redelivery, or an older ballot
    arriving after a newer one)."""

    status: str
    previous: tuple[str, ...] = ()


def _s(value: str) -> dict:
    return {"S": value}


class BallotLedger:
    def record(self, msg: BallotMessage) -> Recorded:
        """Put the ballot unless the ledger already holds this resident's same or later ballot.

        One conditional put: it replaces the stored ballot only if the new one was accepted later
        (on a tie, the larger commitment wins), and returns the replaced item so the live tally can
        take it out. A redelivery, or an older ballot delivered late, fails the condition.
        """
        item = {
            "pk": _s(ledger_partition(msg.poll_id, msg.ballot_key)), "ballot_key": _s(msg.ballot_key),
            "options": _s(",".join(msg.option_ids)), "commitment": _s(msg.commitment),
            "accepted_at": {"N": str(msg.accepted_at_ms)}, "territory": _s(msg.territory_id),
            "age_band": _s(msg.age_band), "gender": _s(msg.gender),
        }
        from botocore.exceptions import ClientError

        try:
            response = dynamodb_client().put_item(
                TableName=get_settings().ballots_table, Item=item, ReturnValues="ALL_OLD",
                ConditionExpression="attribute_not_exists(ballot_key) OR accepted_at < :t "
                                    "OR (accepted_at = :t AND commitment < :c)",
                ExpressionAttributeValues={":t": item["accepted_at"], ":c": item["commitment"]})
        except ClientError as exc:
            if is_condition_failure(exc):
                return Recorded("unchanged")
            raise_unavailable(exc)
            raise
        except Exception as exc:
            raise_unavailable(exc)
            raise
        old = response.get("Attributes")
        if not old:
            return Recorded("new")
        return Recorded("replaced", tuple(old["options"]["S"].split(",")))

    def get(self, poll_id: str, key: str) -> LedgerBallot | None:
        try:
            item = dynamodb_client().get_item(
                TableName=get_settings().ballots_table, ConsistentRead=True,
                Key={"pk": _s(ledger_partition(poll_id, key)), "ballot_key": _s(key)}).get("Item")
        except Exception as exc:
            raise_unavailable(exc)
            raise
        return _ledger_ballot(item) if item else None

    def holders(self, keys: list[tuple[str, str]]) -> set[str]:
        """Of ``(poll_id, ballot_key)`` pairs, the polls whose ledger holds that key (BatchGetItem,
        keys only, eventually consistent: used to settle participation points after the result)."""
        table = get_settings().ballots_table
        found: set[str] = set()
        poll_of = {key: poll_id for poll_id, key in keys}
        pending = [{"pk": _s(ledger_partition(p, k)), "ballot_key": _s(k)} for p, k in keys]
        while pending:
            batch, pending = pending[:100], pending[100:]
            request = {table: {"Keys": batch, "ProjectionExpression": "ballot_key"}}
            for _attempt in range(5):
                try:
                    response = dynamodb_client().batch_get_item(RequestItems=request)
                except Exception as exc:
                    raise_unavailable(exc)
                    raise
                found.update(poll_of[i["ballot_key"]["S"]] for i in response.get("Responses", {}).get(table, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
        return found

    def _shard(self, poll_id: str, shard: int) -> list[LedgerBallot]:
        # Pages of 1,000 items (~210 KB): same read units as 1 MB pages, but no single response is
        # slow enough to hit the client's read timeout.
        request = {"TableName": get_settings().ballots_table, "ConsistentRead": True, "Limit": LEDGER_PAGE_SIZE,
                   "KeyConditionExpression": "pk = :pk",
                   "ExpressionAttributeValues": {":pk": _s(f"{poll_id}#{shard:02d}")}}
        ballots = []
        while True:
            try:
                page = dynamodb_client().query(**request)
            except Exception as exc:
                raise_unavailable(exc)
                raise
            ballots.extend(_ledger_ballot(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return ballots
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def all_ballots(self, poll_id: str) -> list[LedgerBallot]:
        """Every ballot of a poll, read shard by shard in parallel (finalisation and audits)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            parts = pool.map(lambda s: self._shard(poll_id, s), range(BALLOT_SHARDS))
            return [b for part in parts for b in part]


class LiveTallies:
    def add(self, poll_id: str, ballots: int, counts: Counter) -> None:
        """Add a batch's changes to one randomly chosen live-tally item (one write). ``counts`` may
        hold negative numbers: the options of ballots that a later ballot replaced."""
        names = {"#n": "n"}
        values = {":n": {"N": str(ballots)}}
        adds = ["#n :n"]
        for i, (option_id, n) in enumerate(sorted(counts.items())):
            names[f"#c{i}"] = counter_name(option_id)
            values[f":c{i}"] = {"N": str(n)}
            adds.append(f"#c{i} :c{i}")
        part = f"live#{random.randrange(TALLY_SHARDS):02d}"
        try:
            dynamodb_client().update_item(
                TableName=get_settings().tallies_table, Key={"poll_id": {"S": poll_id}, "part": {"S": part}},
                UpdateExpression="ADD " + ", ".join(adds), ExpressionAttributeNames=names,
                ExpressionAttributeValues=values)
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def read(self, poll_id: str) -> tuple[int, Counter]:
        """Sum of the live-tally items: (ballots, count per option)."""
        total, counts = 0, Counter()
        try:
            response = dynamodb_client().query(
                TableName=get_settings().tallies_table, ConsistentRead=True,
                KeyConditionExpression="poll_id = :p AND begins_with(part, :live)",
                ExpressionAttributeValues={":p": {"S": poll_id}, ":live": {"S": "live#"}})
        except Exception as exc:
            raise_unavailable(exc)
            raise
        for item in response.get("Items", []):
            for name, value in item.items():
                if name == "n":
                    total += int(value["N"])
                elif name.startswith("c_"):
                    counts[option_from_counter(name)] += int(value["N"])
        return total, counts
