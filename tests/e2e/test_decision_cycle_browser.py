"""The whole decision cycle in a real browser, as the people doing it would: the moderator of Сатка
drafts a poll in the editor (errors shown beside the fields at fault), submits it; the Directorate
rejects it with a comment on the approval page; the moderator fixes and resubmits; the approver
approves; the scheduler opens it, residents vote through the API, it closes; the results page shows
the chart, the suppressed breakdown cells, the CSV export and the integrity check; the moderator
files an execution report and informs the public; the news item is approved and reaches a
resident's feed.

The browser sits in Moscow (tests/e2e/browser.py): every time typed or shown must be Chelyabinsk's.
Along the way every page passes axe-core with no serious or critical violations, staff text carrying
markup stays inert, pages do not scroll sideways on a 390 px phone, and screenshots of the main
pages land in docs/screenshots/.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import (
    PHONE_WIDTH,
    SCREENSHOTS,
    XSS,
    Person,
    api_get,
    api_token,
    local_input,
    picture,
    shown_time,
    upload_image,
    wait_for,
)

TITLE = f"Освещение набережной {XSS}"

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]


def _minute(dt: datetime) -> datetime:
    """What a time field keeps of ``dt``: the site takes times to the minute."""
    return dt.replace(second=0, microsecond=0)


def _on_a_phone(browser: Browser, stack: LocalStack, persona: str, path: str, name: str) -> None:
    """The page at 390 px: nothing scrolls sideways, axe is satisfied, a screenshot."""
    phone = Person(browser, stack, persona, width=PHONE_WIDTH)
    phone.open(path)
    phone.assert_no_page_scroll()
    phone.check(name)
    phone.close()


def test_the_decision_cycle_from_draft_to_the_residents_feed(local_stack: LocalStack, browser: Browser,
                                                            tmp_path: Path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stack = local_stack
    moderator = Person(browser, stack, "moderator-satka")
    moderator.open("/dashboard.html")
    moderator.check("admin-dashboard-moderator")

    # -- the moderator drafts; the first save shows the error next to the option at fault, once
    page = moderator.open("/poll.html")
    opens_at = _minute(datetime.now().astimezone() - timedelta(minutes=1))
    closes_at = _minute(datetime.now().astimezone() + timedelta(hours=1))
    page.get_by_label("Заголовок").fill(TITLE)
    page.get_by_label("Описание").fill(f"Выберите, где поставить фонари. {XSS}")
    page.get_by_label("Саткинский муниципальный район").check()
    page.get_by_label("Начало голосования").fill(local_input(opens_at))
    page.get_by_label("Окончание голосования").fill(local_input(closes_at))
    page.get_by_label("Минимальный возраст участника").fill("16")
    page.get_by_label("Текст вопроса").fill("Где поставить фонари?")
    page.get_by_label("Вариант 1 вопроса 1", exact=True).fill(f"У пруда {XSS}")
    page.get_by_role("button", name="Сохранить черновик").click()
    second = page.locator("#questions .option-row").nth(1)
    expect(second.locator(".field-error")).to_have_count(1)
    expect(second.locator(".field-error")).to_have_text("Заполните это поле.")
    expect(page.get_by_label("Вариант 2 вопроса 1", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-error")).to_have_text("Исправьте отмеченные поля.")
    expect(page.locator(".field-error")).to_have_count(1)  # nothing else is at fault, nothing said twice
    # the same option twice is refused too (the API compares texts as a resident reads them)
    page.get_by_label("Вариант 2 вопроса 1", exact=True).fill(f"у  пруда {XSS}")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(second.locator(".field-error")).to_have_text("Такой вариант ответа уже есть в этом вопросе.")
    expect(page.locator(".field-error")).to_have_count(1)
    page.get_by_label("Вариант 2 вопроса 1", exact=True).fill("У школы")
    phone = page.locator("#phone")
    expect(phone).to_contain_text("У школы")
    expect(phone).to_contain_text(XSS)  # shown as text in the resident preview
    expect(phone).to_contain_text(f"До {shown_time(closes_at)}")  # Chelyabinsk time, the browser is in Moscow
    expect(phone).to_contain_text("Вы можете изменить свой выбор до окончания голосования.")
    page.get_by_role("button", name="Отправить на согласование").click()
    expect(page.locator("#form-message")).to_contain_text("отправлен на согласование")
    expect(page.locator("#poll-state")).to_contain_text("на согласовании")
    expect(page.get_by_role("button", name="Сохранить черновик")).to_have_count(0)  # no longer editable
    expect(page.locator("#edit-reason")).to_contain_text("редактировать можно только черновик")
    poll_id = page.evaluate("() => new URLSearchParams(location.search).get('id')")
    moderator.check("admin-poll-editor")
    _on_a_phone(browser, stack, "moderator-satka", f"/poll.html?id={poll_id}", "admin-poll-editor-phone")
    page = moderator.open("/dashboard.html")
    card = page.locator(f"#my-polls [data-poll-id='{poll_id}']")
    expect(card).to_contain_text(f"{shown_time(opens_at)} — {shown_time(closes_at)}")

    # -- the Directorate rejects it with a comment on the approval page
    approver = Person(browser, stack, "approver")
    approver.open("/dashboard.html")
    approver.check("admin-dashboard-approver")
    expect(approver.page.locator("#queue-summary")).to_contain_text("Ждут решения")
    page = approver.open("/review.html")
    item = page.locator(f"article[data-kind='poll'][data-id='{poll_id}']")
    expect(item).to_contain_text(TITLE)
    item.get_by_label("Комментарий").fill(f"Уточните срок голосования. {XSS}")
    item.get_by_role("button", name="Отклонить").click()
    expect(item).to_contain_text("Отклонено")

    # -- the moderator sees the comment, fixes the poll and resubmits it
    page = moderator.open("/dashboard.html")
    expect(page.locator("#my-polls")).to_contain_text("Уточните срок голосования")
    page = moderator.open(f"/poll.html?id={poll_id}")
    expect(page.locator("#history")).to_contain_text(f"Уточните срок голосования. {XSS}")
    # A close to the minute, far enough ahead for the approval and the votes below.
    closes_at = _minute(datetime.now().astimezone() + timedelta(seconds=150))
    page.get_by_label("Окончание голосования").fill(local_input(closes_at))
    page.get_by_label("Вариант 2 вопроса 1", exact=True).fill("У школы № 2")
    page.get_by_role("button", name="Отправить на согласование").click()
    expect(page.locator("#form-message")).to_contain_text("отправлен на согласование")
    moderator.check()

    # -- the approver sees what changed since the rejection and approves
    page = approver.open("/review.html")
    item = page.locator(f"article[data-kind='poll'][data-id='{poll_id}']")
    expect(item.locator("table.changes")).to_contain_text("У школы № 2")
    item.get_by_role("button", name="Согласовать").click()
    expect(item).to_contain_text("Согласовано")

    # -- the scheduler opens the poll; participation shows; residents vote through the API
    staff_token = api_token(stack, persona="approver")
    wait_for(lambda: api_get(stack, f"/v1/admin/polls/{poll_id}", staff_token)["state"] == "open", 30, "opening")
    page = moderator.open(f"/results.html?id={poll_id}")
    expect(page.locator(".participation")).to_contain_text("учтено")
    expect(page.locator("#summary-body")).to_contain_text(shown_time(closes_at))
    moderator.check("admin-results-open")
    # 20 women (14 for the pond, 6 for the school) and 4 men (all for the pond): small cells appear
    voters = [("f", 1) for _ in range(14)] + [("f", 2) for _ in range(6)] + [("m", 1) for _ in range(4)]
    for i, (gender, option) in enumerate(voters):
        token = api_token(stack, sub=f"cycle-{poll_id[-6:]}-{i}", roles=["resident"], territory_id="gp-satka",
                          birth_year=1980, gender=gender)
        response = requests.post(f"{stack.api_url}/v1/polls/{poll_id}/ballots", timeout=10,
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"answers": [{"question_id": "q1", "option_ids": [f"q1-o{option}"]}]})
        assert response.status_code == 202, response.text

    # -- it closes and is finalised: the chart, the suppressed cells, the CSV, the integrity check
    wait_for(lambda: api_get(stack, f"/v1/admin/polls/{poll_id}", staff_token)["state"] == "final", 240, "final")
    page = moderator.open(f"/results.html?id={poll_id}")
    expect(page.locator("#summary-body")).to_contain_text("Всего бюллетеней: 24")
    expect(page.locator("svg.chart rect.bar")).to_have_count(2)
    assert page.locator("[style]").count() == 0  # the chart is drawn by attributes and classes (CSP)
    page.get_by_label("Разрез", exact=True).select_option("gender")
    expect(page.locator("#breakdown")).to_contain_text("женщины")
    expect(page.locator("#breakdown td.suppressed").first).to_be_visible()
    expect(page.locator("#breakdown")).to_contain_text("скрыто")
    expect(page.locator("#breakdown")).not_to_contain_text("<10")  # no reason, no hint of how small
    with page.expect_download() as download:
        page.get_by_role("button", name="Выгрузить CSV").click()
    assert download.value.suggested_filename == f"itogi-{poll_id}-gender.csv"
    assert "Всего бюллетеней" in download.value.path().read_text(encoding="utf-8-sig")
    page.get_by_role("button", name="Проверить целостность").click()
    expect(page.locator("#integrity-result")).to_contain_text("Нарушений не найдено")
    moderator.check("admin-results-final")
    _on_a_phone(browser, stack, "moderator-satka", f"/results.html?id={poll_id}", "admin-results-final-phone")

    # -- the moderator files the execution report (dates дд.мм.гггг) and informs the public
    page.get_by_label("Принятое решение").fill(f"Установить 12 фонарей у пруда. {XSS}")
    page.get_by_label("Статус исполнения").select_option("in_progress")
    page.get_by_role("button", name="Сохранить отчёт").click()
    expect(page.locator("#execution-view")).to_contain_text("Установить 12 фонарей у пруда")
    page.get_by_label("Дата", exact=True).fill("1.12.2026")
    page.get_by_label("Что сделано").fill("Заключён контракт на поставку фонарей")
    page.get_by_label("Ссылки (по одной в строке)").fill("https://satka.ru/news/fonari")
    upload_image(page, "u-photo-0", picture(tmp_path / "fonari.png", (230, 200, 60)), "Новые фонари у пруда")
    expect(page.locator("#u-photo-1-file")).to_be_visible()  # room for the next photo
    page.get_by_role("button", name="Добавить запись").click()
    expect(page.locator("#execution-view")).to_contain_text("01.12.2026: Заключён контракт")
    photo = page.locator("#execution-view img[alt='Новые фонари у пруда']")
    wait_for(lambda: photo.evaluate("img => img.complete && img.naturalWidth > 0"), 15, "the update's photo")
    expect(page.locator("#u-photo-0-alt")).to_have_count(0)  # the form starts empty again
    page.get_by_role("button", name="Сообщить жителям об итогах").click()
    expect(page.locator("#inform-result")).to_contain_text("отправлена на согласование")
    moderator.check("admin-execution-report")
    page.emulate_media(media="print")
    page.screenshot(path=SCREENSHOTS / "admin-results-print.png", full_page=True)
    page.emulate_media(media="screen")

    # -- the Directorate approves the news item; it reaches a resident's feed
    page = approver.open("/review.html")
    # (other tests in the session may have queued news of their own polls)
    news = page.locator("article[data-kind='content']").filter(has_text="Установить 12 фонарей у пруда")
    expect(news).to_contain_text(f"Итоги опроса «{TITLE}»")
    news = page.locator(f"article[data-kind='content'][data-id='{news.get_attribute('data-id')}']")
    news.get_by_role("button", name="Согласовать").click()
    expect(news).to_contain_text("Согласовано")
    resident = api_token(stack, persona="resident-satka")
    feed_item = wait_for(lambda: next((i for i in api_get(stack, "/v1/feed?limit=50", resident)["items"]
                                       if XSS in i.get("title", "")), None), 60, "the news item in the feed")
    assert feed_item["title"] == f"Итоги опроса «{TITLE}»"
    resident_poll = api_get(stack, f"/v1/polls/{poll_id}", resident)
    assert resident_poll["execution"]["status"] == "in_progress"
    assert resident_poll["execution"]["updates"][0]["links"] == ["https://satka.ru/news/fonari"]
    [shown_photo] = resident_poll["execution"]["updates"][0]["photos"]
    assert shown_photo["alt"] == "Новые фонари у пруда" and "/media/" in shown_photo["url"]

    # -- the analyst reads results but is offered no editing; the IT admin's dashboard leads to staff roles
    analyst = Person(browser, stack, "analyst")
    analyst.open("/dashboard.html")
    expect(analyst.page.locator("#final-polls")).to_contain_text(TITLE)
    analyst.check("admin-dashboard-analyst")
    page = analyst.open(f"/poll.html?id={poll_id}")
    expect(page.get_by_role("button", name="Сохранить черновик")).to_have_count(0)
    expect(page.locator("#edit-reason")).to_contain_text("доступен для просмотра")
    page = analyst.open(f"/results.html?id={poll_id}")
    expect(page.get_by_role("button", name="Сохранить отчёт")).to_have_count(0)
    analyst.check()
    admin = Person(browser, stack, "admin")
    admin.open("/dashboard.html")
    staff_link = admin.page.get_by_role("link", name="Роли и зоны ответственности сотрудников")
    expect(staff_link).to_have_attribute("href", "/staff.html")
    admin.check("admin-dashboard-admin")
    _on_a_phone(browser, stack, "moderator-satka", "/dashboard.html", "admin-dashboard-moderator-phone")
    for person in (moderator, approver, analyst, admin):
        person.close()
