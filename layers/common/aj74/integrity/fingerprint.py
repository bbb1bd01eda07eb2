"""Poll fingerprints: SHA-256 of the canonical JSON of a poll's content, fixed when it opens.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, times as UTC ``...Z`` strings.
"""

from __future__ import annotations

import hashlib
import json


def canonical_content(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(content: dict) -> str:
    return hashlib.sha256(canonical_content(content)).hexdigest()


# The keys of ``Poll.content()``: a staff or resident view of a poll carries them all, so the
# verifier can fingerprint a poll from what the API returns.
CONTENT_KEYS = ("title", "description", "image_url", "territory_ids", "opens_at", "closes_at", "min_age",
                "results_visibility", "questions")


def _image_ref(image: dict) -> dict:
    """An image as fingerprinted: its id and alt text; the URL a view adds is where it is served."""
    return {k: v for k, v in image.items() if k != "url"}


def _option(option: dict) -> dict:
    plain = {k: v for k, v in option.items() if k != "image"}
    return {**plain, "image": _image_ref(option["image"])} if option.get("image") else plain


def content_of(view: dict) -> dict:
    """The fingerprinted content out of a poll view (or of content itself). Images (the poll's
    ``image``, an option's) are part of it only when present (docs/decisions/016-images.md)."""
    missing = [k for k in CONTENT_KEYS if k not in view]
    if missing:
        raise KeyError("poll content lacks " + ", ".join(missing))
    content = {k: view[k] for k in CONTENT_KEYS}
    content["questions"] = [{**q, "options": [_option(o) for o in q["options"]]} if isinstance(q, dict) else q
                            for q in content["questions"]]
    if view.get("image"):
        content["image"] = _image_ref(view["image"])
    return content
