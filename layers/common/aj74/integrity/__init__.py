"""Checkable cryptography for results: poll fingerprints and Merkle trees (RFC 6962)."""
