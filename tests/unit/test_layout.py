"""Where things live: the tests stand on the code, never on the benchmarks, and template.yaml has
one reader (infra/template.py)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_READER = REPO_ROOT / "infra" / "template.py"


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (REPO_ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _imported_by_name(node: ast.Call) -> str | None:
    """The module of ``importlib.import_module("x")``, when named by a literal."""
    name = getattr(node.func, "attr", getattr(node.func, "id", None))
    if name == "import_module" and node.args and isinstance(node.args[0], ast.Constant):
        return node.args[0].value if isinstance(node.args[0].value, str) else None
    return None


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions (absolute imports only)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and (module := _imported_by_name(node)):
            found.add(module)
    return found


def test_no_test_module_imports_the_benchmarks():
    offenders = sorted(
        f"{path.relative_to(REPO_ROOT)}: {module}"
        for path in python_files("tests")
        for module in imported_modules(path)
        if module == "bench" or module.startswith("bench.")
    )

    assert offenders == [], "tests import from bench/; take the helper from infra/ instead"


def test_the_template_is_parsed_by_infra_template_alone():
    readers = sorted(
        str(path.relative_to(REPO_ROOT))
        for path in python_files("infra", "bench", "tests", "functions")
        if path != TEMPLATE_READER and "samtranslator.yaml_helper" in imported_modules(path)
    )

    assert readers == [], "parse template.yaml with infra.template.load()"
