"""Provision the local AWS (moto server) from ``template.yaml`` and describe what was created.

moto's CloudFormation creates the tables, queues and topics straight from the untransformed SAM
template and skips ``AWS::Serverless::*``; this module fills in what the local drivers need from
those skipped resources: each function's module, handler, timeout, events and resolved
environment. Nothing here names a specific table or queue, so a resource added to the template
appears locally with no other change.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra import template as sam
from infra.local import buckets, secret_store, territories, topic_subscriptions
from infra.template import ACCOUNT_ID, FUNCTION, QUEUE, REGION, TABLE, TOPIC

log = logging.getLogger(__name__)

STACK_NAME = "aj74-local"

BUCKET = buckets.BUCKET
HTTP_EVENT_TYPES = frozenset({"Api", "HttpApi"})
# Event types the local drivers know how to deliver.
DRIVEN_EVENT_TYPES = frozenset({"SQS", "Schedule"})
# Secrets the local stack invents per start when the caller gives none (NoEcho, no default).
GENERATED_PARAMETERS: frozenset[str] = frozenset()


class UnresolvedError(ValueError):
    """A template value refers to something the local stack cannot resolve."""


@dataclass(frozen=True)
class Credentials:
    """An access key of the local AWS (an IAM user's, or an assumed role's with its session token)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    principal_arn: str = ""

    def env(self) -> dict[str, str]:
        """The variables that make boto3 in a child process use these credentials (and only them)."""
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env

    def client_kwargs(self) -> dict[str, str]:
        kwargs = {"aws_access_key_id": self.access_key_id, "aws_secret_access_key": self.secret_access_key}
        if self.session_token:
            kwargs["aws_session_token"] = self.session_token
        return kwargs


# moto's dummy keys: accepted while moto does not authorise requests (before the local stack turns
# IAM enforcement on, and always on a moto started without it), refused afterwards.
UNAUTHENTICATED = Credentials("testing", "testing")
# Credentials to use by default against one endpoint: the local stack registers its administrator here
# once enforcement is on, so ``aws_client(service, endpoint)`` in tests and tools keeps working.
_endpoint_credentials: dict[str, Credentials] = {}


def register_credentials(endpoint_url: str, credentials: Credentials | None) -> None:
    """Make ``credentials`` the default of :func:`aws_client` for ``endpoint_url`` (None: forget)."""
    if credentials is None:
        _endpoint_credentials.pop(endpoint_url.rstrip("/"), None)
    else:
        _endpoint_credentials[endpoint_url.rstrip("/")] = credentials


def default_credentials(endpoint_url: str) -> Credentials:
    return _endpoint_credentials.get(endpoint_url.rstrip("/"), UNAUTHENTICATED)


def aws_client(service: str, endpoint_url: str, region: str = REGION, credentials: Credentials | None = None):
    """A boto3 client for the local AWS, never with the developer's credentials: ``credentials``, else
    those registered for the endpoint (the local stack's administrator), else moto's dummy keys."""
    credentials = credentials or default_credentials(endpoint_url)
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        **credentials.client_kwargs(),
    )


@dataclass(frozen=True)
class SqsEventSource:
    """An ``SQS`` event of a function: what Lambda's event source mapping would poll."""

    name: str
    queue_logical_id: str
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    batching_window_seconds: float = 0
    report_batch_item_failures: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class ScheduleEventSource:
    """A ``Schedule`` event of a function: an EventBridge rule that invokes it."""

    name: str
    expression: str
    rule_name: str
    rule_arn: str
    input: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class FunctionSpec:
    """One ``AWS::Serverless::Function`` as the local drivers run it."""

    logical_id: str
    function_name: str
    module: str
    attribute: str
    timeout_seconds: int
    memory_mb: int
    region: str = REGION
    sqs_events: tuple[SqsEventSource, ...] = ()
    schedule_events: tuple[ScheduleEventSource, ...] = ()
    http_event_names: tuple[str, ...] = ()
    other_event_types: tuple[str, ...] = ()

    @property
    def is_http(self) -> bool:
        return bool(self.http_event_names)

    @property
    def is_driven(self) -> bool:
        """True when a local driver (SQS poller or scheduler) has something to invoke it with."""
        return any(e.enabled for e in self.sqs_events) or any(e.enabled for e in self.schedule_events)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"


