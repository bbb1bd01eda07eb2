"""template.yaml, read in one place: the one reader of the SAM template.

Provisioning (``infra/local/provision.py``), packaging (``infra/packaging/build.py``), the
permissions check (``infra/permissions.py``), the benchmarks and the tests all take the template
from here:

- :func:`load`: the template as a dict, CloudFormation short-form tags (``!Ref``, ``!Sub``) included;
- :func:`resources`, :func:`tables`, :func:`queues`: the declared resources of one type;
- :func:`functions` / :func:`function`: each ``AWS::Serverless::Function`` with its code
  directory, handler module and attribute (:class:`Function`);
- :func:`function_properties`: a function's properties merged over ``Globals.Function``;
- :func:`layers` / :func:`function_layers`: each ``AWS::Serverless::LayerVersion`` with its content
  directory (:class:`Layer`), and the layers a function carries, in order (docs/decisions/020);
- :func:`environment`: a function's ``Environment.Variables`` merged over the Globals' (unresolved);
- :func:`stand_in_environment`: that environment as Lambda would set it, intrinsics replaced by
  plausible stand-ins (for importing a handler without a stack).

Values stay as written: resolving ``!Ref`` against a stack is the provisioner's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PATH = REPO_ROOT / "template.yaml"
# The region and account the local stack runs in (moto's default account), and stand-ins assume.
REGION = "eu-central-1"
ACCOUNT_ID = "123456789012"

FUNCTION = "AWS::Serverless::Function"
LAYER = "AWS::Serverless::LayerVersion"
TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"


def load(path: Path = PATH) -> dict[str, Any]:
    """Parse a SAM template, short tags (``!Ref``, ``!GetAtt``, ``!Sub``) included."""
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ resources
def resources(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """The declared resources of one type, by logical id, in template order."""
    return {lid: r for lid, r in (template.get("Resources") or {}).items() if r.get("Type") == resource_type}


def tables(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return resources(template, TABLE)


def queues(template: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return resources(template, QUEUE)


# ------------------------------------------------------------------ functions
@dataclass(frozen=True)
class Function:
    """A function of the template and where Lambda finds its code: ``CodeUri`` + ``Handler``."""

    function_id: str
    code_uri: str  # as written, without surrounding slashes: "." or "functions"
    module: str  # the handler's module, relative to the code directory
    attribute: str

    @property
    def code_dir(self) -> Path:
        """The function's ``CodeUri``: Lambda's working directory and ``sys.path[0]``."""
        return (REPO_ROOT / self.code_uri).resolve()

    @property
    def source(self) -> Path:
        """The handler module's file, the one file of the function's package."""
        return self.code_dir / (self.module.replace(".", "/") + ".py")

    @property
    def import_path(self) -> str:
        """The handler module as imported from the repository root (``functions.ballot_consumer``)."""
        return self.module if self.code_uri in ("", ".") else f"{self.code_uri.replace('/', '.')}.{self.module}"


def _globals(template: Mapping[str, Any]) -> dict[str, Any]:
    return (template.get("Globals") or {}).get("Function") or {}


def _own_properties(template: Mapping[str, Any], function_id: str) -> dict[str, Any]:
    resource = (template.get("Resources") or {}).get(function_id)
    if not resource or resource.get("Type") != FUNCTION:
        raise KeyError(f"{function_id} is not an {FUNCTION} of the template")
    return resource.get("Properties") or {}


def function_properties(template: Mapping[str, Any], function_id: str) -> dict[str, Any]:
    """A function's properties over ``Globals.Function``, as SAM merges a top-level property."""
    return {**_globals(template), **_own_properties(template, function_id)}


def function(template: Mapping[str, Any], function_id: str,
             resolve: Callable[[Any], Any] = lambda value: value) -> Function:
    """One function's code and handler; ``resolve`` resolves intrinsics in them (the provisioner's)."""
    props = function_properties(template, function_id)
    code_uri = str(resolve(props.get("CodeUri", "."))).strip("/") or "."
    module, attribute = str(resolve(props["Handler"])).rsplit(".", 1)
    return Function(function_id, code_uri, module, attribute)


def functions(template: Mapping[str, Any]) -> dict[str, Function]:
    """Every ``AWS::Serverless::Function`` by logical id, in template order."""
    return {function_id: function(template, function_id) for function_id in resources(template, FUNCTION)}


# ------------------------------------------------------------------ layers
@dataclass(frozen=True)
class Layer:
    """A layer of the template: ``ContentUri`` holds its ``requirements.txt`` (and, for the common
    layer, the ``aj74`` package); SAM installs them under ``python/``."""

    layer_id: str
    content_uri: str

    @property
    def content_dir(self) -> Path:
        return (REPO_ROOT / self.content_uri).resolve()

    @property
    def requirements(self) -> Path:
        return self.content_dir / "requirements.txt"


def layers(template: Mapping[str, Any]) -> dict[str, Layer]:
    """Every ``AWS::Serverless::LayerVersion`` by logical id, in template order."""
    return {layer_id: Layer(layer_id, str(resource["Properties"]["ContentUri"]).strip("/"))
            for layer_id, resource in resources(template, LAYER).items()}


def function_layers(template: Mapping[str, Any], function_id: str) -> list[str]:
    """The logical ids of the layers ``function_id`` carries, in Lambda's order: SAM appends a
    function's own ``Layers`` to those of ``Globals.Function`` (lists add up, unlike scalars).
    Only ``!Ref`` to a layer of this template is accepted: a layer from elsewhere could not be checked."""
    own = _own_properties(template, function_id).get("Layers") or []
    declared = layers(template)
    ids = []
    for entry in [*(_globals(template).get("Layers") or []), *own]:
        if not (isinstance(entry, dict) and entry.get("Ref") in declared):
            raise ValueError(f"{function_id}: layer {entry!r} is not a !Ref to a LayerVersion of the template")
        ids.append(entry["Ref"])
    return ids


def environment(template: Mapping[str, Any], function_id: str) -> dict[str, Any]:
    """``Globals`` + the function's own ``Environment.Variables``, still unresolved."""
    merged: dict[str, Any] = {}
    for props in (_globals(template), _own_properties(template, function_id)):
        merged.update(((props.get("Environment") or {}).get("Variables")) or {})
    return merged


def _stand_in(value: Any, template: Mapping[str, Any], function_id: str) -> str:
    """A plausible value for an environment variable given as an intrinsic function."""
    if not isinstance(value, dict):
        return str(value)
    if "Ref" in value:
        name = value["Ref"]
        parameter = (template.get("Parameters") or {}).get(name)
        if parameter is not None:
            if "Default" in parameter:
                return str(parameter["Default"])
            return "stand-in-" + "x" * max(32, int(parameter.get("MinLength", 0)))
        kind = template["Resources"].get(name, {}).get("Type", "")
        if kind == QUEUE:
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/aj74-{name}"
        return f"aj74-{name}"
    return f"aj74-{function_id}-value"


def stand_in_environment(template: Mapping[str, Any], function_id: str) -> dict[str, str]:
    """The environment Lambda would give ``function_id`` (:func:`environment`), each intrinsic
    replaced by a stand-in: a parameter's default, ``aj74-<LogicalId>`` for a resource."""
    env = {name: _stand_in(value, template, function_id) for name, value in environment(template, function_id).items()}
    env.update({"AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION, "AWS_LAMBDA_FUNCTION_NAME": function_id})
    return env
