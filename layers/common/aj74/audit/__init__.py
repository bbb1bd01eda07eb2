"""The append-only, hash-chained audit log of every moderation action."""
