"""The published ballot list of a final poll: every counted ballot as (commitment, chosen options),
no voter id, no ballot key, no demographics, in the canonical order "commitment ascending".

Anyone can recount the totals from it and rebuild the Merkle root (RFC 6962 over the leaves in that
order, see :func:`leaf_bytes`: the root commits to each ballot's commitment *and* its choices, so
moving a vote between options changes the root). Plain Python: the finaliser, the API, the
integrity check and the offline verifier (``python -m aj74.verify``) all use these functions, so
there is one definition of each.

Storage layout (see docs/decisions/007-verifiable-results.md): the list is cut into chunks of
``CHUNK_SIZE`` leaves. Because the chunk size is a power of two, every chunk but the last is a
complete subtree of the RFC 6962 tree, so a chunk's subtree root plus the row of chunk roots gives
any ballot's audit path without reading the other chunks. Choices are stored as a bitmap over the
poll's option ids, so a chunk item stays far below DynamoDB's 400 KB whatever the ballot; a leaf is
rebuilt from its commitment and its decoded options, never stored as such.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aj74.caching import process_cache
from aj74.integrity import merkle

CANONICAL_ORDER = "commitment ascending"
CHUNK_SIZE = 1024  # a power of two (subtree alignment); 1024 × (32 B + ≤125 B bitmap) ≤ 161 KB
PAGE_LIMIT = 1000  # largest page of GET /v1/polls/{id}/ballots/published
HEX_DIGITS = frozenset("0123456789abcdef")


@dataclass(frozen=True, order=True)
class PublishedBallot:
    commitment: str  # 64 lowercase hex digits
    option_ids: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"commitment": self.commitment, "option_ids": list(self.option_ids)}


def is_commitment(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX_DIGITS


def options_text(option_ids: Iterable[str]) -> str:
    """A ballot's options as its leaf holds them: sorted ascending as plain strings (code point order,
    which is UTF-8 byte order: ``q1-o2`` < ``q10-o1`` < ``q2-o1``) and joined with ``,``."""
    return ",".join(sorted(option_ids))


def leaf_bytes(commitment: str | bytes, option_ids: Iterable[str]) -> bytes:
    """The Merkle leaf of a ballot (docs/decisions/007): the 32 commitment bytes followed by the UTF-8
    of :func:`options_text`. The tree hashes it as an RFC 6962 leaf, SHA-256(0x00 ‖ leaf)."""
    raw = bytes.fromhex(commitment) if isinstance(commitment, str) else bytes(commitment)
    if len(raw) != 32:
        raise ValueError("a commitment is 32 bytes")
    return raw + options_text(option_ids).encode("utf-8")


def leaf_hash(commitment: str | bytes, option_ids: Iterable[str]) -> bytes:
    """SHA-256(0x00 ‖ commitment ‖ UTF-8(sorted option ids joined with ",")): a ballot's leaf hash."""
    return merkle.leaf_hash(leaf_bytes(commitment, option_ids))


def _order_key(ballot: PublishedBallot) -> tuple[str, str]:
    return ballot.commitment, options_text(ballot.option_ids)


def canonical(ballots: Iterable[PublishedBallot]) -> list[PublishedBallot]:
    """The canonical order: commitment ascending (as hex, which is the order of the bytes); two
    ballots with one commitment, which only a misbehaving client can cause, by their options as the
    leaf holds them. That is ascending order of the leaf bytes."""
    return sorted(ballots, key=_order_key)


def is_canonical(ballots: Sequence[PublishedBallot]) -> bool:
    return all(_order_key(a) <= _order_key(b) for a, b in zip(ballots, ballots[1:], strict=False))


def count(ballots: Iterable[tuple[str, ...]]) -> tuple[int, Counter]:
    """(number of ballots, count per option id) over ballots given as their option ids."""
    total, counts = 0, Counter()
    for option_ids in ballots:
        total += 1
        counts.update(option_ids)
    return total, counts


def tally(ballots: Sequence[PublishedBallot]) -> dict:
    """Totals and Merkle root of a list in canonical order: what a final result publishes."""
    total, counts = count(b.option_ids for b in ballots)
    leaves = [leaf_bytes(b.commitment, b.option_ids) for b in ballots]
    return {"total_ballots": total, "counts": dict(sorted(counts.items())),
            "merkle_root": merkle.root(leaves).hex(), "tree_size": len(leaves)}


