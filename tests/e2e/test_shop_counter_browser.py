"""The rewards shop in a real browser: a resident orders rewards through the API; the zoo's cashier
reads the resident's QR code (a photo of it) at the counter and redeems it, and is refused a code of
another partner with the API's reason; the IT administrator adds a reward to the catalogue with
territories picked from the tree and times typed in Chelyabinsk time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import (
    PHONE_WIDTH,
    Person,
    api_call,
    api_get,
    api_token,
    local_input,
    picture,
    shown_time,
    upload_image,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack]

ZOO = "Челябинский зоопарк"
PARKING = "Парковочное пространство г. Челябинска"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def qr_png(text: str, path: Path) -> Path:
    """A QR image of ``text``, as the resident app shows the order's code."""
    segno = pytest.importorskip("segno")
    segno.make_qr(text, error="m").save(str(path), scale=8, border=4)
    return path


@pytest.fixture(scope="module")
def orders(local_stack: LocalStack) -> dict:
    """A resident of Chelyabinsk with points orders a zoo reward twice and a parking reward once."""
    stack = local_stack
    admin = api_token(stack, persona="admin")
    now = datetime.now(UTC)
    items = {}
    for partner, title in ((ZOO, "Билет в зоопарк (тест кассы)"), (PARKING, "Час парковки (тест кассы)")):
        items[partner] = api_call(stack, "POST", "/v1/admin/shop/items", admin, {
            "title": title, "partner": partner, "price": 10, "stock": 10, "territory_ids": ["go-chelyabinsk"],
            "valid_from": iso(now - timedelta(days=1)), "valid_until": iso(now + timedelta(days=30))})
    resident = api_token(stack, sub=f"counter-resident-{uuid.uuid4().hex[:8]}", roles=["resident"],
                         territory_id="vr-tsentralny", birth_year=1990, gender="f")
    account = api_call(stack, "GET", "/v1/me", resident)["id"]
    api_call(stack, "POST", "/v1/admin/points/adjustments", admin,
             {"account": account, "points": 100, "reason": "Баллы для проверки кассы"})

    def order(item: dict) -> dict:
        response = requests.post(f"{stack.api_url}/v1/shop/orders", json={"item_id": item["id"]}, timeout=10,
                                 headers={"Authorization": f"Bearer {resident}",
                                          "Idempotency-Key": f"counter-{uuid.uuid4()}"})
        assert response.status_code == 201, response.text
        return response.json()

    made = {"zoo": order(items[ZOO]), "zoo-typed": order(items[ZOO]), "parking": order(items[PARKING])}
    # What the resident's QR shows is exactly the code of the order in their list.
    listed = {o["id"]: o["code"] for o in api_call(stack, "GET", "/v1/me/orders", resident)["items"]}
    assert all(listed[o["id"]] == o["code"] for o in made.values())
    return {"orders": made, "items": items}


def test_the_cashier_redeems_a_scanned_code_and_is_refused_another_partners(
        local_stack: LocalStack, browser: Browser, orders: dict, tmp_path: Path):
    zoo, parking, typed = orders["orders"]["zoo"], orders["orders"]["parking"], orders["orders"]["zoo-typed"]
    cashier = Person(browser, local_stack, "partner")
    try:
        page = cashier.open("/counter.html")
        expect(page.get_by_role("heading", level=1)).to_have_text("Выдача поощрений")
        expect(page.locator("#counter-partner")).to_have_text(ZOO)

        # When the cashier loads a photo of the resident's QR code, the code is redeemed at once
        page.locator("#qr-file").set_input_files(str(qr_png(zoo["code"], tmp_path / "zoo.png")))
        expect(page.locator("#result-heading")).to_have_text("Поощрение можно выдать")
        expect(page.locator("#result-title")).to_have_text(zoo["title"])
        expect(page.locator("#result-partner")).to_have_text(ZOO)
        expect(page.locator("#status")).to_have_text("")
        cashier.check("admin-counter-redeemed")

        # A code of another partner is refused, with the API's reason
        page.locator("#qr-file").set_input_files(str(qr_png(parking["code"], tmp_path / "parking.png")))
        expect(page.locator("#result-heading")).to_have_text("Код не погашен")
        expect(page.locator("#result-reason")).to_contain_text(f"партнёра «{PARKING}»")
        expect(page.locator("#result-reason")).to_contain_text("погасить его может только касса этого партнёра")
        cashier.check("admin-counter-refused")

        # A code typed by hand in groups works too; the same code again is refused as used
        grouped = " ".join(typed["code"][i:i + 4] for i in range(0, 26, 4)).lower()
        page.get_by_label("Код из приложения жителя").fill(grouped)
        page.get_by_role("button", name="Погасить код").click()
        expect(page.locator("#result-title")).to_have_text(typed["title"])
        page.get_by_label("Код из приложения жителя").fill(typed["code"])
        page.get_by_role("button", name="Погасить код").click()
        expect(page.locator("#result-reason")).to_have_text("Код уже использован.")

        # A malformed code is marked beside the field, without asking the API
        page.get_by_label("Код из приложения жителя").fill("12345")
        page.get_by_role("button", name="Погасить код").click()
        expect(page.locator("#code-error")).to_contain_text("26 символов")
        expect(page.locator("#result")).to_have_count(0)
    finally:
        cashier.close()

    # The parking cashier still can redeem the parking code the zoo's was refused
    parking_cashier = Person(browser, local_stack, "partner-parking", width=PHONE_WIDTH)
    try:
        page = parking_cashier.open("/counter.html")
        page.locator("#qr-file").set_input_files(str(tmp_path / "parking.png"))
        expect(page.locator("#result-title")).to_have_text(parking["title"])
        parking_cashier.check("admin-counter-phone")
        parking_cashier.assert_no_page_scroll()
    finally:
        parking_cashier.close()


