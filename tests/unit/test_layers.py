"""The Lambda layers (docs/decisions/020-lambda-layers.md): each function carries only what its code
imports, each layer pins its whole closure, and the development venv pins the same versions.

"What its code imports" is the static import graph of infra/packaging/imports.py: every third-party
top-level module the handler can reach through aj74, lazy imports inside functions included. What a
layer provides is read from the distributions its requirements pin, as installed in the venv
(`make package` checks the same against the built layers)."""

from __future__ import annotations

from importlib import metadata

import pytest
from packaging.requirements import Requirement

from infra import template as sam
from infra.packaging import imports
from infra.packaging.build import PACKAGE_EXTRAS, REPO_ROOT

TEMPLATE = sam.load()
LAYERS = sam.layers(TEMPLATE)
FUNCTIONS = sam.functions(TEMPLATE)
COMMON = "CommonLayer"
# Lambda's python3.12 on arm64, for the environment markers of the pinned distributions' requirements.
LAMBDA_MARKERS = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux",
                  "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix",
                  "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}


def provided(function_id: str) -> dict[str, str]:
    """Top-level modules a function finds: its layers' distributions and its own package's extras."""
    modules = {}
    for layer_id in sam.function_layers(TEMPLATE, function_id):
        modules.update({m: layer_id for m in imports.requirement_modules(LAYERS[layer_id].requirements)})
    modules.update({name.partition("/")[0]: "package" for name in PACKAGE_EXTRAS.get(function_id, ())})
    return modules


# ------------------------------------------------------------------ the template's layers
def test_every_function_carries_the_common_layer_first_and_each_layer_once():
    for function_id in FUNCTIONS:
        layer_ids = sam.function_layers(TEMPLATE, function_id)
        assert layer_ids[0] == COMMON, function_id
        assert len(layer_ids) == len(set(layer_ids)), function_id


def test_each_layer_has_a_requirements_file_and_serves_some_function():
    assert set(LAYERS) == {COMMON, "AnalysisMediaLayer", "PushLayer"}
    used = {layer_id for f in FUNCTIONS for layer_id in sam.function_layers(TEMPLATE, f)}
    assert used == set(LAYERS)
    for layer in LAYERS.values():
        assert layer.requirements.is_file(), layer
        assert imports.pins(layer.requirements), layer
    assert (LAYERS[COMMON].content_dir / "aj74" / "__init__.py").is_file()


def test_a_function_gets_the_global_layers_then_its_own_and_only_layers_of_the_template():
    template = {"Globals": {"Function": {"Layers": [{"Ref": "A"}]}},
                "Resources": {"A": {"Type": sam.LAYER, "Properties": {"ContentUri": "layers/a"}},
                              "B": {"Type": sam.LAYER, "Properties": {"ContentUri": "layers/b/"}},
                              "F": {"Type": sam.FUNCTION, "Properties": {"Handler": "f.h", "Layers": [{"Ref": "B"}]}},
                              "G": {"Type": sam.FUNCTION, "Properties": {
                                  "Handler": "g.h", "Layers": ["arn:aws:lambda:eu-central-1:1:layer:x:1"]}}}}

    assert sam.function_layers(template, "F") == ["A", "B"]  # SAM appends lists of Globals
    assert sam.layers(template)["B"].requirements == REPO_ROOT / "layers" / "b" / "requirements.txt"
    with pytest.raises(ValueError, match="not a !Ref to a LayerVersion"):
        sam.function_layers(template, "G")


# ------------------------------------------------------------------ imports against layers
@pytest.mark.parametrize("function_id", list(FUNCTIONS))
def test_each_function_reaches_only_modules_its_layers_provide(function_id):
    reached = imports.reachable(FUNCTIONS[function_id].source)

    assert {m: w for m, w in reached.items() if m not in provided(function_id)} == {}


