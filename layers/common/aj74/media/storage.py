"""The images bucket: presigned uploads to ``uploads/``, clean copies under ``media/``.

``uploads/<id>`` is written by the browser (a presigned POST the API signs with its own role, so
the role's s3:PutObject is what the upload uses) and deleted once handled; a lifecycle rule
expires what is never confirmed. ``media/<id>`` is written by the API only and never overwritten.
"""

from __future__ import annotations

import threading

from aj74.caching import process_cache
from aj74.settings import get_settings

UPLOAD_PREFIX = "uploads/"
PUBLIC_PREFIX = "media/"
# How long a presigned POST stays valid: enough for 5 MB on a slow mobile link.
UPLOAD_EXPIRES_SECONDS = 600
# Clean copies never change (a new upload gets a new id): browsers and CloudFront may keep them.
IMMUTABLE = "public, max-age=31536000, immutable"
_client_lock = threading.Lock()
# MEDIA_PUBLIC_URL of a stack with no CDN (the local one): images are read from S3 itself.
DIRECT = "direct"


def upload_key(media_id: str) -> str:
    return f"{UPLOAD_PREFIX}{media_id}"


def public_key(media_id: str) -> str:
    return f"{PUBLIC_PREFIX}{media_id}"


def _bucket() -> str:
    bucket = get_settings().media_bucket
    if not bucket:
        raise RuntimeError("MEDIA_BUCKET is not configured")
    return bucket


@process_cache(maxsize=1)
def _s3_client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    # In AWS the form posts to https://<bucket>.s3.<region>.amazonaws.com (the admin site's CSP names
    # the bucket's regional domain); the local S3 endpoint takes the bucket in the path.
    style = "path" if settings.aws_endpoint_url else "virtual"
    return botocore.session.get_session().create_client(
        "s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=10,
                      signature_version="s3v4", s3={"addressing_style": style}))


def s3_client():
    with _client_lock:
        return _s3_client()


def public_base_url() -> str:
    """Where ``media/<id>`` is read: the CloudFront distribution, or locally the S3 endpoint."""
    settings = get_settings()
    if settings.media_public_url and settings.media_public_url != DIRECT:
        return settings.media_public_url
    if settings.aws_endpoint_url:
        return f"{settings.aws_endpoint_url.rstrip('/')}/{_bucket()}"
    return f"https://{_bucket()}.s3.{settings.region}.amazonaws.com"


def presigned_post(media_id: str, content_type: str | None, max_bytes: int, types: tuple[str, ...]) -> dict:
    """A form the browser posts the file with; S3 refuses it past the size or with another type."""
    conditions: list = [["content-length-range", 1, max_bytes]]
    fields: dict[str, str] = {}
    if content_type:
        fields["Content-Type"] = content_type
        conditions.append({"Content-Type": content_type})
    else:
        conditions.append(["starts-with", "$Content-Type", "image/"])
    post = s3_client().generate_presigned_post(
        Bucket=_bucket(), Key=upload_key(media_id), Fields=fields, Conditions=conditions,
        ExpiresIn=UPLOAD_EXPIRES_SECONDS)
    return {"url": post["url"], "fields": post["fields"]}


def read_upload(media_id: str, max_bytes: int) -> bytes | None:
    """The uploaded bytes (at most ``max_bytes`` + 1 are read), None when nothing was uploaded."""
    try:
        response = s3_client().get_object(Bucket=_bucket(), Key=upload_key(media_id), Range=f"bytes=0-{max_bytes}")
    except Exception as exc:
        if _code(exc) in ("NoSuchKey", "404", "NotFound"):
            return None
        if _code(exc) == "InvalidRange":  # an empty object has no byte 0
            return b""
        raise
    with response["Body"] as body:
        return body.read(max_bytes + 1)


def delete_upload(media_id: str) -> None:
    s3_client().delete_object(Bucket=_bucket(), Key=upload_key(media_id))


def put_public(media_id: str, data: bytes, content_type: str) -> None:
    """The clean copy; If-None-Match keeps a confirmed image from ever being replaced."""
    try:
        s3_client().put_object(Bucket=_bucket(), Key=public_key(media_id), Body=data, ContentType=content_type,
                               CacheControl=IMMUTABLE, IfNoneMatch="*")
    except Exception as exc:
        if _code(exc) not in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise


def public_exists(media_id: str) -> bool:
    try:
        s3_client().head_object(Bucket=_bucket(), Key=public_key(media_id))
        return True
    except Exception as exc:
        if _code(exc) in ("NoSuchKey", "404", "NotFound"):
            return False
        raise


class MediaBucket:
    """The images bucket as the image service's port (``aj74.media.ports.ImageBucket``): the
    functions of this module, on the bucket of the settings."""

    presigned_post = staticmethod(presigned_post)
    read_upload = staticmethod(read_upload)
    delete_upload = staticmethod(delete_upload)
    put_public = staticmethod(put_public)
    public_exists = staticmethod(public_exists)
    public_base_url = staticmethod(public_base_url)


def _code(exc: Exception) -> str | None:
    return ((getattr(exc, "response", None) or {}).get("Error") or {}).get("Code")
