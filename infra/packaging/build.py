"""What ``sam build`` would produce, built without Docker or an AWS account.

- ``build/layers/<LayerId>/python``: each ``AWS::Serverless::LayerVersion`` of the template
  (docs/decisions/020-lambda-layers.md): its ``requirements.txt`` installed from wheels for Lambda's
  Linux arm64 Python 3.12 (``--platform manylinux2014_aarch64 --only-binary=:all:``, ``--no-deps``:
  each file pins its whole closure beyond the common layer), plus, in the common layer, the ``aj74``
  package (its source only: no tests, no caches).
- ``build/functions/<FunctionId>``: each function's own code: the handler module, and for the API
  the Chalice runtime (``chalice/__init__.py``, ``chalice/app.py``, as ``chalice package`` ships it;
  see the Makefile's ``build-ApiFunction``). Dependencies and the domain come from the layers.

A function package may hold only those files; a layer only its requirements and ``aj74``. Anything
else (tests, docs, the admin site, caches, the development identity provider of
``infra/local/dev_identity``) fails the build with LeakError. Each function must find every
third-party module its handler can reach (infra/packaging/imports.py) in its package or its layers,
no module in two of them, and its code and layers must fit Lambda's 250 MiB unzipped: otherwise
PackagingError.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from infra import template as sam
from infra.packaging import imports

REPO_ROOT = sam.REPO_ROOT
BUILD = REPO_ROOT / "build"
LAYER_SOURCE = REPO_ROOT / "layers" / "common"  # the common layer: aj74 and its light dependencies
# Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34): manylinux_2_28 wheels load there, and
# numpy/scipy publish their aarch64 wheels only with that tag.
PIP_PLATFORM = ["--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64",
                "--python-version", "3.12", "--implementation", "cp", "--only-binary=:all:"]
# Never in any artifact, whatever the directory they come from.
FORBIDDEN_PARTS = {"tests", "test", "docs", "admin_site", "web", "node_modules", "bench", "infra", "__pycache__",
                   ".pytest_cache", ".venv", ".git"}
FORBIDDEN_SUFFIXES = {".pyc", ".md", ".png", ".html", ".css", ".js"}
# Dev-only code (docs/decisions/001): the development identity provider lives in
# infra/local/dev_identity, each module tagged with DEV_ONLY_TAG, and reaches no artifact under any
# path or name: no file of those names, no Python file holding the tag or the provider's class.
DEV_ONLY_PARTS = {"dev_identity", "dev_provider.py"}
DEV_ONLY_TAG = "aj74:" + "dev-only"  # split, so this module could never match its own check
DEV_ONLY_MARKERS = (DEV_ONLY_TAG, "DevIdentity" + "Provider")
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # function code and all its layers, unzipped
# Pinned requirements published as a source archive only: built here into a wheel first (it must
# come out pure Python, ``py3-none-any``, or the build fails), then installed with the others.
SOURCE_ONLY = ("http-ece",)
# Files a function's package holds beside its handler module: the API's Chalice runtime, as
# `chalice package` ships it (the standard library only; the rest of chalice is its CLI).
CHALICE_RUNTIME = ("chalice/__init__.py", "chalice/app.py")
PACKAGE_EXTRAS = {"ApiFunction": CHALICE_RUNTIME}
MIB = 1024 * 1024


class PackagingError(RuntimeError):
    """The artifacts would not work on Lambda, or would not fit."""


class LeakError(PackagingError):
    """An artifact holds something it must not ship."""


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    files: int
    size: int


@dataclass(frozen=True)
class FunctionTotal:
    """What Lambda counts against its 250 MiB: a function's package and all its layers, unzipped."""

    function_id: str
    layers: tuple[str, ...]
    size: int

    @property
    def headroom(self) -> int:
        return LAMBDA_UNZIPPED_LIMIT - self.size


@dataclass(frozen=True)
class Built:
    layers: dict[str, Artifact]
    functions: dict[str, Artifact]
    totals: dict[str, FunctionTotal]

    @property
    def artifacts(self) -> list[Artifact]:
        return [*self.layers.values(), *self.functions.values()]


def function_sources(template: dict | None = None) -> dict[str, dict[str, Path]]:
    """The files each function's package holds, by their path in the package: its handler module
    (and, for the API, the Chalice runtime), nothing else."""
    sources = {}
    for function_id, function in sam.functions(template or sam.load()).items():
        files = {function.source.name: function.source}
        for name in PACKAGE_EXTRAS.get(function_id, ()):
            files[name] = _installed(name)
        sources[function_id] = files
    return sources


def _installed(name: str) -> Path:
    """A file of an installed package (the development venv's pinned version), by its module path."""
    package, _, rest = name.partition("/")
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise PackagingError(f"{package} is not installed (run `make install`)")
    return Path(spec.origin).parent / rest


def check_function_package(root: Path, allowed: set[str]) -> None:
    """A function package holds exactly its handler module (and listed extras), and no dev-only code."""
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    extra = sorted(found - allowed)
    if extra:
        raise LeakError(f"{root.name} holds files beyond its handler: {extra[:10]}")
    for path in root.rglob("*"):
        check_not_dev_only(path, path.relative_to(root))


def check_not_dev_only(path: Path, rel: Path) -> None:
    """LeakError when ``path`` is (or holds) the development identity provider."""
    if set(rel.parts) & DEV_ONLY_PARTS:
        raise LeakError(f"ships dev-only code: {rel}")
    if path.suffix == ".py" and path.is_file():
        text = path.read_text(encoding="utf-8", errors="replace")
        marker = next((m for m in DEV_ONLY_MARKERS if m in text), None)
        if marker:
            raise LeakError(f"ships dev-only code: {rel} holds {marker!r}")


