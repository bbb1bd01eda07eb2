"""Images and turnout in a real browser: the moderator of Сатка drafts a poll with a picture of its
own and one on an answer option, uploaded through the editor (the phone preview shows both, with
their descriptions as alt text); the Directorate approves it (four eyes: not the author); with the
population of Бакал in the registry, the results page shows the turnout against the estimated
number of residents old enough to vote, with how it is estimated and a row per territory, and the
analyst's dashboard card says «Явка …». The moderator adds a news item with an uploaded image.

The browser sits in Moscow; every page passes axe with nothing serious and does not scroll
sideways at 390 px; screenshots land in docs/screenshots/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import (
    PHONE_WIDTH,
    SCREENSHOTS,
    Person,
    api_call,
    api_get,
    api_token,
    local_input,
    picture,
    upload_image,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]

POPULATION, YEAR = 18_600, 2024


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def _loaded(page: Page, selector: str) -> None:
    """The picture is really shown (its URL serves the cleaned copy)."""
    page.wait_for_function(
        "(s) => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth > 0; }",
        arg=selector, timeout=15_000)


def _on_a_phone(browser: Browser, stack: LocalStack, persona: str, path: str, name: str) -> None:
    phone = Person(browser, stack, persona, width=PHONE_WIDTH)
    try:
        phone.open(path)
        phone.assert_no_page_scroll()
        phone.check(name)
    finally:
        phone.close()


def test_poll_images_and_turnout(local_stack: LocalStack, browser: Browser, tmp_path: Path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stack = local_stack
    # The IT administrator records Бакал's population in the registry.
    admin_token = api_token(stack, persona="admin")
    api_call(stack, "PATCH", "/v1/admin/territories/gp-bakal", admin_token,
             {"population": POPULATION, "population_year": YEAR})

    moderator = Person(browser, stack, "moderator-satka")
    try:
        # -- a poll with its own picture and one on the first option, uploaded in the editor
        page = moderator.open("/poll.html")
        opens_at = _minute(datetime.now().astimezone() - timedelta(minutes=1))
        closes_at = _minute(datetime.now().astimezone() + timedelta(hours=2))
        page.get_by_label("Заголовок").fill("Благоустройство сквера в Бакале")
        page.get_by_label("Описание").fill("Выберите, что появится в сквере у ДК.")
        upload_image(page, "f-image", picture(tmp_path / "square.png", (40, 120, 60)), "Сквер у ДК летом")
        page.get_by_label("Бакал (Бакальское городское поселение)").check()
        page.get_by_label("Начало голосования").fill(local_input(opens_at))
        page.get_by_label("Окончание голосования").fill(local_input(closes_at))
        page.get_by_label("Текст вопроса").fill("Что установить в сквере?")
        page.get_by_label("Вариант 1 вопроса 1", exact=True).fill("Фонтан")
        page.get_by_label("Вариант 2 вопроса 1", exact=True).fill("Детскую площадку")
        page.locator("#q0-box .option-image summary").first.click()
        upload_image(page, "q0-o0-image", picture(tmp_path / "fountain.jpg", (30, 90, 200), "JPEG"), "Эскиз фонтана")

        # the resident's phone preview shows both pictures, each with its description
        phone = page.locator("#phone")
        expect(phone.locator("img.phone-image")).to_have_attribute("alt", "Сквер у ДК летом")
        expect(phone.locator("img.phone-option-image")).to_have_count(1)
        expect(phone.locator("img.phone-option-image")).to_have_attribute("alt", "Эскиз фонтана")
        _loaded(page, "#phone img.phone-image")
        _loaded(page, "#phone img.phone-option-image")

        page.get_by_role("button", name="Отправить на согласование").click()
        expect(page.locator("#form-message")).to_contain_text("отправлен на согласование")
        poll_id = page.evaluate("() => new URLSearchParams(location.search).get('id')")
        moderator.check("admin-poll-editor-images")
        _on_a_phone(browser, stack, "moderator-satka", f"/poll.html?id={poll_id}", "admin-poll-editor-images-phone")

        approver = api_token(stack, persona="approver")
        saved = api_get(stack, f"/v1/admin/polls/{poll_id}", approver)
        assert saved["image"]["alt"] == "Сквер у ДК летом" and saved["image"]["url"]
        options = saved["questions"][0]["options"]
        assert options[0]["image"]["alt"] == "Эскиз фонтана"
        assert not options[1].get("image")

        # -- the Directorate approves (not the author: four eyes); the scheduler opens it; a vote
        api_call(stack, "POST", f"/v1/admin/polls/{poll_id}/approve", approver, {"comment": None})
        wait_for(lambda: api_get(stack, f"/v1/admin/polls/{poll_id}", approver)["state"] == "open", 30, "opening")
        resident = api_token(stack, sub=f"turnout-{poll_id[-6:]}", roles=["resident"], territory_id="gp-bakal",
                             birth_year=1985, gender="f")
        response = requests.post(f"{stack.api_url}/v1/polls/{poll_id}/ballots", timeout=10,
                                 headers={"Authorization": f"Bearer {resident}"},
                                 json={"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]})
        assert response.status_code == 202, response.text
        turnout = wait_for(lambda: (t := api_get(stack, f"/v1/admin/polls/{poll_id}/results", approver)["turnout"])
                           ["share"] is not None and t, 30, "the turnout share")
        assert turnout["population_year"] == YEAR

        # -- the results page: the turnout line, how it is estimated, a row per territory
        page = moderator.open(f"/results.html?id={poll_id}")
        expect(page.locator("#turnout-line")).to_contain_text(
            re.compile(r"^Явка: [\d,]+\u00a0% от оценочного числа жителей не моложе 14\u00a0лет"))
        expect(page.locator("#turnout-method")).to_contain_text("Оценка: численность населения территорий")
        expect(page.locator("#turnout-method")).to_contain_text(f"на {YEAR} год")
        row = page.locator("#turnout-table tbody tr", has_text="Бакал")
        expect(row).to_contain_text("18\u00a0600")
        expect(row).to_contain_text(str(YEAR))
        moderator.check("admin-results-turnout")
        _on_a_phone(browser, stack, "moderator-satka", f"/results.html?id={poll_id}", "admin-results-turnout-phone")

        # -- the analyst's dashboard card of the open poll says its turnout
        analyst = Person(browser, stack, "analyst")
        try:
            page = analyst.open("/dashboard.html")
            card = page.locator(f"#open-polls [data-poll-id='{poll_id}']")
            expect(card.locator(".card-turnout")).to_contain_text(re.compile(r"^Явка [\d,]+\u00a0%"))
            analyst.check()
        finally:
            analyst.close()

        # -- a news item with an uploaded image in the content editor
        page = moderator.open("/content.html?new=news")
        expect(page.get_by_label("Изображение (необязательно)", exact=True)).to_have_count(0)  # no link field
        page.get_by_label("Заголовок").fill("Новый сквер в Бакале")
        page.get_by_label("Текст", exact=True).fill("Работы начнутся после голосования.")
        upload_image(page, "news-image", picture(tmp_path / "news.png", (200, 160, 40)), "Строители в сквере")
        page.get_by_label("Саткинский муниципальный район").check()
        moderator.check("admin-content-news-image-form")
        page.get_by_role("button", name="Сохранить черновик").click()
        expect(page).to_have_url(re.compile(r"/content\.html\?id=\w+"))
        expect(page.locator("#status")).to_have_text("", timeout=15_000)
        content_id = page.url.split("id=")[1]
        expect(page.locator(".content-details img.content-image")).to_have_attribute("alt", "Строители в сквере")
        _loaded(page, ".content-details img.content-image")
        item = api_get(stack, f"/v1/admin/content/{content_id}", approver)
        assert item["image"]["alt"] == "Строители в сквере" and item.get("image_url") is None
        moderator.check("admin-content-news-image")
        _on_a_phone(browser, stack, "moderator-satka", f"/content.html?id={content_id}",
                    "admin-content-news-image-phone")
    finally:
        moderator.close()
