"""make package: lean function packages, a layer for Linux arm64, and nothing leaking into either."""

from __future__ import annotations

import pytest

from infra.packaging.build import (
    REPO_ROOT,
    LeakError,
    build_all,
    check_function_package,
    check_layer,
    function_sources,
)


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
    for name, artifact in artifacts.items():
        if name != "CommonLayer":
            assert artifact.files == 1 and artifact.size < 50_000, name
    wheel_tags = [p for p in layer.glob("*.dist-info/WHEEL")]
    assert wheel_tags and not any("x86_64" in p.read_text() for p in wheel_tags)
