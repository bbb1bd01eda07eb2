"""The poll as the domain knows it, and the rules that need no storage: scope, eligibility,
answers and results."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aj74.clock import iso, parse_iso
from aj74.errors import InvalidInput
from aj74.identity.principal import Principal
from aj74.polls.state import Amendment, Execution, Informed, Result, ReviewSnapshot
from aj74.territories import TerritoryTree

STATES = ("draft", "in_review", "approved", "rejected", "open", "closed", "final", "cancelled")
STATE_TITLES = {
    "draft": "черновик", "in_review": "на согласовании", "approved": "согласован", "rejected": "отклонён",
    "open": "идёт голосование", "closed": "голосование завершено", "final": "итоги подведены",
    "cancelled": "отменён",
}
EDITABLE_STATES = frozenset({"draft", "rejected"})
UNPUBLISHED_STATES = frozenset({"draft", "in_review", "rejected"})


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    # {"id", "alt"} of an image aj74.media accepted; fingerprinted only when present.
    image: dict | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "text": self.text, **({"image": self.image} if self.image else {})}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str
    min_choices: int
    max_choices: int
    options: tuple[Option, ...]

    def as_dict(self) -> dict:
        return {
            "id": self.id, "text": self.text, "kind": self.kind, "min_choices": self.min_choices,
            "max_choices": self.max_choices, "options": [o.as_dict() for o in self.options],
        }


@dataclass(frozen=True)
class Poll:
    poll_id: str
    state: str
    title: str
    description: str
    image_url: str | None
    territory_ids: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime
    min_age: int
    results_visibility: str
    questions: tuple[Question, ...]
    created_by: str
    created_at: str
    version: int = 1
    history: tuple[dict, ...] = ()
    fingerprint: str | None = None
    # {"id", "alt"} of an image aj74.media accepted (docs/decisions/016-images.md).
    image: dict | None = None
    # What the poll gathers after its content is fixed (aj74.polls.state).
    result: Result | None = None
    amendments: tuple[Amendment, ...] = ()
    execution: Execution | None = None
    informed: Informed | None = None
    review_snapshot: ReviewSnapshot | None = None
    # A ballot reached the ledger after close: the scheduler checks the published result.
    amend_pending: bool = False

    # ------------------------------------------------------------- content
    def content(self) -> dict:
        """The part of a poll that is frozen once it opens (and fingerprinted)."""
        return {
            "title": self.title, "description": self.description, "image_url": self.image_url,
            "territory_ids": list(self.territory_ids), "opens_at": iso(self.opens_at),
            "closes_at": iso(self.closes_at), "min_age": self.min_age,
            "results_visibility": self.results_visibility, "questions": [q.as_dict() for q in self.questions],
            # Only when there is one: the fingerprints of polls without images stay what they were.
            **({"image": self.image} if self.image else {}),
        }

    @property
    def option_ids(self) -> list[str]:
        return [o.id for q in self.questions for o in q.options]

    def with_content(self, content: dict) -> Poll:
        return replace(self, **_content_fields(content))

    def is_accepting(self, now: datetime) -> bool:
        return self.state == "open" and self.opens_at <= now < self.closes_at


def _content_fields(content: dict) -> dict:
    return {
        "title": content["title"], "description": content.get("description", ""),
        "image_url": content.get("image_url"), "territory_ids": tuple(content["territory_ids"]),
        "opens_at": _as_time(content["opens_at"]),
        "closes_at": _as_time(content["closes_at"]),
        "min_age": content["min_age"], "results_visibility": content["results_visibility"],
        "questions": tuple(_question(q) for q in content["questions"]),
        "image": _image(content.get("image")),
    }


def _image(image: dict | None) -> dict | None:
    return {"id": image["id"], "alt": image["alt"]} if image else None


def _as_time(value) -> datetime:
    return parse_iso(value) if isinstance(value, str) else value.astimezone(UTC)


def _question(q: dict) -> Question:
    return Question(q["id"], q["text"], q["kind"], q["min_choices"], q["max_choices"],
                    tuple(Option(o["id"], o["text"], _image(o.get("image"))) for o in q["options"]))


def assign_ids(questions: list[dict]) -> list[dict]:
    """Give questions and options their ids (q1, q1-o1, ...) in the order the editor wrote them."""
    out = []
    for qi, q in enumerate(questions, start=1):
        qid = f"q{qi}"
        out.append({
            "id": qid, "text": q["text"], "kind": q["kind"], "min_choices": q["min_choices"],
            "max_choices": q["max_choices"],
            "options": [{"id": f"{qid}-o{oi}", "text": o["text"], **({"image": o["image"]} if o.get("image") else {})}
                        for oi, o in enumerate(q["options"], start=1)],
        })
    return out


def new_poll(poll_id: str, content: dict, author: Principal, now: datetime) -> Poll:
    content = {**content, "questions": assign_ids(content["questions"])}
    return Poll(poll_id=poll_id, state="draft", created_by=author.subject, created_at=iso(now),
                **_content_fields(content))


def poll_from_record(poll_id: str, state: str, version: int, content: dict, meta: dict) -> Poll:
    """A poll from its stored attributes: ``meta`` holds them as stored (JSON dicts and lists)."""
    return Poll(poll_id=poll_id, state=state, version=version, created_by=meta["created_by"],
                created_at=meta["created_at"], history=tuple(meta.get("history") or ()),
                fingerprint=meta.get("fingerprint"),
                result=Result.from_dict(meta.get("result")),
                amendments=tuple(Amendment.from_dict(a) for a in meta.get("amendments") or ()),
                execution=Execution.from_dict(meta.get("execution")),
                informed=Informed.from_dict(meta.get("informed")),
                review_snapshot=ReviewSnapshot.from_dict(meta.get("review_snapshot")),
                amend_pending=bool(meta.get("amend_pending")),
                **_content_fields(content))


# ------------------------------------------------------------------ eligibility
def age_in_year(birth_year: int, at: datetime) -> int:
    """Age as far as a birth year tells: the age reached during the poll's opening year."""
    return at.year - birth_year


