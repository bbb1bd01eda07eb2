"""Operator procedures run by hand against a deployed stage (or the local stack)."""
