"""Least privilege, derived: which AWS actions each Lambda function needs on which resource.

Three sources meet here, and ``tests/integration/test_permissions.py`` holds them together:

1. The code. :func:`scan_module` reads a module's syntax tree for the DynamoDB, SQS, SNS, Secrets
   Manager and S3 calls it makes (botocore client operations and transaction items) and for the
   settings naming the tables, queues, topics and buckets it touches (``get_settings().polls_table``,
   ``get_settings().ballot_queue_url``).
2. The declared manifest, ``infra/permissions.yaml``: per module, which actions on which resource
   setting. The scan keeps it honest (an action or resource in the code missing from the manifest,
   or listed there but no longer in the code, fails the test).
3. The template. :func:`required_statements` walks each function's import graph from its handler
   (the API: every route module; the consumer; the scheduler), unions the manifest entries of the
   modules it reaches and maps each resource setting to a template resource through the function's
   environment (``POLLS_TABLE: !Ref PollsTable``). :func:`granted_statements` reads the explicit
   ``Statement`` policies of the template; the two must be equal.

The granularity is the module: a function that imports a repository may do what that repository
does. It is an over-approximation only where a function uses part of a repository.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra import template as sam

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_ROOT = REPO_ROOT / "layers" / "common"
MANIFEST = Path(__file__).with_name("permissions.yaml")

# Settings attributes that name an AWS resource, by suffix.
RESOURCE_SUFFIXES = ("_table", "_queue_url", "_topic_arn", "_secret_arn", "_key_arn", "_bucket")

# botocore client operations (snake_case method names) and the IAM action each needs.
CLIENT_OPERATIONS = {
    "get_item": "dynamodb:GetItem",
    "put_item": "dynamodb:PutItem",
    "update_item": "dynamodb:UpdateItem",
    "delete_item": "dynamodb:DeleteItem",
    "query": "dynamodb:Query",
    "scan": "dynamodb:Scan",
    "batch_get_item": "dynamodb:BatchGetItem",
    "batch_write_item": "dynamodb:BatchWriteItem",
    "transact_get_items": "dynamodb:GetItem",
    "send_message": "sqs:SendMessage",
    "send_message_batch": "sqs:SendMessage",
    "get_queue_attributes": "sqs:GetQueueAttributes",
    "publish": "sns:Publish",
    "get_secret_value": "secretsmanager:GetSecretValue",
    # Objects of a bucket: the template grants it on ``${Bucket.Arn}/*`` (the bucket's logical id).
    "put_object": "s3:PutObject",
    "get_object": "s3:GetObject",
    "head_object": "s3:GetObject",  # IAM authorises HEAD as GetObject
    "delete_object": "s3:DeleteObject",
}
# TransactWriteItems has no IAM action of its own: IAM checks each item's action on its table.
TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
# Actions on a table that also need its indexes (``<table arn>/index/*``) when it has any.
INDEX_ACTIONS = {"dynamodb:Query", "dynamodb:Scan"}


@dataclass
class ModuleUse:
    """What one module does: the actions found in its code and the resource settings it names."""

    module: str
    actions: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)


def module_path(module: str) -> Path | None:
    """The source file of an importable module of this repository (``aj74.x``, ``app``, ``functions.x``)."""
    parts = module.split(".")
    roots = [PACKAGE_ROOT] if parts[0] == "aj74" else [REPO_ROOT]
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def package_modules() -> list[str]:
    """Every module of the ``aj74`` package."""
    found = []
    for path in sorted((PACKAGE_ROOT / "aj74").rglob("*.py")):
        rel = path.relative_to(PACKAGE_ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


class _ModuleScan(ast.NodeVisitor):
    def __init__(self, module: str, tree: ast.Module) -> None:
        self.use = ModuleUse(module)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
            if name in CLIENT_OPERATIONS and _is_client_call(node, name):
                self.use.actions.add(CLIENT_OPERATIONS[name])
        # Dynamic dispatch through a helper: _call("get_item", TableName=...)
        if (node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in CLIENT_OPERATIONS
                and _is_client_call(node, node.args[0].value, positional=1)):
            self.use.actions.add(CLIENT_OPERATIONS[node.args[0].value])
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.endswith(RESOURCE_SUFFIXES):
            self.use.resources.add(node.attr)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        # A transaction item: {"Put": {"TableName": ..., ...}}
        for key, value in zip(node.keys, node.values, strict=True):
            if (isinstance(key, ast.Constant) and key.value in TRANSACT_ITEM_ACTIONS and isinstance(value, ast.Dict)
                    and any(isinstance(k, ast.Constant) and k.value == "TableName" for k in value.keys)):
                self.use.actions.add(TRANSACT_ITEM_ACTIONS[key.value])
        self.generic_visit(node)


def _is_client_call(node: ast.Call, name: str, positional: int = 0) -> bool:
    """A botocore call takes keyword arguments only: the resource named (TableName=, QueueUrl=...)
    or a prepared mapping (``client.query(**kwargs)``)."""
    keywords = {k.arg for k in node.keywords}
    if len(node.args) > positional:
        return False
    return None in keywords or bool(keywords & {
        "TableName", "QueueUrl", "TopicArn", "TransactItems", "RequestItems", "Entries", "SecretId", "Bucket"})


def scan_module(module: str) -> ModuleUse:
    """The AWS actions and resource settings found in one module's source."""
    path = module_path(module)
    if path is None:
        raise FileNotFoundError(module)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    scan = _ModuleScan(module, tree)
    scan.visit(tree)
    if not scan.use.actions:
        # A setting named without a call (a settings module, a config check) touches nothing.
        scan.use.resources = set()
    return scan.use