def test_the_heavy_dependencies_reach_only_the_functions_that_import_them():
    reached = {f: set(imports.reachable(function.source)) for f, function in FUNCTIONS.items()}
    push = set(imports.requirement_modules(LAYERS["PushLayer"].requirements))
    analysis = set(imports.requirement_modules(LAYERS["AnalysisMediaLayer"].requirements))

    assert {f for f, modules in reached.items() if modules & push} == {"PushFanoutFunction"}
    assert {f for f, modules in reached.items() if modules & analysis} == {"ApiFunction", "PollSchedulerFunction"}
    # The API serves the VAPID public key (cryptography, common layer), never signs or sends.
    assert "cryptography" in reached["ApiFunction"]
    assert reached["ApiFunction"].isdisjoint({"py_vapid", "pywebpush", "requests", "aiohttp"})


def test_a_handler_reaching_a_dependency_its_layers_lack_fails(tmp_path):
    # A handler on the common layer alone that reaches the breakdowns (scipy, lazily) and the sender
    handler = tmp_path / "handler.py"
    handler.write_text("from aj74.polls import breakdown\n\n\ndef handler(event, context):\n"
                       "    from aj74.push import delivery\n    return delivery, breakdown\n")
    common = imports.requirement_modules(LAYERS[COMMON].requirements)

    missing = {m for m in imports.reachable(handler) if m not in common}

    assert {"numpy", "scipy", "pywebpush", "py_vapid", "requests"} <= missing
    assert imports.reachable(handler)["scipy"].startswith("layers/common/aj74/polls/disclosure.py:")


def test_the_walk_counts_lazy_imports_and_skips_type_checking_and_optional_ones(tmp_path):
    handler = tmp_path / "handler.py"
    handler.write_text(
        "from typing import TYPE_CHECKING\nimport json\n"
        "if TYPE_CHECKING:\n    import numpy\nelse:\n    import yaml\n"
        "try:\n    import optional_thing\nexcept ModuleNotFoundError:\n    optional_thing = None\n"
        "try:\n    import needed_thing\nexcept ValueError:\n    pass\n"
        "def handler(event, context):\n    import PIL.Image\n    from aj74 import ids\n")

    assert set(imports.reachable(handler)) == {"yaml", "needed_thing", "PIL"}


# ------------------------------------------------------------------ the pins
def test_no_distribution_is_pinned_in_two_layers():
    owners: dict[str, list[str]] = {}
    for layer in LAYERS.values():
        for name in imports.pins(layer.requirements):
            owners.setdefault(name, []).append(layer.layer_id)

    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.parametrize("layer_id", list(LAYERS))
def test_each_layer_pins_its_whole_closure_beyond_the_common_layer(layer_id):
    # `make package` installs each layer with --no-deps: a dependency missing here is missing on Lambda.
    own = imports.pins(LAYERS[layer_id].requirements)
    available = {**imports.pins(LAYERS[COMMON].requirements), **own}
    problems = []
    for name, version in own.items():
        assert metadata.version(name) == version, f"{name}: the venv has {metadata.version(name)}, not {version}"
        for spec in metadata.requires(name) or []:
            requirement = Requirement(spec)
            if requirement.marker and not requirement.marker.evaluate(LAMBDA_MARKERS):
                continue
            dependency = imports.canonical(requirement.name)
            if dependency not in available:
                problems.append(f"{name} needs {dependency}, pinned in neither {layer_id} nor {COMMON}")
            elif not requirement.specifier.contains(available[dependency], prereleases=True):
                problems.append(f"{name} needs {requirement}, {dependency}=={available[dependency]} is pinned")

    assert problems == []


def test_the_development_venv_pins_every_layer_requirement_at_the_same_version():
    dev = imports.pins(REPO_ROOT / "requirements" / "dev.txt")
    for layer in LAYERS.values():
        assert {n: v for n, v in imports.pins(layer.requirements).items() if dev.get(n) != v} == {}, layer.layer_id
    dev_in = (REPO_ROOT / "requirements" / "dev.in").read_text(encoding="utf-8")
    for layer in LAYERS.values():
        assert f"-r ../{layer.requirements.relative_to(REPO_ROOT).as_posix()}" in dev_in
