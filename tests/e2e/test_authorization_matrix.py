"""The authorisation matrix: every route of the API × every persona → the status in
docs/authorization-matrix.md. One test reads the table and asserts every cell over HTTP against
the local stack, so the document and the server cannot drift apart; another fails when a route of
the app (other than the local ``/dev/*`` provider) has no row.

The ``{placeholders}`` in the table are subjects the ``world`` fixture makes in Саткинский район:
polls in three states, a published news item and a draft, a shop item, a resident's orders.
Mutating requests are chosen so that repeating them for every persona changes nothing a later row
depends on (a stale version, an action the state forbids, a role only one persona has).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

pytestmark = [pytest.mark.stack, pytest.mark.slow]

TABLE = Path(__file__).resolve().parents[2] / "docs" / "authorization-matrix.md"
PERSONAS = ("resident-satka", "moderator-satka", "moderator-magnitogorsk", "approver", "admin", "analyst",
            "revoked", "no-token", "expired")
# Revoked staff: a token that still claims every staff role, whose stored assignment the IT admin
# emptied. The stored assignment wins on every route at once (aj74.api.routing).
REVOKED = {"sub": "matrix-revoked-staff",
           "roles": ["moderator", "approver", "admin", "analyst", "emergency", "partner"],
           "scope_territory_ids": ["mr-satkinsky"], "territory_id": "vr-tsentralny", "partner": "МБУ «Дельфин»"}
SATKA = ["mr-satkinsky"]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def poll_body(opens: datetime, closes: datetime, title: str = "Освещение набережной") -> dict:
    return {"title": title, "territory_ids": ["mr-satkinsky"], "opens_at": iso(opens), "closes_at": iso(closes),
            "min_age": 14, "results_visibility": "after_close",
            "questions": [{"text": "Где поставить фонари?", "kind": "single",
                           "options": [{"text": "У пруда"}, {"text": "У школы"}]}]}


def news_body(title: str = "Ремонт моста через Ай") -> dict:
    return {"type": "news", "title": title, "body": "Движение закрыто до 1 июня.", "territory_ids": SATKA}


def shop_item_body(now: datetime, title: str = "Билет в бассейн «Дельфин»") -> dict:
    return {"title": title, "partner": "МБУ «Дельфин»", "price": 10, "stock": 100, "territory_ids": SATKA,
            "valid_from": iso(now - timedelta(days=1)), "valid_until": iso(now + timedelta(days=30))}


def push_subscription() -> dict:
    """What PushSubscription.toJSON() gives, for a made-up browser (a real P-256 key, a random auth)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": "http://127.0.0.1:9/push/authorization-matrix", "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))}}


# Request bodies by row, made from the time and the world's subjects.
BODIES = {
    ("POST", "/v1/admin/polls"): lambda now, ids: poll_body(now + timedelta(days=1), now + timedelta(days=2)),
    ("PATCH", "/v1/admin/polls/{draft}"): lambda now, ids: {"version": 999, "title": "Новая редакция"},
    ("POST", "/v1/polls/{open}/ballots"): lambda now, ids: {"answers": [{"question_id": "q1",
                                                                         "option_ids": ["q1-o1"]}]},
    ("POST", "/v1/admin/polls/{final}/reject"): lambda now, ids: {"comment": "Нет"},
    ("PUT", "/v1/admin/polls/{final}/execution"): lambda now, ids: {"decision": "Поставить фонари у пруда",
                                                                   "status": "planned"},
    ("POST", "/v1/admin/polls/{final}/execution/updates"): lambda now, ids: {"date": "2026-12-01",
                                                                            "text": "Заключён контракт", "links": []},
    ("PUT", "/v1/admin/staff/{subject}"): lambda now, ids: {"roles": ["analyst"], "scope_territory_ids": []},
    ("POST", "/v1/admin/content"): lambda now, ids: news_body("Новость из матрицы доступа"),
    ("PATCH", "/v1/admin/content/{news}"): lambda now, ids: {"version": 999, "title": "Новая редакция"},
    ("POST", "/v1/admin/content/{news}/reject"): lambda now, ids: {"comment": "Нет"},
    ("POST", "/v1/admin/content/{news_draft}/retract"): lambda now, ids: {"comment": "Нет"},
    ("POST", "/v1/shop/orders"): lambda now, ids: {"item_id": ids["shop_item"]},
    ("POST", "/v1/shop/redeem"): lambda now, ids: {"code": ids["redeemable_code"],
                                                   "reason": "Поддержка на кассе (матрица доступа)"},
    ("POST", "/v1/admin/shop/items"): lambda now, ids: shop_item_body(now, "Поощрение из матрицы доступа"),
    ("PATCH", "/v1/admin/shop/items/{shop_item}"): lambda now, ids: {"version": 999, "stock": 5},
    ("POST", "/v1/admin/media"): lambda now, ids: {"content_type": "image/png"},
    ("POST", "/v1/admin/points/adjustments"): lambda now, ids: {"account": ids["resident_sub"], "points": 1,
                                                               "reason": "Проверка матрицы доступа"},
    # A browser's subscription at a loopback endpoint (allowed on the local stage only).
    ("PUT", "/v1/me/push/subscription"): lambda now, ids: push_subscription(),
    ("DELETE", "/v1/me/push/subscription"): lambda now, ids: {"endpoint": push_subscription()["endpoint"]},
}
# Orders need an Idempotency-Key: one per run, so only the first order in a session is created.
HEADERS = {("POST", "/v1/shop/orders"): {"Idempotency-Key": f"matrix-{uuid.uuid4()}"}}


