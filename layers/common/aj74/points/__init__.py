"""Participation points: an append-only ledger per resident."""
