"""The territory registry page in a real browser: the IT administrator finds Ашинский район's
towns, adds a rural settlement, renames it and retires it; field errors sit beside their fields;
the page fits a 390 px phone without scrolling sideways."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import PHONE_WIDTH, Person, api_get, api_token

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def test_the_administrator_adds_renames_and_retires_a_territory(local_stack: LocalStack, browser: Browser):
    tag = uuid.uuid4().hex[:5]
    name, renamed = f"Пробное {tag} сельское поселение", f"Обновлённое {tag} сельское поселение"
    admin = Person(browser, local_stack, "admin")
    try:
        page = admin.open("/territories.html")
        expect(page.get_by_role("heading", level=1)).to_have_text("Реестр территорий")
        page.get_by_label("Район или округ").select_option(label="Ашинский муниципальный район")
        rows = page.locator("#territory-rows")
        for town in ("Аша", "Миньяр", "Сим", "Кропачёво"):
            expect(rows.get_by_role("rowheader", name=town, exact=False).first).to_be_visible()

        # A name too short is refused beside its field, once, before anything is sent
        page.locator("#territory-add").click()
        page.get_by_label("Название, как его видят жители").fill("А")
        page.get_by_role("button", name="Добавить", exact=True).click()
        expect(page.locator("#t-name-error")).to_have_count(1)

        # The administrator adds a rural settlement to Ашинский район
        page.get_by_label("Название, как его видят жители").fill(name)
        expect(page.get_by_label("Входит в")).to_have_value("mr-ashinsky")
        page.get_by_label("Население, чел.").fill("1 250")
        page.get_by_label("Год численности").fill("2024")
        admin.check("admin-territories-editor")
        page.get_by_role("button", name="Добавить", exact=True).click()
        expect(page.locator("#territories-done")).to_contain_text(f"«{name}» добавлена")
        expect(page.locator("#status")).to_have_text("")
        row = rows.locator("tr", has=page.get_by_role("rowheader", name=name))
        expect(row).to_contain_text("1 250")
        created = next(t for t in api_get(local_stack, "/v1/territories", api_token(local_stack, persona="admin"))
                       ["territories"] if t["name"] == name)
        assert created["parent_id"] == "mr-ashinsky" and created["population"] == 1250

        # ... renames it
        page.get_by_role("button", name=f"Изменить: {name}").click()
        page.get_by_label("Название, как его видят жители").fill(renamed)
        page.get_by_role("button", name="Сохранить").click()
        expect(page.locator("#territories-done")).to_contain_text(f"«{renamed}» сохранены")
        expect(rows.get_by_role("rowheader", name=renamed)).to_be_visible()
        admin.check("admin-territories")

        # ... and retires it (nothing references it yet)
        page.get_by_role("button", name=f"Вывести из реестра: {renamed}").click()
        page.get_by_label("Причина (для журнала аудита)").fill("Проверка страницы")
        page.get_by_role("button", name="Вывести из реестра", exact=True).click()
        expect(page.locator("#territories-done")).to_contain_text("выведена из реестра")
        retired = rows.locator("tr.territory-retired", has=page.get_by_role("rowheader", name=renamed))
        expect(retired).to_contain_text("Выведена")

        # A district the law fixes is not offered for retirement
        expect(page.get_by_role("button", name="Вывести из реестра: Ашинский муниципальный район")).to_have_count(0)
    finally:
        admin.close()


def test_the_registry_fits_a_phone(local_stack: LocalStack, browser: Browser):
    admin = Person(browser, local_stack, "admin", width=PHONE_WIDTH)
    try:
        page = admin.open("/territories.html")
        page.get_by_label("Район или округ").select_option(label="Саткинский муниципальный район")
        expect(page.locator("#territory-rows")).to_contain_text("Бердяуш")
        page.locator("#territory-add").click()
        admin.check("admin-territories-phone")
        admin.assert_no_page_scroll()
    finally:
        admin.close()
