"""What the image service reaches outside the process — see docs/decisions/021-ports-and-adapters.md.

``aj74.media.service`` (start an upload, confirm it, check and show the references other domains
store) reaches the images bucket and the audit log only through a :class:`MediaPorts`. The adapters
(``aj74.media.storage.MediaBucket``, ``aj74.audit.repository.AuditLog``) satisfy the protocols
structurally, and so do the fakes of ``tests/support/fakes/media.py`` (held to the adapters by
``tests/integration/test_registry_media_push_ports_contract.py``).

The routes and the services that store image references pass no ports:
``aj74.media.service.default_ports`` builds the real adapters. This module imports no adapter:
infra/permissions.py grants a function what the modules its handler imports can call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail


class ImageBucket(Protocol):
    """The images bucket (``aj74.media.storage.MediaBucket``): browser uploads under ``uploads/``,
    the API's clean copies under ``media/``."""

    def presigned_post(self, media_id: str, content_type: str | None, max_bytes: int,
                       types: tuple[str, ...]) -> dict:
        """``{"url", "fields"}``: the form the browser posts ``uploads/<id>`` with; the bucket refuses
        it past ``max_bytes`` or with another type than ``content_type`` (any ``image/`` when None)."""
        ...

    def read_upload(self, media_id: str, max_bytes: int) -> bytes | None:
        """The uploaded bytes (at most ``max_bytes`` + 1), None when nothing was uploaded."""
        ...

    def delete_upload(self, media_id: str) -> None:
        ...

    def put_public(self, media_id: str, data: bytes, content_type: str) -> None:
        """Store the clean copy ``media/<id>``; a copy stored before is never replaced."""
        ...

    def public_exists(self, media_id: str) -> bool:
        """Whether ``media/<id>`` is stored (a head of the object)."""
        ...

    def public_base_url(self) -> str:
        """Where ``media/<id>`` is read (the CDN, or locally the bucket itself)."""
        ...


@dataclass(frozen=True)
class MediaPorts:
    """What the image service reaches (``aj74.media.service``); the real adapters come from
    ``aj74.media.service.default_ports``."""

    bucket: ImageBucket
    audit: AuditTrail