def imports_of(module: str) -> set[str]:
    """Modules of this repository that ``module`` imports, at the top or lazily inside functions."""
    path = module_path(module)
    if path is None:
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if module_path(name) is not None:
                found.add(name)
    return found


def import_closure(entry: str) -> set[str]:
    """Every repository module reachable by imports from ``entry`` (itself included)."""
    seen, todo = set(), [entry]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(imports_of(current) - seen)
    return seen


# ------------------------------------------------------------------ manifest


def load_manifest(path: Path = MANIFEST) -> dict[str, dict[str, set[str]]]:
    """``{module: {resource setting: {actions}}}`` as declared in infra/permissions.yaml."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {module: {setting: set(actions) for setting, actions in (uses or {}).items()}
            for module, uses in (raw.get("modules") or {}).items()}


def load_unused(path: Path = MANIFEST) -> dict[str, set[tuple[str, str, str]]]:
    """Per function, (module, setting, action) that its handler reaches by import but never calls,
    as declared (with a reason) under ``functions:`` in infra/permissions.yaml."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unused: dict[str, set[tuple[str, str, str]]] = {}
    for function_id, spec in (raw.get("functions") or {}).items():
        entries = unused.setdefault(function_id, set())
        for module, uses in ((spec or {}).get("unused") or {}).items():
            for setting, actions in uses.items():
                entries.update((module, setting, action) for action in actions)
    return unused


def manifest_gaps(manifest: Mapping[str, Mapping[str, set[str]]], modules: Iterable[str]) -> list[str]:
    """Disagreements between the code and the manifest, one readable line each."""
    problems = []
    scanned = {m: scan_module(m) for m in modules}
    for module, use in sorted(scanned.items()):
        declared = manifest.get(module, {})
        declared_actions = set().union(*declared.values()) if declared else set()
        for action in sorted(use.actions - declared_actions):
            problems.append(f"{module} calls {action}, which infra/permissions.yaml does not declare")
        for action in sorted(declared_actions - use.actions):
            problems.append(f"{module}: infra/permissions.yaml declares {action}, which the code no longer calls")
        for setting in sorted(use.resources - set(declared)):
            problems.append(f"{module} touches {setting}, which infra/permissions.yaml does not declare")
        for setting in sorted(set(declared) - use.resources):
            problems.append(f"{module}: infra/permissions.yaml declares {setting}, which the code does not name")
    for module in sorted(set(manifest) - set(scanned)):
        problems.append(f"infra/permissions.yaml names {module}, which is not a module of aj74")
    return problems


# ------------------------------------------------------------------ template


def _logical_id(value: Any) -> str | None:
    """The resource a template value refers to: ``!Ref X``, ``!GetAtt X.Arn``, ``!Sub "${X.Arn}/..."``."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return arg
        if key == "Fn::GetAtt":
            return (arg.split(".", 1) if isinstance(arg, str) else arg)[0]
        if key == "Fn::Sub" and isinstance(arg, str) and arg.startswith("${"):
            return arg[2:arg.index("}")].split(".", 1)[0]
    return None


def _is_index_arn(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str) and value["Fn::Sub"].endswith("/index/*")


Grant = tuple[str, str]  # (action, resource logical id or "<id>/index/*")


def required_statements(template: Mapping[str, Any], function_id: str,
                        manifest: Mapping[str, Mapping[str, set[str]]],
                        unused: Iterable[tuple[str, str, str]] = ()) -> set[Grant]:
    """What the function's code needs: (action, resource) pairs derived from its import graph,
    less what the manifest declares the function never calls (``unused``)."""
    unused = set(unused)
    env = sam.environment(template, function_id)
    needed: set[Grant] = set()
    for module in import_closure(sam.function(template, function_id).import_path):
        for setting, actions in manifest.get(module, {}).items():
            if all((module, setting, action) in unused for action in actions):
                continue  # a resource the function never touches need not be in its environment
            target = _logical_id(env.get(setting.upper()))
            if target is None:
                raise KeyError(f"{function_id}: {module} needs {setting.upper()}, which its environment lacks")
            has_indexes = bool(template["Resources"][target].get("Properties", {}).get("GlobalSecondaryIndexes"))
            for action in actions:
                if (module, setting, action) in unused:
                    continue
                needed.add((action, target))
                if action in INDEX_ACTIONS and has_indexes:
                    needed.add((action, f"{target}/index/*"))
    return needed


def granted_statements(template: Mapping[str, Any], function_id: str) -> tuple[set[Grant], list[str]]:
    """What the template grants the function, and any policy that is not an explicit statement."""
    granted: set[Grant] = set()
    other: list[str] = []
    for policy in template["Resources"][function_id]["Properties"].get("Policies") or []:
        if not (isinstance(policy, dict) and "Statement" in policy):
            other.append(str(policy))
            continue
        for statement in policy["Statement"]:
            if statement.get("Effect") != "Allow":
                continue
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for res in resources:
                target = _logical_id(res)
                if target is None:
                    other.append(f"{actions} on {res}")
                    continue
                name = f"{target}/index/*" if _is_index_arn(res) else target
                granted.update((action, name) for action in actions)
    return granted, other
