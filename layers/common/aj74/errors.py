"""Domain exceptions. They carry a Russian ``detail`` for people and a stable ``code`` for programs.

They know nothing of HTTP: ``aj74.api.problems`` is the one place that maps them to responses.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every failure a caller can be told about."""

    code = "error"

    def __init__(self, detail: str, *, code: str | None = None, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = extra


class InvalidInput(DomainError):
    """The request is malformed or its values break the rules (the caller can fix it)."""

    code = "invalid-input"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, **kw) -> None:
        super().__init__(detail, **kw)
        self.errors = errors or []


class MalformedRequest(InvalidInput):
    """The body is not JSON, or not a JSON object."""

    code = "malformed-request"


class PayloadTooLarge(InvalidInput):
    code = "payload-too-large"


class UnsupportedMediaType(InvalidInput):
    code = "unsupported-media-type"


class Unauthenticated(DomainError):
    """No valid credentials (missing, expired or forged token)."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """Authenticated, but this actor may not do this (role, territory scope, eligibility)."""

    code = "forbidden"


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    """The request clashes with the current state (already voted, poll not open, stale version)."""

    code = "conflict"


class RateLimited(DomainError):
    code = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **kw) -> None:
        super().__init__(detail, **kw)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency is down or throttling; the caller may retry later."""

    code = "unavailable"
