"""The ballot queue message: what the cast route hands to the consumer.

It carries no resident id at all (docs/decisions/012-ballot-secrecy-and-integrity.md): only the
ballot key, the choices, the commitment, the acceptance time and the coarse breakdown attributes
that the ledger item keeps anyway. Anyone who can read the queue or its DLQ learns what the ledger
already says, never who.

Every message is authenticated: ``mac`` is HMAC-SHA256, under the message key that only the API
and the consumer can read (Secrets Manager), over the canonical JSON of every other field. A
message written or altered by someone with ``sqs:SendMessage`` alone fails :meth:`decode`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass

VERSION = 2


class PoisonMessage(ValueError):
    """A message that can never be processed (malformed, unknown version, not authentic, or failing
    the consumer's re-validation). ``reason`` is a short code for metrics and the runbook."""

    def __init__(self, detail: str, reason: str = "malformed") -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class BallotMessage:
    poll_id: str
    ballot_key: str
    option_ids: tuple[str, ...]
    commitment: str
    accepted_at_ms: int
    territory_id: str
    age_band: str
    gender: str

    def _payload(self) -> dict:
        data = asdict(self)
        data["option_ids"] = list(self.option_ids)
        return {"v": VERSION, **data}

    def encode(self, key: bytes) -> str:
        payload = self._payload()
        return json.dumps({**payload, "mac": _mac(key, payload)}, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, body: str, key: bytes) -> BallotMessage:
        """The message in ``body`` if it is well formed and authentic under ``key``."""
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
                accepted_at_ms=_int(data, "accepted_at_ms"), territory_id=_str(data, "territory_id"),
                age_band=_str(data, "age_band"), gender=_gender(data),
            )
            mac = _str(data, "mac")
        except (KeyError, TypeError) as exc:
            raise PoisonMessage(f"missing or malformed field: {exc}") from exc
        # The MAC covers exactly the fields the consumer uses, re-encoded: an extra field, a
        # reordering or a changed value all fail here.
        if not hmac.compare_digest(mac, _mac(key, msg._payload())):
            raise PoisonMessage("message authentication failed", reason="unauthenticated")
        if not msg.option_ids or len(msg.commitment) != 64:
            raise PoisonMessage("empty answers or malformed commitment")
        return msg


def _mac(key: bytes, payload: dict) -> str:
    if len(key) < 32:
        raise ValueError("the ballot message key must be at least 32 bytes")
    canonical = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _str(data: dict, key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise TypeError(key)
    return value


def _gender(data: dict) -> str:
    value = data.get("gender")
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