def test_the_admin_adds_a_reward_with_an_image_and_territories_from_the_tree(
        local_stack: LocalStack, browser: Browser, tmp_path: Path):
    admin = Person(browser, local_stack, "admin")
    try:
        page = admin.open("/shop.html")
        expect(page.get_by_role("heading", level=1)).to_have_text("Каталог поощрений")
        expect(page.locator("#items")).to_contain_text("Входной билет в Челябинский зоопарк")
        admin.check("admin-shop")

        # An empty form is marked field by field
        page.get_by_role("button", name="Добавить поощрение").click()
        editor = page.locator("#editor")
        editor.get_by_role("button", name="Добавить поощрение").click()
        expect(page.locator("#title-error")).to_have_text("Укажите название")
        expect(page.locator("#territory_ids-error")).to_have_text("Выберите хотя бы одну территорию")

        # A price the API refuses is marked beside the price field
        start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
        end = start + timedelta(days=60)
        title = f"Экскурсия по Таганаю {uuid.uuid4().hex[:4]}"
        page.get_by_label("Название").fill(title)
        page.get_by_label("Описание").fill("Пешая экскурсия с экскурсоводом национального парка.")
        page.get_by_label("Партнёр").fill("Национальный парк «Таганай»")
        page.get_by_label("Цена, баллов").fill("0")
        page.get_by_label("В наличии, шт.").fill("25")
        page.get_by_label("Действует с").fill(local_input(start))
        page.get_by_label("Действует до").fill(local_input(end))
        page.get_by_label("Найти территорию по названию").fill("Саткин")
        page.get_by_role("checkbox", name="Саткинский муниципальный район").check()
        expect(page.locator("#territory_ids-chosen")).to_have_text("Выбрано: Саткинский муниципальный район")
        editor.get_by_role("button", name="Добавить поощрение").click()
        expect(page.locator("#price-error")).to_be_visible()
        expect(page.locator("#title-error")).to_have_count(0)
        admin.check("admin-shop-editor")

        page.get_by_label("Цена, баллов").fill("120")
        # A picture uploaded straight to S3, cleaned by the API, shown in the form
        upload_image(page, "image", picture(tmp_path / "taganay.jpg", (40, 110, 60), "JPEG"), "Тропа на Таганае")
        expect(editor.get_by_role("img", name="Тропа на Таганае")).to_be_visible()
        editor.get_by_role("button", name="Добавить поощрение").click()
        expect(page.locator("#shop-done")).to_have_text(f"Поощрение «{title}» добавлено в каталог.")
        token = api_token(local_stack, persona="admin")
        stored = next(i for i in api_get(local_stack, "/v1/admin/shop/items", token)["items"] if i["title"] == title)
        assert stored["image"]["alt"] == "Тропа на Таганае"
        assert requests.get(stored["image"]["url"], timeout=10).headers["content-type"] == "image/jpeg"
        expect(page.locator("#status")).to_have_text("")
        row = page.locator("#items tr", has_text=title)
        expect(row).to_contain_text("Саткинский муниципальный район")
        # Times are Chelyabinsk's, whatever the browser's zone (Moscow here)
        expect(row).to_contain_text(f"с {shown_time(start)}")
        expect(row).to_contain_text(f"до {shown_time(end)}")
        expect(row).to_contain_text("Ещё не началось")

        # Editing keeps the values, and a stock of 0 shows at a glance
        row.get_by_role("button", name=f"Изменить: {title}").click()
        expect(page.get_by_label("Действует с")).to_have_value(local_input(start))
        page.get_by_label("В наличии, шт.").fill("0")
        page.get_by_role("button", name="Сохранить изменения").click()
        expect(page.locator("#shop-done")).to_have_text(f"Изменения поощрения «{title}» сохранены.")
        expect(page.locator("#items tr", has_text=title).locator(".shop-out")).to_have_text("0")
    finally:
        admin.close()


def test_the_catalogue_and_counter_fit_a_phone(local_stack: LocalStack, browser: Browser):
    moderator = Person(browser, local_stack, "moderator-satka", width=PHONE_WIDTH)
    try:
        page = moderator.open("/shop.html")
        expect(page.locator("#items")).to_contain_text("Саткинский муниципальный район")
        # Челябинск's rewards are outside the Сатка moderator's area (other modules sharing the stack
        # may add the zoo's rewards in Сатка, so the check names Челябинск's own demo reward)
        expect(page.locator("#items")).not_to_contain_text("Входной билет в Челябинский зоопарк")
        expect(page.locator("#items")).not_to_contain_text("Челябинский городской округ")
        page.get_by_role("button", name="Добавить поощрение").click()
        # A moderator picks only within their area: Сатка's district and what lies in it
        expect(page.get_by_role("checkbox", name="Сатка", exact=True)).to_be_visible()
        expect(page.get_by_role("checkbox", name="Центральный район")).to_have_count(0)
        moderator.check("admin-shop-phone")
        moderator.assert_no_page_scroll()
    finally:
        moderator.close()
