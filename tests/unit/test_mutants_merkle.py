"""The Merkle tree, pinned where mutation testing found it loose (`make mutants`, docs/testing.md):
the empty tree over stored subtree roots, and indexes one past the end refused."""

from __future__ import annotations

import hashlib

import pytest
from aj74.integrity import merkle

LEAVES = [b"a", b"b", b"c"]


def test_the_tree_over_no_subtree_roots_is_the_empty_tree():
    # RFC 6962: the hash of the empty tree is SHA-256 of the empty string, as for no leaves.
    assert merkle.root_over([]) == hashlib.sha256(b"").digest() == merkle.root([])


@pytest.mark.parametrize("index", [-1, len(LEAVES)])
def test_an_audit_path_for_a_leaf_outside_the_tree_is_refused(index):
    with pytest.raises(IndexError, match="^leaf index out of range$"):
        merkle.audit_path(LEAVES, index)


@pytest.mark.parametrize("index", [-1, len(LEAVES)])
def test_a_path_for_a_node_outside_the_row_is_refused(index):
    hashes = [merkle.leaf_hash(x) for x in LEAVES]

    with pytest.raises(IndexError, match="^node index out of range$"):
        merkle.path_over(hashes, index)


def test_the_last_leaf_has_a_path_and_it_verifies():
    path = merkle.audit_path(LEAVES, len(LEAVES) - 1)

    assert merkle.verify_inclusion(LEAVES[-1], len(LEAVES) - 1, len(LEAVES), path, merkle.root(LEAVES))
