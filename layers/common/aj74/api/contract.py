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
from aj74.polls.state import Amendment, Execution

# Path parameters by name: every route that uses the name gets the format, in the document and in
# the check that turns a malformed id into a 404 before any storage call.
ULID = r"^[0-9A-HJKMNP-TV-Z]{26}$"
PATH_PARAMETERS: dict[str, dict] = {
    "poll_id": {"type": "string", "pattern": ULID, "description": "Идентификатор опроса (ULID)."},
    "content_id": {"type": "string", "pattern": ULID, "description": "Идентификатор материала (ULID)."},
    "item_id": {"type": "string", "pattern": ULID, "description": "Идентификатор товара (ULID)."},
    "order_id": {"type": "string", "pattern": r"^[A-Z2-7]{26}$",
                 "description": "Номер заказа (26 символов base32)."},
    "media_id": {"type": "string", "pattern": ULID, "description": "Идентификатор изображения (ULID)."},
    "subject": {"type": "string", "pattern": r"^[A-Za-z0-9._:@-]{1,64}$",
                "description": "Псевдонимный идентификатор сотрудника (sub из токена входа)."},
    "territory_id": {"type": "string", "pattern": r"^[a-z0-9-]{2,40}$",
                     "description": "Идентификатор территории (gp-satka, sp-aylinskoye)."},
}
_PATH_RES = {name: re.compile(spec["pattern"]) for name, spec in PATH_PARAMETERS.items()}

# Query parameters shared by many routes.
LIMIT = {"type": "integer", "minimum": 1, "maximum": 50, "default": 20,
         "description": "Размер страницы (не больше 50)."}
CURSOR = {"type": "string", "minLength": 1, "maxLength": 512,
          "description": "Курсор следующей страницы из ответа предыдущей."}
PAGE = {"limit": LIMIT, "cursor": CURSOR}

# Request headers a route reads, declared in the document (``in: header``).
IDEMPOTENCY_KEY = {"schema": {"type": "string", "minLength": 8, "maxLength": 128},
                   "description": "Ключ идемпотентности: повтор запроса с тем же ключом вернёт тот же заказ, "
                                  "а не создаст второй. Без заголовка — 422."}
IDEMPOTENCY_KEY_REQUIRED = {"Idempotency-Key": {**IDEMPOTENCY_KEY, "required": True}}
BALLOT_IDEMPOTENCY_KEY = {"Idempotency-Key": {
    "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    "description": "Необязателен: повтор с тем же ключом и теми же ответами даёт ту же квитанцию (ответ 202)."}}

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
    "type": "object", "required": ["ballot_id", "state", "state_title", "poll_id", "receipt"],
    "properties": {
        "ballot_id": {"type": "string"}, "state": {"const": "accepted"}, "state_title": {"const": "принят"},
        "poll_id": {"type": "string"},
        "can_change_until": {"type": "string", "format": "date-time",
                             "description": "До этого момента голос можно изменить; учитывается последний."},
        "receipt": {"type": "object", "required": ["poll_id", "ballot_id", "commitment", "option_ids"],
                    "properties": {"commitment": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                   "option_ids": {"type": "array", "items": {"type": "string"}}}},
    },
}
BALLOT_STATE = {"type": "object", "required": ["ballot_id", "state", "state_title"],
                "properties": {"ballot_id": {"type": "string"},
                               "state": {"enum": ["accepted", "counted", "rejected"]},
                               "state_title": {"enum": ["принят", "засчитан", "не учтён"]}}}
_TERRITORY = {"type": "object", "required": ["id", "name", "kind"],
              "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                             "parent_id": {"type": ["string", "null"]}, "official_name": {"type": "string"},
                             "oktmo": {"type": "string"}, "population": {"type": "integer"},
                             "population_year": {"type": "integer"}}}
