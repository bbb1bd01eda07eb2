"""Rotate the ballot path's two secrets (the ballot-key secret and the message key) — between polls only.

    python -m infra.operations.rotate_ballot_keys --stack-name aj74-prod
    python -m infra.operations.rotate_ballot_keys --stack-name aj74-local --endpoint-url http://127.0.0.1:4566

Refused while any poll is approved, open or closed-but-not-final, or while the ballot queue holds
messages (docs/decisions/012-ballot-secrecy-and-integrity.md):
- a ballot key is HMAC(secret, poll, resident) and must stay the same for the whole life of a poll:
  under a new secret a resident's next ballot gets a new key, so the ledger would hold two of their
  ballots instead of replacing the first — one person, two ballots;
- queued ballots carry MACs under the current message key: a new key would dead-letter genuine
  ballots that the API already answered 202 for.
After a rotation the ballot keys of earlier polls cannot be recomputed: the "voted" marks on those
polls and participation points not yet settled for them are lost. Rotate after a suspected leak
of a secret, not on a schedule. The API and the consumer read the new values at their next cold
start: redeploy them (or wait for instances to recycle) before the next poll opens.
"""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from dataclasses import dataclass

import boto3

BLOCKING_STATES = ("approved", "open", "closed")
SECRETS = ("BallotKeySecret", "BallotMessageKey")
SECRET_LENGTH = 64


@dataclass(frozen=True)
class Targets:
    polls_table: str
    queue_url: str
    secret_arns: dict[str, str]


def targets(stack_name: str, endpoint_url: str | None, region: str) -> Targets:
    """The stack's polls table, ballot queue and secrets, locally from the provisioned stack."""
    if endpoint_url:
        from infra.local.provision import attach

        resources = attach(endpoint_url, stack_name, region=region)
        return Targets(resources.ref("PollsTable"), resources.ref("BallotQueue"),
                       {name: resources.ref(name) for name in SECRETS})
    cloudformation = boto3.client("cloudformation", region_name=region)
    found = {r["LogicalResourceId"]: r["PhysicalResourceId"]
             for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name)
             for r in page["StackResourceSummaries"]}
    return Targets(found["PollsTable"], found["BallotQueue"], {name: found[name] for name in SECRETS})


def blockers(clients, where: Targets) -> list[str]:
    """Why a rotation would break a ballot now (empty when it is safe)."""
    reasons = []
    for state in BLOCKING_STATES:
        pages = clients("dynamodb").get_paginator("query").paginate(
            TableName=where.polls_table, IndexName="by-state", KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":s": {"S": state}},
            ProjectionExpression="poll_id")
        reasons += [f"poll {item['poll_id']['S']} is {state}" for page in pages for item in page["Items"]]
    attributes = clients("sqs").get_queue_attributes(
        QueueUrl=where.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    queued = sum(int(v) for v in attributes.values())
    if queued:
        reasons.append(f"the ballot queue holds {queued} message(s)")
    return reasons


def new_value() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(SECRET_LENGTH))


def rotate(clients, where: Targets) -> list[str]:
    """Put a fresh value into both secrets unless something blocks it; returns the blockers."""
    reasons = blockers(clients, where)
    if reasons:
        return reasons
    for arn in where.secret_arns.values():
        clients("secretsmanager").put_secret_value(SecretId=arn, SecretString=new_value())
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-name", required=True)
    parser.add_argument("--endpoint-url", help="the local AWS (moto) instead of the account's")
    parser.add_argument("--region", default="eu-central-1")
    args = parser.parse_args(argv)
    if args.endpoint_url:
        from infra.local.provision import aws_client

        def clients(service):
            return aws_client(service, args.endpoint_url, args.region)
    else:
        def clients(service):
            return boto3.client(service, region_name=args.region)
    where = targets(args.stack_name, args.endpoint_url, args.region)
    reasons = rotate(clients, where)
    if reasons:
        print("rotation refused: " + "; ".join(reasons), file=sys.stderr)
        return 2
    print(f"rotated {', '.join(SECRETS)}; redeploy the API and the ballot consumer before the next poll opens")
    return 0


if __name__ == "__main__":
    sys.exit(main())
