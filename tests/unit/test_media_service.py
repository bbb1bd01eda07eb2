"""The image service on fakes (tests/support/fakes/media.py): the real upload, confirmation and
reference checks, with in-memory stand-ins only at the ports (aj74.media.ports)."""

from __future__ import annotations

import io

import pytest
from aj74.api.problems import status_for
from aj74.errors import DomainError, InvalidInput
from aj74.ids import ulid
from aj74.media import images, service
from PIL import Image

from infra.local.s3_browser import PolicyError
from tests.support.fakes.media import PUBLIC_URL, FakeMediaWorld
from tests.support.polls import persona

MODERATOR = persona("moderator-satka")


@pytest.fixture
def world() -> FakeMediaWorld:
    return FakeMediaWorld()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 200, 30)).save(out, "PNG")
    return out.getvalue()


def test_an_upload_form_takes_the_declared_image_up_to_5_mb(world):
    # Given an upload form for a PNG
    started = service.start_upload(MODERATOR, {"content_type": "image/png"}, ports=world.ports())
    assert started["max_bytes"] == 5 * 1024 * 1024 and started["expires_in"] == 600
    assert started["content_types"] == ["image/jpeg", "image/png", "image/webp"]

    # When the browser posts 5 MB of PNG, then a byte more, then the same bytes as HTML
    world.bucket.post(started["upload"], b"x" * images.MAX_BYTES, "image/png")
    with pytest.raises(PolicyError) as too_large:
        world.bucket.post(started["upload"], b"x" * (images.MAX_BYTES + 1), "image/png")
    fields = {k: v for k, v in started["upload"]["fields"].items() if k != "Content-Type"}
    html = {**started["upload"], "fields": fields}
    with pytest.raises(PolicyError) as other_type:
        world.bucket.post(html, b"<p>hi</p>", "text/html")

    # Then the bucket takes the first and refuses the others as S3 does
    assert world.bucket.read_upload(started["id"], images.MAX_BYTES) == b"x" * images.MAX_BYTES
    assert (too_large.value.status, too_large.value.code) == (400, "EntityTooLarge")
    assert (other_type.value.status, other_type.value.code) == (403, "AccessDenied")


@pytest.mark.parametrize("body", [{"content_type": "image/gif"}, {"content_type": "text/html"}, {"size": 1}])
def test_an_upload_form_for_another_type_is_refused_with_a_422(world, body):
    with pytest.raises(InvalidInput) as refused:
        service.start_upload(MODERATOR, body, ports=world.ports())
    assert status_for(refused.value)[0] == 422
    assert refused.value.detail.startswith("Запрос содержит ошибк")
    assert world.bucket.objects == {}


def test_a_confirmed_upload_becomes_a_clean_public_copy_and_is_audited(world):
    # Given a PNG uploaded with a form
    started = service.start_upload(MODERATOR, {"content_type": "image/png"}, ports=world.ports())
    world.bucket.post(started["upload"], png(), "image/png")

    # When it is confirmed (and the request is retried)
    confirmed = service.confirm(MODERATOR, started["id"], ports=world.ports())
    again = service.confirm(MODERATOR, started["id"], ports=world.ports())

    # Then the clean copy is public at its URL, the upload is gone, and one audit entry says so
    assert confirmed["url"] == f"{PUBLIC_URL}/media/{started['id']}" == again["url"]
    assert (confirmed["width"], confirmed["height"], confirmed["content_type"]) == (8, 6, "image/png")
    assert world.bucket.public(started["id"])[1] == "image/png"
    assert world.bucket.read_upload(started["id"], images.MAX_BYTES) is None
    [entry] = world.audit.entries()
    assert (entry["action"], entry["target_id"], entry["after"]["key"]) == (
        "media.upload", started["id"], f"media/{started['id']}")


def test_confirming_what_was_never_uploaded_is_a_404_in_russian(world):
    media_id = ulid()
    with pytest.raises(DomainError) as refused:
        service.confirm(MODERATOR, media_id, ports=world.ports())
    assert (status_for(refused.value)[0], refused.value.code) == (404, "media-not-found")
    assert refused.value.detail == "Файл не загружен или срок загрузки истёк: выберите файл ещё раз."
    assert world.audit.entries() == []


def test_a_file_that_is_not_an_image_is_refused_and_its_upload_deleted(world):
    media_id = ulid()
    world.bucket.upload(media_id, b"just some text, not a picture\n")

    with pytest.raises(InvalidInput) as refused:
        service.confirm(MODERATOR, media_id, ports=world.ports())

    assert refused.value.detail.startswith("Это не изображение")
    assert world.bucket.objects == {} and world.audit.entries() == []


def test_a_reference_to_a_missing_image_is_a_422_on_its_field(world):
    # Given one confirmed image and one id never confirmed
    kept = ulid()
    world.bucket.put_public(kept, png(), "image/png")
    missing = ulid()

    # When a poll body refers to both
    with pytest.raises(InvalidInput) as refused:
        service.check([("cover", {"id": kept, "alt": "Сквер"}), ("questions[0].image", {"id": missing, "alt": "Парк"}),
                       ("logo", None)], ports=world.ports())

    # Then only the missing one is named
    assert (status_for(refused.value)[0], refused.value.code) == (422, "unknown-image")
    assert refused.value.errors == [{"field": "questions[0].image.id",
                                     "detail": "изображение не найдено: загрузите его заново"}]
    assert service.present({"id": kept, "alt": "Сквер"}, ports=world.ports())["url"] == f"{PUBLIC_URL}/media/{kept}"
