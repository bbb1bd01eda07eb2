"""The content desk and the approval queue in a real browser, as the people doing it would: the
moderator of Сатка drafts news (its errors beside the fields), an event and a missing-person notice
and sends them to review; the Directorate rejects the news with a comment on the approval page, the
moderator fixes it, the approver sees what changed and approves all three; a resident of Сатка
then finds each in their feed. An approver's own draft waits for another approver (four eyes). The
МЧС operator publishes a bulletin from the console, a resident sees it pinned at once, and after
the operator retracts it the feed drops it.

The browser sits in Moscow: every time typed or shown is Chelyabinsk's. Every page passes axe with
nothing serious, staff markup stays inert, nothing scrolls sideways at 390 px; screenshots land in
docs/screenshots/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import (
    PHONE_WIDTH,
    SCREENSHOTS,
    XSS,
    Person,
    api_call,
    api_get,
    api_token,
    local_input,
    shown_time,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]

SATKA = "Саткинский муниципальный район"


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def _on_a_phone(browser: Browser, stack: LocalStack, persona: str, path: str, name: str) -> None:
    phone = Person(browser, stack, persona, width=PHONE_WIDTH)
    phone.open(path)
    phone.assert_no_page_scroll()
    phone.check(name)
    phone.close()


def _feed_ids(stack: LocalStack, token: str) -> list[str]:
    return [i["id"] for i in api_get(stack, "/v1/feed?limit=50", token)["items"]]


def _saved_id(page: Page) -> str:
    """The item the desk moved to after a save (content.html?id=…), once it has loaded."""
    expect(page).to_have_url(re.compile(r"/content\.html\?id=\w+"))
    expect(page.locator("#status")).to_have_text("", timeout=15_000)
    return page.url.split("id=")[1]


def _submit(page: Page) -> str:
    page.get_by_role("button", name="Сохранить и отправить на согласование").click()
    content_id = _saved_id(page)
    expect(page.locator("#item-state")).to_have_text("Состояние: на согласовании")
    return content_id


def _decide(page: Page, content_id: str, button: str, comment: str | None = None) -> None:
    item = page.locator(f'article[data-id="{content_id}"]')
    if comment:
        item.get_by_label("Комментарий (обязателен при отклонении)").fill(comment)
    item.get_by_role("button", name=button).click()
    expect(item.locator(".notice")).to_have_text("Согласовано." if button == "Согласовать"
                                                 else "Отклонено: автор увидит комментарий.")


def test_moderator_drafts_approver_approves_residents_read(local_stack: LocalStack, browser: Browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stack = local_stack
    resident = api_token(stack, persona="resident-satka")
    moderator = Person(browser, stack, "moderator-satka")
    moderator.open("/content.html")
    moderator.check("admin-content-desk")

    # -- news: an empty save shows each error beside its field, once; then a draft, sent to review
    page = moderator.open("/content.html?new=news")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.locator("#news-title-error")).to_have_count(1)
    expect(page.locator("#news-body-error")).to_have_count(1)
    expect(page.locator("#news-territory_ids-error")).to_have_count(1)
    expect(page.get_by_label("Заголовок")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#news-form-error")).to_have_text("Исправьте отмеченные поля.")
    moderator.check("admin-content-news-errors")
    page.get_by_label("Заголовок").fill(f"Ремонт моста через Ай {XSS}")
    page.get_by_label("Текст", exact=True).fill(f"Движение по мосту закрыто до 1 июня. {XSS}")
    page.get_by_label(SATKA).check()
    page.get_by_role("button", name="Сохранить черновик").click()
    news_id = _saved_id(page)
    expect(page.locator("#item-state")).to_have_text("Состояние: черновик")
    page.locator("#submit-review").click()
    expect(page.locator("#item-state")).to_have_text("Состояние: на согласовании")
    expect(page.locator("#history")).to_contain_text("Отправлен на согласование")

    # -- an event with a registration link; times typed and shown in Chelyabinsk
    starts = _minute(datetime.now().astimezone() + timedelta(days=3))
    ends = starts + timedelta(hours=4)
    page = moderator.open("/content.html?new=event")
    page.get_by_label("Заголовок").fill("Лыжня России в Сатке")
    page.get_by_label("Описание события").fill("Массовый забег для всех возрастов.")
    page.get_by_label("Начало", exact=True).fill(local_input(starts))
    page.get_by_label("Окончание", exact=True).fill(local_input(ends))
    page.get_by_label("Место проведения").fill("Лыжная база «Еловая»")
    page.get_by_label("Адрес", exact=True).fill("Сатка, ул. Солнечная, 2")
    page.get_by_label("Категория").select_option("sport")
    page.get_by_label("Ссылка на регистрацию (необязательно)").fill("https://satka74.ru/lyzhnya")
    page.get_by_label(SATKA).check()
    moderator.check("admin-content-event-form")
    event_id = _submit(page)
    expect(page.locator(".content-details")).to_contain_text(shown_time(starts))

    # -- a missing-person notice with the police phone
    seen = _minute(datetime.now().astimezone() - timedelta(hours=20))
    page = moderator.open("/content.html?new=missing_person")
    page.get_by_label("Заголовок").fill("Пропал Иван Петров, 72 года")
    page.get_by_label("Приметы и описание").fill("Рост 170 см, седой, в синей куртке.")
    page.get_by_label("Где видели в последний раз").fill("Сатка, остановка «Центральная»")
    page.get_by_label("Когда видели в последний раз").fill(local_input(seen))
    page.get_by_label("Телефон для сообщений (полиция)").fill("+7 351 613-00-02")
    page.get_by_label(SATKA).check()
    missing_id = _submit(page)
    expect(page.locator(".content-details")).to_contain_text(shown_time(seen))
    moderator.check("admin-content-item")

    # -- four eyes: an approver's own draft is in the queue, but not for them to decide
    approver_token = api_token(stack, persona="approver")
    own = api_call(stack, "POST", "/v1/admin/content", approver_token, {
        "type": "news", "title": "Новость согласующего", "body": "Текст.", "territory_ids": ["gp-satka"]})
    api_call(stack, "POST", f"/v1/admin/content/{own['id']}/submit", approver_token, {})

    # -- the approver rejects the news with a comment; the moderator fixes it and resubmits
    approver = Person(browser, stack, "approver")
    page = approver.open("/review.html")
    mine = page.locator(f'article[data-id="{own["id"]}"]')
    expect(mine.get_by_role("button", name="Согласовать")).to_be_disabled()
    expect(mine.locator(".disabled-reason")).to_contain_text("другой согласующий")
    approver.check("admin-review")
    _decide(page, news_id, "Отклонить", "Укажите объезд.")

    page = moderator.open(f"/content.html?id={news_id}")
    expect(page.locator("#item-state")).to_have_text("Состояние: отклонён")
    expect(page.locator("#history")).to_contain_text("Укажите объезд.")
    page.locator("#edit").click()
    page.get_by_label("Заголовок").fill("Ремонт моста через Ай: объезд по ул. Пролетарской")
    page.get_by_role("button", name="Сохранить и отправить на согласование").click()
    expect(page.locator("#item-state")).to_have_text("Состояние: на согласовании")

    page = approver.open("/review.html")
    changes = page.locator(f'article[data-id="{news_id}"] table.changes')
    expect(changes).to_contain_text("Заголовок")
    expect(changes).to_contain_text("объезд по ул. Пролетарской")
    event_item = page.locator(f'article[data-id="{event_id}"]')
    expect(event_item).to_contain_text(shown_time(starts))
    for content_id in (news_id, event_id, missing_id):
        _decide(page, content_id, "Согласовать")
    approver.check()
    api_call(stack, "POST", f"/v1/admin/content/{own['id']}/reject", api_token(stack, persona="approver-2"),
             {"comment": "Проверка четырёх глаз"})

    # -- the scheduler publishes; a Сатка resident reads all three
    wait_for(lambda: {news_id, event_id, missing_id} <= set(_feed_ids(stack, resident)), 30, "the feed")
    page = moderator.open(f"/content.html?id={missing_id}")
    expect(page.locator("#item-state")).to_have_text("Состояние: опубликован")
    expect(page.locator("#history")).to_contain_text("Согласован")

    for persona, path, name in (("moderator-satka", "/content.html", "admin-content-desk-phone"),
                                ("moderator-satka", "/content.html?new=event", "admin-content-event-phone"),
                                ("moderator-satka", f"/content.html?id={event_id}", "admin-content-item-phone"),
                                ("approver", "/review.html", "admin-review-phone")):
        _on_a_phone(browser, stack, persona, path, name)
    moderator.close()
    approver.close()


def test_mchs_operator_publishes_and_retracts_a_bulletin(local_stack: LocalStack, browser: Browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stack = local_stack
    resident = api_token(stack, persona="resident-satka")
    operator = Person(browser, stack, "emergency")
    page = operator.open("/bulletins.html")
    operator.check()

    expires = _minute(datetime.now().astimezone() + timedelta(hours=6))
    page.get_by_label("Уровень опасности").select_option("danger")
    page.get_by_label("Заголовок").fill(f"Паводок: подтопление улиц у реки Ай {XSS}")
    page.get_by_label("Текст", exact=True).fill("Не подходите к реке, следуйте указаниям спасателей.")
    page.get_by_label("Действует до").fill(local_input(expires))
    page.get_by_label(SATKA).check()
    page.get_by_role("button", name="Опубликовать сейчас").click()
    card = page.locator("#live-bulletins li", has_text="Паводок: подтопление")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Опасность")
    expect(card).to_contain_text(shown_time(expires))
    expect(page.locator("#live-by-territory")).to_contain_text(SATKA)
    bulletin_id = card.get_attribute("data-id")
    operator.check("admin-bulletins")

    feed = api_get(stack, "/v1/feed?limit=50", resident)["items"]
    assert (feed[0]["id"], feed[0]["pinned"]) == (bulletin_id, True)

    _on_a_phone(browser, stack, "emergency", "/bulletins.html", "admin-bulletins-phone")

    card.get_by_label("Причина снятия с публикации").fill("Угроза миновала, вода ушла.")
    card.get_by_role("button", name="Снять с публикации").click()
    expect(page.locator("main .notice-info")).to_contain_text("снят с публикации")
    expect(page.locator(f'#live-bulletins li[data-id="{bulletin_id}"]')).to_have_count(0)
    wait_for(lambda: bulletin_id not in _feed_ids(stack, resident), 15, "the bulletin to leave the feed")
    operator.check()
    operator.close()
