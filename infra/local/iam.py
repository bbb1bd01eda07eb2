"""IAM on the local stack: every component talks to the local AWS as the identity it has in AWS.

moto's server authorises requests against IAM policies once its "initial no-auth action count"
is used up (docs: IAM-like access control). The local stack starts moto with no enforcement,
then, deterministically:

1. :func:`enable_enforcement` creates the administrator (an IAM user with an ``Allow *`` inline
   policy) and its access key with moto's dummy ``testing`` keys, then turns enforcement on with
   ``POST /moto-api/reset-auth 0``. From then on the dummy keys are refused
   (``InvalidClientTokenId``); everything else, provisioning included, is done with the
   administrator's key. No request is counted, so nothing depends on how many were made before.
2. After the CloudFormation stack exists, :func:`create_function_identities` creates, per
   ``AWS::Serverless::Function`` of the template, the execution role SAM would create: the
   function's ``Policies`` (inline statements, SAM policy templates, the managed policies we know)
   with ``!GetAtt``/``!Ref``/``!Sub``/``!Join`` resolved to the physical ARNs, plus what SAM adds:
   ``AWSLambdaBasicExecutionRole`` (logs) and, per SQS event, the poller's
   ``sqs:ReceiveMessage``/``DeleteMessage``/``GetQueueAttributes``/``ChangeMessageVisibility`` on
   that queue. The administrator assumes each role (the local "Lambda service") and the component
   runs with the session's keys: the API server as ``ApiFunction``'s role, each function runner
   (handler and SQS poller) as its function's role.
3. :func:`create_service_identity` makes the read-only identity the function runners use to
   describe the stack before they load the handler (that is the local Lambda service's own work,
   not the function's); the runner drops those keys from its environment before the handler runs.

moto checks signatures, actions and (with infra/local/moto_server.py) the resources of DynamoDB,
SQS, SNS and Secrets Manager requests. It does not evaluate resource-based policies (a secret's or
queue's policy), permission boundaries, SCPs or session policies, and statement conditions are
left out locally (moto would treat an unmet condition of an Allow as an explicit deny).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import requests

from infra.local.provision import (
    ACCOUNT_ID,
    FUNCTION,
    REGION,
    UNAUTHENTICATED,
    Credentials,
    StackResources,
    UnresolvedError,
    aws_client,
    function_role_name,
)
from infra.template import function_properties

log = logging.getLogger(__name__)

ADMIN_USER = "aj74-local-admin"
POLICY_NAME = "template-policy"
LAMBDA_TRUST_SERVICE = "lambda.amazonaws.com"
MAX_NAME = 64
SESSION_SECONDS = 43200

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# What the local Lambda service needs to describe a stack (infra.local.provision.attach).
SERVICE_ACTIONS = [
    "cloudformation:DescribeStacks",
    "cloudformation:ListStackResources",
    "dynamodb:DescribeTable",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
    "secretsmanager:DescribeSecret",
]
# AWS managed policies SAM attaches or templates name, as far as the local stack models them.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"},
    ],
    "AWSLambdaSQSQueueExecutionRole": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                       "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"},
    ],
}
# What SAM's SQS event gives the function's role for its event source mapping, scoped to the queue.
SQS_POLLER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                      "sqs:ChangeMessageVisibility"]


class IdentityError(RuntimeError):
    """An identity of the local stack could not be created."""


# ------------------------------------------------------------------ enforcement
def enable_enforcement(endpoint_url: str, region: str = REGION) -> Credentials:
    """Create the administrator with moto's dummy keys, then make moto authorise every request.

    Call on a moto that does not enforce yet (the local stack's own, just started). Returns the
    administrator's credentials; the dummy keys are refused afterwards.
    """
    iam = aws_client("iam", endpoint_url, region, credentials=UNAUTHENTICATED)
    admin = _user_with_key(iam, ADMIN_USER, ALLOW_ALL)
    response = requests.post(f"{endpoint_url.rstrip('/')}/moto-api/reset-auth", data=b"0", timeout=10)
    response.raise_for_status()
    log.info("local AWS enforces IAM; administrator %s", admin.principal_arn)
    return admin


def _user_with_key(iam, user_name: str, policy: Mapping[str, Any]) -> Credentials:
    try:
        # No path: moto names a user ARN without it when it matches a trust policy principal.
        user = iam.create_user(UserName=user_name)["User"]
    except iam.exceptions.EntityAlreadyExistsException:
        user = iam.get_user(UserName=user_name)["User"]
        for key in iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=user_name, AccessKeyId=key["AccessKeyId"])
    iam.put_user_policy(UserName=user_name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user_name)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"], principal_arn=user["Arn"])


# ------------------------------------------------------------------ policies from the template
def function_policy(resources: StackResources, logical_id: str) -> dict[str, Any]:
    """The policy document of a function's execution role, resolved against the stack."""
    props = function_properties(resources.template, logical_id)
    statements: list[dict[str, Any]] = []
    role = props.get("Role")
    if role is not None:
        statements += _role_statements(resources, role, logical_id)
    else:
        for policy in _as_list(props.get("Policies")):
            statements += _policy_statements(resources, policy, logical_id)
        statements += MANAGED_POLICIES["AWSLambdaBasicExecutionRole"]
    spec = resources.functions[logical_id]
    for source in spec.sqs_events:
        statements.append({"Effect": "Allow", "Action": list(SQS_POLLER_ACTIONS), "Resource": source.queue_arn})
    return {"Version": "2012-10-17", "Statement": [_local_statement(s, logical_id) for s in statements]}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _policy_statements(resources: StackResources, policy: Any, logical_id: str) -> list[dict[str, Any]]:
    """The statements of one entry of a function's ``Policies``."""
    if isinstance(policy, str) or (isinstance(policy, dict) and set(policy) <= {"Ref", "Fn::Sub", "Fn::Join"}):
        return _managed_policy(str(resources.resolve(policy)), logical_id)
    if not isinstance(policy, dict):
        raise UnresolvedError(f"{logical_id}: policy {policy!r} is neither a document, a template nor a name")
    if "Statement" in policy:
        return _as_list(resources.resolve(policy["Statement"]))
    if len(policy) == 1:
        ((name, parameters),) = policy.items()
        return _policy_template(resources, name, parameters, logical_id)
    raise UnresolvedError(f"{logical_id}: policy {policy!r} is not understood by the local stack")


def _managed_policy(name_or_arn: str, logical_id: str) -> list[dict[str, Any]]:
    name = name_or_arn.rsplit("/", 1)[-1]
    if name in MANAGED_POLICIES:
        return MANAGED_POLICIES[name]
    # Left out: the function gets less locally than in AWS, so a call it needs fails loudly here.
    log.warning("%s: managed policy %s is not modelled locally; it grants nothing here", logical_id, name_or_arn)
    return []


def _policy_template(resources: StackResources, name: str, parameters: Any, logical_id: str) -> list[dict[str, Any]]:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    processor = PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())
    if not processor.has(name):
        raise UnresolvedError(f"{logical_id}: {name} is not a SAM policy template")
    document = processor.convert(name, parameters or {})
    return _as_list(resources.resolve(document["Statement"]))


