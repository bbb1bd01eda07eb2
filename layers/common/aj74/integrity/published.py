"""The published ballot list of a final poll: every counted ballot as (commitment, chosen options),
no voter id, no ballot key, no demographics, in the canonical order "commitment ascending".

Anyone can recount the totals from it and rebuild the Merkle root (RFC 6962, leaves = commitment
bytes in that order). Plain Python: the finaliser, the API, the integrity check and the offline
verifier (``python -m aj74.verify``) all use these functions, so there is one definition of each.

Storage layout (see docs/decisions/007-verifiable-results.md): the list is cut into chunks of
``CHUNK_SIZE`` leaves. Because the chunk size is a power of two, every chunk but the last is a
complete subtree of the RFC 6962 tree, so a chunk's subtree root plus the row of chunk roots gives
any ballot's audit path without reading the other chunks. Choices are stored as a bitmap over the
poll's option ids, so a chunk item stays far below DynamoDB's 400 KB whatever the ballot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

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


def canonical(ballots: Iterable[PublishedBallot]) -> list[PublishedBallot]:
    """The canonical order: commitment ascending (as hex, which is the order of the bytes); two
    ballots with one commitment, which only a misbehaving client can cause, by their options."""
    return sorted(ballots)


def tally(ballots: Sequence[PublishedBallot]) -> dict:
    """Totals and Merkle root of a list in canonical order: what a final result publishes."""
    counts: Counter = Counter()
    for b in ballots:
        counts.update(b.option_ids)
    leaves = [bytes.fromhex(b.commitment) for b in ballots]
    return {"total_ballots": len(ballots), "counts": dict(sorted(counts.items())),
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
    """One stored chunk: its leaves (commitment bytes) and the choices as fixed-width bitmaps."""

    commitments: bytes  # 32 bytes per ballot
    choices: bytes  # bitmap_width(option_ids) bytes per ballot

    def __len__(self) -> int:
        return len(self.commitments) // 32

    def leaves(self) -> list[bytes]:
        return [self.commitments[i:i + 32] for i in range(0, len(self.commitments), 32)]

    def subtree_root(self) -> bytes:
        return merkle.root(self.leaves())


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
    return Chunk(bytes(commitments), bytes(choices))


def decode_chunk(chunk: Chunk, option_ids: Sequence[str]) -> list[PublishedBallot]:
    width = bitmap_width(option_ids)
    out = []
    for i, leaf in enumerate(chunk.leaves()):
        bits = int.from_bytes(chunk.choices[i * width:(i + 1) * width], "little")
        out.append(PublishedBallot(leaf.hex(), tuple(o for j, o in enumerate(option_ids) if bits >> j & 1)))
    return out


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

    def candidate_chunks(self, leaf: bytes) -> list[int]:
        """Chunks that may hold ``leaf``: the last whose first commitment is ≤ it, and the one
        before it (equal commitments can straddle a chunk boundary)."""
        firsts = [self.firsts[i:i + 32] for i in range(0, len(self.firsts), 32)]
        at = max((i for i, f in enumerate(firsts) if f <= leaf), default=None)
        if at is None:
            return []
        return [at] if at == 0 else [at, at - 1]


def proof(index: ChunkIndex, chunk_no: int, chunk: Chunk, leaf: bytes) -> dict | None:
    """The inclusion proof of ``leaf`` if it is in ``chunk`` (number ``chunk_no``), else None."""
    leaves = chunk.leaves()
    try:
        offset = leaves.index(leaf)
    except ValueError:
        return None
    path = merkle.path_in(_levels(chunk.commitments, 32, True), offset) + merkle.path_in(
        _levels(index.roots, 32, False), chunk_no)
    return {"leaf_index": chunk_no * CHUNK_SIZE + offset, "tree_size": index.tree_size,
            "audit_path": [p.hex() for p in path], "merkle_root": index.merkle_root().hex(), "leaf": leaf.hex()}


@lru_cache(maxsize=8)
def _levels(row: bytes, width: int, leaves: bool) -> list[list[bytes]]:
    """Tree levels over a stored row (chunk leaves or chunk roots), kept for the next proofs from
    the same chunk: bytes cache their hash, so the lookup costs nothing next to the hashing."""
    items = [row[i:i + width] for i in range(0, len(row), width)]
    return merkle.levels_over([merkle.leaf_hash(x) for x in items] if leaves else items)


def check_proof(commitment: str, proof_body: dict, expected_root: str) -> str | None:
    """Why ``proof_body`` does not prove ``commitment`` under ``expected_root``; None when it does."""
    if not is_commitment(commitment):
        return "the receipt commitment is not 64 lowercase hex digits"
    if not is_commitment(expected_root):
        return "the expected Merkle root is not 64 lowercase hex digits"
    try:
        index, size = int(proof_body["leaf_index"]), int(proof_body["tree_size"])
        path = [bytes.fromhex(p) for p in proof_body["audit_path"]]
    except (KeyError, TypeError, ValueError):
        return "the proof is malformed (leaf_index, tree_size, audit_path of hex strings are required)"
    if proof_body.get("leaf") not in (None, commitment):
        return "the proof is for another commitment"
    if proof_body.get("merkle_root") not in (None, expected_root):
        return "the proof names another Merkle root than the published one"
    if not merkle.verify_inclusion(bytes.fromhex(commitment), index, size, path, bytes.fromhex(expected_root)):
        return f"the audit path does not lead from leaf {index} of {size} to the published root"
    return None