def read_table() -> list[tuple[str, str, dict[str, int]]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) != len(PERSONAS) + 1:
            continue
        method, path = cells[0].strip("`").split(" ", 1)
        rows.append((method, path, dict(zip(PERSONAS, (int(c) for c in cells[1:]), strict=True))))
    return rows


class Api:
    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()

    def token(self, **body) -> str:
        response = self.http.post(f"{self.base}/dev/token", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def call(self, method: str, path: str, token: str | None, body=None,
             headers: dict | None = None, data=None) -> requests.Response:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        return self.http.request(method, self.base + path, json=body, data=data, headers=headers, timeout=30)

    def ok(self, method: str, path: str, token: str | None, body=None, headers: dict | None = None) -> dict:
        response = self.call(method, path, token, body, headers)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()


def wait_for_state(api: Api, token: str, path: str, state: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.call("GET", path, token).json()["state"] == state:
            return
        time.sleep(0.5)
    raise AssertionError(f"{path} never reached {state}")


@pytest.fixture(scope="module")
def world(local_stack):
    api = Api(local_stack.api_url)
    tokens = {p: api.token(persona=p) for p in PERSONAS[:6]}
    tokens["revoked"] = api.token(**REVOKED)
    api.ok("PUT", f"/v1/admin/staff/{REVOKED['sub']}", tokens["admin"], {"roles": []})
    tokens["no-token"] = None
    tokens["expired"] = api.token(persona="moderator-satka", lifetime_seconds=-3600)
    mod, approver = tokens["moderator-satka"], tokens["approver"]
    now = datetime.now(UTC)

    def approved(opens, closes, title):
        poll = api.call("POST", "/v1/admin/polls", mod, poll_body(opens, closes, title)).json()
        assert api.call("POST", f"/v1/admin/polls/{poll['id']}/submit", mod).status_code == 200
        assert api.call("POST", f"/v1/admin/polls/{poll['id']}/approve", approver).status_code == 200
        return poll["id"]

    ids = {"draft": api.call("POST", "/v1/admin/polls", mod,
                             poll_body(now + timedelta(days=1), now + timedelta(days=2), "Черновик")).json()["id"],
           "open": approved(now, now + timedelta(hours=2), "Идёт голосование"),
           "final": approved(now, now + timedelta(seconds=6), "Итоги подведены"),
           "subject": "matrix-subject", "territory": "mr-satkinsky",
           # An image id no upload ever had: confirming it is 404 for those allowed to upload.
           "media": "01JAAAAAAAAAAAAAAAAAAAAAAA"}

    # The feed: a published Сатка news item and a draft, both the Сатка moderator's
    ids["news"] = api.ok("POST", "/v1/admin/content", mod, news_body())["id"]
    api.ok("POST", f"/v1/admin/content/{ids['news']}/submit", mod)
    api.ok("POST", f"/v1/admin/content/{ids['news']}/approve", approver)
    ids["news_draft"] = api.ok("POST", "/v1/admin/content", mod, news_body("Черновик новости"))["id"]

    # The shop: a Сатка-only item; the resident earns points and orders it twice (one order to
    # cancel, one whose code the IT admin redeems at the counter)
    admin, resident = tokens["admin"], tokens["resident-satka"]
    ids["shop_item"] = api.ok("POST", "/v1/admin/shop/items", admin, shop_item_body(now))["id"]
    ids["resident_sub"] = api.ok("GET", "/v1/me", resident)["id"]
    api.ok("POST", "/v1/admin/points/adjustments", admin,
           {"account": ids["resident_sub"], "points": 100, "reason": "Начисление для матрицы доступа"})
    orders = [api.ok("POST", "/v1/shop/orders", resident, {"item_id": ids["shop_item"]},
                     {"Idempotency-Key": f"matrix-fixture-{uuid.uuid4()}"}) for _ in range(2)]
    ids["order"], ids["redeemable_code"] = orders[0]["id"], orders[1]["code"]

    for poll_id, state in (("open", "open"), ("final", "final")):
        wait_for_state(api, approver, f"/v1/admin/polls/{ids[poll_id]}", state)
    wait_for_state(api, approver, f"/v1/admin/content/{ids['news']}", "published")
    return api, tokens, ids


def test_every_route_and_persona_gets_the_status_in_the_table(world, local_stack):
    api, tokens, ids = world
    rows = read_table()
    assert rows, f"no matrix rows in {TABLE}"
    now = datetime.now(UTC)
    record = os.environ.get("AJ74_RECORD_MATRIX")
    mismatches, recorded = [], []
    for method, template, expected in rows:
        path = template.format(**ids)
        make_body = BODIES.get((method, template))
        actual = {}
        for persona in PERSONAS:
            response = api.call(method, path, tokens[persona], make_body(now, ids) if make_body else None,
                                HEADERS.get((method, template)))
            actual[persona] = response.status_code
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), (method, path)
                assert re.search("[А-Яа-яЁё]", response.json()["detail"]), response.text
            if persona in expected and actual[persona] != expected[persona]:
                mismatches.append(f"{method} {template} as {persona}: expected {expected[persona]}, "
                                  f"got {actual[persona]} {response.text[:160]}")
        recorded.append(f"| `{method} {template}` | " + " | ".join(str(actual[p]) for p in PERSONAS) + " |")
    if record:
        Path(record).write_text("\n".join(recorded) + "\n", encoding="utf-8")
    assert mismatches == []


def test_the_table_covers_every_route_of_the_app():
    from tests.support.app_routes import routes_under

    def shape(path: str) -> str:  # "/v1/polls/{final}/results" and "/v1/polls/{poll_id}/results" alike
        return re.sub(r"\{[^}]+\}", "{}", path)

    routes = {(m, shape(p)) for p, methods in routes_under("local").items() for m in methods}
    in_table = {(m, shape(p)) for m, p, _ in read_table()}

    assert sorted(r for r in routes if not r[1].startswith("/dev/") and r not in in_table) == []
    assert sorted(in_table - routes) == []  # no row for a route that no longer exists


def test_a_magnitogorsk_moderator_touching_a_satka_poll_is_told_why(world):
    api, tokens, ids = world

    response = api.call("GET", f"/v1/admin/polls/{ids['final']}/results", tokens["moderator-magnitogorsk"])

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "вне вашей зоны ответственности" in detail and "Саткинский" in detail


def test_a_magnitogorsk_moderator_lists_nothing_of_satka(world):
    api, tokens, ids = world
    moderator, satka = tokens["moderator-magnitogorsk"], tokens["moderator-satka"]

    def listed(path: str, token: str) -> set[str]:
        """Every id on every page of a staff list."""
        ids, cursor = set(), None
        while True:
            page = api.ok("GET", path + (f"?cursor={quote(cursor)}" if cursor else ""), token)
            ids |= {item["id"] for item in page["items"]}
            cursor = page.get("next_cursor")
            if not cursor:
                return ids

    satka_subjects = {ids["draft"], ids["open"], ids["final"], ids["news"], ids["news_draft"], ids["shop_item"]}
    # the Сатка moderator sees them, so their absence below is the scope and not the page size
    seen_by_satka = (listed("/v1/admin/polls", satka) | listed("/v1/admin/content", satka)
                     | listed("/v1/admin/shop/items", satka))
    assert satka_subjects <= seen_by_satka
    assert satka_subjects & (listed("/v1/admin/polls", moderator)
                             | listed("/v1/admin/content", moderator)
                             | listed("/v1/admin/shop/items", moderator)) == set()
    audit = api.ok("GET", f"/v1/admin/audit?poll_id={ids['final']}", moderator)["items"]
    assert audit == []
