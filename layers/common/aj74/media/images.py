"""What an accepted image is, without storage: its real type by magic bytes, and a clean copy
re-encoded by Pillow with no metadata (EXIF, XMP, ICC, PNG text chunks, comments)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from aj74.errors import InvalidInput

# Uploads are refused by S3's POST policy above this; the server checks again (a put by any other
# path would not carry the policy).
MAX_BYTES = 5 * 1024 * 1024
# A small file can still decode into a huge bitmap (a "decompression bomb"): 40 megapixels covers
# any phone camera, at ~160 MB of RGBA it stays inside the API function's memory budget.
MAX_PIXELS = 40_000_000
MAX_SIDE = 10_000
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FORMAT_TITLES = "JPEG, PNG или WebP"
# Pillow's format names of the types we accept.
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    kind: str  # jpeg | png | webp
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(detail, code="not-an-image", errors=[{"field": "file", "detail": detail}])


def sniff(data: bytes) -> str | None:
    """The type the bytes really are (never the name or the declared Content-Type)."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def clean(data: bytes) -> CleanImage:
    """Decode the image and encode it again with pixels only: the copy residents are served."""
    if not data:
        raise _refuse("Файл пуст.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"Файл больше {MAX_BYTES // (1024 * 1024)} МБ.")
    kind = sniff(data)
    if kind is None:
        raise _refuse(f"Это не изображение: принимаются файлы {FORMAT_TITLES}.")
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # larger raises DecompressionBombError before decoding
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]]) as probe:
            probe.verify()  # structure and checksums; the image must be reopened after verify()
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]]) as image:
            if image.width > MAX_SIDE or image.height > MAX_SIDE or image.width * image.height > MAX_PIXELS:
                raise _refuse("Изображение слишком большое: не больше 40 мегапикселей и 10 000 точек по стороне.")
            image.seek(0)  # an animation keeps its first frame
            image.load()
            # Phones record rotation in EXIF; apply it to the pixels before EXIF is dropped.
            image = ImageOps.exif_transpose(image)
            return _encode(image, kind)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("Изображение слишком большое: не больше 40 мегапикселей.") from None
    except Exception:  # truncated or corrupt data, an unsupported variant
        raise _refuse(f"Файл повреждён или не является изображением {FORMAT_TITLES}.") from None


def _encode(image, kind: str) -> CleanImage:
    """Pixels only: no EXIF, XMP, ICC profile, comment or text chunk of the upload survives."""
    out = io.BytesIO()
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")  # a palette's transparency lives in the info cleared below
    # Pillow carries some of ``info`` into a save by itself (a JPEG's comment, EXIF kept by
    # exif_transpose, ICC, XMP, PNG text): nothing of the original but its pixels may remain.
    image.info = {}
    if kind == "jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, optimize=True)
    elif kind == "png":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if image.mode in ("LA", "PA") else "RGB")
        image.save(out, "WEBP", quality=85)
    return CleanImage(out.getvalue(), kind, image.width, image.height)
