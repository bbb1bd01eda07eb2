"""template.yaml is the one source of truth: it agrees with the code and is deployable as written.

Checked offline: cfn-lint, the SAM transform (with IAM stubbed, see below), the API routes against
the Chalice app, and every handler against the code that Lambda would load.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

from infra import template as sam
from infra.template import PATH as TEMPLATE
from infra.template import REPO_ROOT

_PRINT_ROUTES = (
    "import json, app; "
    "print(json.dumps([[p, m] for p, ms in app.app.routes.items() for m in ms]))"
)


@pytest.fixture(scope="module")
def template() -> dict:
    return sam.load()


@pytest.fixture(scope="module")
def deployed_routes(template) -> set[tuple[str, str]]:
    """(path, method) of the Chalice app as Lambda loads it in production (STAGE=prod, no /dev)."""
    env = {**os.environ, **sam.stand_in_environment(template, "ApiFunction"), "STAGE": "prod"}
    done = subprocess.run([sys.executable, "-c", _PRINT_ROUTES], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {(path, method.upper()) for path, method in json.loads(done.stdout.strip().splitlines()[-1])}


def api_events(template: dict) -> list[tuple[str, str, str, str]]:
    """(function, event, path, METHOD) for every Api event in the template."""
    events = []
    for function_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event_id, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "Api":
                props = event["Properties"]
                events.append((function_id, event_id, props["Path"], props["Method"].upper()))
    return events


# ------------------------------------------------------------------ routes


def test_every_route_of_the_app_has_exactly_one_api_event(template, deployed_routes):
    declared = [(path, method) for _, _, path, method in api_events(template)]

    missing = sorted(r for r in deployed_routes if declared.count(r) == 0)
    doubled = sorted(r for r in deployed_routes if declared.count(r) > 1)

    assert missing == [], f"routes served by app.py but absent from template.yaml: {missing}"
    assert doubled == [], f"routes declared more than once in template.yaml: {doubled}"


def test_no_api_event_names_a_route_the_app_does_not_serve(template, deployed_routes):
    phantom = sorted((event, path, method) for _, event, path, method in api_events(template)
                     if method != "OPTIONS" and (path, method) not in deployed_routes)

    assert phantom == [], f"template.yaml routes to nothing in app.py: {phantom}"


def test_every_path_routes_its_preflight_to_the_function_and_the_api_has_no_cors_mock(template, deployed_routes):
    # API Gateway's Cors mock answers with one fixed origin; the middleware echoes either web origin.
    preflights = [path for _, _, path, method in api_events(template) if method == "OPTIONS"]
    paths = {path for path, _ in deployed_routes}

    assert sorted(preflights) == sorted(paths)
    assert "Cors" not in template["Resources"]["Api"]["Properties"]
    assert "RESIDENT_ORIGIN" in template["Globals"]["Function"]["Environment"]["Variables"]


def test_every_api_event_goes_to_the_api_function(template):
    elsewhere = [(f, e) for f, e, _, _ in api_events(template) if f != "ApiFunction"]

    assert elsewhere == []


def strings_in(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def test_the_template_has_no_dev_route(template):
    # The development identity provider must never be reachable in AWS, not even by a stray path.
    assert [s for s in strings_in(template) if s.startswith("/dev")] == []


# ------------------------------------------------------------------ validity


def test_cfn_lint_passes():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    done = subprocess.run([str(cfn_lint), str(TEMPLATE)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)

    assert done.returncode == 0, done.stdout + done.stderr


class FixedManagedPolicies(ManagedPolicyLoader):
    """IAM is the one part mocked: the translator asks IAM for managed-policy ARNs, and no AWS
    account is reachable from the test machine. AWS-managed policy ARNs are fixed, so this is exact."""

    def __init__(self) -> None:
        super().__init__(iam_client=None)

    def load(self) -> dict[str, str]:
        return {
            "AWSLambdaBasicExecutionRole":
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSLambdaSQSQueueExecutionRole":
                "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
            "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        }


@pytest.fixture(scope="module")
def transformed(template) -> dict:
    packaged = copy.deepcopy(template)
    # What `sam package` does first: local code directories become S3 objects.
    for logical_id, resource in packaged["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = f"s3://aj74-artifacts/{logical_id}.zip"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_DEFAULT_REGION", "eu-central-1")
        return transform(packaged, {"BallotKeySecret": "s" * 32, "AWS::Region": "eu-central-1"},
                         FixedManagedPolicies())


def test_sam_transform_yields_the_rest_api_and_every_function(template, transformed):
    resources = transformed["Resources"]
    functions = [f for f, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]

    assert resources["Api"]["Type"] == "AWS::ApiGateway::RestApi"
    for function_id in functions:
        assert resources[function_id]["Type"] == "AWS::Lambda::Function"
    assert not [r for r in resources.values() if r["Type"].startswith("AWS::Serverless::")]


def test_transformed_rest_api_serves_the_app_routes(transformed, deployed_routes):
    paths = transformed["Resources"]["Api"]["Properties"]["Body"]["paths"]
    served = {(path, method.upper()) for path, methods in paths.items() for method in methods
              if method != "options"}

    assert served == deployed_routes


def test_the_ballot_queue_consumer_reports_partial_batch_failures(transformed):
    # Chalice never sets this; without it one bad ballot makes the whole batch redeliver.
    mappings = [r["Properties"] for r in transformed["Resources"].values()
                if r["Type"] == "AWS::Lambda::EventSourceMapping"]

    assert mappings
    assert all(m.get("FunctionResponseTypes") == ["ReportBatchItemFailures"] for m in mappings)


# ------------------------------------------------------------------ handlers


_IMPORT_HANDLER = """
import importlib, sys
module = importlib.import_module(sys.argv[1])
target = getattr(module, sys.argv[2], None)
if target is None:
    sys.exit(f"{sys.argv[1]} has no attribute {sys.argv[2]!r}")
