"""Helpers shared by test tiers (fixtures live in the conftest files)."""
