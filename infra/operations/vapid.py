"""Show or replace the Web Push VAPID key of a stack (docs/decisions/018-web-push.md).

    python -m infra.operations.vapid --stack-name aj74-prod                  # print the public key
    python -m infra.operations.vapid --stack-name aj74-prod --generate       # a new P-256 key
    python -m infra.operations.vapid --stack-name aj74-prod --import-pem k.pem
    python -m infra.operations.vapid --stack-name aj74-local --endpoint-url http://127.0.0.1:4566

Nothing needs to be run for a stack to work: CloudFormation (and the local stack) fills the secret
``VapidKeySecret`` with 64 random characters, from which aj74.push.vapid derives the key. Use
``--generate`` or ``--import-pem`` to hold the key as a PEM instead (e.g. to keep the key of an
earlier deployment). Replacing the key ends every subscription: browsers bind a subscription to the
public key, push services refuse requests signed with another, and the app must subscribe again.
The API and the fan-out read the new key at their next cold start: redeploy them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import boto3

SECRET = "VapidKeySecret"


def secret_arn(stack_name: str, endpoint_url: str | None, region: str) -> str:
    if endpoint_url:
        from infra.local.provision import attach

        return attach(endpoint_url, stack_name, region=region).ref(SECRET)
    cloudformation = boto3.client("cloudformation", region_name=region)
    return cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=SECRET)[
        "StackResourceDetail"]["PhysicalResourceId"]


def new_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def main(argv: list[str] | None = None) -> int:
    from aj74.push.vapid import public_key_of, signing_key_from

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-name", required=True)
    parser.add_argument("--endpoint-url", help="the local AWS (moto) instead of the account's")
    parser.add_argument("--region", default="eu-central-1")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--generate", action="store_true", help="put a newly generated P-256 key (PEM)")
    action.add_argument("--import-pem", type=Path, help="put this PEM-encoded P-256 private key")
    args = parser.parse_args(argv)
    if args.endpoint_url:
        from infra.local.provision import aws_client

        client = aws_client("secretsmanager", args.endpoint_url, args.region)
    else:
        client = boto3.client("secretsmanager", region_name=args.region)
    arn = secret_arn(args.stack_name, args.endpoint_url, args.region)
    if args.generate or args.import_pem:
        value = new_pem() if args.generate else args.import_pem.read_text(encoding="ascii")
        signing_key_from(value)  # refuses anything but a P-256 private key
        client.put_secret_value(SecretId=arn, SecretString=value)
        print("VAPID key replaced: redeploy the API and PushFanoutFunction; every browser must subscribe again",
              file=sys.stderr)
    else:
        value = client.get_secret_value(SecretId=arn)["SecretString"]
    print(public_key_of(signing_key_from(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