if not callable(target):
    sys.exit(f"{sys.argv[1]}.{sys.argv[2]} is not callable")
"""


@pytest.mark.parametrize("handler", sam.functions(sam.load()).values(), ids=lambda h: h.function_id)
def test_every_handler_imports_and_is_callable(template, handler):
    # Given the module file Lambda would load (the lead may not have written it yet)
    if not handler.source.is_file():
        pytest.xfail("not written yet")

    # When it is imported the way Lambda does: from its CodeUri, with the template's environment
    env = {**os.environ, **sam.stand_in_environment(template, handler.function_id)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([sys.executable, "-c", _IMPORT_HANDLER, handler.module, handler.attribute],
                          cwd=handler.code_dir, env=env, capture_output=True, text=True, timeout=120)

    # Then the handler named in template.yaml exists and can be called
    assert done.returncode == 0, (
        f"{handler.function_id}: Handler {handler.module}.{handler.attribute} from "
        f"{handler.code_dir.relative_to(REPO_ROOT)}/ is broken:\n{done.stderr}")


# CloudFormation refuses a stack of more than 500 resources. The API's route and preflight events
# each become a Lambda permission after the SAM transform, so the count grows with every path;
# keep headroom for a few releases (docs/decisions/019-resident-app.md has the figure).
CLOUDFORMATION_RESOURCE_LIMIT = 500
RESOURCE_BUDGET = 400


def test_the_transformed_stack_stays_well_inside_cloudformations_resource_limit(transformed):
    count = len(transformed["Resources"])
    print(f"{count} resources after the SAM transform")
    assert count <= RESOURCE_BUDGET < CLOUDFORMATION_RESOURCE_LIMIT, (
        f"{count} resources after the SAM transform; CloudFormation's limit is {CLOUDFORMATION_RESOURCE_LIMIT}")