_NULLABLE_STR, _NULLABLE_INT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
# The territory registry (docs/decisions/017-territory-registry.md).
TERRITORY_RECORD = {
    "type": "object",
    "required": ["id", "name", "kind", "kind_title", "parent_id", "parent_name", "official_name", "oktmo",
                 "population", "population_year", "retired_at"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                   "kind_title": {"type": "string"}, "parent_id": _NULLABLE_STR, "parent_name": _NULLABLE_STR,
                   "official_name": _NULLABLE_STR, "oktmo": _NULLABLE_STR, "population": _NULLABLE_INT,
                   "population_year": _NULLABLE_INT, "retired_at": _NULLABLE_STR}}
TERRITORY_REGISTRY = {
    "type": "object", "required": ["version", "source", "editable", "kinds", "items"],
    "properties": {"version": {"type": "integer"}, "source": {"type": "string"}, "editable": {"type": "boolean"},
                   "kinds": {"type": "array", "items": {
                       "type": "object", "required": ["kind", "title", "parent_kinds"],
                       "properties": {"kind": {"type": "string"}, "title": {"type": "string"},
                                      "parent_kinds": {"type": "array", "items": {"type": "string"}}}}},
                   "items": {"type": "array", "items": TERRITORY_RECORD}}}
TERRITORIES = {"type": "object", "required": ["root_id", "territories"],
               "properties": {"root_id": {"type": "string"}, "territories": {"type": "array", "items": _TERRITORY}}}
ME = {"type": "object", "required": ["id", "roles", "territory", "territory_chain", "birth_year", "gender"],
      "properties": {"id": {"type": "string"}, "display_name": {"type": ["string", "null"]},
                     "roles": {"type": "array", "items": {"type": "string"}},
                     "territory": {"anyOf": [_TERRITORY, {"type": "null"}]},
                     "territory_chain": {"type": "array", "items": _TERRITORY},
                     "birth_year": {"type": ["integer", "null"]}, "gender": {"enum": ["f", "m", None]},
                     "scope_territories": {"type": "array", "items": _TERRITORY},
                     "role_titles": {"type": "array", "items": {"type": "string"}},
                     "partner": {"type": ["string", "null"]}}}
_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_STRINGS = {"type": "array", "items": _STR}


