"""Which third-party modules a function can import, and which modules its layers provide.

A function's handler reaches, through ``aj74``, every module imported anywhere in the modules it
imports: at module level and lazily inside functions alike (the analysis and push dependencies are
only ever imported lazily). :func:`reachable` walks that graph with ``ast`` and returns the
top-level modules outside ``aj74`` and the standard library, each with the first place that
imports it. Left out, because they never run on Lambda or are allowed to fail there:

- imports under ``if TYPE_CHECKING:``;
- imports in the body of a ``try`` whose handler catches ``ImportError``/``ModuleNotFoundError``
  (``app.py``'s development routes, which no artifact holds).

The walk is per module, not per call: a module that holds both a light function the API calls and
a heavy one only the sender calls makes the API "reach" the heavy dependency. Keep such code in
separate modules (``aj74.push.vapid`` for the key, ``aj74.push.delivery`` for signing and sending).

What a layer provides: :func:`requirement_modules` (the top-level modules of its pinned
distributions, as installed in the development venv, which installs every layer's pins) or
:func:`directory_modules` (what a built layer's ``python/`` holds).
"""

from __future__ import annotations

import ast
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from infra import template as sam

DOMAIN_ROOT = sam.REPO_ROOT / "layers" / "common"  # the first-party package's parent: aj74 lives here
FIRST_PARTY = "aj74"
_OPTIONAL = {"ImportError", "ModuleNotFoundError"}


def _module_file(name: str) -> Path | None:
    base = DOMAIN_ROOT / name.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in _OPTIONAL for n in names)


class _Imports(ast.NodeVisitor):
    """Absolute names imported by one module (``from a import b`` yields ``a`` and ``a.b``)."""

    def __init__(self, package: str) -> None:
        self.package = package  # the importing module's package, for relative imports
        self.found: list[tuple[str, int]] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Try(self, node: ast.Try) -> None:
        if not any(_catches_import_error(h) for h in node.handlers):
            self.generic_visit(node)
            return
        for child in [*node.handlers, *node.orelse, *node.finalbody]:
            self.visit(child)

    visit_TryStar = visit_Try

    def visit_Import(self, node: ast.Import) -> None:
        self.found.extend((alias.name, node.lineno) for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            base = ".".join([*parts[:len(parts) - node.level + 1], *([node.module] if node.module else [])])
        else:
            base = node.module or ""
        self.found.append((base, node.lineno))
        self.found.extend((f"{base}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*")


def module_imports(path: Path, module: str) -> list[tuple[str, int]]:
    """The absolute module names ``path`` (the module ``module``) imports, with their line."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    visitor = _Imports(package)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return visitor.found


def reachable(handler: Path) -> dict[str, str]:
    """Top-level third-party modules the handler can import, each with ``file:line`` of its first
    import found (relative to the repository)."""
    seen: set[Path] = set()
    found: dict[str, str] = {}
    stack: list[tuple[Path, str]] = [(handler, handler.stem)]
    while stack:
        path, module = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        where = path.relative_to(sam.REPO_ROOT).as_posix() if path.is_relative_to(sam.REPO_ROOT) else str(path)
        for name, line in module_imports(path, module):
            top = name.partition(".")[0]
            if top == FIRST_PARTY:
                parts = name.split(".")
                for depth in range(1, len(parts) + 1):  # a.b.c imports a, a.b and a.b.c
                    prefix = ".".join(parts[:depth])
                    target = _module_file(prefix)
                    if target is not None and target not in seen:
                        stack.append((target, prefix))
            elif top and top not in sys.stdlib_module_names:
                found.setdefault(top, f"{where}:{line}")
    return found


# ------------------------------------------------------------------ what a layer provides
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by canonical name. Anything else but comments
    and blank lines is an error: each layer pins exactly."""
    found = {}
    for number, raw in enumerate(requirements.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if not match or match.end() != len(line):
            raise ValueError(f"{requirements}:{number}: not an exact pin: {raw!r}")
        found[canonical(match.group(1))] = match.group(2)
    return found


def requirement_modules(requirements: Path) -> dict[str, str]:
    """Top-level modules of the pinned distributions, as installed here: module → distribution."""
    wanted = set(pins(requirements))
    modules = {}
    for module, distributions in _installed_modules().items():
        for distribution in distributions:
            if canonical(distribution) in wanted:
                modules[module] = canonical(distribution)
    return modules


@lru_cache(maxsize=1)
def _installed_modules() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def directory_modules(python: Path) -> set[str]:
    """Top-level importable names in a built layer's ``python/`` (or a function package)."""
    names = set()
    for entry in python.iterdir():
        if entry.is_dir():
            if "." not in entry.name and entry.name not in ("bin", "__pycache__"):
                names.add(entry.name)
        elif entry.suffix in (".py", ".so"):
            names.add(entry.name.partition(".")[0])
    return names
