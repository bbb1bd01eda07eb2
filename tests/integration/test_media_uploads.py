"""Images over moto's real S3 API (docs/decisions/016-images.md): the route presigns a POST, the
"browser" (requests) posts the file straight to S3, the confirmation cleans it.

A photo carrying EXIF GPS is served without any metadata; a text file named .jpg is refused; a
file over 5 MB is refused by S3's POST policy itself (moto's server checks it, infra/local/
s3_browser.py); only staff who draft may upload. The route is called through
``chalice.test.Client`` with the caller's principal given directly (no identity provider).
"""

from __future__ import annotations

import io
import json

import pytest
import requests
from aj74.identity.principal import principal_from_claims
from chalice.test import Client
from PIL import Image

from infra.local.provision import aws_client, provision
from tests.support.env import use_stack
from tests.support.polls import persona, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_media_service.py), and the contract tests hold the fakes to the
# adapters on moto; here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow

ADMIN_ORIGIN = "http://127.0.0.1:9"
GPS_IFD = 0x8825


@pytest.fixture(scope="module")
def media_stack(moto_endpoint):
    resources = provision(moto_endpoint, stack_name="aj74-media", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": ADMIN_ORIGIN})
    return resources


@pytest.fixture(autouse=True)
def stack(media_stack, moto_endpoint):
    use_stack(media_stack.env_for("ApiFunction"), moto_endpoint)
    return media_stack


@pytest.fixture(scope="module")
def client():
    import app as module

    with Client(module.app) as c:
        yield c


@pytest.fixture
def as_caller(monkeypatch):
    """Headers that make the API see ``principal`` (None: no token at all)."""
    from aj74.api import http, routing

    def headers(principal) -> dict:
        class Verifier:
            def verify(self, token):
                return principal

        monkeypatch.setattr(http, "_verifier", lambda: Verifier())
        monkeypatch.setattr(routing, "effective_principal", lambda p: p)
        base = {"Content-Type": "application/json"}
        return base if principal is None else {**base, "Authorization": "Bearer x"}

    return headers


MODERATOR = persona("moderator-satka")


def start(client, headers, body: dict | None = None):
    return client.http.post("/v1/admin/media", headers=headers, body=json.dumps(body).encode() if body else b"")


def browser_post(upload: dict, data: bytes, filename: str, content_type: str) -> requests.Response:
    """What the admin site does: the form's fields first, the file last."""
    fields = dict(upload["fields"])
    fields.setdefault("Content-Type", content_type)
    return requests.post(upload["url"], data=fields, files={"file": (filename, data, content_type)},
                         headers={"Origin": ADMIN_ORIGIN}, timeout=30)


def photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (55.0, 9.0, 36.0), 3: "E", 4: (61.0, 24.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"shot at home")
    return out.getvalue()


def confirm(client, headers, media_id: str):
    return client.http.post(f"/v1/admin/media/{media_id}/confirm", headers=headers)


def test_a_photo_is_uploaded_to_s3_and_served_without_its_exif(client, as_caller, stack):
    headers = as_caller(MODERATOR)
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo does carry GPS

    # Given an upload form from the API
    started = start(client, headers, {"content_type": "image/jpeg"})
    assert started.status_code == 201, started.body
    form = json.loads(started.body)

    # When the browser posts the photo straight to S3 and the upload is confirmed
    posted = browser_post(form["upload"], original, "IMG_0001.jpg", "image/jpeg")
    assert posted.status_code == 204, posted.text
    assert posted.headers.get("Access-Control-Allow-Origin") == ADMIN_ORIGIN  # the page may read the answer
    confirmed = confirm(client, headers, form["id"])

    # Then the clean copy is served from media/ with no EXIF (no GPS, no camera), nor the comment
    assert confirmed.status_code == 200, confirmed.body
    media = json.loads(confirmed.body)
    assert media["id"] == form["id"] and media["url"].endswith(f"/media/{form['id']}")
    served = requests.get(media["url"], timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    clean = Image.open(io.BytesIO(served.content))
    assert clean.format == "JPEG" and clean.size == (64, 48)
    assert not clean.getexif() and "exif" not in clean.info and "comment" not in clean.info
    for marker in (b"Exif", b"PhoneMaker", b"shot at home"):
        assert marker not in served.content
    # ... the upload itself is gone, and the upload is in the audit log
    s3 = aws_client("s3", stack.endpoint_url)
    assert "Contents" not in s3.list_objects_v2(Bucket=stack.ref("MediaBucket"), Prefix=f"uploads/{form['id']}")
    from aj74.audit.repository import AuditLog

    entry = AuditLog()._last()
    assert (entry["action"], entry["target_type"], entry["target_id"]) == ("media.upload", "media", form["id"])
    assert entry["after"]["key"] == f"media/{form['id']}" and entry["actor"] == MODERATOR.subject

    # ... and confirming again (a retried request) answers the same image
    again = confirm(client, headers, form["id"])
    assert again.status_code == 200 and json.loads(again.body)["url"] == media["url"]


def test_a_text_file_named_jpg_is_refused_with_a_russian_422(client, as_caller, stack):
    headers = as_caller(MODERATOR)
    form = json.loads(start(client, headers).body)
    posted = browser_post(form["upload"], b"just some text, not a picture\n", "photo.jpg", "image/jpeg")
    assert posted.status_code == 204

    refused = confirm(client, headers, form["id"])

    assert refused.status_code == 422, refused.body
    problem = json.loads(refused.body)
    assert problem["detail"].startswith("Это не изображение")
    assert problem["errors"] == [{"field": "file", "detail": problem["detail"]}]
    # Nothing was published, and the upload is deleted
    s3 = aws_client("s3", stack.endpoint_url)
    bucket = stack.ref("MediaBucket")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=f"media/{form['id']}")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix=f"uploads/{form['id']}")


