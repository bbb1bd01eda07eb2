"""moto's server, with DynamoDB requests serialised so that transactions are atomic and isolated.

moto applies a TransactWriteItems item by item and rolls back by swapping in deep copies of whole
tables, with no lock: under concurrent requests a failed transaction's rollback can erase another
request's committed write, and a failed transaction's items can survive (we saw debits of
cancelled orders stay). DynamoDB guarantees all-or-nothing, serialisable transactions; one lock
around the backend's item operations makes the local AWS keep that promise. moto serves requests
on threads that share one interpreter, so the lock costs little throughput.

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p 4566`` (moto_server's arguments).
"""

from __future__ import annotations

import functools
import sys
import threading

# Every operation that reads or writes items; get_item is also called inside transactions (RLock).
SERIALISED = ("get_item", "put_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
              "batch_write_item", "transact_get_items", "transact_write_items")


def serialise_dynamodb() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in SERIALISED:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "__serialised__", False):
            continue

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with lock:
                return __original(self, *args, **kwargs)

        locked.__serialised__ = True
        setattr(DynamoDBBackend, name, locked)


def main(argv: list[str] | None = None) -> None:
    serialise_dynamodb()
    from moto.server import main as moto_main

    moto_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    main()