def _object(required: dict, optional: dict | None = None, **extra) -> dict:
    """An object schema: ``required`` fields always present, ``optional`` ones may be missing.
    ``additionalProperties`` stays unset: a field added later does not break a client."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}, **extra}


_IMAGE = {"anyOf": [_object({"id": _STR, "alt": _STR, "url": _STR}), {"type": "null"}],
          "description": "Изображение (загруженное в кабинете): адрес и подпись для экранного диктора."}
_QUESTION = _object({"id": _STR, "text": _STR, "kind": {"enum": ["single", "multiple"]}, "kind_title": _STR,
                     "min_choices": _INT, "max_choices": _INT,
                     "options": {"type": "array", "items": _object({"id": _STR, "text": _STR}, {"image": _IMAGE})}})
# Why a resident cannot vote (null when they can). A ballot already cast is not a reason: it can be
# changed until the poll closes.
CANNOT_VOTE_REASON = {"anyOf": [_object(
    {"code": {"enum": ["not-resident", "no-territory", "territory", "no-birth-year", "age", "not-started",
                       "closed", "cancelled"]},
     "detail": _STR}), {"type": "null"}],
    "description": "Почему житель не может голосовать (по-русски в detail); null — может."}
PARTICIPANTS = _object(
    {"count": _INT, "step": {"type": "integer", "minimum": 1}, "final": {"type": "boolean"}},
    description="Сколько проголосовало: пока идёт голосование — с округлением вниз до step (как промежуточные "
                "итоги), после подведения итогов (final) — точно.")
# The poll state the API shows is defined once, in aj74.polls.state: these schemas come from its types.
_EXECUTION_RESIDENT = Execution.resident_schema()
_AMENDMENTS = {"type": "array", "items": Amendment.json_schema(),
               "description": "Поправки к опубликованным итогам (голоса, дошедшие до реестра после закрытия)."}
POLL = _object({
    "id": _STR, "state": _STR, "state_title": _STR, "title": _STR, "description": _STR, "image_url": _STR_OR_NULL,
    "image": _IMAGE, "can_vote": {"type": "boolean"}, "cannot_vote_reason": CANNOT_VOTE_REASON,
    "participants": PARTICIPANTS, "results_visibility_title": _STR,
    "territory_ids": _STRINGS, "territories": _STRINGS, "opens_at": _STR, "closes_at": _STR, "min_age": _INT,
    "results_visibility": _STR, "questions": {"type": "array", "items": _QUESTION}, "voted": {"type": "boolean"},
    "fingerprint": _STR_OR_NULL, "execution": {"anyOf": [_EXECUTION_RESIDENT, {"type": "null"}]},
}, description="Опрос, как его видит житель.")
_RESULT_QUESTIONS = {"type": "array", "items": _object({
    "id": _STR, "text": _STR, "kind": _STR,
    "options": {"type": "array", "items": _object({"id": _STR, "text": _STR, "count": _INT,
                                                    "share": {"type": "number", "minimum": 0, "maximum": 1}})}},
    {"kind_title": _STR})}
_RESULTS_BODY = {"poll_id": _STR, "state": {"enum": ["live", "final"]}, "total_ballots": _INT,
                 "questions": _RESULT_QUESTIONS}
_HEAD = {"seq": {"type": "integer", "minimum": 0, "description": "Номер последней записи журнала аудита."},
         "hash": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Её хеш в цепочке."}}
AUDIT_HEAD_OF_RESULT = _object(
    _HEAD, {"at": _STR_OR_NULL}, description="Голова журнала аудита в момент публикации итогов: "
    "python -m aj74.verify audit --head проверяет, что история до неё не переписана.")
POLL_RESULTS = _object({**_RESULTS_BODY, "state_title": _STR},
                       {"merkle_root": _STR_OR_NULL, "amendments": _AMENDMENTS, "fingerprint": _STR_OR_NULL,
                        "audit_head": {"anyOf": [AUDIT_HEAD_OF_RESULT, {"type": "null"}]}},
                       description="Итоги: live — пока идёт голосование, final — подведённые (с корнем Меркла).")
_EXECUTION_STAFF = Execution.staff_schema()
EXECUTION = {**_EXECUTION_STAFF, "description": "Отчёт об исполнении решения по итогам опроса."}
_TURNOUT_ROW = _object({"territory_id": _STR, "name": _STR, "population": {"type": ["integer", "null"]},
                        "population_year": {"type": ["integer", "null"]},
                        "eligible_population": {"type": ["integer", "null"]}, "ballots": {"type": ["integer", "null"]},
                        "share": {"type": ["number", "null"]}})
TURNOUT = _object(
    {"ballots": _INT, "min_age": _INT, "age_share": {"type": "number"},
     "eligible_population": {"type": ["integer", "null"]}, "share": {"type": ["number", "null"]},
     "population_year": {"type": ["integer", "null"]}, "territories_without_population": _STRINGS,
     "method": _STR, "by_territory": {"type": "array", "items": _TURNOUT_ROW}},
    description="Явка: голоса как доля оценки населения с правом участия (численность территорий из реестра × "
                "доля жителей не моложе возрастного ценза). share — null, если у территории опроса нет численности; "
                "by_territory.ballots — null, если голоса по территории скрыты или не разобраны.")
STAFF_RESULTS = _object(
    {"poll_id": _STR, "title": _STR, "state": _STR, "state_title": _STR, "results_visibility": _STR,
     "closes_at": _STR, "territories": _STRINGS, "threshold": _INT},
    {"total_ballots": _INT, "questions": _RESULT_QUESTIONS, "merkle_root": _STR_OR_NULL,
     "finalised_at": _STR_OR_NULL, "amendments": _AMENDMENTS,
     "execution": {"anyOf": [_EXECUTION_STAFF, {"type": "null"}]},
     "breakdown": {"type": "object", "description": "Разрез итогов (малые группы скрыты)."},
     "participation": _object({"ballots_counted": _INT, "queue_backlog": _INT, "measured_at": _STR, "total": _INT}),
     "live": _object(_RESULTS_BODY), "hidden_reason": _STR, "turnout": TURNOUT},
    description="Итоги для сотрудников: после подведения — total_ballots, questions и т. д.; пока идёт "
                "голосование — participation и (если видимость позволяет) live, иначе hidden_reason.")
_HEX64 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
PROOF = _object({"leaf_index": {"type": "integer", "minimum": 0}, "tree_size": {"type": "integer", "minimum": 1},
                 "audit_path": {"type": "array", "items": _HEX64}, "merkle_root": _HEX64, "leaf": _HEX64,
                 "option_ids": {"type": "array", "items": {"type": "string"},
                                "description": "Варианты голоса, как они опубликованы: сверьте с квитанцией."}},
                description="Доказательство включения обязательства из квитанции в дерево Меркла итогов; "
                            "409 ballot-replaced — голос заменён более поздним голосом того же жителя.")
PUBLIC_RESULT = _object(
    {**_RESULTS_BODY, "title": _STR, "merkle_root": _HEX64, "tree_size": {"type": "integer", "minimum": 0}},
    {"closed_at": _STR_OR_NULL, "amendments": _AMENDMENTS},
    description="Подведённые итоги опроса для всех (без входа): варианты с текстами и числом голосов, корень "
                "Меркла опубликованного списка. Ничего личного в них нет.")
AUDIT_ENTRY = _object(
    {"seq": _INT, "at": _STR, "actor": _STR, "actor_role": _STR, "action": _STR, "action_title": _STR,
     "target_type": _STR, "target_id": _STR, "hash": _STR},
    {"actor_name": _STR_OR_NULL, "actor_role_title": _STR, "comment": _STR_OR_NULL,
     "before": {}, "after": {}, "prev_hash": _STR})
AUDIT_PAGE = _object({"items": {"type": "array", "items": AUDIT_ENTRY}, "next_cursor": _NEXT_CURSOR})
PUBLISHED_BALLOTS = _object({
    "items": {"type": "array", "items": _object({"commitment": _HEX64, "option_ids": _STRINGS})},
    "next_cursor": _NEXT_CURSOR, "tree_size": {"type": "integer", "minimum": 0}, "merkle_root": _HEX64,
    "canonical_order": _STR})
POINTS = _object({
    "balance": _INT, "lifetime": _INT,
    "level": _object({"rank": _INT, "name": _STR, "since": _INT, "next_at": {"type": ["integer", "null"]},
                      "to_next": {"type": ["integer", "null"]}}),
    "entries": {"type": "array", "items": _object(
        {"id": _STR, "kind": _STR, "kind_title": _STR, "title": _STR, "points": _INT, "at": _STR,
         "ref": _STR_OR_NULL},
        {"reason": _STR})},
    "next_cursor": _NEXT_CURSOR})
FEED_ITEM = _object(
    {"id": _STR, "type": {"enum": ["news", "bulletin", "missing_person", "event"]}, "type_title": _STR,
     "published_at": _STR_OR_NULL, "territory_ids": _STRINGS},
    # The feed's cards say whether they are pinned; the events calendar's do not (nothing is pinned
    # there). Full items (GET /v1/feed/{id}) name their territories.
    {"pinned": {"type": "boolean"}, "territories": _STRINGS,
     "severity": {"enum": ["info", "warning", "danger"]}, "severity_title": _STR,
     "category": _STR, "category_title": _STR, "status": {"enum": ["searching", "found"]}, "status_title": _STR},
    description="Материал ленты: общие поля и поля своего типа (title, body, … — как в кабинете). Каждый код "
                "приходит с русской подписью: type_title, severity_title (бюллетень МЧС), category_title "
                "(событие), status_title (поиск человека).")
ORDER = _object({
    "id": _STR, "item_id": _STR, "title": _STR, "partner": _STR, "price": _INT, "status": _STR,
    "status_title": _STR, "code": _STR, "created_at": _STR, "cancel_until": _STR,
    "cancelled_at": _STR_OR_NULL, "redeemed_at": _STR_OR_NULL})
REDEMPTION = _object({"order_id": _STR, "item_id": _STR, "title": _STR, "partner": _STR, "status": _STR,
                      "status_title": _STR, "redeemed_at": _STR_OR_NULL})
SHOP_ITEM = _object({
    "id": _STR, "title": _STR, "description": _STR_OR_NULL, "partner": _STR, "price": _INT, "stock": _INT,
    "valid_from": _STR, "valid_until": _STR, "territories": _STRINGS, "territory_ids": _STRINGS,
    "active": {"type": "boolean"}, "version": _INT, "created_by": _STR_OR_NULL, "created_at": _STR_OR_NULL,
    "updated_at": _STR_OR_NULL})


def page_of(item: dict) -> dict:
    """A page of ``item`` objects with the next page's cursor."""
    return _object({"items": {"type": "array", "items": item}, "next_cursor": _NEXT_CURSOR})