@dataclass
class StackResources:
    """What exists in the local AWS for one stack, and how template values resolve against it."""

    stack_name: str
    endpoint_url: str
    region: str
    template: dict[str, Any]
    parameters: dict[str, str]
    physical_ids: dict[str, str]
    resource_types: dict[str, str]
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)

    # -------------------------------------------------------------- lookups
    def of_type(self, resource_type: str) -> dict[str, str]:
        """Physical ids (queue URLs for queues) by logical id, for one resource type."""
        return {lid: self.ref(lid) for lid, t in self.resource_types.items() if t == resource_type}

    @property
    def tables(self) -> dict[str, str]:
        return self.of_type(TABLE)

    @property
    def queues(self) -> dict[str, str]:
        return self.of_type(QUEUE)

    @property
    def topics(self) -> dict[str, str]:
        return self.of_type(TOPIC)

    def ref(self, name: str) -> str:
        """What ``!Ref name`` yields: a parameter value, a pseudo parameter or a physical id."""
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT_ID}:stack/{self.stack_name}/0",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.physical_ids:
            if self.resource_types[name] == QUEUE:
                return self.attributes[name]["QueueUrl"]
            return self.physical_ids[name]
        if name in self.template.get("Resources", {}):
            kind = self.template["Resources"][name].get("Type")
            raise UnresolvedError(f"!Ref {name}: {kind} does not exist on the local stack")
        raise UnresolvedError(f"!Ref {name}: no such parameter or resource")

    def get_att(self, name: str, attribute: str) -> str:
        """What ``!GetAtt name.attribute`` yields for a provisioned resource."""
        try:
            return self.attributes[name][attribute]
        except KeyError:
            raise UnresolvedError(f"!GetAtt {name}.{attribute}: not available on the local stack") from None

    def resolve(self, value: Any) -> Any:
        """Resolve intrinsic functions in a template value (recursively)."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self.get_att(name, self.resolve(attribute))
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                sep, items = arg
                return self.resolve(sep).join(str(i) for i in self.resolve(items))
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                sep, text = arg
                return self.resolve(text).split(self.resolve(sep))
            if key == "Fn::If":
                # Only the branch taken is resolved: the other may name a resource of AWS alone.
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if key.startswith("Fn::") or key == "Condition":
                raise UnresolvedError(f"{key} is not supported by the local stack")
        return {k: self.resolve(v) for k, v in value.items()}

    def condition(self, name: str) -> bool:
        """The value of one of the template's ``Conditions`` on this stack."""
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise UnresolvedError(f"no condition {name} in the template")
        return bool(self._evaluate(conditions[name]))

    def _evaluate(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Fn::Equals":
                left, right = (self._evaluate(v) for v in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self._evaluate(arg[0])
            if key == "Fn::And":
                return all(self._evaluate(v) for v in arg)
            if key == "Fn::Or":
                return any(self._evaluate(v) for v in arg)
            if key == "Condition":
                return self.condition(arg)
        return self.resolve(value)

    def _sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))
        out, i = [], 0
        while (start := text.find("${", i)) != -1:
            end = text.index("}", start)
            out.append(text[i:start])
            token = text[start + 2 : end]
            if token.startswith("!"):
                out.append("${" + token[1:] + "}")  # ${!Literal} escapes a literal ${Literal}
            elif token in variables:
                out.append(str(variables[token]))
            elif "." in token and not token.startswith("AWS::"):
                out.append(self.get_att(*token.split(".", 1)))
            else:
                out.append(self.ref(token))
            i = end + 1
        out.append(text[i:])
        return "".join(out)

    # -------------------------------------------------------------- function environment
    def env_template(self, function_logical_id: str) -> dict[str, Any]:
        """Globals + the function's own ``Environment.Variables``, still unresolved."""
        return sam.environment(self.template, function_logical_id)

    def env_for(self, function_logical_id: str, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
        """The function's environment as Lambda would set it, resolved against this stack."""
        env = {k: _env_string(self.resolve(v)) for k, v in self.env_template(function_logical_id).items()}
        env.update(overrides or {})
        return env


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise UnresolvedError(f"environment value did not resolve to a string: {value!r}")
    return str(value)


def _parameter_values(template: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str]:
    declared = template.get("Parameters") or {}
    unknown = set(given) - set(declared)
    if unknown:
        raise ValueError(f"parameters not declared in the template: {', '.join(sorted(unknown))}")
    values: dict[str, str] = {}
    for name, spec in declared.items():
        if name in given:
            values[name] = str(given[name])
        elif "Default" in spec:
            values[name] = _env_string(spec["Default"])
        elif name in GENERATED_PARAMETERS:
            values[name] = secrets.token_urlsafe(32)  # 43 characters, fresh per local stack
        else:
            raise ValueError(f"template parameter {name} has no default; pass it explicitly")
    return values


# ------------------------------------------------------------------ provisioning
def provision(
    endpoint_url: str,
    stage: str = "local",
    stack_name: str = STACK_NAME,
    parameters: Mapping[str, str] | None = None,
    template_path: Path = sam.PATH,
    region: str = REGION,
) -> StackResources:
    """Create the stack in the local AWS from scratch and describe it.

    An existing stack of the same name is deleted first, including resources its template retains
    (``DeletionPolicy: Retain``): the local stack is ephemeral and reseeded on every start.
    """
    template = sam.load(template_path)
    values = _parameter_values(template, {"Stage": stage, **(parameters or {})})
    cloudformation = aws_client("cloudformation", endpoint_url, region)
    _delete_stack(endpoint_url, stack_name, region)
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=template_path.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
    )
    status = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
    if status != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name} ended in {status}")
    resources = describe(endpoint_url, stack_name, values, template, region)
    # moto's CloudFormation skips Secrets Manager: create the template's secrets afresh, as it would.
    secretsmanager = aws_client("secretsmanager", endpoint_url, region)
    secret_store.delete(resources, secretsmanager)
    secret_store.create(resources, secretsmanager)
    resources = describe(endpoint_url, stack_name, values, template, region)
    # ... and ignores buckets' versioning and Object Lock: apply them (the audit anchor bucket).
    buckets.complete(resources, aws_client("s3", endpoint_url, region))
    territories.seed(resources, aws_client("dynamodb", endpoint_url, region))
    # ... and SNS subscriptions (BulletinTopic → PushQueue): subscribe as it would.
    topic_subscriptions.create(resources, aws_client("sns", endpoint_url, region))
    log.info("provisioned %s: %s", stack_name, ", ".join(sorted(resources.physical_ids)))
    return resources


