"""Image use cases: start an upload, confirm it (clean copy, audit), and the references other
domains store: checked on write, shown as URLs on read.

What the service reaches (the images bucket, the audit log) comes in a ``MediaPorts``
(``aj74.media.ports``), an optional last parameter; the routes and the services that store image
references pass none and get :func:`default_ports` (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from aj74.errors import InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import acting_role
from aj74.ids import is_ulid, ulid
from aj74.media import images, storage
from aj74.media.ports import MediaPorts

NOT_UPLOADED = "Файл не загружен или срок загрузки истёк: выберите файл ещё раз."
UNKNOWN_IMAGE = "изображение не найдено: загрузите его заново"


def default_ports(**overrides) -> MediaPorts:
    """The real adapters (the images bucket, the audit table), ``overrides`` in their place. Built
    per call, as the functions built them inline before."""
    from aj74.audit.repository import AuditLog

    return MediaPorts(**{"bucket": storage.MediaBucket(), "audit": AuditLog(), **overrides})


def start_upload(actor: Principal, body: dict | None = None, ports: MediaPorts | None = None) -> dict:
    """A fresh id and the presigned form the browser posts the file with."""
    from aj74.media.schemas import UploadIn
    from aj74.validation import parse_model

    content_type = parse_model(UploadIn, body or {}).content_type
    ports = ports or default_ports()
    media_id = ulid()
    return {
        "id": media_id,
        "upload": ports.bucket.presigned_post(media_id, content_type, images.MAX_BYTES, tuple(images.CONTENT_TYPES)),
        "max_bytes": images.MAX_BYTES,
        "content_types": list(images.CONTENT_TYPES.values()),
        "expires_in": storage.UPLOAD_EXPIRES_SECONDS,
    }


def confirm(actor: Principal, media_id: str, ports: MediaPorts | None = None) -> dict:
    """Check the uploaded bytes are an image we accept, store a clean copy, audit it."""
    if not is_ulid(media_id):
        raise NotFound("Загрузка не найдена.", code="media-not-found")
    ports = ports or default_ports()
    bucket = ports.bucket
    data = bucket.read_upload(media_id, images.MAX_BYTES)
    if data is None:
        if bucket.public_exists(media_id):  # confirmed before (a retried request)
            return {"id": media_id, "url": url_for(media_id, ports)}
        raise NotFound(NOT_UPLOADED, code="media-not-found")
    try:
        clean = images.clean(data)
    except InvalidInput:
        bucket.delete_upload(media_id)
        raise
    bucket.put_public(media_id, clean.data, clean.content_type)
    bucket.delete_upload(media_id)
    url = url_for(media_id, ports)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "media.upload"), action="media.upload",
                       target_type="media", target_id=media_id,
                       after={"key": storage.public_key(media_id), "content_type": clean.content_type,
                              "width": clean.width, "height": clean.height, "bytes": len(clean.data),
                              "uploaded_bytes": len(data)})
    return {"id": media_id, "url": url, "content_type": clean.content_type, "width": clean.width,
            "height": clean.height, "bytes": len(clean.data)}


def url_for(media_id: str, ports: MediaPorts | None = None) -> str:
    bucket = (ports or default_ports()).bucket
    return f"{bucket.public_base_url()}/{storage.public_key(media_id)}"


# ------------------------------------------------------------------ references held by other domains
def stored(image) -> dict | None:
    """What a domain keeps of an ``ImageIn`` (or of a stored reference): the id and the alt text."""
    if image is None:
        return None
    if hasattr(image, "model_dump"):
        image = image.model_dump()
    return {"id": image["id"], "alt": image["alt"]}


def check(references: Iterable[tuple[str, dict | None]], ports: MediaPorts | None = None) -> None:
    """Every (field, reference) names an image this service accepted; else a 422 on that field."""
    bucket = (ports or default_ports()).bucket
    errors = [{"field": f"{field}.id", "detail": UNKNOWN_IMAGE}
              for field, ref in references if ref is not None and not bucket.public_exists(ref["id"])]
    if errors:
        raise InvalidInput("Изображение не найдено: загрузите его заново.", code="unknown-image", errors=errors)


def present(ref: dict | None, ports: MediaPorts | None = None) -> dict | None:
    """A stored reference as responses show it: with the URL of the clean copy."""
    if not ref:
        return None
    return {"id": ref["id"], "alt": ref["alt"], "url": url_for(ref["id"], ports)}