POLL_PAGE = page_of(POLL)
FEED_PAGE = page_of(FEED_ITEM)
ORDER_PAGE = page_of(ORDER)
ADJUSTMENT = _object({"id": _STR, "account": _STR, "points": _INT, "reason": _STR, "balance": _INT, "at": _STR})
STAFF_ASSIGNMENT = _object(
    {"subject": _STR, "assigned": {"type": "boolean"}, "roles": _STRINGS, "role_titles": _STRINGS,
     "scope_territory_ids": _STRINGS, "scope_territories": {"type": "array", "items": _TERRITORY},
     "display_name": _STR_OR_NULL},
    {"detail": _STR, "updated_at": _STR_OR_NULL, "updated_by": _STR_OR_NULL, "partner": _STR_OR_NULL,
     "pending": {"type": ["object", "null"]}})
ROLE_CATALOGUE = _object({"items": {"type": "array", "items": _object(
    {"role": _STR, "title": _STR, "staff": {"type": "boolean"}, "region_wide": {"type": "boolean"},
     "grant_confirmed": {"type": "boolean"}})}})
AUDIT_EXPORT = _object({
    "log": _STR, "exported_at": _STR,
    "entries": {"type": "array", "items": _object({"seq": _INT, "hash": _STR}, {
        "at": _STR, "actor": _STR_OR_NULL, "actor_role": _STR_OR_NULL, "action": _STR,
        "target_type": _STR_OR_NULL, "target_id": _STR_OR_NULL, "prev_hash": _STR})},
    "head": {"anyOf": [_object({"seq": _INT, "hash": _STR}), {"type": "null"}]}})
