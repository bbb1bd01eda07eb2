"""Route registration shared by every blueprint: authentication, role checks and problem mapping.

Chalice turns any exception other than its own into a bare 500, so views are wrapped here and
domain errors become problem responses through ``aj74.api.problems`` (the one mapping).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from chalice import Blueprint, Response

from aj74 import errors
from aj74.api import contract, problems
from aj74.api.http import authenticate, require_role
from aj74.api.middleware import CORS_ROUTES
from aj74.identity.roles import STAFF_ROLES
from aj74.staff.service import effective_principal


def problem_response(exc: errors.DomainError, instance: str | None = None) -> Response:
    status, headers, body = problems.problem_for(exc, instance)
    return Response(body=problems.dumps(body), status_code=status, headers=headers)


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})})


class Context:
    """What a view receives: the request and, for authenticated routes, the caller."""

    __slots__ = ("request", "principal")

    def __init__(self, request, principal) -> None:
        self.request = request
        self.principal = principal

    @property
    def query(self) -> dict:
        return self.request.query_params or {}

    @property
    def headers(self):
        return self.request.headers

    def body(self) -> dict:
        from aj74.api.http import parse_json_body

        return parse_json_body(self.request.raw_body, self.request.headers.get("content-type"))


def route(bp: Blueprint, path: str, methods: tuple[str, ...] = ("GET",), *, auth: bool = True,
          roles: tuple[str, ...] = (), cors: bool = True, summary: str = "", description: str = "",
          body: str | tuple[str, ...] | dict | None = None, body_required: bool = True,
          query: dict[str, dict] | None = None, headers: dict[str, dict] | None = None,
          status: int | tuple[int, ...] = 200,
          response: str | dict | None = None,
          media_type: str = "application/json", problems: tuple[int, ...] = (),
          rate_limit: str | None = None) -> Callable:
    """Register ``fn(ctx, **url_params)`` on ``bp``; ``roles`` (any of) are checked on the server.

    The keyword arguments after ``cors`` are the route's contract (``aj74.api.contract``): they
    make its OpenAPI operation, and path and query parameters are checked against them before the
    view runs. ``rate_limit`` names a per-caller limit of ``aj74.ratelimit``.
    """

    # Staff assignments (aj74.staff) apply wherever staff act, so that a revocation holds on every
    # route at once: admin routes, /v1/me, routes that grant a staff role (the cashier's redeem), and
    # any route called with a token that claims one (staff views of /proof, /ballots/published).
    # A resident's token on a resident route never pays for the lookup.
    staff_route = path.startswith("/v1/admin") or path == "/v1/me" or bool(STAFF_ROLES & set(roles))
    operations = [contract.Operation(
        path=path, method=m.upper(), summary=summary, description=description, auth=auth, roles=tuple(roles),
        body=body, body_required=body_required, query=dict(query or {}), headers=dict(headers or {}), status=status,
        response=response,
        media_type=media_type, problems=tuple(problems), rate_limit=rate_limit) for m in methods]
    for operation in operations:
        contract.register(operation)
    operation = operations[0]

    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def view(**params):
            request = bp.current_request
            try:
                principal = authenticate(request.headers) if auth else None
                contract.check_path(operation, params)
                contract.check_query(operation, request.query_params)
                if principal is not None and (staff_route or principal.is_staff):
                    principal = effective_principal(principal)
                if roles:
                    require_role(principal, *roles)
                if rate_limit:
                    from aj74 import ratelimit

                    ratelimit.check(rate_limit, ratelimit.caller_key(principal, request))
                result = fn(Context(request, principal), **params)
            except errors.DomainError as exc:
                return problem_response(exc, request.path)
            if isinstance(result, Response):
                return result
            return json_response(result)

        # CORS (both web origins, preflight included) is answered by aj74.api.middleware, not by
        # Chalice's CORSConfig, which takes one origin.
        if cors:
            CORS_ROUTES.setdefault(path, set()).update(m.upper() for m in methods)
        bp.route(path, methods=list(methods), content_types=["application/json", "*/*"])(view)
        return fn

    return decorator