def differences(published: dict, recounted: dict) -> list[str]:
    """What differs between a published result and a recount (empty when they agree)."""
    out = []
    for name in ("total_ballots", "tree_size", "merkle_root"):
        if name in published and published.get(name) != recounted.get(name):
            out.append(f"{name}: published {published.get(name)!r}, recounted {recounted.get(name)!r}")
    a, b = published.get("counts") or {}, recounted.get("counts") or {}
    for option_id in sorted(set(a) | set(b)):
        if int(a.get(option_id, 0)) != int(b.get(option_id, 0)):
            out.append(f"counts[{option_id}]: published {a.get(option_id, 0)}, recounted {b.get(option_id, 0)}")
    return out


# ------------------------------------------------------------------ chunks
@dataclass(frozen=True)
class Chunk:
    """One stored chunk: the commitments and the choices as fixed-width bitmaps over ``option_ids``.

    ``option_ids`` (the poll's, in poll order) give the bitmap its meaning; they are stored once per
    list, in the index item, not in each chunk. A leaf is rebuilt from a commitment and its decoded
    options, so the leaf bytes are never stored twice.
    """

    commitments: bytes  # 32 bytes per ballot
    choices: bytes  # bitmap_width(option_ids) bytes per ballot
    option_ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.commitments) // 32

    def commitment(self, i: int) -> bytes:
        return self.commitments[i * 32:(i + 1) * 32]

    def options(self, i: int) -> tuple[str, ...]:
        """The option ids chosen by ballot ``i`` of the chunk, in poll order."""
        width = bitmap_width(self.option_ids)
        bits = int.from_bytes(self.choices[i * width:(i + 1) * width], "little")
        return tuple(o for j, o in enumerate(self.option_ids) if bits >> j & 1)

    def leaves(self) -> list[bytes]:
        """The Merkle leaves of the chunk: commitment ‖ its sorted options (see :func:`leaf_bytes`)."""
        return [leaf_bytes(self.commitment(i), self.options(i)) for i in range(len(self))]

    def subtree_root(self) -> bytes:
        return _chunk_levels(self)[-1][0] if len(self) else merkle.root([])


def bitmap_width(option_ids: Sequence[str]) -> int:
    return (len(option_ids) + 7) // 8


def encode_chunk(ballots: Sequence[PublishedBallot], option_ids: Sequence[str]) -> Chunk:
    """``ballots`` (canonical order) as a chunk; ``option_ids`` are the poll's, in poll order."""
    position = {o: i for i, o in enumerate(option_ids)}
    width = bitmap_width(option_ids)
    commitments, choices = bytearray(), bytearray()
    for b in ballots:
        commitments += bytes.fromhex(b.commitment)
        bits = 0
        for o in b.option_ids:
            bits |= 1 << position[o]  # a KeyError here means the ledger holds a foreign option
        choices += bits.to_bytes(width, "little")
    return Chunk(bytes(commitments), bytes(choices), tuple(option_ids))


def decode_chunk(chunk: Chunk, option_ids: Sequence[str] | None = None) -> list[PublishedBallot]:
    """The ballots of ``chunk`` (options in poll order); ``option_ids`` override the chunk's own."""
    if option_ids is not None and tuple(option_ids) != chunk.option_ids:
        chunk = Chunk(chunk.commitments, chunk.choices, tuple(option_ids))
    return [PublishedBallot(chunk.commitment(i).hex(), chunk.options(i)) for i in range(len(chunk))]


def chunked(ballots: Sequence[PublishedBallot], option_ids: Sequence[str]) -> list[Chunk]:
    return [encode_chunk(ballots[i:i + CHUNK_SIZE], option_ids) for i in range(0, len(ballots), CHUNK_SIZE)]


@dataclass(frozen=True)
class ChunkIndex:
    """What locates a ballot: each chunk's first commitment and its subtree root."""

    tree_size: int
    firsts: bytes  # 32 bytes per chunk
    roots: bytes  # 32 bytes per chunk

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> ChunkIndex:
        return cls(sum(len(c) for c in chunks), b"".join(c.commitments[:32] for c in chunks),
                   b"".join(c.subtree_root() for c in chunks))

    def chunk_roots(self) -> list[bytes]:
        return [self.roots[i:i + 32] for i in range(0, len(self.roots), 32)]

    def merkle_root(self) -> bytes:
        return merkle.root_over(self.chunk_roots())

    def candidate_chunks(self, commitment: bytes) -> list[int]:
        """Chunks that may hold ``commitment``: the last whose first commitment is ≤ it, and the one
        before it (equal commitments can straddle a chunk boundary)."""
        firsts = [self.firsts[i:i + 32] for i in range(0, len(self.firsts), 32)]
        at = max((i for i, f in enumerate(firsts) if f <= commitment), default=None)
        if at is None:
            return []
        return [at] if at == 0 else [at, at - 1]


