"""The ballot ledger's and the live tallies' adapter (aj74.ballots.repository) against what DynamoDB
does that moto does not (docs/testing.md, mutation group `ledger`): throttling, eventually consistent
reads unless asked otherwise, BatchGetItem's 100 keys a call and its unprocessed keys, and a shard
longer than one page. The contract test (tests/integration/test_vote_ports_contract.py) holds the
adapter to the fakes on moto; here a scripted client stands in for DynamoDB's answers, since moto never
throttles, never leaves keys unprocessed and reads consistently whatever is asked.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from aj74.ballots import repository
from aj74.ballots.keys import BALLOT_SHARDS, ledger_partition
from aj74.ballots.message import BallotMessage
from aj74.ballots.repository import BallotLedger, LiveTallies
from aj74.errors import Unavailable
from botocore.exceptions import ClientError


class ScriptedDynamoDB:
    """Records every call; answers with ``answer(operation, params)`` (a dict, or an exception to raise)."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def __getattr__(self, operation):
        def call(**params):
            self.calls.append((operation, params))
            if len(self.calls) > 200:  # a read that never ends fails here, not at mutmut's time limit
                raise AssertionError(f"{operation} asked over 200 times")
            result = self.answer(operation, params)
            if isinstance(result, Exception):
                raise result
            return result

        return call


@pytest.fixture
def dynamodb(monkeypatch):
    def install(answer) -> ScriptedDynamoDB:
        client = ScriptedDynamoDB(answer)
        monkeypatch.setattr(repository, "dynamodb_client", lambda: client)
        return client

    monkeypatch.setattr(repository, "get_settings",
                        lambda: SimpleNamespace(ballots_table="ballots", tallies_table="tallies"))
    return install


def throttled(operation="Query") -> ClientError:
    return ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "…"}}, operation)


def message() -> BallotMessage:
    return BallotMessage(poll_id="p1", ballot_key="k" * 43, option_ids=("q1-o1",), commitment="c" * 64,
                         accepted_at_ms=1_780_000_000_000, territory_id="gp-satka", age_band="25–34", gender="f")


CALLS = {
    "record": lambda: BallotLedger().record(message()),
    "get": lambda: BallotLedger().get("p1", "k"),
    "holders": lambda: BallotLedger().holders([("p1", "k")]),
    "all_ballots": lambda: BallotLedger().all_ballots("p1"),
    "add": lambda: LiveTallies().add("p1", 3, Counter({"q1-o1": 3})),
    "read": lambda: LiveTallies().read("p1"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_throttling_on_any_ledger_or_tally_call_is_unavailable_for_the_caller_to_retry(dynamodb, name):
    dynamodb(lambda operation, params: throttled())
    with pytest.raises(Unavailable):
        CALLS[name]()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_any_other_failure_reaches_the_caller_as_it_came(dynamodb, name):
    dynamodb(lambda operation, params: RuntimeError("соединение разорвано"))
    with pytest.raises(RuntimeError, match="соединение разорвано"):
        CALLS[name]()


def test_the_reads_that_decide_a_count_are_strongly_consistent(dynamodb):
    # An eventually consistent read may miss a ballot written a moment ago: the ledger's point reads,
    # its shard queries at finalisation and the live tally all ask for a consistent read.
    client = dynamodb(lambda operation, params: {})
    BallotLedger().get("p1", "k")
    BallotLedger().all_ballots("p1")
    LiveTallies().read("p1")
    asked = Counter((operation, params.get("ConsistentRead")) for operation, params in client.calls)
    assert asked == {("get_item", True): 1, ("query", True): BALLOT_SHARDS + 1}


def test_a_shard_longer_than_a_page_is_read_to_its_end(dynamodb):
    def item(n: int) -> dict:
        return {"ballot_key": {"S": f"k{n}"}, "options": {"S": "q1-o1"}, "commitment": {"S": "c"},
                "accepted_at": {"N": str(n)}, "territory": {"S": "t"}, "age_band": {"S": "-"}, "gender": {"S": "-"}}

    def answer(operation, params):
        if params["ExpressionAttributeValues"][":pk"]["S"] != "p1#03":
            return {"Items": []}
        start = params.get("ExclusiveStartKey", {}).get("n", 0)
        page = {"Items": [item(n) for n in range(start, min(start + 2, 5))]}
        if start + 2 < 5:
            page["LastEvaluatedKey"] = {"n": start + 2}
        return page

    client = dynamodb(answer)
    assert [b.accepted_at_ms for b in BallotLedger().all_ballots("p1")] == [0, 1, 2, 3, 4]
    starts = [params.get("ExclusiveStartKey") for _, params in client.calls
              if params["ExpressionAttributeValues"][":pk"]["S"] == "p1#03"]
    assert starts == [None, {"n": 2}, {"n": 4}]
    assert {params["Limit"] for _, params in client.calls} == {repository.LEDGER_PAGE_SIZE}


def test_holders_asks_at_most_100_keys_a_call_and_asks_again_for_the_unprocessed_ones(dynamodb):
    # 250 polls; the ledger holds the resident's key in the even ones. DynamoDB leaves the first 7 keys
    # of every fresh call unprocessed, and answers the first call with no Responses at all.
    held = {f"p{i:03d}" for i in range(0, 250, 2)}
    keys = [(f"p{i:03d}", f"key-{i:03d}") for i in range(250)]
    partitions = {ledger_partition(p, k): p for p, k in keys}

    def answer(operation, params):
        asked = params["RequestItems"]["ballots"]["Keys"]
        assert params["RequestItems"]["ballots"]["ProjectionExpression"] == "ballot_key"
        if len(asked) > 100:
            return ClientError({"Error": {"Code": "ValidationException",
                                          "Message": "Too many items requested for the BatchGetItem call"}},
                               "BatchGetItem")
        first_call = len(client.calls) == 1
        later, now = (asked[:7], asked[7:]) if len(asked) > 7 else ([], asked)
        found = [{"ballot_key": k["ballot_key"]} for k in now if partitions[k["pk"]["S"]] in held]
        response = {} if first_call else {"Responses": {"ballots": found}}
        if first_call:
            later = asked
        if later:
            response["UnprocessedKeys"] = {"ballots": {"Keys": later, "ProjectionExpression": "ballot_key"}}
        return response

    client = dynamodb(answer)
    assert BallotLedger().holders(keys) == held
    asked = [k["ballot_key"]["S"] for _, params in client.calls for k in params["RequestItems"]["ballots"]["Keys"]]
    assert set(asked) == {k for _, k in keys}
    assert max(len(params["RequestItems"]["ballots"]["Keys"]) for _, params in client.calls) == 100


def test_no_holders_asked_no_call_made(dynamodb):
    client = dynamodb(lambda operation, params: AssertionError("no call expected"))
    assert BallotLedger().holders([]) == set()
    assert client.calls == []
