"""Ballots: keys that make one person one ballot, receipts, queue messages, the ledger and the live
tallies. A library beneath ``aj74.polls`` (which casts, records and counts): it imports nothing from it."""
