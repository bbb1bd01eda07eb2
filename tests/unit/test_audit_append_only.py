"""The audit log is append-only in code: no route, handler or domain module updates or deletes an
entry. Scans every Python file that ships (app, functions, the layer) for writes to the audit table
other than the conditional ``put_item`` in ``aj74.audit.repository.AuditLog.append``. (IAM is
checked separately against template.yaml.)"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [REPO / "app.py", *(REPO / "functions").rglob("*.py"), *(REPO / "layers" / "common" / "aj74").rglob("*.py")]
MUTATING_CALLS = {"update", "delete", "update_item", "delete_item", "batch_write_item", "transact_write_items",
                  "batch_write", "delete_table", "update_table"}


def test_the_audit_repository_only_appends():
    tree = ast.parse((REPO / "layers/common/aj74/audit/repository.py").read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    # client.put_item(...), and the operations named to a helper: dynamodb_call("query", ...)
    methods = {node.func.attr for node in calls if isinstance(node.func, ast.Attribute)}
    dispatched = {node.args[0].value for node in calls
                  if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}

    assert (methods | dispatched) & MUTATING_CALLS == set()
    assert "put_item" not in dispatched
    # The one write: a put of the next sequence number, refused when that number is taken.
    [put] = [node for node in calls if isinstance(node.func, ast.Attribute) and node.func.attr == "put_item"]
    keywords = {k.arg: k.value for k in put.keywords}
    assert set(keywords) == {"TableName", "Item", "ConditionExpression", "ExpressionAttributeNames"}
    assert ast.literal_eval(keywords["ConditionExpression"]) == "attribute_not_exists(#seq)"
    assert ast.literal_eval(keywords["ExpressionAttributeNames"]) == {"#seq": "seq"}


def test_no_shipped_code_touches_the_audit_table_except_through_the_repository():
    offenders = []
    for path in SHIPPED:
        if path in (REPO / "layers/common/aj74/audit/repository.py", REPO / "layers/common/aj74/settings.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_table" in text or "AUDIT_TABLE" in text:
            offenders.append(f"{path.relative_to(REPO)} names the audit table directly")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            # AuditLog()... or the repository's raw calls and item schema: only append and reads (head
            # included) are allowed.
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                    and node.func.value.func.id == "AuditLog"
                    and node.func.attr not in ("append", "entries", "head", "newest_first")):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} calls AuditLog().{node.func.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "aj74.audit.repository" and any(
                    alias.name in ("_query", "_table", "_as_dict", "SCHEMA") for alias in node.names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} reaches the audit table past AuditLog")

    assert offenders == []


def test_the_audit_log_class_offers_no_way_to_change_an_entry():
    from aj74.audit.repository import AuditLog

    public = {name for name in dir(AuditLog) if not name.startswith("_")}

    assert public == {"append", "entries", "head", "newest_first"}
