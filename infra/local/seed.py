"""Demo content of the local stack, written after every start (the stack is ephemeral).

Everything goes through the HTTP API with development tokens, exactly as the admin site and the
mobile app would do it: moderators draft, the approver approves, residents vote, the scheduler
opens, closes and finalises.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import requests

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

log = logging.getLogger(__name__)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self._tokens: dict[str, str] = {}

    def token(self, persona: str | None = None, **claims) -> str:
        key = persona or claims["sub"]
        if key not in self._tokens:
            body = {"persona": persona} if persona else claims
            response = self.http.post(f"{self.base}/dev/token", json=body, timeout=10)
            response.raise_for_status()
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    def call(self, method: str, path: str, token: str, body: dict | None = None, expect: int = 200) -> dict:
        response = self.http.request(method, f"{self.base}{path}", json=body, timeout=10,
                                     headers={"Authorization": f"Bearer {token}"})
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()


def _poll(title: str, description: str, territories: list[str], opens: datetime, closes: datetime,
          questions: list[tuple[str, str, list[str]]], visibility: str = "after_vote", min_age: int = 14) -> dict:
    return {
        "title": title, "description": description, "territory_ids": territories, "opens_at": _iso(opens),
        "closes_at": _iso(closes), "min_age": min_age, "results_visibility": visibility,
        "questions": [
            {"text": text, "kind": kind, **({"max_choices": 2} if kind == "multiple" else {}),
             "options": [{"text": o} for o in options]}
            for text, kind, options in questions
        ],
    }


def _other_approver(author: str) -> str:
    """Four eyes: what an approver drafted, the second approver approves."""
    return "approver-2" if author == "approver" else "approver"


def _draft_and_approve(api: _Api, moderator: str, body: dict, approve: bool = True) -> str:
    mod = api.token(moderator)
    poll = api.call("POST", "/v1/admin/polls", mod, body, expect=201)
    api.call("POST", f"/v1/admin/polls/{poll['id']}/submit", mod, {})
    if approve:
        api.call("POST", f"/v1/admin/polls/{poll['id']}/approve", api.token(_other_approver(moderator)), {})
    return poll["id"]


def _vote(api: _Api, poll_id: str, territory: str, count: int, pick) -> int:
    """``count`` demo residents of ``territory`` vote, four at a time (the local API serves requests in
    threads, and most of a ballot's time is the local AWS's): each thread has its own connection."""

    def one(i: int) -> None:
        own = _Api(api.base)
        token = own.token(sub=f"demo-{territory}-{i:03d}", roles=["resident"], territory_id=territory,
                          birth_year=1950 + (i * 7) % 55, gender="f" if i % 2 else "m")
        own.call("POST", f"/v1/polls/{poll_id}/ballots", token, {"answers": pick(i)}, expect=202)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return len(list(pool.map(one, range(count))))


def _wait_open(api: _Api, poll_id: str, resident_token: str, timeout: float = 30.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api.http.get(f"{api.base}/v1/polls/{poll_id}", timeout=5,
                                headers={"Authorization": f"Bearer {resident_token}"})
        if response.ok and response.json()["state"] == "open":
            return
        time.sleep(0.5)
    raise RuntimeError(f"poll {poll_id} did not open")


# The demo cities a newcomer signs in to: the resident who reads the feed there, the moderator who
# drafts its local content and the territory that content targets.
CITIES: dict[str, dict[str, str]] = {
    "Сатка": {"resident": "resident-satka", "moderator": "moderator-satka", "territory": "gp-satka"},
    "Магнитогорск": {"resident": "resident-magnitogorsk", "moderator": "moderator-magnitogorsk",
                     "territory": "go-magnitogorsk"},
    "Челябинск": {"resident": "resident-chelyabinsk", "moderator": "moderator-chelyabinsk",
                  "territory": "go-chelyabinsk"},
}
REGIONAL_POLL_TITLE = "Какие места включить в туристический маршрут «Горный Урал»?"


def _day_at(now: datetime, days: int, hour_utc: int) -> datetime:
    return (now + timedelta(days=days)).replace(hour=hour_utc, minute=0, second=0, microsecond=0)


def demo_feed(now: datetime) -> dict[str, list[dict]]:
    """Per demo city, its local feed content as create bodies: a news item, an event and a
    missing-person notice (a moderator drafts, an approver approves) and an МЧС bulletin."""
    return {
        "Сатка": [
            {"type": "news", "title": "В Сатке открылся новый каток у ДК «Магнезит»", "territory_ids": ["gp-satka"],
             "body": "Каток работает ежедневно с 10:00 до 22:00, вход свободный.\n\n"
                     "Прокат коньков — в здании ДК, по паспорту или свидетельству о рождении ребёнка."},
            {"type": "event", "title": "Концерт народного хора «Саткинские узоры»", "territory_ids": ["gp-satka"],
             "description": "Народные песни Южного Урала в исполнении хора ДК «Магнезит» и гостей из Бакала. "
                            "Вход свободный, места в зале занимаются по мере прихода.",
             "starts_at": _iso(_day_at(now, 3, 9)), "ends_at": _iso(_day_at(now, 3, 11)),
             "venue": "ДК «Магнезит»", "address": "Сатка, ул. Пролетарская", "category": "culture"},
            {"type": "missing_person", "title": "Пропал Иван Сергеевич Котов, 72 года",
             "territory_ids": ["mr-satkinsky"],
             "description": "Рост 170 см, худощавый, седой. Был в тёмной куртке, вязаной шапке и валенках. "
                            "Может не помнить, как его зовут.",
             "last_seen_place": "Сатка, ул. Солнечная", "last_seen_at": _iso(now - timedelta(hours=20)),
             "contact_phone": "+7 351 613-00-00"},
            {"type": "bulletin", "title": "Штормовое предупреждение: сильный ветер и метель",
             "territory_ids": ["mr-satkinsky"], "severity": "warning",
             "body": "ГУ МЧС по Челябинской области: ожидается ветер до 23 м/с, метель. "
                     "Воздержитесь от поездок по трассе М-5 на участке Сатка — Бердяуш.",
             "expires_at": _iso(now + timedelta(hours=12))},
        ],
        "Магнитогорск": [
            {"type": "news", "title": "На проспекте Ленина обновят остановки общественного транспорта",
             "territory_ids": ["go-magnitogorsk"],
             "body": "До конца месяца на проспекте Ленина заменят 14 остановочных павильонов: новые будут "
                     "с подогревом, табло прибытия транспорта и зарядкой для телефона.\n\n"
                     "На время работ остановки переносятся на 20–30 метров, об этом предупредят указатели."},
            {"type": "event", "title": "Фестиваль уличной культуры на набережной Урала",
             "territory_ids": ["go-magnitogorsk"],
             "description": "Граффити, брейк-данс, уличный баскетбол 3×3 и мастер-классы для детей. "
                            "Участие бесплатное, регистрация команд — на месте до 11:00.",
             "starts_at": _iso(_day_at(now, 6, 5)), "ends_at": _iso(_day_at(now, 6, 13)),
             "venue": "Набережная реки Урал", "address": "Магнитогорск, ул. Набережная",
             "category": "holiday"},
            {"type": "missing_person", "title": "Пропал Николай Петрович Гуров, 81 год",
             "territory_ids": ["go-magnitogorsk"],
             "description": "Рост 165 см, носит очки, ходит с тростью. Был в сером пальто и чёрной кепке. "
                            "Нуждается в медицинской помощи.",
             "last_seen_place": "Магнитогорск, пр. Карла Маркса, у остановки «Комсомольская площадь»",
             "last_seen_at": _iso(now - timedelta(hours=9)), "contact_phone": "+7 3519 00-00-00"},
            {"type": "bulletin", "title": "Гололёд на дорогах и тротуарах Магнитогорска",
             "territory_ids": ["go-magnitogorsk"], "severity": "info",
             "body": "ГУ МЧС по Челябинской области: ночью и утром ожидается гололедица. Водителям — соблюдать "
                     "дистанцию, пешеходам — выбирать обувь на нескользящей подошве.",
             "expires_at": _iso(now + timedelta(hours=18))},
        ],
        "Челябинск": [
            {"type": "news", "title": "В Центральном районе благоустроят 12 дворов",
             "territory_ids": ["go-chelyabinsk"],
             "body": "По программе «Формирование комфортной городской среды» во дворах появятся новые детские "
                     "площадки, освещение и парковочные карманы.\n\n"
                     "Список адресов опубликован на сайте администрации Центрального района."},
            {"type": "event", "title": "Ночь искусств в Челябинском музее изобразительных искусств",
             "territory_ids": ["go-chelyabinsk"],
             "description": "Экскурсии по запасникам, лекции об уральской живописи и концерт камерной музыки. "
                            "Вход свободный, на экскурсии — по записи на месте.",
             "starts_at": _iso(_day_at(now, 4, 13)), "ends_at": _iso(_day_at(now, 4, 18)),
             "venue": "Челябинский государственный музей изобразительных искусств",
             "address": "Челябинск, пл. Революции, 8", "category": "culture"},
            {"type": "missing_person", "title": "Пропал Виктор Андреевич Лаптев, 68 лет",
             "territory_ids": ["go-chelyabinsk"],
             "description": "Рост 180 см, крепкого телосложения, с бородой. Был в синей куртке и джинсах, "
                            "с собой чёрный рюкзак.",
             "last_seen_place": "Челябинск, остановка «Площадь Революции»",
             "last_seen_at": _iso(now - timedelta(hours=30)), "contact_phone": "+7 351 200-00-00"},
            {"type": "bulletin", "title": "Сильный мороз: до −35 °C ночью",
             "territory_ids": ["go-chelyabinsk"], "severity": "danger",
             "body": "ГУ МЧС по Челябинской области: в ближайшие сутки ожидается мороз до −35 °C. "
                     "Ограничьте время на улице, не оставляйте детей и пожилых без присмотра, "
                     "не перегружайте электросеть обогревателями.",
             "expires_at": _iso(now + timedelta(hours=24))},
        ],
    }


def seed_feed(api: _Api, now: datetime) -> None:
    """Per demo city a news item, an event and a missing-person notice, drafted and submitted by
    the city's moderator and approved by an approver (the scheduler publishes them within a tick),
    an МЧС bulletin live at once (the emergency fast path), and one region-wide event."""
    def approved(api: _Api, author: str, body: dict) -> str:
        item = api.call("POST", "/v1/admin/content", api.token(author), body, expect=201)
        api.call("POST", f"/v1/admin/content/{item['id']}/submit", api.token(author), {})
        api.call("POST", f"/v1/admin/content/{item['id']}/approve", api.token(_other_approver(author)), {})
        return item["id"]

    def city_content(city: str, items: list[dict]) -> None:
        """One city's items in their order, on a connection of its own (the cities side by side)."""
        own = _Api(api.base)
        for body in items:
            if body["type"] == "bulletin":
                own.call("POST", "/v1/admin/content", own.token("emergency"), body, expect=201)
            else:
                approved(own, CITIES[city]["moderator"], body)

    with ThreadPoolExecutor(max_workers=len(CITIES)) as pool:
        list(pool.map(lambda city_items: city_content(*city_items), demo_feed(now).items()))
    starts = _day_at(now, 5, 6)
    approved(api, "approver", {
        "type": "event", "title": "Лыжня России — 2027", "territory_ids": ["chelyabinsk-oblast"],
        "description": "Массовая лыжная гонка во всех муниципалитетах области.", "starts_at": _iso(starts),
        "ends_at": _iso(starts + timedelta(hours=6)), "venue": "Лыжные базы муниципалитетов",
        "address": "Челябинская область", "category": "sport", "link": "https://minsport.gov74.ru"})
    log.info("demo feed content seeded for %s (the scheduler publishes the approved items within a tick)",
             ", ".join(CITIES))


