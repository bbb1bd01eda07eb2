"""Активный житель 74 — the shared domain package (shipped as the Lambda layer)."""
