"""Shared by the admin-site browser tests: Debian's chromium under Playwright, a signed-in staff
member's session that checks every page it is shown (no script from staff text ran, no script
errors, axe-core finds nothing serious or critical), and small API helpers."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from infra.local.stack import LocalStack

REPO = Path(__file__).resolve().parents[2]
# Every screenshot a test takes (full page, PNG): build output, kept by CI, never committed.
SCREENSHOTS = REPO / "build" / "screenshots"
# The committed gallery (docs/screenshots): every page at both widths, the first screen, as WebP.
DOC_SCREENSHOTS = REPO / "docs" / "screenshots"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ZONE = "Europe/Moscow"
PHONE_WIDTH = 390
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Staff-entered markup: if it ever ran, window.__xss would be set.
XSS = '<img src=x onerror="window.__xss=1">'
PERSONA_BUTTONS = {
    "moderator-satka": "Модератор Саткинского района",
    "moderator-magnitogorsk": "Модератор Магнитогорского городского округа",
    "approver": "Согласующий, Управление по внутренней политике",
    "admin": "Администратор Министерства информационных технологий",
    "analyst": "Аналитик",
    "approver-2": "Заместитель начальника Управления по внутренней политике",
    "emergency": "Оператор ГУ МЧС",
    "partner": "Кассир партнёра (Челябинский зоопарк)",
    "partner-parking": "Кассир партнёра (Парковочное пространство г. Челябинска)",
}
LANDING = {"emergency": "/bulletins.html", "partner": "/counter.html", "partner-parking": "/counter.html"}


@contextmanager
def launched_browser() -> Iterator[Browser]:
    """Debian's chromium, or a skip when it or axe-core is missing (``make test`` installs both)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `npm ci` (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Person:
    """One person's browser session (a staff persona, or nobody signed in when ``persona`` is None);
    collects script errors and checks pages as it goes."""

    def __init__(self, browser: Browser, stack: LocalStack, persona: str | None, width: int = 1280) -> None:
        self.stack = stack
        # CSP is bypassed so that axe can be added as a script tag, and so that staff text is shown
        # inert by the site itself (textContent), not only because CSP would block a handler. The
        # CSP header is still checked on every page this session opens.
        # A browser in Moscow: every time the site shows or takes must still be Chelyabinsk's.
        self.context = browser.new_context(locale="ru-RU", timezone_id=BROWSER_ZONE,
                                           viewport={"width": width, "height": 900}, bypass_csp=True)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # The browser's own "Failed to load resource" lines for API refusals the page shows are not site errors.
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error"
                     and not msg.text.startswith("Failed to load resource") else None)
        self.page.goto(stack.admin_url + "/")
        if persona:
            self.page.get_by_role("button", name=PERSONA_BUTTONS[persona]).click()
            # Each role lands on its first section (web/admin/src/shell/nav.ts).
            expect(self.page).to_have_url(stack.admin_url + LANDING.get(persona, "/dashboard.html"))

    def open(self, path: str) -> Page:
        """Open a page and wait until it has loaded what it shows (its status line, if it has one,
        is empty)."""
        response = self.page.goto(self.stack.admin_url + path)
        assert response is not None and response.ok
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        if self.page.locator("#status").count():
            expect(self.page.locator("#status")).to_have_text("", timeout=15_000)
        else:
            self.page.wait_for_load_state("networkidle")
        return self.page

    # What axe may not find on a page: the admin site is held to serious and critical.
    AXE_IMPACTS = ("serious", "critical")

    def check(self, name: str | None = None) -> None:
        """No script ran from staff text, no script errors, axe finds nothing of AXE_IMPACTS; a screenshot."""
        assert self.page.evaluate("() => window.__xss") is None, "staff-entered markup ran as script"
        assert self.errors == [], self.errors
        self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate("""async (impacts) => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.filter(v => impacts.includes(v.impact))
                .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(" ")).join(", ")})`);
        }""", list(self.AXE_IMPACTS))
        assert violations == [], f"{self.page.url}: {violations}"
        if name:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def document(self, name: str) -> None:
        """The page's first screen into the committed gallery, small enough to keep in git."""
        from PIL import Image

        DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = Image.open(io.BytesIO(self.page.screenshot(type="png")))
        shot.convert("RGB").save(DOC_SCREENSHOTS / f"{name}.webp", "WEBP", quality=55, method=6)

    def assert_no_page_scroll(self) -> None:
        """Nothing makes the page wider than the window (wide tables scroll inside their box)."""
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            # Name the culprits: the innermost elements reaching past the window's right edge.
            wide = self.page.evaluate("""() => [...document.body.querySelectorAll("*")]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
                .slice(0, 5).map(e => e.outerHTML.slice(0, 160))""")
            raise AssertionError(f"{self.page.url} scrolls sideways by {overflow} px: {wide}")

    def close(self) -> None:
        self.context.close()