# Rewards of the demo catalogue: (title, description, partner, price, stock, territory ids).
REWARDS: list[tuple[str, str, str, int, int, list[str]]] = [
    ("Входной билет в национальный парк «Зюраткуль»",
     "Посещение экологических троп парка на один день, включая подъём на хребет Зюраткуль.",
     "Национальный парк «Зюраткуль»", 100, 40, ["mr-satkinsky"]),
    ("Сувенир «Таганай»: кружка и магнит", "Набор национального парка «Таганай», выдаётся в визит-центре.",
     "Национальный парк «Таганай»", 120, 30, ["go-zlatoust", "mr-satkinsky"]),
    ("Билет на спектакль Магнитогорского драматического театра им. А. С. Пушкина",
     "Один билет в партер на любой спектакль текущего сезона.", "Магнитогорский драматический театр им. Пушкина",
     300, 20, ["go-magnitogorsk"]),
    ("Билет на домашний матч ХК «Металлург»", "Место на трибуне «Арены-Металлург» на матч регулярного чемпионата.",
     "Хоккейный клуб «Металлург»", 400, 15, ["go-magnitogorsk"]),
    ("Входной билет в Челябинский зоопарк", "Взрослый билет выходного дня.", "Челябинский зоопарк",
     150, 50, ["go-chelyabinsk"]),
    ("Два часа парковки в центре Челябинска", "Муниципальная платная парковка, зона «Центр».",
     "Парковочное пространство г. Челябинска", 80, 200, ["go-chelyabinsk"]),
    ("Пополнение транспортной карты на 100 ₽", "Зачисляется на единую транспортную карту региона.",
     "Единая транспортная карта Челябинской области", 100, 500, ["chelyabinsk-oblast"]),
]


