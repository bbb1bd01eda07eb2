"""The ballot queue message: what the cast route hands to the consumer.

It carries the voter's pseudonymous id only so that the consumer can credit points; the ledger
entry written from it holds no voter id.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

VERSION = 1


class PoisonMessage(ValueError):
    """A message that can never be processed (malformed, unknown version)."""


@dataclass(frozen=True)
class BallotMessage:
    poll_id: str
    ballot_key: str
    option_ids: tuple[str, ...]
    commitment: str
    accepted_at_ms: int
    voter: str
    territory_id: str
    age_band: str
    gender: str

    def encode(self) -> str:
        data = asdict(self)
        data["option_ids"] = list(self.option_ids)
        return json.dumps({"v": VERSION, **data}, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, body: str) -> BallotMessage:
        try:
            data = json.loads(body)
        except (TypeError, ValueError, RecursionError) as exc:
            raise PoisonMessage("not JSON") from exc
        if not isinstance(data, dict) or type(data.get("v")) is not int or data["v"] != VERSION:
            raise PoisonMessage("unknown message version")
        try:
            msg = cls(
                poll_id=_str(data, "poll_id"), ballot_key=_str(data, "ballot_key"),
                option_ids=tuple(_str_list(data, "option_ids")), commitment=_str(data, "commitment"),
                accepted_at_ms=_int(data, "accepted_at_ms"), voter=_str(data, "voter"),
                territory_id=_str(data, "territory_id"), age_band=_str(data, "age_band"),
                gender=_gender(data),
            )
        except (KeyError, TypeError) as exc:
            raise PoisonMessage(f"missing or malformed field: {exc}") from exc
        if not msg.option_ids or len(msg.commitment) != 64:
            raise PoisonMessage("empty answers or malformed commitment")
        return msg


def _str(data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise TypeError(key)
    return value


def _gender(data: dict) -> str:
    value = data.get("gender")
    if value is None:
        return "-"
    if value not in ("f", "m", "-"):
        raise TypeError("gender")
    return value


def _int(data: dict, key: str) -> int:
    value = data[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(key)
    return value


def _str_list(data: dict, key: str) -> list[str]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TypeError(key)
    return value
