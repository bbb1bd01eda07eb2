"""The admin site's API reference page, in a real browser: reached from the sign-in page, rendered
from the OpenAPI document the API serves, roles named by their titles, with no script errors under
the site's strict CSP, and readable on a phone without sideways scrolling."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.browser import PHONE_WIDTH, Person

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_the_reference_lists_every_operation_of_the_document(local_stack, browser):
    # Given the document the API serves
    document = requests.get(f"{local_stack.api_url}/v1/openapi.json", timeout=10).json()
    operations = sum(len(ops) for ops in document["paths"].values())
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # When a developer follows the link on the sign-in page
    page.goto(local_stack.admin_url + "/")
    page.get_by_role("link", name="Справочник API (OpenAPI)").click()

    # Then every operation is listed with its parameters, body fields and problem responses
    expect(page.get_by_role("heading", level=1)).to_have_text("Справочник API")
    expect(page.locator("#summary")).to_have_text(f"Операций: {operations}.")
    ballot = page.locator("#post_v1_polls_poll_id_ballots")
    expect(ballot.get_by_role("heading", level=3)).to_have_text("POST /v1/polls/{poll_id}/ballots")
    expect(ballot).to_contain_text("poll_id (в адресе, обязательный)")
    expect(ballot).to_contain_text("answers")
    expect(ballot).to_contain_text("429 — Слишком много запросов")
    assert page.locator(".api-operation").count() == operations
    # and who may call a route is named by the role's title, not its code
    approve = page.locator("#post_v1_admin_polls_poll_id_approve")
    expect(approve).to_contain_text("роли: Согласующий (Управление по внутренней политике)")
    expect(page.locator("#get_v1_public_polls_poll_id_result")).to_contain_text("Доступ: без входа")
    assert errors == []
    page.close()


def test_the_reference_fits_a_phone(local_stack, browser):
    person = Person(browser, local_stack, None, width=PHONE_WIDTH)
    person.open("/api.html")
    person.assert_no_page_scroll()
    person.close()