def seed_shop(api: _Api, now: datetime) -> None:
    """A small demo catalogue of rewards from real-sounding partners, local ones in every demo city."""
    admin = api.token("admin")
    until = _iso(now + timedelta(days=90))
    since = _iso(now - timedelta(days=1))
    for title, description, partner, price, stock, territories in REWARDS:
        api.call("POST", "/v1/admin/shop/items", admin, {
            "title": title, "description": description, "partner": partner, "price": price, "stock": stock,
            "valid_from": since, "valid_until": until, "territory_ids": territories}, expect=201)
    log.info("demo shop catalogue seeded: %d items", len(REWARDS))
    # Each cashier is bound to its partner: the zoo's cashier cannot redeem a parking code.
    for subject, partner, name in (
            ("partner-chelzoo-cashier", "Челябинский зоопарк", "Анна Лебедева (касса Челябинского зоопарка)"),
            ("partner-parking-cashier", "Парковочное пространство г. Челябинска",
             "Игорь Смирнов (касса парковочного пространства)")):
        api.call("PUT", f"/v1/admin/staff/{subject}", admin,
                 {"roles": ["partner"], "partner": partner, "display_name": name})
    log.info("demo cashiers bound to their partners")


def seed(stack: LocalStack) -> None:
    """Demo polls in every state a moderator, an approver and a resident want to see, and feed content."""
    api = _Api(stack.api_url)
    now = datetime.now(UTC)
    open_satka = _draft_and_approve(api, "moderator-satka", _poll(
        "Благоустройство набережной Саткинского пруда",
        "Администрация Саткинского района выбирает, с чего начать благоустройство набережной в 2027 году.",
        ["gp-satka"], now - timedelta(minutes=1), now + timedelta(days=14),
        [("Что сделать в первую очередь?", "single", ["Освещение и видеонаблюдение", "Прогулочная дорожка",
                                                       "Детская площадка", "Лодочная станция"]),
         ("Что ещё нужно на набережной?", "multiple", ["Скамейки", "Туалет", "Велопарковка", "Кафе"])]))
    closing_soon = _draft_and_approve(api, "moderator-satka", _poll(
        "Название нового сквера у ДК «Магнезит»",
        "Сквер откроется летом; выберите название из предложенных жителями.",
        ["mr-satkinsky"], now - timedelta(minutes=1), now + timedelta(seconds=40),
        [("Как назвать сквер?", "single", ["Сквер Металлургов", "Магнезитовый сквер", "Сквер Юности"])],
        visibility="after_close"))
    _draft_and_approve(api, "moderator-magnitogorsk", _poll(
        "Вечерние часы массового катания в Ледовом дворце им. Ромазана",
        "Выберите удобное время для бесплатного массового катания по будням.",
        ["go-magnitogorsk"], now - timedelta(minutes=1), now + timedelta(days=10),
        [("Какое время удобнее?", "single", ["18:00–19:30", "19:30–21:00", "21:00–22:30"])]))
    _draft_and_approve(api, "moderator-chelyabinsk", _poll(
        "Где в Челябинске нужны новые велодорожки?",
        "Управление дорожного хозяйства планирует велосипедную сеть на 2027–2028 годы.",
        ["go-chelyabinsk"], now - timedelta(minutes=1), now + timedelta(days=21),
        [("Какие направления связать в первую очередь?", "multiple",
          ["Центр — Северо-Запад", "Центр — парк Гагарина", "Вдоль реки Миасс", "Центр — ЧТЗ"])]))
    # Four eyes: the approver drafts and submits, the second approver (approver-2) approves.
    regional = _draft_and_approve(api, "approver", _poll(
        REGIONAL_POLL_TITLE,
        "Региональный опрос Министерства культуры и туризма Челябинской области.",
        ["chelyabinsk-oblast"], now - timedelta(minutes=1), now + timedelta(days=30),
        [("Какие места добавить?", "multiple", ["Таганай", "Зюраткуль", "Аркаим", "Порогинская ГЭС"])],
        min_age=18))
    log.info("region-wide demo poll drafted by one approver, approved by the other: %s", regional)
    review = _draft_and_approve(api, "moderator-satka", _poll(
        "Новый автобусный маршрут Сатка — Бакал",
        "Нужен ли прямой маршрут без пересадки в Бердяуше?",
        ["gp-satka", "gp-bakal"], now + timedelta(days=2), now + timedelta(days=16),
        [("Будете ли вы пользоваться маршрутом?", "single", ["Да, ежедневно", "Иногда", "Нет"])]), approve=False)
    log.info("demo poll in review: %s", review)

    resident = api.token("resident-satka")
    _wait_open(api, open_satka, resident)
    _wait_open(api, closing_soon, resident)
    n1 = _vote(api, open_satka, "gp-satka", 24, lambda i: [
        {"question_id": "q1", "option_ids": [f"q1-o{1 + i % 4 if i % 3 else 1}"]},
        {"question_id": "q2", "option_ids": sorted({f"q2-o{1 + i % 4}", f"q2-o{1 + (i // 2) % 4}"})}])
    n2 = _vote(api, closing_soon, "gp-bakal", 30, lambda i: [
        {"question_id": "q1", "option_ids": [f"q1-o{1 + (i * i) % 3}"]}])
    log.info("demo ballots cast: %d + %d (the second poll closes and is finalised within a minute)", n1, n2)
    # After the ballots: the second poll closes 40 s after the start and its ballots come first.
    seed_feed(api, now)
    seed_shop(api, now)
