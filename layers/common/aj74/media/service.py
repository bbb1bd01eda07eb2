"""Image use cases: start an upload, confirm it (clean copy, audit), and the references other
domains store: checked on write, shown as URLs on read."""

from __future__ import annotations

from collections.abc import Iterable

from aj74.audit.repository import AuditLog
from aj74.errors import InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import acting_role
from aj74.ids import is_ulid, ulid
from aj74.media import images, storage

NOT_UPLOADED = "Файл не загружен или срок загрузки истёк: выберите файл ещё раз."
UNKNOWN_IMAGE = "изображение не найдено: загрузите его заново"


def start_upload(actor: Principal, body: dict | None = None) -> dict:
    """A fresh id and the presigned form the browser posts the file with."""
    from aj74.media.schemas import UploadIn
    from aj74.validation import parse_model

    content_type = parse_model(UploadIn, body or {}).content_type
    media_id = ulid()
    return {
        "id": media_id,
        "upload": storage.presigned_post(media_id, content_type, images.MAX_BYTES, tuple(images.CONTENT_TYPES)),
        "max_bytes": images.MAX_BYTES,
        "content_types": list(images.CONTENT_TYPES.values()),
        "expires_in": storage.UPLOAD_EXPIRES_SECONDS,
    }


def confirm(actor: Principal, media_id: str) -> dict:
    """Check the uploaded bytes are an image we accept, store a clean copy, audit it."""
    if not is_ulid(media_id):
        raise NotFound("Загрузка не найдена.", code="media-not-found")
    data = storage.read_upload(media_id, images.MAX_BYTES)
    if data is None:
        if storage.public_exists(media_id):  # confirmed before (a retried request)
            return {"id": media_id, "url": url_for(media_id)}
        raise NotFound(NOT_UPLOADED, code="media-not-found")
    try:
        clean = images.clean(data)
    except InvalidInput:
        storage.delete_upload(media_id)
        raise
    storage.put_public(media_id, clean.data, clean.content_type)
    storage.delete_upload(media_id)
    url = url_for(media_id)
    AuditLog().append(actor=actor.subject, actor_role=acting_role(actor, "media.upload"), action="media.upload",
                      target_type="media", target_id=media_id,
                      after={"key": storage.public_key(media_id), "content_type": clean.content_type,
                             "width": clean.width, "height": clean.height, "bytes": len(clean.data),
                             "uploaded_bytes": len(data)})
    return {"id": media_id, "url": url, "content_type": clean.content_type, "width": clean.width,
            "height": clean.height, "bytes": len(clean.data)}


def url_for(media_id: str) -> str:
    return f"{storage.public_base_url()}/{storage.public_key(media_id)}"


# ------------------------------------------------------------------ references held by other domains
def stored(image) -> dict | None:
    """What a domain keeps of an ``ImageIn`` (or of a stored reference): the id and the alt text."""
    if image is None:
        return None
    if hasattr(image, "model_dump"):
        image = image.model_dump()
    return {"id": image["id"], "alt": image["alt"]}


def check(references: Iterable[tuple[str, dict | None]]) -> None:
    """Every (field, reference) names an image this service accepted; else a 422 on that field."""
    errors = [{"field": f"{field}.id", "detail": UNKNOWN_IMAGE}
              for field, ref in references if ref is not None and not storage.public_exists(ref["id"])]
    if errors:
        raise InvalidInput("Изображение не найдено: загрузите его заново.", code="unknown-image", errors=errors)


def present(ref: dict | None) -> dict | None:
    """A stored reference as responses show it: with the URL of the clean copy."""
    if not ref:
        return None
    return {"id": ref["id"], "alt": ref["alt"], "url": url_for(ref["id"])}
