"""S3 buckets of template.yaml, completed in the local AWS as CloudFormation would leave them.

moto's CloudFormation creates an ``AWS::S3::Bucket`` (with a generated name) but ignores its
``VersioningConfiguration`` and ``ObjectLockConfiguration``. The provisioner applies both here,
from the template, so the audit anchor bucket refuses locally what it refuses in AWS: deleting or
overwriting a locked version (docs/decisions/013-anchored-audit-log.md). moto accepts Object Lock
on an existing versioned bucket, as S3 does today.

It also applies a bucket's ``CorsConfiguration`` (the images bucket lets the admin site's origin
POST uploads straight to it, docs/decisions/016-images.md) and its ``PublicAccessBlockConfiguration``,
so the local S3 answers a browser as S3 does.

CloudFront does not exist locally: where the template lets CloudFront read a bucket (a bucket
policy statement for ``cloudfront.amazonaws.com``), the local bucket lets anyone read the same
objects, so the local S3 endpoint serves them as the distribution would (the images' ``media/``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)

BUCKET = "AWS::S3::Bucket"
BUCKET_POLICY = "AWS::S3::BucketPolicy"
CLOUDFRONT = "cloudfront.amazonaws.com"


def arn(name: str) -> str:
    """What ``!GetAtt Bucket.Arn`` yields."""
    return f"arn:aws:s3:::{name}"


def complete(resources, client) -> list[str]:
    """Apply versioning, Object Lock, CORS and public access blocks of the template's buckets that
    exist on the stack; returns the logical ids completed."""
    done = []
    for lid, resource in (resources.template.get("Resources") or {}).items():
        if resource.get("Type") != BUCKET or lid not in resources.physical_ids:
            continue
        props: dict[str, Any] = resources.resolve(resource.get("Properties") or {})
        name = resources.physical_ids[lid]
        versioning = (props.get("VersioningConfiguration") or {}).get("Status")
        if versioning or props.get("ObjectLockEnabled"):
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning or "Enabled"})
        lock = props.get("ObjectLockConfiguration")
        if props.get("ObjectLockEnabled") and lock:
            client.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=lock)
            log.info("%s: Object Lock %s", lid, lock.get("Rule", {}).get("DefaultRetention"))
        cors = (props.get("CorsConfiguration") or {}).get("CorsRules")
        if cors:
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in cors]})
        block = props.get("PublicAccessBlockConfiguration")
        if block:
            client.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
        done.append(lid)
    for lid, policy in _cloudfront_reads(resources).items():
        client.put_bucket_policy(Bucket=resources.physical_ids[lid], Policy=json.dumps(policy))
        log.info("%s: readable by anyone, standing in for CloudFront", lid)
    return done


def _cloudfront_reads(resources) -> dict[str, dict]:
    """Per local bucket, a policy granting everyone what the template grants CloudFront on it."""
    policies: dict[str, dict] = {}
    for resource in (resources.template.get("Resources") or {}).values():
        if resource.get("Type") != BUCKET_POLICY:
            continue
        props = resource.get("Properties") or {}
        bucket = (props.get("Bucket") or {}).get("Ref")
        if bucket not in resources.physical_ids:
            continue
        for statement in (props.get("PolicyDocument") or {}).get("Statement") or []:
            if statement.get("Effect") != "Allow" or (statement.get("Principal") or {}).get("Service") != CLOUDFRONT:
                continue
            policy = policies.setdefault(bucket, {"Version": "2012-10-17", "Statement": []})
            policy["Statement"].append({
                "Sid": f"LocalStandInFor{statement.get('Sid') or 'CloudFront'}"[:100], "Effect": "Allow",
                "Principal": "*", "Action": statement["Action"], "Resource": resources.resolve(statement["Resource"])})
    return policies


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation ``CorsRule`` as the S3 API spells it."""
    names = {"Id": "ID", "MaxAge": "MaxAgeSeconds"}
    return {names.get(k, k): v for k, v in rule.items()}
