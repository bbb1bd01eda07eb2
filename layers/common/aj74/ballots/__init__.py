"""Ballots: keys that make one person one ballot, receipts, queue messages, tallies."""
