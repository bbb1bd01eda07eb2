"""TransactWriteItems through the raw botocore client, with its failures made readable.

PynamoDB's TransactWrite needs its own connection and has a reported bug with conditions on
``save`` (docs/decisions/008), so multi-item writes go through botocore and plain attribute maps.
"""

from __future__ import annotations

from aj74.storage import dynamodb_client, error_code, raise_unavailable


class Cancelled(Exception):
    """The transaction wrote nothing; ``reasons[i]`` is the code for item ``i`` ("None" if fine)."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return self.reasons[index] == "ConditionalCheckFailed"

    @property
    def conflicted(self) -> bool:
        """Another transaction was touching one of the items: retrying is right."""
        return any(r in ("TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded")
                   for r in self.reasons)


def s(value: str) -> dict:
    return {"S": value}


def n(value: int) -> dict:
    return {"N": str(value)}


def transact_write(items: list[dict]) -> None:
    """Write ``items`` atomically or raise :class:`Cancelled` (or ``Unavailable`` when throttled)."""
    client = dynamodb_client()
    try:
        client.transact_write_items(TransactItems=items)
    except Exception as exc:
        if error_code(exc) == "TransactionCanceledException":
            reasons = exc.response.get("CancellationReasons") or [{}] * len(items)
            raise Cancelled(tuple(r.get("Code") or "None" for r in reasons)) from exc
        if error_code(exc) == "TransactionConflictException":
            raise Cancelled(("TransactionConflict",) * len(items)) from exc
        raise_unavailable(exc)
        raise