class Resident(Person):
    """A resident in the resident app on a phone (390 px unless told), signed in through the app's
    own sign-in screen as a development persona, or nobody when ``persona`` is None.
    ``open("/feed")`` opens the screen ``#/feed``; ``check(name)`` holds every screen to: no script
    errors, no inline style (CSP style-src 'self'), axe finding nothing at all, no sideways scroll
    at 320 px nor at the phone's width, and a full-page screenshot."""

    AXE_IMPACTS = ("minor", "moderate", "serious", "critical")
    NARROWEST = 320

    def __init__(self, browser: Browser, stack: LocalStack, persona: str | None, width: int = PHONE_WIDTH) -> None:
        self.stack = stack
        self.width = width
        self.context = browser.new_context(locale="ru-RU", timezone_id=BROWSER_ZONE,
                                           viewport={"width": width, "height": 860}, bypass_csp=True)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # A refusal a screen shows (403 results hidden, 404 no ballot yet) logs "Failed to load
        # resource": not a script error.
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error"
                     and not msg.text.startswith("Failed to load resource") else None)
        response = self.page.goto(stack.resident_url + "/#/signin")
        assert response is not None and response.ok
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        expect(self.page.locator("#persona-list")).to_be_visible(timeout=15_000)
        if persona:
            self.page.locator(f'#persona-list button[data-persona="{persona}"]').click()
            expect(self.page).to_have_url(re.compile(r"#/polls$"))
            self.settle()

    def settle(self) -> None:
        """Wait until the screen has loaded what it shows (its status line, if any, is empty)."""
        if self.page.locator("#status").count():
            expect(self.page.locator("#status")).to_have_text("", timeout=15_000)

    def open(self, path: str) -> Page:
        """Open the screen ``#<path>``; the screen already shown is loaded anew, as a person
        reopening the app would."""
        target = f"{self.stack.resident_url}/#{path}"
        self.page.reload() if self.page.url == target else self.page.goto(target)
        self.settle()
        return self.page

    def check(self, name: str | None = None) -> None:
        # An empty style="" is what axe's own checks leave behind; the app must write none with a value.
        styled = self.page.evaluate("""() => [...document.querySelectorAll("[style]")]
            .filter(e => e.getAttribute("style").trim()).map(e => e.outerHTML.slice(0, 200))""")
        assert styled == [], f"inline style attributes (CSP style-src 'self' blocks them): {styled}"
        super().check(name)
        for width in (self.NARROWEST, self.width):
            self.page.set_viewport_size({"width": width, "height": 860})
            self.assert_no_page_scroll()


CHELYABINSK = ZoneInfo("Asia/Yekaterinburg")


def local_input(dt: datetime) -> str:
    """``dt`` as a person types it into the site's time fields: дд.мм.гггг чч:мм, Chelyabinsk time."""
    return dt.astimezone(CHELYABINSK).strftime("%d.%m.%Y %H:%M")


def shown_time(dt: datetime) -> str:
    """``dt`` as the site shows it: дд.мм.гггг чч:мм, Chelyabinsk time."""
    return local_input(dt)


def api_token(stack: LocalStack, **body) -> str:
    response = requests.post(f"{stack.api_url}/dev/token", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def api_call(stack: LocalStack, method: str, path: str, token: str, body=None) -> dict:
    """A call the test expects to succeed; its JSON answer."""
    response = requests.request(method, stack.api_url + path, json=body, timeout=10,
                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


def api_get(stack: LocalStack, path: str, token: str) -> dict:
    return api_call(stack, "GET", path, token)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def picture(path: Path, color: tuple[int, int, int], fmt: str = "PNG") -> Path:
    """A small picture made here (Pillow), as a person would pick from their disk."""
    from PIL import Image

    Image.new("RGB", (64, 40), color).save(path, fmt)
    return path


def upload_image(page: Page, field: str, file: Path, alt: str) -> None:
    """Pick a file in the shared image field ``field`` (web/shared/ui/image.tsx), wait until it is
    uploaded and cleaned by the API, then describe the picture."""
    page.locator(f"#{field}-file").set_input_files(str(file))
    done = page.locator(f"#{field}-status", has_text="Изображение загружено.").or_(page.locator(f"#{field}-error"))
    expect(done).to_be_visible(timeout=20_000)
    assert page.locator(f"#{field}-error").count() == 0, page.locator(f"#{field}-error").text_content()
    page.locator(f"#{field}-alt").fill(alt)
