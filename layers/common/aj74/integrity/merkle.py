"""Merkle trees as in RFC 6962 §2.1: leaf hash SHA-256(0x00 ‖ leaf), node hash
SHA-256(0x01 ‖ left ‖ right), the split at the largest power of two below n.

Generic over leaf bytes; a ballot's leaf (commitment ‖ its sorted options) is defined by
:func:`aj74.integrity.published.leaf_bytes`."""

from __future__ import annotations

import hashlib


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Bottom-up levels of leaf and node hashes (a level's odd last node is carried up)."""
    return _levels_over([leaf_hash(x) for x in leaves])


def _levels_over(level: list[bytes]) -> list[list[bytes]]:
    """Bottom-up levels above ``level``, a row of already hashed nodes."""
    levels = [level]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


def root(leaves: list[bytes]) -> bytes:
    """Merkle tree hash of ``leaves``; for the empty tree, SHA-256 of the empty string."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _levels(leaves)[-1][0]


def audit_path(leaves: list[bytes], index: int) -> list[bytes]:
    """The RFC 6962 audit path for leaf ``index``.

    The left-filled tree with carried odd nodes equals RFC 6962's largest-power-of-two split, so
    the path is read off the levels: at each level take the sibling if the node has one.
    """
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index out of range")
    return path_over([leaf_hash(x) for x in leaves], index)


def root_over(hashes: list[bytes]) -> bytes:
    """The root of a tree whose bottom row is ``hashes`` (already hashed nodes, not leaves).

    With every node but the last the root of a complete subtree of the same size 2^k, this is the
    RFC 6962 root of all their leaves: the published ballot list is stored as such subtrees.
    """
    if not hashes:
        return hashlib.sha256(b"").digest()
    return _levels_over(hashes)[-1][0]


def path_over(hashes: list[bytes], index: int) -> list[bytes]:
    """The audit path of node ``index`` in the tree over the row ``hashes`` (see :func:`root_over`)."""
    if not 0 <= index < len(hashes):
        raise IndexError("node index out of range")
    return path_in(_levels_over(hashes), index)


def levels_over(hashes: list[bytes]) -> list[list[bytes]]:
    """Every level of the tree over the row ``hashes``, bottom-up: build once, read many paths."""
    return _levels_over(list(hashes))


def path_in(levels: list[list[bytes]], index: int) -> list[bytes]:
    """The audit path of node ``index`` of the bottom row of ``levels`` (see :func:`levels_over`)."""
    path = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        index //= 2
    return path


def verify_inclusion(leaf: bytes, index: int, tree_size: int, path: list[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2 inclusion check of ``leaf`` at ``index`` in a tree of ``tree_size``."""
    if not 0 <= index < tree_size:
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash(leaf)
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root