def _role_statements(resources: StackResources, role: Any, logical_id: str) -> list[dict[str, Any]]:
    """A function with an explicit ``Role``: the statements of that ``AWS::IAM::Role`` of the template."""
    target = None
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        arg = role["Fn::GetAtt"]
        target = (arg.split(".", 1) if isinstance(arg, str) else arg)[0]
    elif isinstance(role, dict) and "Ref" in role:
        target = role["Ref"]
    declared = (resources.template.get("Resources") or {}).get(target or "") or {}
    if declared.get("Type") != "AWS::IAM::Role":
        raise UnresolvedError(f"{logical_id}: Role {role!r} is not an AWS::IAM::Role of the template")
    props = declared.get("Properties") or {}
    statements: list[dict[str, Any]] = []
    for policy in _as_list(props.get("Policies")):
        statements += _as_list(resources.resolve((policy.get("PolicyDocument") or {}).get("Statement")))
    for arn in _as_list(props.get("ManagedPolicyArns")):
        statements += _managed_policy(str(resources.resolve(arn)), logical_id)
    return statements


def _local_statement(statement: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    """A statement as moto evaluates it: lists flattened, conditions left out (see the module doc)."""
    if not isinstance(statement, Mapping) or "Effect" not in statement:
        raise UnresolvedError(f"{logical_id}: not a policy statement: {statement!r}")
    out = {k: v for k, v in statement.items() if k not in ("Condition", "Sid")}
    if "Condition" in statement:
        log.warning("%s: statement condition %s is not evaluated locally", logical_id, statement["Condition"])
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in out:
            values = list(_flatten(out[key]))
            if not all(isinstance(v, str) for v in values):
                raise UnresolvedError(f"{logical_id}: {key} did not resolve to strings: {values!r}")
            out[key] = values
    return out


def _flatten(value: Any) -> Iterable[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


# ------------------------------------------------------------------ identities
def create_function_identities(resources: StackResources, admin: Credentials) -> dict[str, Credentials]:
    """Per function of the template: its execution role in the local AWS, and a session of it."""
    identities = {}
    for logical_id, resource in (resources.template.get("Resources") or {}).items():
        if resource.get("Type") == FUNCTION:
            policy = function_policy(resources, logical_id)
            name = function_role_name(resources.stack_name, logical_id)
            identities[logical_id] = assume_role_with_policy(resources, admin, name, policy, session=logical_id)
    return identities


def create_service_identity(resources: StackResources, admin: Credentials) -> Credentials:
    """The local Lambda service's read-only identity: describes the stack for the function runners."""
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": SERVICE_ACTIONS, "Resource": "*"}]}
    return assume_role_with_policy(
        resources, admin, f"{resources.stack_name}-LocalLambdaService"[:MAX_NAME], policy, session="lambda-service"
    )


def assume_role_with_policy(
    resources: StackResources, admin: Credentials, name: str, policy: Mapping[str, Any], session: str
) -> Credentials:
    """(Re)create role ``name`` with ``policy`` as its only inline policy and return a session of it."""
    iam = aws_client("iam", resources.endpoint_url, resources.region, credentials=admin)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                # Lambda in AWS; the administrator here, which plays the Lambda service locally.
                "Principal": {"Service": LAMBDA_TRUST_SERVICE, "AWS": admin.principal_arn},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    try:
        # No path: ``!GetAtt <Function>Role.Arn`` resolves to arn:aws:iam::<account>:role/<name>.
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust),
                               MaxSessionDuration=SESSION_SECONDS)["Role"]
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
        role = iam.get_role(RoleName=name)["Role"]
        for old in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=old)
    try:
        iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
    except iam.exceptions.ClientError as error:
        raise IdentityError(f"role {name}: {error}") from error
    sts = aws_client("sts", resources.endpoint_url, resources.region, credentials=admin)
    assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=session[:MAX_NAME],
                              DurationSeconds=SESSION_SECONDS)
    creds = assumed["Credentials"]
    return Credentials(
        creds["AccessKeyId"],
        creds["SecretAccessKey"],
        creds["SessionToken"],
        principal_arn=assumed["AssumedRoleUser"]["Arn"],
    )


def role_policy(resources: StackResources, admin: Credentials, logical_id: str) -> dict[str, Any]:
    """The policy the local AWS holds for a function's role (for tests and diagnostics)."""
    iam = aws_client("iam", resources.endpoint_url, resources.region, credentials=admin)
    document = iam.get_role_policy(RoleName=function_role_name(resources.stack_name, logical_id),
                                   PolicyName=POLICY_NAME)
    return document["PolicyDocument"]


__all__ = [
    "ACCOUNT_ID",
    "ADMIN_USER",
    "IdentityError",
    "assume_role_with_policy",
    "create_function_identities",
    "create_service_identity",
    "enable_enforcement",
    "function_policy",
    "role_policy",
]
