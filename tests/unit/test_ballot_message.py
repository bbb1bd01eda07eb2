"""The ballot queue message: what the cast route encodes is what the consumer decodes, and every
message that can never be processed is a PoisonMessage (so it is reported, not retried blindly)."""

from __future__ import annotations

import json

import pytest
from aj74.ballots.message import VERSION, BallotMessage, PoisonMessage

MESSAGE = BallotMessage(
    poll_id="01JXK5T8QD0000000000000000",
    ballot_key="q2Zt8n3Yp0wXc4Vb6Nm1Lk",
    option_ids=("q1-o2", "q2-o1", "q2-o3"),
    commitment="c" * 64,
    accepted_at_ms=1_780_290_000_123,
    voter="res-satka-0001",
    territory_id="gp-satka",
    age_band="35–44",
    gender="f",
)


def fields() -> dict:
    return json.loads(MESSAGE.encode())


def poison_reason(body) -> str:
    with pytest.raises(PoisonMessage) as poison:
        BallotMessage.decode(body)
    return str(poison.value)


# ------------------------------------------------------------------ round trip
def test_a_message_decodes_to_what_was_encoded():
    # When
    decoded = BallotMessage.decode(MESSAGE.encode())

    # Then
    assert decoded == MESSAGE
    assert isinstance(decoded.option_ids, tuple)


def test_the_encoded_message_is_compact_versioned_json_with_readable_russian():
    body = MESSAGE.encode()

    assert json.loads(body)["v"] == VERSION
    assert " " not in body.replace("35–44", "")
    assert "35–44" in body, "age bands travel as UTF-8, not escapes"


def test_a_missing_gender_is_read_as_a_dash():
    data = fields()
    del data["gender"]

    assert BallotMessage.decode(json.dumps(data)).gender == "-"


def test_unknown_extra_fields_are_ignored():
    assert BallotMessage.decode(json.dumps({**fields(), "trace_id": "abc"})) == MESSAGE


# ------------------------------------------------------------------ poison
@pytest.mark.parametrize("body", ["", "{", "not json", "{'v': 1}", None, b"\xff\xfe"])
def test_a_body_that_is_not_json_is_poison(body):
    assert poison_reason(body) == "not JSON"


@pytest.mark.parametrize("body", [
    json.dumps({**fields(), "v": 2}), json.dumps({**fields(), "v": "1"}), json.dumps({**fields(), "v": None}),
    json.dumps({k: v for k, v in fields().items() if k != "v"}), json.dumps([fields()]), "1", '"text"',
    "null",
])
def test_an_unknown_version_or_a_non_object_is_poison(body):
    assert poison_reason(body) == "unknown message version"


@pytest.mark.parametrize("field", ["poll_id", "ballot_key", "option_ids", "commitment", "accepted_at_ms",
                                   "voter", "territory_id", "age_band"])
def test_a_missing_field_is_poison_naming_it(field):
    data = fields()
    del data[field]

    reason = poison_reason(json.dumps(data))

    assert reason.startswith("missing or malformed field")
    assert field in reason


@pytest.mark.parametrize(("field", "value"), [
    ("poll_id", 17), ("poll_id", ""), ("poll_id", None), ("ballot_key", ["k"]), ("voter", {"id": 1}),
    ("territory_id", ""), ("age_band", 35), ("commitment", 0),
    ("option_ids", "q1-o1"), ("option_ids", [1, 2]), ("option_ids", ["q1-o1", ""]), ("option_ids", {"q1": 1}),
    ("accepted_at_ms", "1780290000123"), ("accepted_at_ms", 1.5), ("accepted_at_ms", True),
    ("accepted_at_ms", None),
])
def test_a_field_of_the_wrong_type_is_poison_naming_it(field, value):
    reason = poison_reason(json.dumps({**fields(), field: value}))

    assert reason.startswith("missing or malformed field")
    assert field in reason


def test_empty_answers_are_poison():
    reason = poison_reason(json.dumps({**fields(), "option_ids": []}))

    assert reason == "empty answers or malformed commitment"


@pytest.mark.parametrize("commitment", ["c" * 63, "c" * 65, "c"])
def test_a_commitment_of_the_wrong_length_is_poison(commitment):
    reason = poison_reason(json.dumps({**fields(), "commitment": commitment}))

    assert reason == "empty answers or malformed commitment"


def test_a_boolean_version_is_poison():
    assert poison_reason(json.dumps({**fields(), "v": True})) == "unknown message version"


@pytest.mark.parametrize("gender", [5, {"x": 1}, ["f"]])
def test_a_gender_of_the_wrong_type_is_poison(gender):
    reason = poison_reason(json.dumps({**fields(), "gender": gender}))

    assert reason.startswith("missing or malformed field")


def test_deeply_nested_json_is_poison():
    # Given a body well within the 256 KiB SQS limit
    body = "[" * 100_000

    assert poison_reason(body) == "not JSON"


def test_poison_is_a_value_error_so_generic_handlers_still_see_bad_input():
    assert issubclass(PoisonMessage, ValueError)
