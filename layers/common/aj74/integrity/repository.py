"""The published ballot list in the Tallies table, next to the live tallies of the poll.

Items of partition ``poll_id``, all under ``published#<merkle root>#``:
- ``…#00000``, ``…#00001``, …: a chunk of ``CHUNK_SIZE`` ballots in canonical order (``commitments``
  and ``choices`` as binary, see :mod:`aj74.integrity.published`); a Merkle leaf (commitment ‖
  sorted options) is rebuilt from the two, it is not stored;
- ``…#index``: tree size, the poll's option ids (the bitmap's meaning), each chunk's first
  commitment and subtree root.

Keyed by the root, a list is immutable: rewriting it writes the same bytes, an amended result
gets a list of its own, and the list of a superseded result stays readable for audits of the
amendment. A page of the list is one Query (at most two chunk items for a page of ≤ 1,000);
a proof is two GetItems (the index, then the chunk that holds the commitment).

The storage calls are three methods (``_put_items``, ``_get``, ``_query``) over the items as
stored; everything else is the list's logic. The fake of ``tests/support/fakes/integrity.py``
replaces those three with a dict of the same items, and
``tests/integration/test_integrity_ports_contract.py`` holds the two together.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from aj74.errors import Unavailable
from aj74.integrity.published import (
    CHUNK_SIZE,
    Chunk,
    ChunkIndex,
    PublishedBallot,
    chunked,
    decode_chunk,
    proof,
)
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, raise_unavailable


def _prefix(merkle_root: str) -> str:
    return f"published#{merkle_root}#"


def _chunk_part(merkle_root: str, n: int) -> str:
    return f"{_prefix(merkle_root)}{n:05d}"


def _chunk(item: dict, option_ids: Sequence[str]) -> Chunk:
    return Chunk(bytes(item["commitments"]["B"]), bytes(item["choices"]["B"]), tuple(option_ids))


class PublishedBallots:
    def write(self, poll_id: str, merkle_root: str, ballots: Sequence[PublishedBallot],
              option_ids: Sequence[str]) -> None:
        """Store the list of a result (``ballots`` in canonical order, rooted at ``merkle_root``)."""
        chunks = chunked(ballots, option_ids)
        index = ChunkIndex.of(chunks)
        if index.merkle_root().hex() != merkle_root:
            raise ValueError("the ballot list does not hash to the result's Merkle root")
        items = [{"poll_id": {"S": poll_id}, "part": {"S": _chunk_part(merkle_root, n)}, "n": {"N": str(len(c))},
                  "commitments": {"B": c.commitments}, "choices": {"B": c.choices}} for n, c in enumerate(chunks)]
        items.append({"poll_id": {"S": poll_id}, "part": {"S": _prefix(merkle_root) + "index"},
                      "tree_size": {"N": str(index.tree_size)}, "chunk_size": {"N": str(CHUNK_SIZE)},
                      "option_ids": {"S": json.dumps(list(option_ids))},
                      "firsts": {"B": index.firsts}, "roots": {"B": index.roots}})
        for i in range(0, len(items), 25):
            self._put_items(items[i:i + 25])

    def _put_items(self, items: list[dict]) -> None:
        """Put up to 25 items (one BatchWriteItem, unprocessed items retried with backoff)."""
        table = get_settings().tallies_table
        requests = {table: [{"PutRequest": {"Item": item}} for item in items]}
        for attempt in range(8):
            try:
                response = dynamodb_client().batch_write_item(RequestItems=requests)
            except Exception as exc:
                raise_unavailable(exc)
                raise
            requests = response.get("UnprocessedItems") or {}
            if not requests:
                return
            time.sleep(0.05 * 2 ** attempt)
        raise Unavailable("Сервис перегружен, повторите попытку позже.")

    def _get(self, poll_id: str, part: str) -> dict | None:
        """The item ``(poll_id, part)`` as stored, or None."""
        try:
            response = dynamodb_client().get_item(TableName=get_settings().tallies_table,
                                                  Key={"poll_id": {"S": poll_id}, "part": {"S": part}})
        except Exception as exc:
            raise_unavailable(exc)
            raise
        return response.get("Item")

    def index(self, poll_id: str, merkle_root: str) -> tuple[ChunkIndex, list[str]] | None:
        item = self._get(poll_id, _prefix(merkle_root) + "index")
        if item is None:
            return None
        return (ChunkIndex(int(item["tree_size"]["N"]), bytes(item["firsts"]["B"]), bytes(item["roots"]["B"])),
                json.loads(item["option_ids"]["S"]))

    def chunks(self, poll_id: str, merkle_root: str, first: int, last: int,
               option_ids: Sequence[str]) -> list[Chunk]:
        """Chunks ``first``..``last`` (inclusive) in one Query; ``option_ids`` from the index."""
        items = self._query(poll_id, _chunk_part(merkle_root, first), _chunk_part(merkle_root, last))
        return [_chunk(item, option_ids) for item in items]

    def _query(self, poll_id: str, low: str, high: str) -> list[dict]:
        """The items of ``poll_id`` whose part lies between ``low`` and ``high`` (inclusive), in part
        order, every page of the Query."""
        items, start_key = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start_key} if start_key else {}
            try:
                response = dynamodb_client().query(
                    TableName=get_settings().tallies_table,
                    KeyConditionExpression="poll_id = :p AND part BETWEEN :a AND :b",
                    ExpressionAttributeValues={":p": {"S": poll_id}, ":a": {"S": low}, ":b": {"S": high}}, **kwargs)
            except Exception as exc:
                raise_unavailable(exc)
                raise
            items.extend(response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if not start_key:
                return items

    def page(self, poll_id: str, merkle_root: str, start: int, limit: int) -> list[PublishedBallot] | None:
        """Ballots ``start``..``start+limit-1`` of the list, or None when no list is stored."""
        found = self.index(poll_id, merkle_root)
        if found is None:
            return None
        index, option_ids = found
        end = min(start + limit, index.tree_size)
        if start >= end:
            return []
        chunks = self.chunks(poll_id, merkle_root, start // CHUNK_SIZE, (end - 1) // CHUNK_SIZE, option_ids)
        ballots = [b for c in chunks for b in decode_chunk(c)]
        offset = start - (start // CHUNK_SIZE) * CHUNK_SIZE
        return ballots[offset:offset + (end - start)]

    def all(self, poll_id: str, merkle_root: str) -> list[PublishedBallot] | None:
        found = self.index(poll_id, merkle_root)
        if found is None:
            return None
        index, option_ids = found
        if index.tree_size == 0:
            return []
        chunks = self.chunks(poll_id, merkle_root, 0, (index.tree_size - 1) // CHUNK_SIZE, option_ids)
        return [b for c in chunks for b in decode_chunk(c)]

    def proof(self, poll_id: str, merkle_root: str, commitment: str) -> dict | None:
        """The inclusion proof of ``commitment`` in the list rooted at ``merkle_root``, or None. It
        names the ballot's ``option_ids`` as the list holds them: the leaf is commitment ‖ options,
        so a verifier compares them with its receipt and rebuilds the leaf from the receipt."""
        found = self.index(poll_id, merkle_root)
        if found is None:
            return None
        index, option_ids = found
        wanted = bytes.fromhex(commitment)
        for n in index.candidate_chunks(wanted):
            item = self._get(poll_id, _chunk_part(merkle_root, n))
            if item is None:
                continue
            found_proof = proof(index, n, _chunk(item, option_ids), wanted)
            if found_proof is not None:
                return found_proof
        return None
