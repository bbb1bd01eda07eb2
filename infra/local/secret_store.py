"""Secrets Manager secrets of template.yaml, created in the local AWS as CloudFormation would.

moto's CloudFormation skips ``AWS::SecretsManager::Secret`` and ``::ResourcePolicy``, so the
provisioner creates them here from the template: the same name, a value generated like
``GenerateSecretString`` (never a parameter, never written anywhere but the secret), and the
resource policy where the local stack can resolve its principals. ``!Ref`` of a secret is its ARN.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import string
from typing import Any

from botocore.exceptions import ClientError

log = logging.getLogger(__name__)

SECRET = "AWS::SecretsManager::Secret"
RESOURCE_POLICY = "AWS::SecretsManager::ResourcePolicy"


def declared(template: dict[str, Any], kind: str = SECRET) -> dict[str, dict]:
    return {lid: r.get("Properties") or {} for lid, r in (template.get("Resources") or {}).items()
            if r.get("Type") == kind}


def generate(spec: dict[str, Any]) -> str:
    """A value as ``GenerateSecretString`` with ``ExcludePunctuation`` would make it."""
    length = int(spec.get("PasswordLength", 32))
    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def secret_names(resources) -> dict[str, str]:
    """Logical id → the secret's name on this stack."""
    return {lid: str(resources.resolve(props["Name"])) for lid, props in declared(resources.template).items()}


def find(resources, client) -> dict[str, str]:
    """Logical id → ARN of the template's secrets that exist on the local AWS."""
    arns = {}
    for lid, name in secret_names(resources).items():
        try:
            arns[lid] = client.describe_secret(SecretId=name)["ARN"]
        except ClientError:
            continue
    return arns


def delete(resources, client) -> None:
    for name in secret_names(resources).values():
        with contextlib.suppress(ClientError):  # none yet
            client.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)


def create(resources, client) -> dict[str, str]:
    """Create every secret of the template with a fresh value; apply the resource policies that
    resolve here. Returns logical id → ARN."""
    from infra.local.provision import UnresolvedError

    arns = {}
    for lid, props in declared(resources.template).items():
        name = str(resources.resolve(props["Name"]))
        value = generate(props.get("GenerateSecretString") or {})
        arns[lid] = client.create_secret(Name=name, SecretString=value,
                                         Description=str(props.get("Description", "")))["ARN"]
    by_ref = {lid: arn for lid, arn in arns.items()}
    for lid, props in declared(resources.template, RESOURCE_POLICY).items():
        target = props["SecretId"]
        secret_id = by_ref.get(target.get("Ref")) if isinstance(target, dict) else target
        try:
            policy = resources.resolve(props["ResourcePolicy"])
        except UnresolvedError as error:
            log.info("%s not applied locally: %s", lid, error)
            continue
        client.put_resource_policy(SecretId=secret_id, ResourcePolicy=json.dumps(policy))
    return arns
