"""S3 buckets of template.yaml, completed in the local AWS as CloudFormation would leave them.

moto's CloudFormation creates an ``AWS::S3::Bucket`` (with a generated name) but ignores its
``VersioningConfiguration`` and ``ObjectLockConfiguration``. The provisioner applies both here,
from the template, so the audit anchor bucket refuses locally what it refuses in AWS: deleting or
overwriting a locked version (docs/decisions/013-anchored-audit-log.md). moto accepts Object Lock
on an existing versioned bucket, as S3 does today.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

BUCKET = "AWS::S3::Bucket"


def arn(name: str) -> str:
    """What ``!GetAtt Bucket.Arn`` yields."""
    return f"arn:aws:s3:::{name}"


def complete(resources, client) -> list[str]:
    """Apply versioning and Object Lock of the template's buckets that exist on the stack; returns
    the logical ids completed."""
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
        done.append(lid)
    return done