AUDIT_HEAD = _object(
    {**_HEAD, "log": _STR, "at": _STR_OR_NULL, "published_at": {"type": "string", "format": "date-time"}},
    description="Голова хеш-цепочки журнала аудита (seq и hash) с меткой времени. Сохраните её: "
    "python -m aj74.verify audit --head обнаружит правку, удаление или перецепление записей до неё.")
_MATCHES = _object({"matches": {"type": "boolean"}, "differences": {"type": "array"}},
                   {"published": {"type": "object"}, "recount": {"type": "object"}})
INTEGRITY_REPORT = _object({
    "poll_id": _STR, "state": _STR, "checked_at": _STR,
    "fingerprint": _object({"stored": _STR_OR_NULL, "computed": _STR, "matches": {"type": ["boolean", "null"]}}),
    "result": {"anyOf": [_MATCHES, {"type": "null"}]}, "published_list": {"anyOf": [_MATCHES, {"type": "null"}]},
    "ok": {"type": "boolean"}})
# Web Push (docs/decisions/018-web-push.md).
PUSH_KEY = _object({"public_key": {"type": "string", "description": (
    "Открытый ключ VAPID сервиса (несжатая точка P-256, base64url): applicationServerKey для "
    "PushManager.subscribe().")}})
PUSH_STATUS = _object({
    "subscribed": {"type": ["boolean", "null"],
                   "description": "Подписан ли этот браузер (null, если адрес подписки не передан)."},
    "territory_id": _STR_OR_NULL,
    "devices": {"type": "integer", "minimum": 0, "description": "Сколько браузеров жителя подписаны."},
    "follows": {"type": "array", "items": _STR, "description": "Опросы, за которыми житель следит."}})
PUSH_FOLLOW = _object({"poll_id": _STR, "following": {"type": "boolean"}})
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
    # Request headers by name: {"required": bool, "schema": {...}, "description": str}.
    headers: dict[str, dict] = field(default_factory=dict)
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
