"""In-memory fakes of the image service's ports (aj74.media.ports), for fast service tests.

``FakeMediaBucket`` keeps objects under the adapter's keys (``uploads/<id>``, ``media/<id>``) and signs
upload forms with the adapter's policy (the same conditions; ``post`` holds a browser's upload to them
as S3 does, by ``infra.local.s3_browser.check_policy``). The audit log is ``FakeAuditLog``.
tests/integration/test_registry_media_push_ports_contract.py runs the same checks on the fake and on
the adapter on moto.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aj74.media import storage
from aj74.media.ports import MediaPorts

from infra.local.s3_browser import check_policy
from tests.support.fakes.audit import FakeAuditLog

BUCKET = "fake-media"
PUBLIC_URL = "https://media.fake.example"


class FakeMediaBucket:
    """The images bucket: objects by key, each ``(bytes, content type)``."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def presigned_post(self, media_id: str, content_type: str | None, max_bytes: int,
                       types: tuple[str, ...]) -> dict:
        # The adapter's conditions (storage.presigned_post), in a policy S3's check can read.
        key = storage.upload_key(media_id)
        conditions: list = [{"bucket": BUCKET}, {"key": key}, ["content-length-range", 1, max_bytes]]
        fields = {"key": key}
        if content_type:
            fields["Content-Type"] = content_type
            conditions.append({"Content-Type": content_type})
        else:
            conditions.append(["starts-with", "$Content-Type", "image/"])
        expiration = (datetime.now(UTC) + timedelta(seconds=storage.UPLOAD_EXPIRES_SECONDS))
        policy = {"expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"), "conditions": conditions}
        fields["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        return {"url": f"https://{BUCKET}.s3.fake.example/", "fields": fields}

    def post(self, form: dict, data: bytes, content_type: str) -> None:
        """A browser posting ``data`` with the form: PolicyError (S3's answer) outside its policy."""
        fields = {**form["fields"]}
        fields.setdefault("Content-Type", content_type)
        check_policy(fields, BUCKET, len(data))
        self.objects[fields["key"]] = (data, fields["Content-Type"])

    def upload(self, media_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """An upload as it lands in the bucket (the test's own write)."""
        self.objects[storage.upload_key(media_id)] = (data, content_type)

    def read_upload(self, media_id: str, max_bytes: int) -> bytes | None:
        found = self.objects.get(storage.upload_key(media_id))
        return None if found is None else found[0][:max_bytes + 1]

    def delete_upload(self, media_id: str) -> None:
        self.objects.pop(storage.upload_key(media_id), None)

    def put_public(self, media_id: str, data: bytes, content_type: str) -> None:
        self.objects.setdefault(storage.public_key(media_id), (data, content_type))  # If-None-Match: *

    def public_exists(self, media_id: str) -> bool:
        return storage.public_key(media_id) in self.objects

    def public_base_url(self) -> str:
        return PUBLIC_URL

    def public(self, media_id: str) -> tuple[bytes, str] | None:
        """The clean copy and its type (what a reader of ``media/<id>`` gets)."""
        return self.objects.get(storage.public_key(media_id))


@dataclass
class FakeMediaWorld:
    bucket: FakeMediaBucket = field(default_factory=FakeMediaBucket)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)

    def ports(self) -> MediaPorts:
        return MediaPorts(bucket=self.bucket, audit=self.audit)