def check_layer(root: Path) -> None:
    """A layer holds installed distributions and aj74's source: no tests, docs, site or caches."""
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[:2] == ("python", "aj74"):
            check_not_dev_only(path, rel)
        if rel.parts[:2] == ("python", "aj74") and path.is_file():
            if set(rel.parts) & FORBIDDEN_PARTS or path.suffix in FORBIDDEN_SUFFIXES:
                raise LeakError(f"layer ships {rel}")
            if path.suffix not in {".py", ".json", ".typed"}:
                raise LeakError(f"layer ships an unexpected file of aj74: {rel}")
        elif len(rel.parts) == 2 and path.name in DEV_ONLY_PARTS:
            raise LeakError(f"layer ships dev-only code: {rel}")
        elif len(rel.parts) == 2 and path.is_dir() and path.name in FORBIDDEN_PARTS:
            # A top-level tests/, docs/ or admin_site/ beside the packages (botocore.docs is code).
            raise LeakError(f"layer ships {rel}")
        elif len(rel.parts) == 2 and path.is_file() and path.suffix == ".py":
            check_not_dev_only(path, rel)


def build_layer(layer: sam.Layer, out: Path) -> Artifact:
    """One layer: its pinned requirements for Lambda's arm64 Python 3.12, and aj74 if it holds it."""
    shutil.rmtree(out, ignore_errors=True)
    target = out / "python"
    target.mkdir(parents=True)
    wheels = _source_only_wheels(layer.requirements, out / "wheels")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-compile", "--no-deps", *PIP_PLATFORM, "--find-links", str(wheels),
                    "--target", str(target), "-r", str(layer.requirements)], check=True)
    shutil.rmtree(wheels)
    if (layer.content_dir / "aj74").is_dir():
        shutil.copytree(layer.content_dir / "aj74", target / "aj74",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.md"))
    check_layer(out)
    return _artifact(layer.layer_id, out)


def build_layers(out: Path = BUILD / "layers", template: dict | None = None) -> dict[str, Artifact]:
    return {layer_id: build_layer(layer, out / layer_id)
            for layer_id, layer in sam.layers(template or sam.load()).items()}


def _source_only_wheels(requirements: Path, wheels: Path) -> Path:
    """Wheels of the SOURCE_ONLY pins (``--only-binary=:all:`` refuses their source archives)."""
    pins = [line.strip() for line in requirements.read_text().splitlines()
            if line.split("==")[0].strip().lower() in SOURCE_ONLY]
    wheels.mkdir(parents=True, exist_ok=True)
    if pins:
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--wheel-dir", str(wheels), *pins], check=True)
    for wheel in wheels.glob("*.whl"):
        if not wheel.name.endswith("-none-any.whl"):
            raise LeakError(f"{wheel.name} is not pure Python: it cannot be built here for Lambda's arm64")
    return wheels


def build_functions(out: Path = BUILD / "functions", template: dict | None = None) -> dict[str, Artifact]:
    artifacts = {}
    for function_id, files in function_sources(template).items():
        root = out / function_id
        shutil.rmtree(root, ignore_errors=True)
        for name, source in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
        check_function_package(root, set(files))
        artifacts[function_id] = _artifact(function_id, root)
    return artifacts


# ------------------------------------------------------------------ each function with its layers
def unprovided(reached: dict[str, str], provided: dict[str, str]) -> dict[str, str]:
    """The reached modules (module → where imported) that nothing provided holds."""
    return {module: where for module, where in sorted(reached.items()) if module not in provided}


def check_function(function_id: str, package: Artifact, layers: list[Artifact]) -> FunctionTotal:
    """A function as Lambda runs it: every third-party module its code can reach is in its package or
    one of its layers, each in one place only, and package + layers fit in 250 MiB unzipped."""
    provided: dict[str, str] = {}
    for source in [package, *layers]:
        root = source.path if source is package else source.path / "python"
        for module in imports.directory_modules(root):
            if module in provided:
                raise PackagingError(f"{function_id}: {module} is in both {provided[module]} and {source.name}")
            provided[module] = source.name
    reached: dict[str, str] = {}
    for module_file in sorted(package.path.rglob("*.py")):
        for module, where in imports.reachable(module_file).items():
            reached.setdefault(module, where)
    missing = unprovided(reached, provided)
    if missing:
        names = ", ".join(layer.name for layer in layers)
        raise PackagingError(f"{function_id} imports what none of its layers ({names}) provides: "
                             + "; ".join(f"{m} ({where})" for m, where in missing.items()))
    total = FunctionTotal(function_id, tuple(layer.name for layer in layers),
                          package.size + sum(layer.size for layer in layers))
    if total.size > LAMBDA_UNZIPPED_LIMIT:
        raise PackagingError(f"{function_id} is {total.size / MIB:.1f} MiB unzipped with its layers "
                             f"({', '.join(total.layers)}); Lambda allows 250 MiB")
    return total


def build_all(out: Path = BUILD) -> Built:
    template = sam.load()
    layers = build_layers(out / "layers", template)
    functions = build_functions(out / "functions", template)
    totals = {function_id: check_function(function_id, package,
                                          [layers[layer_id] for layer_id in sam.function_layers(template, function_id)])
              for function_id, package in functions.items()}
    return Built(layers, functions, totals)


def _artifact(name: str, root: Path) -> Artifact:
    files = [p for p in root.rglob("*") if p.is_file()]
    return Artifact(name, root, len(files), sum(p.stat().st_size for p in files))
