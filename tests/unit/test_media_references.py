"""Image references around the domain (docs/decisions/016-images.md): the admin site's CSP admits
the images bucket, a poll view fingerprints as its stored content, and a body's image is an id
with alt text."""

from __future__ import annotations

import pytest
from aj74.errors import InvalidInput
from aj74.integrity.fingerprint import content_of, fingerprint
from aj74.validation import parse_model

from infra.local.admin_server import security_headers


def directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}


def test_the_local_admin_site_may_post_to_and_show_images_from_the_local_s3():
    csp = directives(security_headers("http://127.0.0.1:8000", media_origin="http://127.0.0.1:4566")[
        "Content-Security-Policy"])

    assert "http://127.0.0.1:4566" in csp["connect-src"] and "http://127.0.0.1:4566" in csp["img-src"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]


def test_an_https_bucket_needs_no_img_src_of_its_own():
    csp = directives(security_headers("https://api.example/v1", media_origin="https://b.s3.eu-central-1.amazonaws.com/")[
        "Content-Security-Policy"])

    assert csp["img-src"] == ["'self'", "data:", "https:"]
    assert "https://b.s3.eu-central-1.amazonaws.com" in csp["connect-src"]


def test_without_a_media_origin_the_policy_is_what_it_was():
    csp = security_headers("https://api.example/v1")["Content-Security-Policy"]

    assert "img-src 'self' data: https:;" in csp and "connect-src 'self' https://api.example;" in csp


def poll_content(**extra) -> dict:
    return {"title": "Сквер", "description": "", "image_url": None, "territory_ids": ["gp-satka"],
            "opens_at": "2030-01-01T00:00:00Z", "closes_at": "2030-01-02T00:00:00Z", "min_age": 14,
            "results_visibility": "after_close",
            "questions": [{"id": "q1", "text": "Что?", "kind": "single", "min_choices": 1, "max_choices": 1,
                           "options": [{"id": "q1-o1", "text": "Фонари", "image": {"id": "01JB", "alt": "Фонарь"}},
                                       {"id": "q1-o2", "text": "Скамейки"}]}], **extra}


def test_a_view_with_image_urls_fingerprints_as_the_stored_content():
    stored = poll_content(image={"id": "01JA", "alt": "Сквер у ДК"})
    view = poll_content(image={"id": "01JA", "alt": "Сквер у ДК", "url": "https://cdn/media/01JA"}, state="open")
    view["questions"][0]["options"][0]["image"]["url"] = "https://cdn/media/01JB"

    assert fingerprint(content_of(view)) == fingerprint(stored)


def test_a_poll_without_images_fingerprints_as_before_images_existed():
    plain = poll_content()
    plain["questions"][0]["options"][0].pop("image")
    view = {**plain, "image": None}

    assert content_of(view) == plain


def test_a_body_refers_to_an_image_by_id_and_alt_text_and_may_send_back_the_url():
    from aj74.media.schemas import ImageIn

    image = parse_model(ImageIn, {"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": " Мост ", "url": "https://x"})
    assert image.model_dump() == {"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": "Мост"}

    with pytest.raises(InvalidInput) as refused:
        parse_model(ImageIn, {"id": "../../etc/passwd", "alt": ""})
    assert {e["field"] for e in refused.value.errors} == {"id", "alt"}
