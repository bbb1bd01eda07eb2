"""Polls in the resident app, in Debian's chromium at a 390 px phone viewport with a Russian locale
and the browser in Moscow (every time shown must still be Chelyabinsk's):

- a Сатка resident signs in on the app's own sign-in screen, sees the Сатка and the region-wide polls
  and no Магнитогорск poll, votes with the question's rules applied as she goes (and is told offline
  that a vote needs a connection), changes her vote, sees it «засчитан», and after the poll closes
  checks her receipt against the published Merkle root and recounts the published ballot list in
  the browser — and anyone without signing in can do the same with the pasted receipt;
- a resident born in 2015 sees on the list, before opening it, why he cannot vote in a poll with an
  age limit, and the poll page offers him no form.

Every screen passes axe-core with no violations of any impact, carries no inline style (CSP), and
does not scroll sideways at 320 px; screenshots land in build/screenshots.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from infra.local.seed import REGIONAL_POLL_TITLE
from tests.e2e.browser import Resident, shown_time, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]

SATKA_DEMO_POLL = "Благоустройство набережной Саткинского пруда"
MAGNITOGORSK_DEMO_POLL = "Вечерние часы массового катания в Ледовом дворце им. Ромазана"
TITLE = "Какие дворы Сатки благоустроить в 2027 году?"
# Long enough for the resident to vote and change her vote in the browser on a busy 2-core machine;
# short enough that the wait for the result stays near a minute (a worker of `make test` idles meanwhile).
WINDOW_SECONDS = 75


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uploaded_image(persona_api, alt: str = "Двор на улице Пролетарской до благоустройства") -> dict:
    """A picture uploaded as the Сатка moderator would (API form → S3 → confirm): {id, alt}."""
    from PIL import Image

    started = persona_api("POST", "/v1/admin/media", "moderator-satka", {"content_type": "image/png"})
    assert started.status_code == 201, started.text
    form = started.json()
    png = io.BytesIO()
    Image.new("RGB", (320, 180), (40, 120, 200)).save(png, "PNG")
    fields = {**form["upload"]["fields"]}
    fields.setdefault("Content-Type", "image/png")
    posted = requests.post(form["upload"]["url"], data=fields, timeout=30,
                           files={"file": ("dvor.png", png.getvalue(), "image/png")})
    assert posted.status_code < 300, posted.text
    confirmed = persona_api("POST", f"/v1/admin/media/{form['id']}/confirm", "moderator-satka")
    assert confirmed.status_code < 300, confirmed.text
    return {"id": form["id"], "alt": alt}


def _short_satka_poll(persona_api, closes: datetime) -> str:
    """A Сатка poll drafted by the moderator and approved, open from a minute ago until ``closes``."""
    now = datetime.now(UTC)
    body = {
        "title": TITLE,
        "description": "Администрация Саткинского городского поселения выбирает дворы.\nОпрос короткий.",
        "territory_ids": ["gp-satka"], "opens_at": _iso(now - timedelta(minutes=1)), "closes_at": _iso(closes),
        "min_age": 16, "results_visibility": "after_vote", "image": _uploaded_image(persona_api),
        "questions": [
            {"text": "Какой двор первым?", "kind": "single",
             "options": [{"text": "Пролетарская, 12"}, {"text": "Солнечная, 3"}, {"text": "Бакальская, 20"}]},
            {"text": "Что поставить во дворе?", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "Качели"}, {"text": "Скамейки"}, {"text": "Освещение"}, {"text": "Парковку"}]},
        ]}
    created = persona_api("POST", "/v1/admin/polls", "moderator-satka", body)
    assert created.status_code == 201, created.text
    poll_id = created.json()["id"]
    assert persona_api("POST", f"/v1/admin/polls/{poll_id}/submit", "moderator-satka", {}).status_code == 200
    approved = persona_api("POST", f"/v1/admin/polls/{poll_id}/approve", "approver", {})
    assert approved.status_code == 200, approved.text
    wait_for(lambda: persona_api("GET", f"/v1/polls/{poll_id}", "resident-satka").json().get("state") == "open",
             30, "the scheduler to open the poll")
    return poll_id


def test_a_resident_born_in_2015_sees_why_he_cannot_vote_before_opening_the_poll(local_stack, browser):
    teen = Resident(browser, local_stack, "resident-satka-teen")
    page = teen.page
    card = page.locator("#open-polls article").filter(has_text=REGIONAL_POLL_TITLE)
    expect(card.locator(".vote-standing")).to_contain_text("Нельзя проголосовать")
    expect(card.locator(".vote-reason")).to_have_text("Опрос для участников от 18 лет.")
    teen.check("resident-polls-teen")

    card.get_by_role("link", name=REGIONAL_POLL_TITLE).click()
    expect(page.locator("#cannot-vote")).to_contain_text("Вы не можете проголосовать")
    expect(page.locator("#cannot-vote")).to_contain_text("18")
    expect(page.locator("form.ballot-form")).to_have_count(0)
    expect(page.get_by_role("button", name="Проголосовать")).to_have_count(0)
    expect(page.locator("#questions-title")).to_be_visible()  # what is asked is still shown
    teen.check("resident-poll-cannot-vote")
    teen.close()


def test_a_satka_resident_votes_changes_her_vote_and_verifies_it_after_close(local_stack, browser, persona_api):
    closes = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=WINDOW_SECONDS)
    poll_id = _short_satka_poll(persona_api, closes)

    # -- the list: her town's and the region's polls, not Магнитогорск's; each card says she may vote
    resident = Resident(browser, local_stack, "resident-satka")
    page = resident.page
    open_polls = page.locator("#open-polls")
    expect(open_polls).to_contain_text(SATKA_DEMO_POLL)
    expect(open_polls).to_contain_text(REGIONAL_POLL_TITLE)
    expect(open_polls).to_contain_text(TITLE)
    expect(page.locator("main")).not_to_contain_text(MAGNITOGORSK_DEMO_POLL)
    card = page.locator(f"article[data-id='{poll_id}']")
    expect(card).to_contain_text("Сатка")
    expect(card).to_contain_text(f"Голосование до {shown_time(closes)}")  # Chelyabinsk time, not Moscow's
    expect(card).to_contain_text("Можно проголосовать")
    image = card.locator("img.card-image")
    expect(image).to_have_attribute("alt", "Двор на улице Пролетарской до благоустройства")
    wait_for(lambda: image.evaluate("img => img.complete && img.naturalWidth > 0"), 15, "the poll's image")
    resident.check("resident-polls")

    # -- the poll: the rules apply as she answers
    card.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    cast_requests: list[dict] = []
    page.on("request", lambda r: cast_requests.append(r.headers) if r.method == "POST"
            and r.url.endswith(f"/v1/polls/{poll_id}/ballots") else None)
    page.get_by_label("Качели").check()
    page.get_by_label("Освещение").check()
    expect(page.get_by_label("Скамейки")).to_be_disabled()  # at most two
    expect(page.locator("#q-q2-rule")).to_contain_text("Выбрано 2 из 2")
    page.get_by_role("button", name="Проголосовать").click()
    expect(page.locator("#q-q1-problem")).to_have_text("Ответьте на этот вопрос.")  # every question is required
    assert cast_requests == []
    page.get_by_label("Солнечная, 3").check()
    expect(page.locator("#q-q1-problem")).to_have_count(0)

    # -- offline, the vote button is disabled and the app says a vote needs a connection
    resident.context.set_offline(True)
    expect(page.locator("#offline-vote")).to_have_text("Для голосования нужно подключение к интернету")
    expect(page.get_by_role("button", name="Проголосовать")).to_be_disabled()
    resident.context.set_offline(False)
    expect(page.locator("#offline-vote")).to_have_count(0)
    resident.check("resident-poll-form")

    # -- she votes: «Голос принят», the receipt kept on the device with the choices in words
    page.get_by_role("button", name="Проголосовать").click()
    expect(page.locator("#accepted")).to_contain_text("Голос принят")
    expect(page.locator("#accepted")).to_contain_text("Вы можете изменить свой выбор до окончания голосования")
    expect(page.locator("#receipt")).to_contain_text("«Солнечная, 3»")
    expect(page.locator("#receipt")).to_contain_text("«Качели», «Освещение»")
    stored = json.loads(page.evaluate("localStorage.getItem('aj74.receipts.res-satka-0001')"))
    first_commitment = stored[0]["receipt"]["commitment"]
    assert stored[0]["pollId"] == poll_id and stored[0]["title"] == TITLE
    assert stored[0]["choices"] == [{"question": "Какой двор первым?", "options": ["Солнечная, 3"]},
                                    {"question": "Что поставить во дворе?", "options": ["Качели", "Освещение"]}]
    expect(page.locator("#ballot-state")).to_contain_text("засчитан", timeout=30_000)
    resident.check("resident-poll-accepted")

    # -- she changes her vote: the form starts from her choice; the new ballot is the one counted
    page.get_by_role("button", name="Изменить выбор").click()
    expect(page.get_by_label("Солнечная, 3")).to_be_checked()
    page.get_by_label("Бакальская, 20").check()
    page.get_by_role("button", name="Отправить новый выбор").click()
    expect(page.locator("#accepted")).to_contain_text("Голос принят")
    expect(page.locator("#receipt")).to_contain_text("«Бакальская, 20»")
    expect(page.locator("#ballot-state")).to_contain_text("засчитан", timeout=30_000)
    stored = json.loads(page.evaluate("localStorage.getItem('aj74.receipts.res-satka-0001')"))
    assert len(stored) == 1 and stored[0]["receipt"]["commitment"] != first_commitment
    assert stored[0]["choices"][0] == {"question": "Какой двор первым?", "options": ["Бакальская, 20"]}
    # One Idempotency-Key per attempt: two submissions, two keys
    keys = [h.get("idempotency-key") for h in cast_requests]
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1], keys
    # Results after the vote (this poll shows them once her ballot is counted), as a chart
    expect(page.locator("#results-title")).to_have_text("Промежуточные итоги")
    expect(page.locator(".results-bar").first).to_be_visible()
    resident.check("resident-poll-changed")

    # -- before the result, the check page says the vote can be checked once the result is out
    page = resident.open(f"/check/{poll_id}")
    expect(page.locator("#not-final")).to_contain_text("после подведения итогов")
    expect(page.locator("#receipt-verdict")).to_have_count(0)

    # -- the poll closes and is finalised; the moderator files the decision and an execution update
    wait_for(lambda: persona_api("GET", f"/v1/polls/{poll_id}", "resident-satka").json()["state"] == "final",
             WINDOW_SECONDS + 120, "the final result")
    assert persona_api("PUT", f"/v1/admin/polls/{poll_id}/execution", "moderator-satka",
                       {"decision": "Благоустроить двор на Бакальской, 20", "status": "in_progress"}).status_code < 300
    update = persona_api("POST", f"/v1/admin/polls/{poll_id}/execution/updates", "moderator-satka",
                         {"date": "2026-12-01", "text": "Заключён договор с подрядчиком",
                          "links": ["https://satka.ru/news/dvory"],
                          "photos": [_uploaded_image(persona_api, "Подрядчик размечает площадку во дворе")]})
    assert update.status_code < 300, update.text
    page = resident.open(f"/polls/{poll_id}")
    expect(page.locator("#results-title")).to_have_text("Итоги")
    expect(page.locator("#execution")).to_contain_text("Благоустроить двор на Бакальской, 20")
    expect(page.locator("#execution")).to_contain_text("01.12.2026 — Заключён договор с подрядчиком")
    photo = page.locator("#execution img.execution-photo")
    expect(photo).to_have_attribute("alt", "Подрядчик размечает площадку во дворе")
    expect(photo).to_have_attribute("loading", "lazy")
    photo.scroll_into_view_if_needed()
    wait_for(lambda: photo.evaluate("img => img.complete && img.naturalWidth > 0"), 15, "the update's photo")
    expect(page.locator("#execution").get_by_role("link", name="https://satka.ru/news/dvory")).to_be_visible()
    expect(page.get_by_role("button", name="Изменить выбор")).to_have_count(0)
    resident.check("resident-poll-final")

    # -- she checks her receipt against the published root and recounts the list, in the browser
    page.get_by_role("link", name="Проверить свой голос").click()
    expect(page.locator("#receipt-verdict")).to_have_attribute("data-state", "ok", timeout=15_000)
    expect(page.locator("#receipt-verdict")).to_contain_text("Голос учтён без изменений")
    expect(page.locator("#receipt-verdict")).to_contain_text("«Какой двор первым? — Бакальская, 20»")
    page.get_by_role("button", name="Пересчитать итоги").click()
    expect(page.locator("#recount-verdict")).to_have_attribute("data-state", "ok", timeout=30_000)
    expect(page.locator("#recounted")).to_contain_text("«Бакальская, 20»: пересчитано 1, опубликовано 1")
    expect(page.locator("main")).not_to_contain_text("q1-o")  # options by their texts, never ids
    resident.check("resident-check-poll")
    receipt_text = page.evaluate("localStorage.getItem('aj74.receipts.res-satka-0001')")
    resident.open("/check")
    expect(page.locator("#receipts")).to_contain_text(TITLE)
    resident.check("resident-check")
    resident.close()

    # -- anyone, without signing in, pastes the receipt and gets the same verdict
    receipt = json.loads(receipt_text)[0]["receipt"]
    visitor = Resident(browser, local_stack, None)
    page = visitor.open("/check")
    page.get_by_label("Текст квитанции").fill(json.dumps(
        {"poll_id": receipt["poll_id"], "commitment": receipt["commitment"], "option_ids": receipt["option_ids"]}))
    page.get_by_role("button", name="Проверить", exact=True).click()
    expect(page.locator("#receipt-verdict")).to_have_attribute("data-state", "ok", timeout=15_000)
    expect(page.locator(".tab-bar")).to_have_count(0)
    visitor.check("resident-check-pasted")
    visitor.close()