def proof(index: ChunkIndex, chunk_no: int, chunk: Chunk, commitment: bytes,
          option_ids: Iterable[str] | None = None) -> dict | None:
    """The inclusion proof of the ballot with ``commitment`` if it is in ``chunk`` (number
    ``chunk_no``), else None. ``option_ids``, when given, pick among ballots sharing a commitment
    (only a misbehaving client makes those); otherwise the first is proved.

    The proof carries ``leaf`` (the commitment, hex) and ``option_ids`` as the list publishes them:
    a verifier rebuilds the leaf from its receipt and must compare both.
    """
    wanted = None if option_ids is None else options_text(option_ids)
    offset = None
    for i in range(len(chunk)):
        if chunk.commitment(i) == commitment and (wanted is None or options_text(chunk.options(i)) == wanted):
            offset = i
            break
    if offset is None:
        return None
    path = merkle.path_in(_chunk_levels(chunk), offset) + merkle.path_in(_root_levels(index.roots), chunk_no)
    return {"leaf_index": chunk_no * CHUNK_SIZE + offset, "tree_size": index.tree_size,
            "audit_path": [p.hex() for p in path], "merkle_root": index.merkle_root().hex(),
            "leaf": commitment.hex(), "option_ids": list(chunk.options(offset))}


@process_cache(maxsize=8)
def _chunk_levels(chunk: Chunk) -> list[list[bytes]]:
    """Tree levels over a chunk's leaf hashes, kept for the next proofs from the same chunk: bytes
    cache their hash, so the lookup costs nothing next to the hashing."""
    return merkle.levels_over([merkle.leaf_hash(x) for x in chunk.leaves()])


@process_cache(maxsize=8)
def _root_levels(roots: bytes) -> list[list[bytes]]:
    """Tree levels over the row of chunk subtree roots (already hashed nodes)."""
    return merkle.levels_over([roots[i:i + 32] for i in range(0, len(roots), 32)])


def _is_option_list(value) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(o, str) and o and "," not in o for o in value)


def check_proof(commitment: str, option_ids: Sequence[str], proof_body: dict, expected_root: str) -> str | None:
    """Why ``proof_body`` does not prove the receipt's ballot (``commitment`` with ``option_ids``)
    under ``expected_root``; None when it does. The leaf is rebuilt from the receipt, never taken
    from the proof, and the options the proof says the list holds must be the receipt's."""
    if not is_commitment(commitment):
        return "the receipt commitment is not 64 lowercase hex digits"
    if not _is_option_list(option_ids) or not option_ids:
        return "the receipt's option ids are missing or malformed (a non-empty list of ids without commas)"
    if not is_commitment(expected_root):
        return "the expected Merkle root is not 64 lowercase hex digits"
    try:
        index, size = int(proof_body["leaf_index"]), int(proof_body["tree_size"])
        path = [bytes.fromhex(p) for p in proof_body["audit_path"]]
    except (KeyError, TypeError, ValueError):
        return "the proof is malformed (leaf_index, tree_size, audit_path of hex strings are required)"
    if proof_body.get("leaf") not in (None, commitment):
        return (f"the proof is for another commitment ({proof_body.get('leaf')!r}) than the receipt's "
                f"({commitment})")
    listed = proof_body.get("option_ids")
    if listed is not None:
        if not _is_option_list(listed):
            return "the proof's option_ids are malformed"
        if sorted(listed) != sorted(option_ids):
            return (f"the published list gives this ballot the options {options_text(listed) or '(none)'}, "
                    f"but the receipt says {options_text(option_ids)}: the ballot was altered after it was cast")
    if proof_body.get("merkle_root") not in (None, expected_root):
        return "the proof names another Merkle root than the published one"
    if not merkle.verify_inclusion(leaf_bytes(commitment, option_ids), index, size, path,
                                   bytes.fromhex(expected_root)):
        return (f"the audit path does not lead from leaf {index} of {size} (the receipt's commitment and "
                f"options {options_text(option_ids)}) to the published root")
    return None
