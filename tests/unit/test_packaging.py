"""make package: lean function packages, a layer for Linux arm64, and nothing leaking into either."""

from __future__ import annotations

import shutil

import pytest

from infra.packaging.build import (
    DEV_ONLY_TAG,
    LAYER_SOURCE,
    REPO_ROOT,
    LeakError,
    build_all,
    build_functions,
    check_function_package,
    check_layer,
    function_sources,
)

DEV_IDENTITY = REPO_ROOT / "infra" / "local" / "dev_identity"


def test_each_function_package_is_its_handler_module_alone():
    sources = function_sources()

    assert sources["ApiFunction"] == [REPO_ROOT / "app.py"]
    assert sources["BallotConsumerFunction"] == [REPO_ROOT / "functions" / "ballot_consumer.py"]
    for files in sources.values():
        assert all(f.is_file() for f in files)


def test_a_function_package_with_anything_else_fails(tmp_path):
    (tmp_path / "app.py").write_text("app = None\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text("")

    with pytest.raises(LeakError, match="tests/test_app.py"):
        check_function_package(tmp_path, {"app.py"})


@pytest.mark.parametrize("leak", ["python/aj74/tests/test_x.py", "python/aj74/README.md",
                                  "python/aj74/__pycache__/x.cpython-312.pyc", "python/admin_site/index.html",
                                  "python/docs/runbook.md"])
def test_a_layer_with_tests_docs_caches_or_the_site_fails(tmp_path, leak):
    (tmp_path / "python" / "aj74").mkdir(parents=True)
    (tmp_path / "python" / "aj74" / "settings.py").write_text("")
    check_layer(tmp_path)  # the clean layer passes
    path = tmp_path / leak
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")

    with pytest.raises(LeakError):
        check_layer(tmp_path)


# ------------------------------------------------------------------ dev-only code


@pytest.fixture()
def domain_as_layer(tmp_path):
    """The layer's ``python/aj74`` as ``make package`` copies it from layers/common (no wheels)."""
    shutil.copytree(LAYER_SOURCE / "aj74", tmp_path / "python" / "aj74",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.md"))
    return tmp_path


def test_every_module_of_the_development_identity_provider_is_tagged_dev_only():
    modules = sorted(DEV_IDENTITY.rglob("*.py"))

    assert {m.name for m in modules} >= {"__init__.py", "provider.py", "routes.py"}
    assert [m.name for m in modules if DEV_ONLY_TAG not in m.read_text(encoding="utf-8")] == []


def test_the_domain_package_holds_none_of_the_development_identity_provider(domain_as_layer):
    # The layer's aj74, copied as the build copies it, passes the dev-only check...
    check_layer(domain_as_layer)
    assert not list((domain_as_layer / "python").rglob("dev_provider.py"))
    assert not (domain_as_layer / "python" / "aj74" / "api" / "routes" / "dev.py").exists()


@pytest.mark.parametrize("source,dest", [
    ("provider.py", "python/aj74/identity/dev_provider.py"),  # where it lived before
    ("routes.py", "python/aj74/api/routes/dev.py"),
    ("provider.py", "python/aj74/identity/anything.py"),  # under any name: its tag gives it away
    ("__init__.py", "python/dev_identity/__init__.py"),  # beside aj74
])
def test_a_layer_holding_the_development_identity_provider_fails(domain_as_layer, source, dest):
    path = domain_as_layer / dest
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DEV_IDENTITY / source, path)

    with pytest.raises(LeakError, match="dev-only"):
        check_layer(domain_as_layer)


def test_the_function_packages_hold_none_of_it(tmp_path):
    # When the function packages are built as `make package` builds them, they pass the check...
    artifacts = build_functions(tmp_path)
    assert {a.name for a in artifacts} == set(function_sources())
    # ...and a handler that carried the provider in would not.
    (tmp_path / "ApiFunction" / "app.py").write_text((DEV_IDENTITY / "provider.py").read_text(encoding="utf-8"))
    with pytest.raises(LeakError, match="dev-only"):
        check_function_package(tmp_path / "ApiFunction", {"app.py"})


@pytest.mark.slow
def test_the_whole_build_targets_lambda_arm64_python_312(tmp_path):
    # When the artifacts are built the way `make package` builds them
    artifacts = {a.name: a for a in build_all(tmp_path)}

    # Then the layer's compiled extensions are for CPython 3.12 on aarch64, and functions are tiny
    layer = artifacts["CommonLayer"].path / "python"
    # Libraries that auditwheel vendors (numpy.libs/, scipy.libs/) carry no tag in their names: read
    # their ELF header instead (e_machine 183 is AArch64).
    vendored = [p for p in layer.rglob("*.so") if p.parent.name.endswith(".libs")]
    assert all(int.from_bytes(p.read_bytes()[18:20], "little") == 183 for p in vendored), vendored
    extensions = [p.name for p in layer.rglob("*.so") if p not in vendored]
    assert extensions and all("aarch64" in n or "abi3" in n for n in extensions), extensions[:5]
    assert any("cpython-312-aarch64" in n for n in extensions)
    assert (layer / "aj74" / "settings.py").is_file() and (layer / "pynamodb").is_dir()
    assert not list(layer.rglob("dev_provider.py")) and not list(layer.rglob("dev_identity"))
    for name, artifact in artifacts.items():
        if name != "CommonLayer":
            assert artifact.files == 1 and artifact.size < 50_000, name
    wheel_tags = [p for p in layer.glob("*.dist-info/WHEEL")]
    assert wheel_tags and not any("x86_64" in p.read_text() for p in wheel_tags)
