"""The whole decision cycle in a real browser, as the people doing it would: the moderator of Сатка
drafts a poll, the Directorate rejects it with a comment, the moderator fixes and resubmits, the
approver approves, the scheduler opens it, residents vote through the API, it closes, the results
page shows the chart and suppressed cells, the moderator files an execution report and informs the
public, the news item is approved and reaches a resident's feed.

Along the way: every admin page passes axe-core with no serious or critical violations, staff text
carrying markup stays inert everywhere (a flag the payload would set stays unset), and screenshots
of the main pages land in docs/screenshots/.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

import pytest
import requests
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import (
    SCREENSHOTS,
    XSS,
    Person,
    api_get,
    api_token,
    local_input,
    wait_for,
)

TITLE = f"Освещение набережной {XSS}"

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]


def test_the_decision_cycle_from_draft_to_the_residents_feed(local_stack: LocalStack, browser: Browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stack = local_stack
    moderator = Person(browser, stack, "moderator-satka")
    moderator.check("admin-dashboard-moderator")

    # -- the moderator drafts; the first save shows errors next to the fields at fault
    page = moderator.open("/poll.html")
    page.get_by_label("Заголовок").fill(TITLE)
    page.get_by_label("Описание").fill(f"Выберите, где поставить фонари. {XSS}")
    page.get_by_label("Саткинский муниципальный район").check()
    page.get_by_label("Начало голосования").fill(local_input(datetime.now() - timedelta(minutes=1)))
    page.get_by_label("Окончание голосования").fill(local_input(datetime.now() + timedelta(hours=1)))
    page.get_by_label("Минимальный возраст участника").fill("16")
    page.get_by_label("Текст вопроса").fill("Где поставить фонари?")
    page.get_by_label("Вариант 1 вопроса 1", exact=True).fill(f"У пруда {XSS}")
    page.get_by_role("button", name="Сохранить черновик").click()
    option_error = page.locator("#questions .option-row").nth(1).locator(".field-error")
    expect(option_error).to_be_visible()
    expect(page.get_by_label("Вариант 2 вопроса 1", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Вариант 2 вопроса 1", exact=True).fill("У школы")
    expect(page.locator("#phone")).to_contain_text("У школы")
    expect(page.locator("#phone")).to_contain_text(XSS)  # shown as text in the resident preview
    expect(page.locator("#phone")).to_contain_text("Вы можете изменить свой выбор до окончания голосования.")
    page.get_by_role("button", name="Отправить на согласование").click()
    expect(page.locator("#form-message")).to_contain_text("отправлен на согласование")
    poll_id = page.evaluate("() => new URLSearchParams(location.search).get('id')")
    moderator.check("admin-poll-editor")

    # -- the Directorate rejects it with a comment
    approver = Person(browser, stack, "approver")
    approver.check("admin-dashboard-approver")
    page = approver.open("/review.html")
    item = page.locator(f"[data-poll-id='{poll_id}']")
    expect(item).to_contain_text(TITLE)
    approver.check("admin-review-queue")
    item.get_by_label("Комментарий").fill(f"Уточните срок голосования. {XSS}")
    item.get_by_role("button", name="Отклонить").click()
    expect(item).to_contain_text("Отклонено")

    # -- the moderator sees the comment, fixes the poll and resubmits it
    page = moderator.open("/dashboard.html")
    expect(page.locator("#my-polls")).to_contain_text("Уточните срок голосования")
    page = moderator.open(f"/poll.html?id={poll_id}")
    expect(page.locator("#history")).to_contain_text(f"Уточните срок голосования. {XSS}")
    closes_at = datetime.now() + timedelta(seconds=45)
    page.get_by_label("Окончание голосования").fill(local_input(closes_at))
    page.get_by_label("Вариант 2 вопроса 1", exact=True).fill("У школы № 2")
    page.get_by_role("button", name="Отправить на согласование").click()
    expect(page.locator("#form-message")).to_contain_text("отправлен на согласование")
    moderator.check()

    # -- the approver sees what changed since the rejection and approves
    page = approver.open("/review.html")
    item = page.locator(f"[data-poll-id='{poll_id}']")
    expect(item.locator("table.changes")).to_contain_text("Окончание")
    expect(item.locator("table.changes")).to_contain_text("У школы № 2")
    approver.check()
    item.get_by_role("button", name="Согласовать").click()
    expect(item).to_contain_text("Согласовано")

    # -- the scheduler opens the poll; residents vote through the API
    staff_token = api_token(stack, persona="approver")
    wait_for(lambda: api_get(stack, f"/v1/admin/polls/{poll_id}", staff_token)["state"] == "open", 30, "opening")
    page = moderator.open(f"/results.html?id={poll_id}")
    expect(page.locator(".participation")).to_contain_text("учтено")
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

    # -- it closes and is finalised; the results page shows the chart and the suppressed cells
    wait_for(lambda: api_get(stack, f"/v1/admin/polls/{poll_id}", staff_token)["state"] == "final", 90, "final")
    page = moderator.open(f"/results.html?id={poll_id}")
    expect(page.locator("#summary-body")).to_contain_text("Всего бюллетеней: 24")
    expect(page.locator("svg.chart rect.bar")).to_have_count(2)
    page.get_by_label("Разрез", exact=True).select_option("gender")
    expect(page.locator("#breakdown")).to_contain_text("женщины")
    expect(page.locator("#breakdown td.suppressed").first).to_be_visible()
    expect(page.locator("#breakdown")).to_contain_text("скрыто")
    expect(page.locator("#breakdown")).not_to_contain_text("<10")  # no reason, no hint of how small
    moderator.check("admin-results-final")

    # -- the moderator files the execution report and informs the public
    page.get_by_label("Принятое решение").fill(f"Установить 12 фонарей у пруда. {XSS}")
    page.get_by_label("Статус исполнения").select_option("in_progress")
    page.get_by_role("button", name="Сохранить отчёт").click()
    expect(page.locator("#execution-view")).to_contain_text("Установить 12 фонарей у пруда")
    page.get_by_label("Дата", exact=True).fill("2026-12-01")
    page.get_by_label("Что сделано").fill("Заключён контракт на поставку фонарей")
    page.get_by_label("Ссылки (по одной в строке)").fill("https://satka.ru/news/fonari")
    page.get_by_role("button", name="Добавить запись").click()
    expect(page.locator("#execution-view")).to_contain_text("Заключён контракт")
    page.get_by_role("button", name="Сообщить жителям об итогах").click()
    expect(page.locator("#inform-result")).to_contain_text("отправлена на согласование")
    moderator.check("admin-execution-report")
    page.emulate_media(media="print")
    page.screenshot(path=SCREENSHOTS / "admin-results-print.png", full_page=True)
    page.emulate_media(media="screen")

    # -- the Directorate approves the news item; it reaches a resident's feed
    page = approver.open("/review.html")
    # (other tests in the session may have queued news of their own polls)
    news = page.locator("[data-content-id]").filter(has_text="Установить 12 фонарей у пруда")
    expect(news).to_contain_text(f"Итоги опроса «{TITLE}»")
    news = page.locator(f"[data-content-id='{news.get_attribute('data-content-id')}']")
    news.get_by_role("button", name="Согласовать").click()
    expect(news).to_contain_text("Согласовано")
    resident = api_token(stack, persona="resident-satka")
    feed_item = wait_for(lambda: next((i for i in api_get(stack, "/v1/feed?limit=50", resident)["items"]
                                       if XSS in i.get("title", "")), None), 60, "the news item in the feed")
    assert feed_item["title"] == f"Итоги опроса «{TITLE}»"
    resident_poll = api_get(stack, f"/v1/polls/{poll_id}", resident)
    assert resident_poll["execution"]["status"] == "in_progress"
    assert resident_poll["execution"]["updates"][0]["links"] == ["https://satka.ru/news/fonari"]

    # -- the audit log shows every step, filterable by poll; the analyst and the IT admin have theirs
    page = approver.open(f"/audit.html?poll_id={poll_id}")
    expect(page.locator("#audit-rows")).to_contain_text("отклонение")
    expect(page.locator("#audit-rows")).to_contain_text("отчёт об исполнении")
    approver.check("admin-audit-log")
    analyst = Person(browser, stack, "analyst")
    analyst.check("admin-dashboard-analyst")
    analyst.open(f"/results.html?id={poll_id}")
    analyst.check()
    admin = Person(browser, stack, "admin")
    admin.check("admin-dashboard-admin")
    page = admin.open("/staff.html")
    page.get_by_label("Идентификатор сотрудника (sub)").fill(f"new-moderator-{poll_id[-6:]}")
    page.get_by_role("button", name="Открыть").click()
    page.get_by_label("Модератор муниципалитета").check()
    page.get_by_label("Зона ответственности (можно выбрать несколько)").select_option("mr-ashinsky")
    page.get_by_role("button", name="Сохранить назначение").click()
    expect(page.locator("#staff-rows")).to_contain_text("Ашинский")
    admin.check("admin-staff-roles")
    for person in (moderator, approver, analyst, admin):
        person.close()


def test_pkce_helpers_in_the_browser(local_stack: LocalStack, browser: Browser):
    """The S256 challenge the browser computes equals Python's SHA-256 + base64url; the whole
    authorization-code round trip is tests/e2e/test_oidc_signin.py."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(local_stack.admin_url + "/")
    verifier = "dBjftJeZ4CVP-mJ92K9qn3bi1XxqC8HvaW7yA5DCVsk"
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")

    result = page.evaluate("""async (verifier) => {
        const oidc = await import("/assets/oidc.js");
        return {challenge: await oidc.challengeS256(verifier), random: oidc.randomVerifier()};
    }""", verifier)

    assert result["challenge"] == expected
    assert len(result["random"]) == 43
    context.close()
