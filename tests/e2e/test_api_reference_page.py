"""The admin site's API reference page, in a real browser: reached from the sign-in page, rendered
from the OpenAPI document the API serves, with no script errors under the site's strict CSP."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

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
    assert errors == []
    page.close()
