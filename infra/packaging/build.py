"""What ``sam build`` would produce, built without Docker or an AWS account.

- ``build/layer/python``: the layer's pinned requirements installed from wheels for Lambda's
  Linux arm64 Python 3.12 (``--platform manylinux2014_aarch64 --only-binary=:all:``), plus the
  ``aj74`` package (its source only: no tests, no caches).
- ``build/functions/<FunctionId>``: each function's own code: ``app.py`` alone for the API (see the
  Makefile's ``build-ApiFunction``), the handler module for the others. Dependencies and the
  domain come from the layer.

A function package may hold only its handler module; the layer only the requirements and
``aj74``. Anything else (tests, docs, the admin site, caches, the development identity provider of
``infra/local/dev_identity``) fails the build with LeakError.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from infra import template as sam

REPO_ROOT = sam.REPO_ROOT
BUILD = REPO_ROOT / "build"
LAYER_SOURCE = REPO_ROOT / "layers" / "common"
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


class LeakError(RuntimeError):
    """An artifact holds something it must not ship."""


@dataclass(frozen=True)
class Artifact:
    name: str
    path: Path
    files: int
    size: int


def function_sources(template: dict | None = None) -> dict[str, list[Path]]:
    """The files each function's package holds: its handler module, nothing else."""
    return {function_id: [function.source] for function_id, function in sam.functions(template or sam.load()).items()}


def check_function_package(root: Path, allowed: set[str]) -> None:
    """A function package holds exactly its handler module(s), and no dev-only code."""
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
    """The layer holds installed distributions and aj74's source: no tests, docs, site or caches."""
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


def build_layer(out: Path = BUILD / "layer") -> Artifact:
    shutil.rmtree(out, ignore_errors=True)
    target = out / "python"
    target.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--no-compile", *PIP_PLATFORM, "--target", str(target),
                    "-r", str(LAYER_SOURCE / "requirements.txt")], check=True)
    shutil.copytree(LAYER_SOURCE / "aj74", target / "aj74",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.md"))
    check_layer(out)
    artifact = _artifact("CommonLayer", out)
    if artifact.size > LAMBDA_UNZIPPED_LIMIT:
        raise LeakError(f"the layer is {artifact.size / 1e6:.0f} MB unzipped; Lambda allows 250 MB in all")
    return artifact


def build_functions(out: Path = BUILD / "functions") -> list[Artifact]:
    artifacts = []
    for function_id, files in function_sources().items():
        root = out / function_id
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for source in files:
            shutil.copy2(source, root / source.name)
        check_function_package(root, {source.name for source in files})
        artifacts.append(_artifact(function_id, root))
    return artifacts


def build_all(out: Path = BUILD) -> list[Artifact]:
    return [build_layer(out / "layer"), *build_functions(out / "functions")]


def _artifact(name: str, root: Path) -> Artifact:
    files = [p for p in root.rglob("*") if p.is_file()]
    return Artifact(name, root, len(files), sum(p.stat().st_size for p in files))