def test_a_truncated_jpeg_is_refused(client, as_caller):
    headers = as_caller(MODERATOR)
    form = json.loads(start(client, headers).body)
    broken = photo_with_gps()[:200]  # JPEG magic bytes, then nothing decodable
    assert browser_post(form["upload"], broken, "a.jpg", "image/jpeg").status_code == 204

    refused = confirm(client, headers, form["id"])

    assert refused.status_code == 422
    assert "повреждён" in json.loads(refused.body)["detail"]


def test_a_file_over_5_mb_is_refused_by_the_s3_browser(client, as_caller):
    headers = as_caller(MODERATOR)
    form = json.loads(start(client, headers).body)

    posted = browser_post(form["upload"], b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "big.jpg", "image/jpeg")

    assert posted.status_code == 400 and "<Code>EntityTooLarge</Code>" in posted.text
    assert confirm(client, headers, form["id"]).status_code == 404  # nothing was stored


def test_the_policy_holds_the_upload_to_the_announced_type(client, as_caller):
    headers = as_caller(MODERATOR)
    form = json.loads(start(client, headers, {"content_type": "image/png"}).body)
    upload = {**form["upload"], "fields": {**form["upload"]["fields"], "Content-Type": "text/html"}}

    posted = browser_post(upload, b"<html></html>", "x.png", "text/html")

    assert posted.status_code == 403 and "Policy Condition failed" in posted.text


@pytest.mark.parametrize("who", [None, "resident", "analyst", "partner"])
def test_only_staff_who_draft_may_upload(client, as_caller, who):
    principal = None if who is None else resident("r-satka") if who == "resident" else persona(who)
    headers = as_caller(principal)

    started = start(client, headers)
    confirmed = confirm(client, headers, "01JAAAAAAAAAAAAAAAAAAAAAAA")

    expected = 401 if who is None else 403
    assert started.status_code == expected and confirmed.status_code == expected


@pytest.mark.parametrize("role", ["moderator", "approver", "admin", "emergency"])
def test_every_drafting_role_may_start_an_upload(client, as_caller, role):
    principal = principal_from_claims({"sub": f"s-{role}", "roles": [role],
                                       "scope_territory_ids": ["chelyabinsk-oblast"]})
    assert start(client, as_caller(principal)).status_code == 201


def test_confirming_nothing_uploaded_is_a_404_in_russian(client, as_caller):
    refused = confirm(client, as_caller(MODERATOR), "01JAAAAAAAAAAAAAAAAAAAAAAA")

    assert refused.status_code == 404
    assert "Файл не загружен" in json.loads(refused.body)["detail"]


# ------------------------------------------------------------------ images on polls, news, events and rewards
def uploaded(client, headers) -> str:
    """The id of an image uploaded and confirmed as the admin site does it."""
    form = json.loads(start(client, headers).body)
    png = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 255, 128)).save(png, "PNG")
    assert browser_post(form["upload"], png.getvalue(), "a.png", "image/png").status_code == 204
    assert confirm(client, headers, form["id"]).status_code == 200
    return form["id"]