def eligibility_problem(poll: Poll, principal: Principal, tree: TerritoryTree) -> str | None:
    """A Russian reason why ``principal`` may not vote in ``poll``, or None when they may."""
    if not principal.has_role("resident"):
        return "Голосовать могут только жители (роль «житель»)."
    if not principal.territory_id or principal.territory_id not in tree:
        return "В профиле не указано место жительства."
    if not tree.within_any(principal.territory_id, poll.territory_ids):
        names = ", ".join(tree.get(t).name for t in poll.territory_ids)
        return f"Опрос проводится только для жителей: {names}."
    if poll.min_age:
        if principal.birth_year is None:
            return "Для участия нужен указанный год рождения."
        if age_in_year(principal.birth_year, poll.opens_at) < poll.min_age:
            return f"Опрос для участников от {poll.min_age} лет."
    return None


def visible_to(poll: Poll, principal: Principal, tree: TerritoryTree) -> bool:
    """Residents see polls targeted at their territory or anything above it."""
    if not principal.territory_id or principal.territory_id not in tree:
        return False
    return tree.within_any(principal.territory_id, poll.territory_ids)


# ------------------------------------------------------------------ answers
def normalize_answers(poll: Poll, answers: list[dict]) -> tuple[str, ...]:
    """The chosen option ids, sorted; every question must be answered within its limits."""
    errors: list[dict] = []
    by_id = {q.id: q for q in poll.questions}
    seen: set[str] = set()
    chosen: list[str] = []
    for i, answer in enumerate(answers):
        qid = answer["question_id"]
        q = by_id.get(qid)
        if q is None:
            errors.append({"field": f"answers.{i}.question_id", "detail": "в опросе нет такого вопроса"})
            continue
        if qid in seen:
            errors.append({"field": f"answers.{i}.question_id", "detail": f"ответ на вопрос «{q.text}» указан дважды"})
            continue
        seen.add(qid)
        options = answer["option_ids"]
        valid = {o.id for o in q.options}
        bad = [o for o in options if o not in valid]
        if bad:
            errors.append({"field": f"answers.{i}.option_ids",
                           "detail": f"«{q.text}»: варианты не из этого вопроса: " + ", ".join(bad)})
            continue
        if len(set(options)) != len(options):
            errors.append({"field": f"answers.{i}.option_ids", "detail": f"«{q.text}»: варианты повторяются"})
            continue
        if not q.min_choices <= len(options) <= q.max_choices:
            limit = "один вариант" if q.max_choices == 1 else f"от {q.min_choices} до {q.max_choices} вариантов"
            errors.append({"field": f"answers.{i}.option_ids", "detail": f"«{q.text}»: нужно выбрать {limit}"})
            continue
        chosen.extend(options)
    # Errors name a question by its text, as the resident read it, never by its id («q2»).
    for q in poll.questions:
        if q.id not in seen:
            errors.append({"field": "answers", "detail": f"нет ответа на вопрос «{q.text}»"})
    if errors:
        raise InvalidInput("Ответы заполнены неверно.", errors=errors)
    return tuple(sorted(chosen, key=_option_order))


def choice_problem(poll: Poll, option_ids: tuple[str, ...]) -> str | None:
    """Why a recorded set of option ids is not a valid ballot of ``poll`` (None when it is): the
    consumer's re-check of what the cast route validated, in English for the operator's log."""
    question_of = {o.id: q.id for q in poll.questions for o in q.options}
    if len(set(option_ids)) != len(option_ids):
        return "an option is chosen twice"
    foreign = [o for o in option_ids if o not in question_of]
    if foreign:
        return "options not in the poll: " + ",".join(foreign)
    for q in poll.questions:
        chosen = sum(1 for o in option_ids if question_of[o] == q.id)
        if not q.min_choices <= chosen <= q.max_choices:
            return f"question {q.id}: {chosen} options chosen, {q.min_choices}..{q.max_choices} allowed"
    return None


def _option_order(option_id: str) -> tuple[int, int]:
    q, _, o = option_id.partition("-o")
    return int(q[1:]), int(o)


# ------------------------------------------------------------------ results
def results_body(poll: Poll, counts: dict[str, int], total_ballots: int, state: str) -> dict:
    """Results as residents and staff read them: count and share per option."""
    questions = []
    for q in poll.questions:
        options = []
        for o in q.options:
            n = int(counts.get(o.id, 0))
            share = round(n / total_ballots, 4) if total_ballots else 0.0
            options.append({"id": o.id, "text": o.text, "count": n, "share": share})
        questions.append({"id": q.id, "text": q.text, "kind": q.kind, "options": options})
    return {"poll_id": poll.poll_id, "state": state, "total_ballots": int(total_ballots), "questions": questions}
