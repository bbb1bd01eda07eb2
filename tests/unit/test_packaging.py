"""make package: lean function packages, layers for Linux arm64, nothing leaking into either, and each
function with what it imports, within Lambda's 250 MiB (the layers' split: tests/unit/test_layers.py)."""

from __future__ import annotations

import shutil

import pytest

from infra.packaging.build import (
    CHALICE_RUNTIME,
    DEV_ONLY_TAG,
    LAMBDA_UNZIPPED_LIMIT,
    LAYER_SOURCE,
    REPO_ROOT,
    Artifact,
    LeakError,
    PackagingError,
    build_all,
    build_functions,
    check_function,
    check_function_package,
    check_layer,
    function_sources,
)

DEV_IDENTITY = REPO_ROOT / "infra" / "local" / "dev_identity"


def test_each_function_package_is_its_handler_module_alone():
    sources = function_sources()

    # The API carries the Chalice runtime beside app.py, as `chalice package` ships it.
    assert sources["ApiFunction"] == {"app.py": REPO_ROOT / "app.py",
                                      **{name: sources["ApiFunction"][name] for name in CHALICE_RUNTIME}}
    assert sources["ApiFunction"]["chalice/app.py"].parent.name == "chalice"
    assert sources["BallotConsumerFunction"] == {"ballot_consumer.py": REPO_ROOT / "functions" / "ballot_consumer.py"}
    for files in sources.values():
        assert all(f.is_file() for f in files.values())


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
    assert set(artifacts) == set(function_sources())
    # ...and a handler that carried the provider in would not.
    (tmp_path / "ApiFunction" / "app.py").write_text((DEV_IDENTITY / "provider.py").read_text(encoding="utf-8"))
    with pytest.raises(LeakError, match="dev-only"):
        check_function_package(tmp_path / "ApiFunction", {"app.py", *CHALICE_RUNTIME})


# ------------------------------------------------------------------ a function with its layers


def fake_layer(root, name, modules, size=0):
    python = root / name / "python"
    python.mkdir(parents=True)
    for module in modules:
        (python / module).mkdir()
        (python / module / "__init__.py").write_text("")
    (python / "padding.bin").write_bytes(b"")
    return Artifact(name, root / name, len(modules), size)


def fake_package(root, code):
    (root / "Fn").mkdir()
    (root / "Fn" / "handler.py").write_text(code)
    return Artifact("Fn", root / "Fn", 1, len(code))


def test_a_function_whose_layers_provide_what_it_imports_gets_its_total(tmp_path):
    package = fake_package(tmp_path, "def handler(e, c):\n    import scipy\n    import pynamodb\n")
    layers = [fake_layer(tmp_path, "Core", ["pynamodb"], 40), fake_layer(tmp_path, "Analysis", ["scipy"], 100)]

    total = check_function("Fn", package, layers)

    assert total.size == package.size + 140 and total.layers == ("Core", "Analysis")
    assert total.headroom == LAMBDA_UNZIPPED_LIMIT - total.size


def test_a_function_importing_what_its_layers_lack_fails(tmp_path):
    package = fake_package(tmp_path, "def handler(e, c):\n    from aj74.push import delivery\n")

    with pytest.raises(PackagingError, match=r"pywebpush \(layers/common/aj74/push/delivery.py:\d+\)"):
        check_function("Fn", package, [fake_layer(tmp_path, "Core", ["aj74", "requests", "py_vapid"])])


def test_a_module_in_two_layers_of_a_function_fails(tmp_path):
    package = fake_package(tmp_path, "import six\n")
    layers = [fake_layer(tmp_path, "Core", ["six"]), fake_layer(tmp_path, "Push", ["six"])]

    with pytest.raises(PackagingError, match="six is in both Core and Push"):
        check_function("Fn", package, layers)


def test_a_function_over_250_mib_with_its_layers_fails(tmp_path):
    package = fake_package(tmp_path, "import numpy\n")
    layers = [fake_layer(tmp_path, "Core", [], LAMBDA_UNZIPPED_LIMIT - 1000),
              fake_layer(tmp_path, "Analysis", ["numpy"], 1000)]

    with pytest.raises(PackagingError, match="Lambda allows 250 MiB"):
        check_function("Fn", package, layers)


@pytest.mark.slow
def test_the_whole_build_targets_lambda_arm64_python_312(tmp_path):
    # When the artifacts are built the way `make package` builds them
    built = build_all(tmp_path)

    # Then each layer's compiled extensions are for CPython 3.12 on aarch64, and functions are tiny
    assert set(built.layers) == {"CommonLayer", "AnalysisMediaLayer", "PushLayer"}
    for artifact in built.layers.values():
        layer = artifact.path / "python"
        # Libraries that auditwheel vendors (numpy.libs/, scipy.libs/) carry no tag in their names:
        # read their ELF header instead (e_machine 183 is AArch64).
        vendored = [p for p in layer.rglob("*.so") if p.parent.name.endswith(".libs")]
        assert all(int.from_bytes(p.read_bytes()[18:20], "little") == 183 for p in vendored), vendored
        extensions = [p.name for p in layer.rglob("*.so") if p not in vendored]
        assert extensions and all("aarch64" in n or "abi3" in n for n in extensions), extensions[:5]
        assert any("cpython-312-aarch64" in n for n in extensions)
        assert not list(layer.rglob("dev_provider.py")) and not list(layer.rglob("dev_identity"))
        wheel_tags = [p for p in layer.glob("*.dist-info/WHEEL")]
        assert wheel_tags and not any("x86_64" in p.read_text() for p in wheel_tags)
    common = built.layers["CommonLayer"].path / "python"
    assert (common / "aj74" / "settings.py").is_file() and (common / "jwt").is_dir()
    assert not (common / "scipy").exists() and not (common / "pywebpush").exists()
    assert (built.layers["AnalysisMediaLayer"].path / "python" / "scipy").is_dir()
    assert not (built.layers["AnalysisMediaLayer"].path / "python" / "aj74").exists()
    assert (built.layers["PushLayer"].path / "python" / "pywebpush").is_dir()
    for name, artifact in built.functions.items():
        assert artifact.files == (1 + len(CHALICE_RUNTIME) if name == "ApiFunction" else 1), name
        assert artifact.size < 200_000, name
    # and every function fits with its layers, the ones without numpy and scipy with room to spare.
    assert all(t.size < LAMBDA_UNZIPPED_LIMIT for t in built.totals.values())
    assert built.totals["PushFanoutFunction"].size < 100 * 1024 * 1024
    assert built.totals["BallotConsumerFunction"].layers == ("CommonLayer",)