def test_news_and_events_keep_the_reference_and_show_the_url(client, as_caller):
    from aj74.content import service

    from tests.integration.content.conftest import event, news

    image_id = uploaded(client, as_caller(MODERATOR))
    image = {"id": image_id, "alt": "Мост через Ай после ремонта"}

    item = service.create_content(MODERATOR, news(["gp-satka"], image=image))
    shown = service.get_staff(MODERATOR, item["id"])
    assert shown["image"] == {**image, "url": f"{media_url()}/media/{image_id}"}
    assert requests.get(shown["image"]["url"], timeout=10).headers["Content-Type"] == "image/png"
    # A view sent back unchanged (with its url) edits fine; null removes the image
    edited = service.edit_content(MODERATOR, item["id"], {"version": 1, "image": shown["image"]})
    assert edited["image"] == shown["image"]
    assert service.edit_content(MODERATOR, item["id"], {"version": 2, "image": None})["image"] is None

    from datetime import timedelta

    festival = service.create_content(MODERATOR, event(["gp-satka"], "Фестиваль", timedelta(days=2), image=image))
    assert festival["image"]["url"].endswith(f"/media/{image_id}")


def media_url() -> str:
    from aj74.media import storage

    return storage.public_base_url()


@pytest.mark.parametrize("kind", ["news", "poll", "item"])
def test_an_image_this_service_did_not_accept_is_a_422_at_its_field(kind):
    from aj74.content import service as content
    from aj74.errors import InvalidInput
    from aj74.polls import service as polls
    from aj74.shop import service as shop

    from tests.integration.content.conftest import news
    from tests.support.polls import poll_body

    never_uploaded = {"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": "Нет такого"}
    calls = {
        "news": lambda: content.create_content(MODERATOR, news(["gp-satka"], image=never_uploaded)),
        "poll": lambda: polls.create_poll(MODERATOR, poll_body(image=never_uploaded)),
        "item": lambda: shop.create_item(persona("admin"), reward(image=never_uploaded)),
    }
    with pytest.raises(InvalidInput) as refused:
        calls[kind]()

    assert refused.value.errors == [{"field": "image.id", "detail": "изображение не найдено: загрузите его заново"}]


def test_a_polls_and_its_options_images_are_fingerprinted_by_id_and_shown_by_url(client, as_caller):
    from aj74.integrity.fingerprint import content_of, fingerprint
    from aj74.polls import service
    from aj74.polls.repository import PollRepository

    from tests.support.polls import poll_body

    cover, lamp = uploaded(client, as_caller(MODERATOR)), uploaded(client, as_caller(MODERATOR))
    body = poll_body(image={"id": cover, "alt": "Сквер у ДК"})
    body["questions"][0]["options"][0]["image"] = {"id": lamp, "alt": "Фонарь"}

    poll = service.create_poll(MODERATOR, body)

    assert poll["image"] == {"id": cover, "alt": "Сквер у ДК", "url": f"{media_url()}/media/{cover}"}
    option = poll["questions"][0]["options"][0]
    assert option == {"id": "q1-o1", "text": "Освещение",
                      "image": {"id": lamp, "alt": "Фонарь", "url": f"{media_url()}/media/{lamp}"}}
    assert "image" not in poll["questions"][0]["options"][1]
    # The verifier fingerprints a view as the server fingerprints the stored content
    stored = PollRepository().get(poll["id"]).content()
    assert stored["image"] == {"id": cover, "alt": "Сквер у ДК"}
    assert fingerprint(content_of(poll)) == fingerprint(stored)
    # A poll with no image keeps the content (and so the fingerprint) it always had
    plain = PollRepository().get(service.create_poll(MODERATOR, poll_body())["id"]).content()
    assert "image" not in plain and all("image" not in o for q in plain["questions"] for o in q["options"])


def reward(**extra) -> dict:
    return {"title": "Билет в зоопарк", "partner": "Челябинский зоопарк", "price": 100, "stock": 5,
            "valid_from": "2026-01-01T00:00:00+05:00", "valid_until": "2036-01-01T00:00:00+05:00",
            "territory_ids": ["chelyabinsk-oblast"], **extra}


def test_a_reward_shows_its_image_to_staff_and_residents(client, as_caller):
    from aj74.shop import service

    admin = persona("admin")
    image_id = uploaded(client, as_caller(admin))

    item = service.create_item(admin, reward(image={"id": image_id, "alt": "Жираф"}))

    assert item["image"] == {"id": image_id, "alt": "Жираф", "url": f"{media_url()}/media/{image_id}"}
    assert service.staff_item(admin, item["id"])["image"] == item["image"]
    updated = service.update_item(admin, item["id"], {"version": 1, "image": None})
    assert updated["image"] is None


# ------------------------------------------------------------------ photos of an execution report
def final_poll_with_report(headers, client) -> str:
    """A Сатка poll moved straight to ``final`` with a decision recorded through the API."""
    from tests.integration.content.test_informing import final_poll

    poll_id = final_poll()
    saved = client.http.put(f"/v1/admin/polls/{poll_id}/execution", headers=headers,
                            body=json.dumps({"decision": "Поставить фонари", "status": "in_progress"}).encode())
    assert saved.status_code == 200, saved.body
    return poll_id


