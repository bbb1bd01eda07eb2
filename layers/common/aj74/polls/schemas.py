"""Request bodies of the poll and ballot routes (the API contract; see aj74.validation)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from aj74.media.schemas import ImageIn
from aj74.validation import FieldProblem

TerritoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]
QuestionId = Annotated[str, StringConstraints(pattern=r"^q\d{1,2}$")]
OptionId = Annotated[str, StringConstraints(pattern=r"^q\d{1,2}-o\d{1,2}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

MAX_QUESTIONS = 20
MAX_OPTIONS = 50

# Errors a person reads beside the field they are about (see aj74.validation.FieldProblem).
SINGLE_CHOICE = "В вопросе с одним ответом отмечается ровно один вариант"
REPEATED_OPTION = "Такой вариант ответа уже есть в этом вопросе"
REPEATED_TERRITORY = "Каждая территория указывается один раз"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OptionIn(_Strict):
    text: Annotated[Text, StringConstraints(max_length=300)]
    # An image uploaded through POST /v1/admin/media (docs/decisions/016-images.md).
    image: ImageIn | None = None


def _same_text(text: str) -> str:
    """Texts a resident could not tell apart: case and surrounding or repeated spaces ignored."""
    return " ".join(text.split()).casefold()


def _repeated_options(options: list[OptionIn]) -> list[tuple[str, str]]:
    """A problem at every option whose text an earlier option of the question already has."""
    seen: set[str] = set()
    problems = []
    for i, option in enumerate(options):
        key = _same_text(option.text)
        if key in seen:
            problems.append((f"options.{i}.text", REPEATED_OPTION))
        seen.add(key)
    return problems


class QuestionIn(_Strict):
    text: Annotated[Text, StringConstraints(max_length=500)]
    kind: Literal["single", "multiple"]
    min_choices: int = Field(default=1, ge=1, le=MAX_OPTIONS)
    max_choices: int | None = Field(default=None, ge=1, le=MAX_OPTIONS)
    options: list[OptionIn] = Field(min_length=2, max_length=MAX_OPTIONS)

    @model_validator(mode="after")
    def _choices(self):
        problems = _repeated_options(self.options)
        if self.kind == "single":
            if self.max_choices not in (None, 1):
                problems.append(("max_choices", SINGLE_CHOICE))
            elif self.min_choices != 1:
                problems.append(("min_choices", SINGLE_CHOICE))
            else:
                self.max_choices = 1
        else:
            if self.max_choices is None:
                self.max_choices = len(self.options)
            if self.max_choices > len(self.options):
                problems.append(("max_choices", "Можно отметить не больше вариантов, чем есть в вопросе"))
            elif self.min_choices > self.max_choices:
                problems.append(("min_choices", "Минимум отмеченных вариантов не может быть больше максимума"))
        if problems:
            raise FieldProblem.of(problems)
        return self


class PollContentIn(_Strict):
    title: Annotated[Text, StringConstraints(max_length=200)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""
    image_url: Annotated[str, StringConstraints(pattern=r"^https://\S{1,490}$")] | None = None
    image: ImageIn | None = None
    territory_ids: list[TerritoryId] = Field(min_length=1, max_length=50)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    min_age: int = Field(default=14, ge=0, le=120)
    results_visibility: Literal["after_vote", "after_close"] = "after_close"
    questions: list[QuestionIn] = Field(min_length=1, max_length=MAX_QUESTIONS)

    @model_validator(mode="after")
    def _schedule(self):
        problems = []
        if self.closes_at <= self.opens_at:
            problems.append(("closes_at", "Окончание голосования должно быть позже начала"))
        if len(set(self.territory_ids)) != len(self.territory_ids):
            problems.append(("territory_ids", REPEATED_TERRITORY))
        if problems:
            raise FieldProblem.of(problems)
        return self


class PollPatchIn(_Strict):
    """A partial edit of a draft; ``version`` is the one the editor saw (optimistic concurrency)."""

    version: int = Field(ge=1)
    title: Annotated[Text, StringConstraints(max_length=200)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] | None = None
    image_url: Annotated[str, StringConstraints(pattern=r"^https://\S{1,490}$")] | None = None
    # null removes the image.
    image: ImageIn | None = None
    territory_ids: list[TerritoryId] | None = Field(default=None, min_length=1, max_length=50)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    min_age: int | None = Field(default=None, ge=0, le=120)
    results_visibility: Literal["after_vote", "after_close"] | None = None
    questions: list[QuestionIn] | None = Field(default=None, min_length=1, max_length=MAX_QUESTIONS)


class CommentIn(_Strict):
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class AnswerIn(_Strict):
    question_id: QuestionId
    option_ids: list[OptionId] = Field(min_length=1, max_length=MAX_OPTIONS)


class BallotIn(_Strict):
    answers: list[AnswerIn] = Field(min_length=1, max_length=MAX_QUESTIONS)
    # A commitment computed on the device (hex SHA-256); the server makes one when absent.
    commitment: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None

