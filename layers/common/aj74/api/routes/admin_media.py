"""Staff image uploads: a presigned POST straight to S3, then a confirmation that cleans the file
(docs/decisions/016-images.md)."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api.routing import json_response, route
from aj74.identity.roles import ADMIN, APPROVER, EMERGENCY, MODERATOR
from aj74.media import service

bp = Blueprint(__name__)

# Whoever drafts something that carries an image: polls and news (moderators, approvers), rewards
# (the IT administrator), bulletins (the МЧС operator).
UPLOADERS = (MODERATOR, APPROVER, ADMIN, EMERGENCY)

_STR = {"type": "string"}
_INT = {"type": "integer"}
UPLOAD = {
    "type": "object", "required": ["id", "upload", "max_bytes", "content_types"],
    "properties": {
        "id": _STR,
        "upload": {"type": "object", "required": ["url", "fields"],
                   "description": "Отправьте файл формой multipart/form-data на url: сначала все fields, "
                                  "последним — поле file.",
                   "properties": {"url": _STR, "fields": {"type": "object", "additionalProperties": _STR}}},
        "max_bytes": _INT, "content_types": {"type": "array", "items": _STR}, "expires_in": _INT,
    },
}
MEDIA = {
    "type": "object", "required": ["id", "url"],
    "properties": {"id": _STR, "url": _STR, "content_type": _STR, "width": _INT, "height": _INT, "bytes": _INT},
    "description": "Принятое изображение: url — очищенная копия (без EXIF и других метаданных).",
}


@route(bp, "/v1/admin/media", methods=("POST",), roles=UPLOADERS, summary="Начать загрузку изображения",
       description="Выдаёт форму для загрузки файла прямо в хранилище (до 5 МБ, JPEG, PNG или WebP).",
       body="aj74.media.schemas:UploadIn", body_required=False, status=201, response=UPLOAD, problems=(403,))
def start_upload(ctx):
    body = ctx.body() if ctx.request.raw_body else {}
    return json_response(service.start_upload(ctx.principal, body), status=201)


@route(bp, "/v1/admin/media/{media_id}/confirm", methods=("POST",), roles=UPLOADERS,
       summary="Подтвердить загрузку изображения",
       description="Проверяет, что файл — изображение (по содержимому), удаляет метаданные и публикует копию.",
       response=MEDIA, problems=(403, 404, 422))
def confirm_upload(ctx, media_id):
    return service.confirm(ctx.principal, media_id)
