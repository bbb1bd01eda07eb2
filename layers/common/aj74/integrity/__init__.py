"""Checkable cryptography for results: poll fingerprints, Merkle trees (RFC 6962), the published
ballot list and its recount. A library beneath ``aj74.polls`` (whose ``verification`` serves the
checks): it imports nothing from it."""