def attach(
    endpoint_url: str,
    stack_name: str = STACK_NAME,
    template_path: Path = sam.PATH,
    region: str = REGION,
) -> StackResources:
    """Describe a stack that already exists in the local AWS (used by the per-function runners)."""
    cloudformation = aws_client("cloudformation", endpoint_url, region)
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    template = sam.load(template_path)
    declared = template.get("Parameters") or {}
    # NoEcho values may come back masked; leave them out so a reference to one fails loudly.
    values = {
        p["ParameterKey"]: p["ParameterValue"]
        for p in stack.get("Parameters", [])
        if not (declared.get(p["ParameterKey"]) or {}).get("NoEcho")
    }
    return describe(endpoint_url, stack_name, values, template, region)


def describe(
    endpoint_url: str,
    stack_name: str,
    parameters: dict[str, str],
    template: dict[str, Any],
    region: str = REGION,
) -> StackResources:
    declared = template.get("Resources") or {}
    cloudformation = aws_client("cloudformation", endpoint_url, region)
    summaries = []
    for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name):
        summaries.extend(page["StackResourceSummaries"])
    physical_ids, types = {}, {}
    for summary in summaries:
        logical_id = summary.get("LogicalResourceId")
        if logical_id in declared and summary.get("PhysicalResourceId"):
            physical_ids[logical_id] = summary["PhysicalResourceId"]
            types[logical_id] = summary["ResourceType"]
    resources = StackResources(
        stack_name=stack_name,
        endpoint_url=endpoint_url,
        region=region,
        template=template,
        parameters=parameters,
        physical_ids=physical_ids,
        resource_types=types,
    )
    for logical_id, arn in secret_store.find(resources, aws_client("secretsmanager", endpoint_url, region)).items():
        resources.physical_ids[logical_id] = arn
        resources.resource_types[logical_id] = secret_store.SECRET
    resources.attributes = _attributes(resources)
    resources.functions = {
        lid: _function_spec(resources, lid) for lid, resource in declared.items() if resource.get("Type") == FUNCTION
    }
    return resources


def function_role_name(stack_name: str, function_logical_id: str) -> str:
    """The name of a function's execution role on the local AWS (infra/local/iam.py creates it)."""
    return f"{stack_name}-{function_logical_id}Role"[:64]


def _attributes(resources: StackResources) -> dict[str, dict[str, str]]:
    sqs = aws_client("sqs", resources.endpoint_url, resources.region)
    dynamodb = aws_client("dynamodb", resources.endpoint_url, resources.region)
    attributes: dict[str, dict[str, str]] = {}
    # SAM's implicit execution role of each function without an explicit Role, ``<Function>Role``:
    # ``!GetAtt ApiFunctionRole.Arn`` (e.g. in a secret's resource policy) names the local role.
    for logical_id, resource in (resources.template.get("Resources") or {}).items():
        if resource.get("Type") == FUNCTION and "Role" not in (resource.get("Properties") or {}):
            name = function_role_name(resources.stack_name, logical_id)
            attributes[f"{logical_id}Role"] = {"Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", "RoleId": name}
    for logical_id, physical_id in resources.physical_ids.items():
        kind = resources.resource_types[logical_id]
        if kind == QUEUE:
            # The physical id is an amazonaws.com URL; the local URL comes from the queue's name.
            name = physical_id.rstrip("/").rsplit("/", 1)[-1]
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            arn = queue["Attributes"]["QueueArn"]
            attributes[logical_id] = {"QueueUrl": url, "Arn": arn, "QueueName": name}
        elif kind == TABLE:
            table = dynamodb.describe_table(TableName=physical_id)["Table"]
            attributes[logical_id] = {"Arn": table["TableArn"]}
            if table.get("LatestStreamArn"):
                attributes[logical_id]["StreamArn"] = table["LatestStreamArn"]
        elif kind == TOPIC:
            attributes[logical_id] = {"TopicArn": physical_id, "TopicName": physical_id.rsplit(":", 1)[-1]}
        elif kind == BUCKET:
            attributes[logical_id] = {"Arn": buckets.arn(physical_id)}
    return attributes


