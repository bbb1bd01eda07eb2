"""The OpenAPI 3.1 document of the API, built from the Chalice route table, the contract each route
declared through ``route()`` (``aj74.api.contract``) and the JSON schema of the pydantic models that
validate request bodies. Nothing here is written by hand per route: a new route is documented by
registering it.

Imported only when the document is asked for (pydantic costs cold-start time).
"""

from __future__ import annotations

import importlib
import re

from aj74.api import contract
from aj74.api.problems import PROBLEM_CONTENT_TYPE

TITLE = "Активный житель 74 — API"
VERSION = "1.0.0"

STATUS_TEXT = {
    400: "Тело запроса не является JSON-объектом", 401: "Нужен действительный токен входа",
    403: "Нет прав на это действие", 404: "Не найдено", 409: "Конфликт с текущим состоянием",
    413: "Тело запроса больше 64 КиБ", 415: "Ожидается application/json", 422: "Ошибка в данных запроса",
    429: "Слишком много запросов: повторите после Retry-After", 503: "Сервис временно недоступен",
}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Описание ошибки по RFC 9457 (application/problem+json).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "Объяснение для человека (по-русски)."},
        "code": {"type": "string", "description": "Устойчивый код ошибки для программ."},
        "instance": {"type": "string"},
        "errors": {"type": "array", "description": "Ошибки по полям запроса.",
                   "items": {"type": "object", "required": ["field", "detail"],
                             "properties": {"field": {"type": "string"}, "detail": {"type": "string"}}}},
    },
}


def _model(ref: str):
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _model_refs(operations) -> set[str]:
    refs = set()
    for op in operations:
        for value in (op.body, op.response):
            if isinstance(value, str):
                refs.add(value)
            elif isinstance(value, tuple):
                refs.update(value)
    return refs


def _component_schemas(refs: set[str]) -> tuple[dict, dict[str, str]]:
    """JSON schemas of the models (validation mode: what a client may send), with their $defs."""
    from pydantic.json_schema import models_json_schema

    models = {ref: _model(ref) for ref in sorted(refs)}
    keys, top = models_json_schema([(m, "validation") for m in models.values()],
                                   ref_template="#/components/schemas/{model}")
    names = {ref: keys[(model, "validation")]["$ref"].rsplit("/", 1)[-1] for ref, model in models.items()}
    return top.get("$defs", {}), names


def _schema(value, names: dict[str, str]) -> dict:
    if value is None:
        return contract.OBJECT
    if isinstance(value, str):
        return {"$ref": f"#/components/schemas/{names[value]}"}
    if isinstance(value, tuple):
        return {"oneOf": [_schema(v, names) for v in value]}
    return value


def _operation_id(op: contract.Operation) -> str:
    words = re.sub(r"[{}]", "", op.path).replace(".", "_").strip("/").replace("/", "_").replace("-", "_")
    return f"{op.method.lower()}_{words}"


def _operation(op: contract.Operation, names: dict[str, str]) -> dict:
    parameters = [{"name": name, "in": "path", "required": True,
                   "description": contract.PATH_PARAMETERS[name]["description"],
                   "schema": {k: v for k, v in contract.PATH_PARAMETERS[name].items() if k != "description"}}
                  for name in op.path_parameters]
    for name, spec in op.query.items():
        schema = {k: v for k, v in spec.items() if k != "description"}
        parameters.append({"name": name, "in": "query", "required": False,
                           "description": spec.get("description", ""), "schema": schema})
    for name, spec in op.headers.items():
        parameters.append({"name": name, "in": "header", "required": bool(spec.get("required")),
                           "description": spec.get("description", ""), "schema": spec["schema"]})
    success = {"description": "Успешный ответ", "content": {op.media_type: {"schema": _schema(op.response, names)}}}
    responses = {str(status): success for status in op.success_statuses}
    for status in op.problem_statuses:
        response = {"$ref": f"#/components/responses/Problem{status}"}
        responses[str(status)] = response
    doc = {
        "operationId": _operation_id(op),
        "summary": op.summary,
        "tags": [_tag(op.path)],
        "parameters": parameters,
        "responses": responses,
        "security": [{"bearerAuth": []}] if op.auth else [],
    }
    if op.description:
        doc["description"] = op.description
    if op.roles:
        doc["x-roles"] = list(op.roles)
    if op.rate_limit:
        doc["x-rate-limit"] = op.rate_limit
    if op.body is not None:
        doc["requestBody"] = {"required": op.body_required,
                              "content": {"application/json": {"schema": _schema(op.body, names)}}}
    return doc


def _tag(path: str) -> str:
    parts = path.strip("/").split("/")
    if parts[0] == "dev":
        return "разработка"
    if parts[1] == "admin":
        return "кабинет: " + parts[2].split(".")[0]
    return "жители: " + parts[1].split(".")[0]


def _problem_responses() -> dict:
    responses = {}
    for status, text in STATUS_TEXT.items():
        response = {"description": text,
                    "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        if status == 429:
            response["headers"] = {"Retry-After": {"description": "Через сколько секунд повторить запрос.",
                                                   "required": True, "schema": {"type": "integer", "minimum": 1}}}
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        responses[f"Problem{status}"] = response
    return responses


def build(route_table: dict) -> dict:
    """The document for a Chalice route table (``app.routes``: path -> method -> entry)."""
    operations = []
    for path, methods in sorted(route_table.items()):
        for method in sorted(methods):
            op = contract.OPERATIONS.get((path, method.upper()))
            if op is None:  # registered without route(): documented as bare as it is
                op = contract.Operation(path=path, method=method.upper(), summary="", auth=True, roles=())
            operations.append(op)
    schemas, names = _component_schemas(_model_refs(operations))
    paths: dict[str, dict] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, names)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "API мобильного приложения и кабинета сотрудников. Ошибки — "
                                "application/problem+json (RFC 9457) с полем detail по-русски."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Problem": PROBLEM_SCHEMA, **schemas},
            "responses": _problem_responses(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                               "description": "Токен входа Госуслуг 74 (локально — /dev/token)."}},
        },
    }


def document_json(route_table: dict) -> str:
    """The document as JSON, built once per process (the route table does not change)."""
    import json

    key = tuple(sorted((p, m) for p, ms in route_table.items() for m in ms))
    hit = _documents.get(key)
    if hit is None:
        hit = _documents[key] = json.dumps(build(route_table), ensure_ascii=False)
    return hit


_documents: dict[tuple, str] = {}