def add_update(client, headers, poll_id: str, **extra):
    body = {"date": "2026-12-01", "text": "Установлены фонари", **extra}
    return client.http.post(f"/v1/admin/polls/{poll_id}/execution/updates", headers=headers,
                            body=json.dumps(body).encode())


def test_an_execution_update_keeps_its_photos_and_shows_them_to_staff_and_residents(client, as_caller):
    from aj74.polls import service
    from aj74.polls.repository import PollRepository

    headers = as_caller(MODERATOR)
    poll_id = final_poll_with_report(headers, client)
    first, second = uploaded(client, headers), uploaded(client, headers)

    added = add_update(client, headers, poll_id, links=["https://satka.ru/n"],
                       photos=[{"id": first, "alt": " Фонари у ДК "}, {"id": second, "alt": "Сквер вечером"}])

    assert added.status_code == 201, added.body
    photos = [{"id": first, "alt": "Фонари у ДК", "url": f"{media_url()}/media/{first}"},
              {"id": second, "alt": "Сквер вечером", "url": f"{media_url()}/media/{second}"}]
    assert json.loads(added.body)["updates"][0]["photos"] == photos
    # Stored as references (id and alt text), never as URLs
    stored = PollRepository().get(poll_id).execution.updates[0]
    assert [p.as_dict() for p in stored.photos] == [{"id": first, "alt": "Фонари у ДК"},
                                                    {"id": second, "alt": "Сквер вечером"}]
    # Staff see them on the poll and its results; residents see URLs and alt text, no ids
    assert service.get_staff(MODERATOR, poll_id)["execution"]["updates"][0]["photos"] == photos
    from aj74.polls import reporting

    assert reporting.staff_results(MODERATOR, poll_id)["execution"]["updates"][0]["photos"] == photos
    shown = service.get_for_resident(resident("r-satka"), poll_id)["execution"]["updates"][0]
    assert shown == {"date": "2026-12-01", "text": "Установлены фонари", "links": ["https://satka.ru/n"],
                     "photos": [{"url": p["url"], "alt": p["alt"]} for p in photos]}
    assert requests.get(shown["photos"][0]["url"], timeout=10).headers["Content-Type"] == "image/png"
    # An update without photos shows an empty list
    assert add_update(client, headers, poll_id).status_code == 201
    assert service.get_for_resident(resident("r-satka"), poll_id)["execution"]["updates"][1]["photos"] == []


@pytest.mark.parametrize("photo, field, detail", [
    ({"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": "Нет такого"}, "photos.0.id", "изображение не найдено"),
    ({"id": "01JAAAAAAAAAAAAAAAAAAAAAAA"}, "photos.0.alt", ""),
    ({"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": "   "}, "photos.0.alt", ""),
])
def test_a_photo_never_confirmed_or_without_alt_text_is_a_russian_422_at_its_field(client, as_caller, photo, field,
                                                                                 detail):
    from aj74.polls.repository import PollRepository

    headers = as_caller(MODERATOR)
    poll_id = final_poll_with_report(headers, client)

    refused = add_update(client, headers, poll_id, photos=[photo])

    assert refused.status_code == 422, refused.body
    problem = json.loads(refused.body)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert detail in problem["errors"][0]["detail"]
    assert any("а" <= ch <= "я" for ch in problem["detail"].lower())  # said in Russian
    assert PollRepository().get(poll_id).execution.updates == ()  # nothing was added


def test_an_unconfirmed_upload_is_not_a_photo(client, as_caller):
    headers = as_caller(MODERATOR)
    poll_id = final_poll_with_report(headers, client)
    form = json.loads(start(client, headers).body)  # uploaded to uploads/, never confirmed
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    assert browser_post(form["upload"], png.getvalue(), "a.png", "image/png").status_code == 204

    refused = add_update(client, headers, poll_id, photos=[{"id": form["id"], "alt": "Фонари"}])

    assert refused.status_code == 422
    assert json.loads(refused.body)["errors"] == [{"field": "photos.0.id",
                                                   "detail": "изображение не найдено: загрузите его заново"}]


def test_an_update_takes_at_most_six_photos(client, as_caller):
    headers = as_caller(MODERATOR)
    poll_id = final_poll_with_report(headers, client)
    photo = {"id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "alt": "Фонари"}

    refused = add_update(client, headers, poll_id, photos=[photo] * 7)

    assert refused.status_code == 422
    assert [e["field"] for e in json.loads(refused.body)["errors"]] == ["photos"]