def _function_spec(resources: StackResources, logical_id: str) -> FunctionSpec:
    props = sam.function_properties(resources.template, logical_id)
    code = sam.function(resources.template, logical_id, resolve=resources.resolve)
    function_name = f"{resources.stack_name}-{logical_id}"
    queues_by_arn = {a["Arn"]: lid for lid, a in resources.attributes.items() if "QueueUrl" in a}

    sqs_events, schedule_events, http, other = [], [], [], []
    for event_name, event in (props.get("Events") or {}).items():
        kind, event_props = event.get("Type"), event.get("Properties") or {}
        if kind == "SQS":
            arn = resources.resolve(event_props["Queue"])
            if arn not in queues_by_arn:
                raise UnresolvedError(f"{logical_id}.{event_name}: queue {arn} is not in the stack")
            queue_id = queues_by_arn[arn]
            sqs_events.append(
                SqsEventSource(
                    name=event_name,
                    queue_logical_id=queue_id,
                    queue_url=resources.attributes[queue_id]["QueueUrl"],
                    queue_arn=arn,
                    batch_size=int(event_props.get("BatchSize", 10)),
                    batching_window_seconds=float(event_props.get("MaximumBatchingWindowInSeconds", 0)),
                    report_batch_item_failures="ReportBatchItemFailures"
                    in (event_props.get("FunctionResponseTypes") or []),
                    enabled=bool(event_props.get("Enabled", True)),
                )
            )
        elif kind == "Schedule":
            rule_name = str(resources.resolve(event_props.get("Name") or f"{function_name}-{event_name}"))
            state = event_props.get("State", "ENABLED")
            schedule_events.append(
                ScheduleEventSource(
                    name=event_name,
                    expression=str(resources.resolve(event_props["Schedule"])),
                    rule_name=rule_name,
                    rule_arn=f"arn:aws:events:{resources.region}:{ACCOUNT_ID}:rule/{rule_name}",
                    input=resources.resolve(event_props["Input"]) if "Input" in event_props else None,
                    enabled=bool(event_props.get("Enabled", True)) and state == "ENABLED",
                )
            )
        elif kind in HTTP_EVENT_TYPES:
            http.append(event_name)
        else:
            other.append(str(kind))

    return FunctionSpec(
        logical_id=logical_id,
        function_name=function_name,
        module=code.import_path,
        attribute=code.attribute,
        timeout_seconds=int(resources.resolve(props.get("Timeout", 3))),
        memory_mb=int(resources.resolve(props.get("MemorySize", 128))),
        region=resources.region,
        sqs_events=tuple(sqs_events),
        schedule_events=tuple(schedule_events),
        http_event_names=tuple(http),
        other_event_types=tuple(other),
    )


def _delete_stack(endpoint_url: str, stack_name: str, region: str) -> None:
    cloudformation = aws_client("cloudformation", endpoint_url, region)
    try:
        summaries = cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationError":
            return  # no such stack
        raise
    cloudformation.delete_stack(StackName=stack_name)
    # Retained resources would pile up across restarts of a long-lived moto; remove them too.
    dynamodb = aws_client("dynamodb", endpoint_url, region)
    sqs = aws_client("sqs", endpoint_url, region)
    sns = aws_client("sns", endpoint_url, region)
    for summary in summaries:
        physical_id, kind = summary.get("PhysicalResourceId"), summary.get("ResourceType")
        try:
            if kind == TABLE:
                dynamodb.update_table(TableName=physical_id, DeletionProtectionEnabled=False)
                dynamodb.delete_table(TableName=physical_id)
            elif kind == QUEUE:
                name = physical_id.rstrip("/").rsplit("/", 1)[-1]
                sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])
            elif kind == TOPIC:
                sns.delete_topic(TopicArn=physical_id)
        except ClientError:
            pass  # already deleted with the stack
    log.info("deleted previous stack %s", stack_name)
