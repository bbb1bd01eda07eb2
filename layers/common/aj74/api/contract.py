"""The API contract each route declares through ``route()``: summary, path, query and body inputs,
the response and the problems it can answer. ``aj74.api.openapi`` renders it, with the pydantic
models' JSON schema, as the OpenAPI document; the same declarations validate path and query
parameters before a view runs, so the document and the checks cannot drift apart.

No pydantic here: models are named as ``"module:Class"`` and imported only when a document is
built (cold start is a product feature).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aj74 import errors

# Path parameters by name: every route that uses the name gets the format, in the document and in
# the check that turns a malformed id into a 404 before any storage call.
ULID = r"^[0-9A-HJKMNP-TV-Z]{26}$"
PATH_PARAMETERS: dict[str, dict] = {
    "poll_id": {"type": "string", "pattern": ULID, "description": "Идентификатор опроса (ULID)."},
    "content_id": {"type": "string", "pattern": ULID, "description": "Идентификатор материала (ULID)."},
    "item_id": {"type": "string", "pattern": ULID, "description": "Идентификатор товара (ULID)."},
    "order_id": {"type": "string", "pattern": r"^[A-Z2-7]{26}$",
                 "description": "Номер заказа (26 символов base32)."},
    "subject": {"type": "string", "pattern": r"^[A-Za-z0-9._:@-]{1,64}$",
                "description": "Псевдонимный идентификатор сотрудника (sub из токена входа)."},
}
_PATH_RES = {name: re.compile(spec["pattern"]) for name, spec in PATH_PARAMETERS.items()}

# Query parameters shared by many routes.
LIMIT = {"type": "integer", "minimum": 1, "maximum": 50, "default": 20,
         "description": "Размер страницы (не больше 50)."}
CURSOR = {"type": "string", "minLength": 1, "maxLength": 512,
          "description": "Курсор следующей страницы из ответа предыдущей."}
PAGE = {"limit": LIMIT, "cursor": CURSOR}

TERRITORY_ID = r"^[a-z0-9-]{2,40}$"
TIME_FILTER = {"type": "string", "maxLength": 40,
               "description": "Дата ГГГГ-ММ-ДД или время ISO 8601 со смещением."}

# Response schemas. Most answers are documented by their shape; the fields the mobile app relies
# on are named. (Views return dicts built by the domain, so these are kept next to the routes.)
OBJECT = {"type": "object"}
CSV = {"type": "string", "description": "CSV (UTF-8 с BOM, разделитель «;»)."}
_NEXT_CURSOR = {"type": ["string", "null"], "description": "Курсор следующей страницы; null — страниц больше нет."}
PAGE_OF_ITEMS = {"type": "object", "required": ["items", "next_cursor"],
                 "properties": {"items": {"type": "array", "items": {"type": "object"}}, "next_cursor": _NEXT_CURSOR}}
LIST_OF_ITEMS = {"type": "object", "required": ["items"],
                 "properties": {"items": {"type": "array", "items": {"type": "object"}}}}
STAFF_ITEM = {"type": "object", "required": ["id", "state"],
              "properties": {"id": {"type": "string"}, "state": {"type": "string"}}}
BALLOT_ACCEPTED = {
    "type": "object", "required": ["ballot_id", "state", "poll_id", "receipt"],
    "properties": {
        "ballot_id": {"type": "string"}, "state": {"const": "accepted"}, "poll_id": {"type": "string"},
        "receipt": {"type": "object", "required": ["poll_id", "ballot_id", "commitment", "option_ids"],
                    "properties": {"commitment": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                   "option_ids": {"type": "array", "items": {"type": "string"}}}},
    },
}
BALLOT_STATE = {"type": "object", "required": ["ballot_id", "state"],
                "properties": {"ballot_id": {"type": "string"},
                               "state": {"enum": ["accepted", "counted", "rejected"]}}}
_TERRITORY = {"type": "object", "required": ["id", "name", "kind"],
              "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"}}}
TERRITORIES = {"type": "object", "required": ["root_id", "territories"],
               "properties": {"root_id": {"type": "string"}, "territories": {"type": "array", "items": _TERRITORY}}}
ME = {"type": "object", "required": ["id", "roles", "territory", "territory_chain", "birth_year", "gender"],
      "properties": {"id": {"type": "string"}, "display_name": {"type": ["string", "null"]},
                     "roles": {"type": "array", "items": {"type": "string"}},
                     "territory": {"anyOf": [_TERRITORY, {"type": "null"}]},
                     "territory_chain": {"type": "array", "items": _TERRITORY},
                     "birth_year": {"type": ["integer", "null"]}, "gender": {"enum": ["f", "m", None]},
                     "scope_territories": {"type": "array", "items": _TERRITORY}}}
DEV_TOKEN_REQUEST = {
    "description": "Персона или явные атрибуты (как их выдал бы поставщик удостоверений).",
    "oneOf": [
        {"type": "object", "required": ["persona"], "additionalProperties": False,
         "properties": {"persona": {"type": "string", "maxLength": 64},
                        "lifetime_seconds": {"type": "integer", "minimum": -86400, "maximum": 28800}}},
        {"type": "object", "required": ["sub"], "additionalProperties": False,
         "properties": {"sub": {"type": "string", "minLength": 1, "maxLength": 64},
                        "roles": {"type": "array", "minItems": 1, "maxItems": 8, "items": {"type": "string"}},
                        "territory_id": {"type": "string", "pattern": TERRITORY_ID},
                        "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2030},
                        "gender": {"enum": ["f", "m"]},
                        "scope_territory_ids": {"type": "array", "maxItems": 50,
                                                "items": {"type": "string", "pattern": TERRITORY_ID}},
                        "name": {"type": "string", "maxLength": 200},
                        "lifetime_seconds": {"type": "integer", "minimum": -86400, "maximum": 28800}}},
    ],
}
DEV_TOKEN = {"type": "object", "required": ["access_token", "token_type", "expires_in"],
             "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                            "expires_in": {"type": "integer"}}}

# Every route may answer these: API Gateway throttling (429) and an unavailable dependency (503).
COMMON_PROBLEMS = (429, 503)
BODY_PROBLEMS = (400, 413, 415, 422)


@dataclass(frozen=True)
class Operation:
    """One (path, method) of the API as the contract describes it."""

    path: str
    method: str
    summary: str
    auth: bool
    roles: tuple[str, ...]
    # "module:Class" of a pydantic model, a tuple of them (one of, by discriminator), or a JSON schema.
    body: str | tuple[str, ...] | dict | None = None
    body_required: bool = True
    query: dict[str, dict] = field(default_factory=dict)
    # The success answer: status (or statuses, e.g. 201 created / 200 an idempotent repeat), media
    # type and a JSON schema or "module:Class".
    status: int | tuple[int, ...] = 200
    response: str | dict | None = None
    media_type: str = "application/json"
    problems: tuple[int, ...] = ()
    rate_limit: str | None = None
    description: str = ""

    @property
    def success_statuses(self) -> tuple[int, ...]:
        return self.status if isinstance(self.status, tuple) else (self.status,)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    @property
    def problem_statuses(self) -> list[int]:
        statuses = set(self.problems) | set(COMMON_PROBLEMS)
        if self.auth:
            statuses.add(401)
        if self.roles:
            statuses.add(403)
        if self.path_parameters:
            statuses.add(404)
        if self.body is not None:
            statuses.update(BODY_PROBLEMS)
        # Unknown or malformed query parameters are refused on every route.
        statuses.add(422)
        if self.rate_limit:
            statuses.add(429)
        return sorted(statuses)


OPERATIONS: dict[tuple[str, str], Operation] = {}


def register(operation: Operation) -> None:
    for name in operation.path_parameters:
        if name not in PATH_PARAMETERS:
            raise ValueError(f"{operation.path}: path parameter {name!r} has no format in PATH_PARAMETERS")
    OPERATIONS[(operation.path, operation.method)] = operation


def check_path(operation: Operation, params: dict) -> None:
    """A malformed id cannot name anything: 404 before any storage call."""
    for name, value in params.items():
        regex = _PATH_RES.get(name)
        if regex is not None and not (isinstance(value, str) and regex.match(value)):
            raise errors.NotFound("Не найдено: неверный формат идентификатора в адресе.",
                                  code="not-found", parameter=name)


def check_query(operation: Operation, query: dict | None) -> None:
    """Unknown query parameters are refused (a typo must not silently change an answer), and
    declared ones must match their schema."""
    if not query:
        return
    problems = []
    for name, value in query.items():
        spec = operation.query.get(name)
        if spec is None:
            problems.append({"field": name, "detail": "неизвестный параметр запроса"})
            continue
        detail = _query_value_problem(spec, value)
        if detail:
            problems.append({"field": name, "detail": detail})
    if problems:
        raise errors.InvalidInput("Параметры запроса заданы неверно: " + "; ".join(
            f"{p['field']}: {p['detail']}" for p in problems[:5]), errors=problems)


def _query_value_problem(spec: dict, value: str) -> str | None:
    # Only what the declared schemas use: integers with bounds, strings with length, enum, pattern.
    if spec.get("type") == "integer":
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            return "ожидается целое число"
        number = int(value)
        if "minimum" in spec and number < spec["minimum"] or "maximum" in spec and number > spec["maximum"]:
            return f"от {spec.get('minimum')} до {spec.get('maximum')}"
        return None
    if "enum" in spec and value not in spec["enum"]:
        return "допустимые значения: " + ", ".join(spec["enum"])
    if len(value) > spec.get("maxLength", 512):
        return f"не длиннее {spec.get('maxLength', 512)} символов"
    if len(value) < spec.get("minLength", 0):
        return "параметр не может быть пустым"
    if "pattern" in spec and not re.match(spec["pattern"], value):
        return "неверный формат"
    return None
