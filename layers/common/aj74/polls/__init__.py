"""Polls: drafting, moderation, eligibility, answers and results (plain Python, no AWS)."""
