"""What an accepted image is (aj74.media.images): the real type by magic bytes, and a clean copy
with pixels only; and the POST policy the local S3 enforces (infra/local/s3_browser.py)."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from aj74.errors import InvalidInput
from aj74.media import images
from PIL import Image, PngImagePlugin

from infra.local.s3_browser import PolicyError, check_policy

GPS_IFD = 0x8825


def jpeg(size=(40, 30), orientation: int | None = None, gps: bool = True) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 9.0, 36.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(out, "JPEG", exif=exif, comment=b"home", icc_profile=b"\0" * 128)
    return out.getvalue()


def test_the_type_is_read_from_the_bytes_not_the_name():
    png = io.BytesIO()
    Image.new("RGB", (2, 2)).save(png, "PNG")
    webp = io.BytesIO()
    Image.new("RGB", (2, 2)).save(webp, "WEBP")

    assert images.sniff(jpeg()) == "jpeg"
    assert images.sniff(png.getvalue()) == "png"
    assert images.sniff(webp.getvalue()) == "webp"
    assert images.sniff(b"GIF89a....") is None and images.sniff(b"<svg/>") is None


def test_a_jpeg_loses_exif_gps_comment_and_icc_but_keeps_its_pixels():
    clean = images.clean(jpeg())

    result = Image.open(io.BytesIO(clean.data))
    assert (clean.kind, clean.content_type, result.size) == ("jpeg", "image/jpeg", (40, 30))
    assert not result.getexif() and not result.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(result.info)
    assert b"PhoneMaker" not in clean.data and b"home" not in clean.data
    r, g, b = result.getpixel((20, 15))
    assert abs(r - 10) < 8 and abs(g - 200) < 8 and abs(b - 30) < 8


def test_the_rotation_a_phone_records_is_applied_before_exif_is_dropped():
    clean = images.clean(jpeg(size=(40, 30), orientation=6))  # 6: rotate 90° clockwise to view

    assert (clean.width, clean.height) == (30, 40)


def test_a_png_loses_its_text_chunks_and_keeps_transparency():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Сатка, ул. Пролетарская, 1")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 100)).save(out, "PNG", pnginfo=info)

    clean = images.clean(out.getvalue())

    result = Image.open(io.BytesIO(clean.data))
    assert clean.kind == "png" and result.mode == "RGBA" and result.getpixel((1, 1))[3] == 100
    assert not result.text and "Пролетарская".encode() not in clean.data and b"xmpmeta" not in clean.data


def test_a_palette_png_with_transparency_stays_transparent():
    image = Image.new("P", (4, 4), 0)
    image.putpalette([0, 0, 0, 255, 255, 255])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)

    result = Image.open(io.BytesIO(images.clean(out.getvalue()).data))

    assert result.convert("RGBA").getpixel((0, 0))[3] == 0


def test_a_webp_loses_its_exif():
    exif = Image.Exif()
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 9.0, 36.0)})
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "WEBP", exif=exif)

    clean = images.clean(out.getvalue())

    assert clean.kind == "webp" and b"Exif" not in clean.data and "exif" not in Image.open(io.BytesIO(clean.data)).info


@pytest.mark.parametrize("data, detail", [
    (b"just text named photo.jpg", "Это не изображение"),
    (b"GIF89a" + b"\0" * 20, "Это не изображение"),
    (b"", "Файл пуст"),
    (b"\xff\xd8\xff" + b"\0" * 100, "повреждён"),
])
def test_anything_else_is_refused_in_russian_at_the_file_field(data, detail):
    with pytest.raises(InvalidInput) as refused:
        images.clean(data)

    assert refused.value.detail.startswith(detail) or detail in refused.value.detail
    assert refused.value.errors == [{"field": "file", "detail": refused.value.detail}]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    out = io.BytesIO()
    Image.new("1", (9_000, 9_000)).save(out, "PNG")  # 81 megapixels in a few kilobytes
    assert len(out.getvalue()) < images.MAX_BYTES

    with pytest.raises(InvalidInput, match="слишком большое"):
        images.clean(out.getvalue())


# ------------------------------------------------------------------ the local S3's POST policy
def form(conditions: list, expires_in: timedelta = timedelta(minutes=5), **fields) -> dict:
    expiration = (datetime.now(UTC) + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    policy = base64.b64encode(json.dumps({"expiration": expiration, "conditions": conditions}).encode()).decode()
    return {"key": "uploads/1", "policy": policy, **fields}


CONDITIONS = [{"bucket": "media"}, {"key": "uploads/1"}, ["content-length-range", 1, 100],
              ["starts-with", "$Content-Type", "image/"]]


def test_a_form_within_its_policy_passes():
    assert check_policy(form(CONDITIONS, **{"Content-Type": "image/png"}), "media", 100)


@pytest.mark.parametrize("case, status, code", [
    ({"size": 101}, 400, "EntityTooLarge"),
    ({"size": 0}, 400, "EntityTooSmall"),
    ({"content_type": "text/html"}, 403, "AccessDenied"),
    ({"bucket": "other"}, 403, "AccessDenied"),
    ({"expired": True}, 403, "AccessDenied"),
    ({"extra": True}, 403, "AccessDenied"),
])
def test_a_form_outside_its_policy_is_refused_as_s3_refuses_it(case, status, code):
    fields = {"Content-Type": case.get("content_type", "image/png")}
    if case.get("extra"):
        fields["acl"] = "public-read"
    expires = timedelta(minutes=-1) if case.get("expired") else timedelta(minutes=5)

    with pytest.raises(PolicyError) as refused:
        check_policy(form(CONDITIONS, expires, **fields), case.get("bucket", "media"), case.get("size", 50))

    assert (refused.value.status, refused.value.code) == (status, code)
