"""The ballot ledger and the live tallies in DynamoDB.

Ledger: one item per counted ballot, partition ``<poll_id>#<shard>`` (16 shards per poll, so a
10,000 ballots/s spike stays under each partition's 1,000 WCU/s), sort key the ballot key. The
conditional put on the ballot key is what enforces one person, one ballot.

Tallies: items ``(poll_id, "live#NN")`` with one top-level number per option (``c_q1_o2``) plus
``n`` (ballots); a consumer batch adds its new ballots to one random item in one update.
"""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

from aj74.ballots.keys import BALLOT_SHARDS, ledger_partition
from aj74.ballots.message import BallotMessage
from aj74.ballots.tally import TALLY_SHARDS, counter_name, option_from_counter
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, meta, raise_unavailable, write_if

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


@lru_cache(maxsize=1)
def _ballot_model():
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class BallotRecord(Model):
        Meta = meta("ballots_table")
        pk = UnicodeAttribute(hash_key=True)
        ballot_key = UnicodeAttribute(range_key=True)
        options = UnicodeAttribute()
        commitment = UnicodeAttribute()
        accepted_at = NumberAttribute()
        territory = UnicodeAttribute()
        age_band = UnicodeAttribute()
        gender = UnicodeAttribute()

    return BallotRecord


def _ledger_ballot(r) -> LedgerBallot:
    return LedgerBallot(r.ballot_key, tuple(r.options.split(",")), r.commitment, int(r.accepted_at), r.territory,
                        r.age_band, r.gender)


class BallotLedger:
    def record(self, msg: BallotMessage) -> bool:
        """Put the ballot if this voter has none in the poll yet. True when it is new."""
        Record = _ballot_model()
        item = Record(
            ledger_partition(msg.poll_id, msg.ballot_key), msg.ballot_key, options=",".join(msg.option_ids),
            commitment=msg.commitment, accepted_at=msg.accepted_at_ms, territory=msg.territory_id,
            age_band=msg.age_band, gender=msg.gender,
        )
        return write_if(lambda: item.save(condition=Record.ballot_key.does_not_exist()))

    def get(self, poll_id: str, key: str) -> LedgerBallot | None:
        Record = _ballot_model()
        try:
            return _ledger_ballot(Record.get(ledger_partition(poll_id, key), key, consistent_read=True))
        except Record.DoesNotExist:
            return None
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def _shard(self, poll_id: str, shard: int) -> list[LedgerBallot]:
        Record = _ballot_model()
        # Pages of 1,000 items (~210 KB): same read units as 1 MB pages, but no single response is
        # slow enough to hit the client's read timeout.
        return [_ledger_ballot(r) for r in Record.query(f"{poll_id}#{shard:02d}", consistent_read=True,
                                                         page_size=LEDGER_PAGE_SIZE)]

    def all_ballots(self, poll_id: str) -> list[LedgerBallot]:
        """Every ballot of a poll, read shard by shard in parallel (finalisation and audits)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            parts = pool.map(lambda s: self._shard(poll_id, s), range(BALLOT_SHARDS))
            return [b for part in parts for b in part]


class LiveTallies:
    def add(self, poll_id: str, ballots: int, counts: Counter) -> None:
        """Add a batch's new ballots to one randomly chosen live-tally item (one write)."""
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
