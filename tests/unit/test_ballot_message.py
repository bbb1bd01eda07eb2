"""The ballot queue message: what the cast route encodes is what the consumer decodes, a message
not authenticated by the message key is refused, and every message that can never be processed is
a PoisonMessage (so it is reported and dead-lettered, not retried blindly)."""

from __future__ import annotations

import json

import pytest
from aj74.ballots.message import VERSION, BallotMessage, PoisonMessage, _mac

KEY = b"k" * 32
OTHER_KEY = b"o" * 32

MESSAGE = BallotMessage(
    poll_id="01JXK5T8QD0000000000000000",
    ballot_key="q2Zt8n3Yp0wXc4Vb6Nm1Lk",
    option_ids=("q1-o2", "q2-o1", "q2-o3"),
    commitment="c" * 64,
    accepted_at_ms=1_780_290_000_123,
    territory_id="gp-satka",
    age_band="35–44",
    gender="f",
)


def fields() -> dict:
    return json.loads(MESSAGE.encode(KEY))


def signed(data: dict) -> str:
    """``data`` with a valid MAC over its fields, as an insider holding the key would write it."""
    payload = {k: v for k, v in data.items() if k != "mac"}
    return json.dumps({**payload, "mac": _mac(KEY, payload)}, ensure_ascii=False)


def poison(body) -> PoisonMessage:
    with pytest.raises(PoisonMessage) as raised:
        BallotMessage.decode(body, KEY)
    return raised.value


def poison_reason(body) -> str:
    return str(poison(body))


# ------------------------------------------------------------------ round trip
def test_a_message_decodes_to_what_was_encoded():
    # When
    decoded = BallotMessage.decode(MESSAGE.encode(KEY), KEY)

    # Then
    assert decoded == MESSAGE
    assert isinstance(decoded.option_ids, tuple)


def test_the_encoded_message_is_compact_versioned_json_with_readable_russian():
    body = MESSAGE.encode(KEY)

    assert json.loads(body)["v"] == VERSION
    assert " " not in body.replace("35–44", "")
    assert "35–44" in body, "age bands travel as UTF-8, not escapes"


def test_the_message_carries_no_resident_id():
    assert set(fields()) == {"v", "poll_id", "ballot_key", "option_ids", "commitment", "accepted_at_ms",
                             "territory_id", "age_band", "gender", "mac"}


# ------------------------------------------------------------------ authentication
@pytest.mark.parametrize(("field", "value"), [
    ("option_ids", ["q1-o1", "q2-o1", "q2-o3"]), ("poll_id", "01JXK5T8QD0000000000000001"),
    ("accepted_at_ms", 1_780_290_000_122), ("ballot_key", "q2Zt8n3Yp0wXc4Vb6Nm1Lx"), ("gender", "m"),
    ("territory_id", "gp-bakal"), ("commitment", "d" * 64),
])
def test_an_altered_copy_of_a_real_message_is_refused(field, value):
    error = poison(json.dumps({**fields(), field: value}, ensure_ascii=False))

    assert error.reason == "unauthenticated"


def test_a_message_written_from_scratch_without_the_key_is_refused():
    forged = MESSAGE.encode(OTHER_KEY)

    assert poison(forged).reason == "unauthenticated"
    assert poison(json.dumps({k: v for k, v in fields().items() if k != "mac"})).reason == "malformed"


def test_an_extra_field_breaks_nothing_but_cannot_smuggle_data_past_the_mac():
    # Extra fields are ignored: the MAC covers exactly what the consumer uses.
    assert BallotMessage.decode(json.dumps({**fields(), "trace_id": "abc"}), KEY) == MESSAGE


# ------------------------------------------------------------------ poison
@pytest.mark.parametrize("body", ["", "{", "not json", "{'v': 1}", None, b"\xff\xfe"])
def test_a_body_that_is_not_json_is_poison(body):
    assert poison_reason(body) == "not JSON"


@pytest.mark.parametrize("body", [
    json.dumps({**fields(), "v": 1}), json.dumps({**fields(), "v": "2"}), json.dumps({**fields(), "v": None}),
    json.dumps({k: v for k, v in fields().items() if k != "v"}), json.dumps([fields()]), "1", '"text"',
    "null",
])
def test_an_unknown_version_or_a_non_object_is_poison(body):
    assert poison_reason(body) == "unknown message version"


@pytest.mark.parametrize("field", ["poll_id", "ballot_key", "option_ids", "commitment", "accepted_at_ms",
                                   "territory_id", "age_band", "gender", "mac"])
def test_a_missing_field_is_poison_naming_it(field):
    data = fields()
    del data[field]

    reason = poison_reason(json.dumps(data))

    assert reason.startswith("missing or malformed field")
    assert field in reason


@pytest.mark.parametrize(("field", "value"), [
    ("poll_id", 17), ("poll_id", ""), ("poll_id", None), ("ballot_key", ["k"]), ("mac", {"id": 1}),
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
    reason = poison_reason(signed({**fields(), "option_ids": []}))

    assert reason == "empty answers or malformed commitment"


@pytest.mark.parametrize("commitment", ["c" * 63, "c" * 65, "c"])
def test_a_commitment_of_the_wrong_length_is_poison(commitment):
    reason = poison_reason(signed({**fields(), "commitment": commitment}))

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
