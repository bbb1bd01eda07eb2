"""The audit log is append-only in code: no route, handler or domain module updates or deletes an
entry. Scans every Python file that ships (app, functions, the layer) for writes to the audit table
other than the conditional put in ``aj74.audit.repository.AuditLog.append``. (IAM is checked
separately against template.yaml.)"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED = [REPO / "app.py", *(REPO / "functions").rglob("*.py"), *(REPO / "layers" / "common" / "aj74").rglob("*.py")]
MUTATING_CALLS = {"update", "delete", "update_item", "delete_item", "batch_write_item", "transact_write_items",
                  "batch_write", "delete_table", "update_table"}


def test_the_audit_repository_only_appends():
    tree = ast.parse((REPO / "layers/common/aj74/audit/repository.py").read_text(encoding="utf-8"))

    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}

    assert calls & MUTATING_CALLS == set()
    assert "save" in calls  # the one write: a conditional put of the next sequence number
    save = next(node for node in ast.walk(tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr == "save")
    assert [k.arg for k in save.keywords] == ["condition"]


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
            # AuditLog()... or an imported audit _model(): only append and reads (head included) are allowed.
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                    and node.func.value.func.id == "AuditLog"
                    and node.func.attr not in ("append", "entries", "head", "newest_first")):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} calls AuditLog().{node.func.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "aj74.audit.repository" and any(
                    alias.name in ("_model", "_as_dict") for alias in node.names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} imports the audit table's model")

    assert offenders == []


def test_the_audit_log_class_offers_no_way_to_change_an_entry():
    from aj74.audit.repository import AuditLog

    public = {name for name in dir(AuditLog) if not name.startswith("_")}

    assert public == {"append", "entries", "head", "newest_first"}
