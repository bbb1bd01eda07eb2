"""The domain package has no import cycle, and the vote is layered: ``polls/`` runs it, ``ballots/``
and ``integrity/`` are libraries beneath it that import nothing from ``polls/``
(docs/decisions/001-layout-and-shared-layer.md).

The module graph is read from the source with ``ast``: every import counts, at the top of a module
or inside a function (a lazy import is a cycle postponed, not a cycle avoided); only imports under
``if TYPE_CHECKING:``, which never run, are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "layers" / "common" / "aj74"
LIBRARIES_BENEATH_POLLS = ("aj74.ballots", "aj74.integrity")


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name (a package by its ``__init__``)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _within(name: str, modules: dict[str, Path]) -> str | None:
    """The module of the package that importing ``name`` runs: the name itself, or the nearest
    enclosing module (``aj74.polls.model.Poll`` is not a module, ``aj74.polls.model`` is)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST):
    """Every node that can run: all of them but the bodies of ``if TYPE_CHECKING:`` (annotations only)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _imported_by_name(node: ast.Call) -> str | None:
    """The module of ``importlib.import_module("x")``, when named by a literal."""
    name = getattr(node.func, "attr", getattr(node.func, "id", None))
    if name == "import_module" and node.args and isinstance(node.args[0], ast.Constant):
        return node.args[0].value if isinstance(node.args[0].value, str) else None
    return None


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, anywhere in its body."""
    modules = module_names(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_nodes(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # ``from a import b`` imports the submodule a.b when there is one, else a name of a.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            elif isinstance(node, ast.Call) and (named := _imported_by_name(node)):
                targets = [named]
            for target in targets:
                found = _within(target, modules)
                if found and found != name:
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    return "; ".join(f"{m} → {', '.join(sorted(graph[m] & members))}" for m in component)


def test_the_domain_package_has_no_import_cycle():
    graph = import_graph(DOMAIN)

    found = [_describe(c, graph) for c in cycles(graph)]

    assert found == [], "import cycles in layers/common/aj74 (lazy imports included):\n" + "\n".join(found)


def test_ballots_and_integrity_import_nothing_from_polls():
    graph = import_graph(DOMAIN)

    upward = sorted(f"{module} → {target}" for module, targets in graph.items()
                    if module.startswith(tuple(f"{lib}." for lib in LIBRARIES_BENEATH_POLLS))
                    or module in LIBRARIES_BENEATH_POLLS
                    for target in targets if target == "aj74.polls" or target.startswith("aj74.polls."))

    assert upward == [], "ballots/ and integrity/ are libraries beneath polls/:\n" + "\n".join(upward)


def test_the_walk_sees_a_cycle_closed_by_lazy_imports(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from ..c import thing\n")
    (package / "c.py").write_text("import importlib\n\ndef g():\n    return importlib.import_module('pkg.a')\n")
    (package / "d.py").write_text("import pkg.a as a\nfrom pkg import c\nfrom pkg.sub.b import f\n")
    (package / "e.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import d\n")

    graph = import_graph(package)

    assert graph["pkg.sub.b"] == {"pkg.c"}
    assert graph["pkg.d"] == {"pkg.a", "pkg.c", "pkg.sub.b"}
    assert graph["pkg.c"] == {"pkg.a"}  # importlib.import_module with a literal name
    assert graph["pkg.e"] == set()  # an import for annotations only never runs
    assert cycles(graph) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
