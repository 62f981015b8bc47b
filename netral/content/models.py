"""Pydantic schemas for Netral's content: the regulation knowledge base, categories, scenarios, quizzes, statistics.

The schemas check each file on its own; references between files (a scenario citing a provision, a quiz
drawing on a category) are checked in `crosscheck.py`.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]



class Strict(BaseModel):
    """Base: unknown fields are errors (a typo must not silently drop content); models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A user-facing text in both languages, Bahasa Indonesia first."""

    id: NonEmpty
    en: NonEmpty

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to Bahasa Indonesia."""
        return self.en if lang == "en" else self.id


# --- the regulation knowledge base ---------------------------------------------------------------


class SourceKind(str, Enum):
    LEGAL_TEXT = "legal_text"
    SECONDARY = "secondary"


class Source(Strict):
    id: Identifier
    label: NonEmpty
    kind: SourceKind
    url: str | None = None


class BreachKind(str, Enum):
    """What kind of matter a breach is; `none` marks a permissive rule."""

    ETIK = "etik"
    DISIPLIN = "disiplin"
    PIDANA = "pidana"
    ADMINISTRATIF = "administratif"
    NONE = "none"


class Status(str, Enum):
    """How firmly a provision is established; contested provisions are always shown as contested."""

    LEGAL_TEXT = "legal_text"
    SECONDARY = "secondary"
    CONTESTED = "contested"


class Article(Strict):
    pasal: NonEmpty
    ayat: NonEmpty | None = None
    huruf: NonEmpty | None = None
    angka: NonEmpty | None = None

    @field_validator("pasal", "ayat", "huruf", "angka", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        # `pasal: 5` in YAML is an int; article parts are labels, so accept and keep them as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def label(self, lang: str = "id") -> str:
        """`Pasal 5 huruf n angka 2` (id) or `Article 5(n)(2)` style words (en)."""
        words = ("Pasal", "ayat", "huruf", "angka") if lang != "en" else ("Article", "paragraph", "letter", "number")
        parts = [f"{words[0]} {self.pasal}"]
        for word, value in zip(words[1:], (self.ayat, self.huruf, self.angka)):
            if value:
                parts.append(f"{word} {value}")
        return " ".join(parts)


class Sanction(Strict):
    level: Identifier
    text: Text


class Provision(Strict):
    id: Identifier
    instrument: NonEmpty
    article: Article | None = None
    title: Text
    summary: Text
    breach_kind: BreachKind
    sanction: Sanction
    binds: Text | None = None
    sources: list[Identifier] = Field(min_length=1)
    status: Status
    status_note: Text | None = None

    @model_validator(mode="after")
    def _contested_needs_note(self) -> "Provision":
        if self.status is Status.CONTESTED and self.status_note is None:
            raise ValueError("a contested provision needs a status_note saying what is contested")
        return self

    def citation(self, lang: str = "id") -> str:
        """`PP 94/2021 Pasal 5 huruf n angka 2`."""
        return f"{self.instrument} {self.article.label(lang)}" if self.article else self.instrument


class SanctionLevel(Strict):
    id: Identifier
    name: Text
    description: Text
    provisions: list[Identifier] = Field(default_factory=list)


class Institution(Strict):
    id: Identifier
    name: Text
    role: Text
    provisions: list[Identifier] = Field(default_factory=list)
    sources: list[Identifier] = Field(default_factory=list)


class KnowledgeBase(Strict):
    sources: list[Source] = Field(min_length=1)
    sanction_levels: list[SanctionLevel] = Field(min_length=1)
    provisions: list[Provision] = Field(min_length=1)
    institutions: list[Institution] = Field(default_factory=list)


# --- violation categories --------------------------------------------------------------------------


class Table21Row(Strict):
    """The category's row in Table 2.1 of the seed paper (Pilkada 2020)."""

    label: NonEmpty
    count: int = Field(ge=0)


class Category(Strict):
    id: Identifier
    name: Text
    description: Text
    table_2_1: Table21Row | None = None
    provisions: list[Identifier] = Field(min_length=1)
    binds: Text | None = None


class CategoryFile(Strict):
    categories: list[Category] = Field(min_length=1)


# --- scenarios ---------------------------------------------------------------------------------------


class Facet(str, Enum):
    """The five things a trainee judges in every scenario, in the order they are asked."""

    VERDICT = "verdict"
    PROVISIONS = "provisions"
    KIND = "kind"
    SANCTION = "sanction"
    CONDUCT = "conduct"


FACET_ORDER = tuple(Facet)


class Option(Strict):
    id: Identifier
    text: Text
    credit: float = Field(ge=0.0, le=1.0)
    feedback: Text
    cites: list[Identifier] = Field(min_length=1)
    next: Identifier | None = None
    level: Identifier | None = None
    kind: BreachKind | None = None


class Question(Strict):
    facet: Facet
    weight: float = Field(gt=0.0, le=10.0)
    multiple: bool = False
    prompt: Text
    options: list[Option] = Field(min_length=2)

    @model_validator(mode="after")
    def _has_key(self) -> "Question":
        ids = [option.id for option in self.options]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"option ids repeat: {', '.join(duplicates)}")
        if not any(option.credit == 1.0 for option in self.options):
            raise ValueError("no option has credit 1.0, so the question has no key answer")
        if self.multiple and any(option.credit not in (0.0, 1.0) for option in self.options):
            raise ValueError("in a multiple-choice question every credit is 1.0 (correct) or 0.0 (wrong)")
        if self.facet is Facet.SANCTION and any(option.level is None for option in self.options):
            raise ValueError("every option of the sanction facet needs a `level`")
        if self.facet is Facet.KIND and any(option.kind is None for option in self.options):
            raise ValueError("every option of the kind facet needs a `kind`")
        return self

    @property
    def key(self) -> tuple[str, ...]:
        """The ids of the key answer: the correct options (multiple) or the best option (single)."""
        if self.multiple:
            return tuple(option.id for option in self.options if option.credit == 1.0)
        return (next(option.id for option in self.options if option.credit == 1.0),)


class Employment(str, Enum):
    PNS = "pns"
    CPNS = "cpns"
    PPPK = "pppk"
    PEJABAT = "pejabat"
    KEPALA_DAERAH = "kepala-daerah"


class Actor(Strict):
    role: Text
    employment: Employment
    place: NonEmpty


class Scenario(Strict):
    id: Identifier
    category: Identifier
    lawful: bool
    election: Literal["pemilu", "pilkada"]
    actor: Actor
    title: Text
    situation: Text
    followup_only: bool = False
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _facets_in_order(self) -> "Scenario":
        facets = [question.facet for question in self.questions]
        if facets != list(FACET_ORDER):
            expected = ", ".join(f.value for f in FACET_ORDER)
            raise ValueError(f"questions must be the five facets once each, in order: {expected}")
        return self

    def question(self, facet: Facet) -> Question:
        return next(question for question in self.questions if question.facet is facet)

    @property
    def cited_provisions(self) -> set[str]:
        return {pid for question in self.questions for option in question.options for pid in option.cites}

    @property
    def next_scenarios(self) -> set[str]:
        return {option.next for question in self.questions for option in question.options if option.next}


class ScenarioFile(Strict):
    scenarios: list[Scenario] = Field(min_length=1)


# --- quizzes -----------------------------------------------------------------------------------------


class Draw(Strict):
    category: Identifier
    count: int = Field(ge=1, le=50)


class Selection(Strict):
    mode: Literal["fixed", "random"]
    scenarios: list[Identifier] = Field(default_factory=list)
    draw: list[Draw] = Field(default_factory=list)

    @model_validator(mode="after")
    def _mode_matches(self) -> "Selection":
        if self.mode == "fixed" and (not self.scenarios or self.draw):
            raise ValueError("a fixed selection lists `scenarios` and no `draw`")
        if self.mode == "random" and (not self.draw or self.scenarios):
            raise ValueError("a random selection lists `draw` and no `scenarios`")
        if len(set(self.scenarios)) != len(self.scenarios):
            raise ValueError("a scenario is listed twice in `scenarios`")
        return self


class Quiz(Strict):
    id: Identifier
    title: Text
    description: Text
    audience: Text
    pass_mark: float = Field(gt=0.0, le=1.0)
    time_limit_minutes: int = Field(ge=1, le=600)
    attempts_allowed: int = Field(ge=1, le=100)
    shuffle_options: bool = True
    selection: Selection


# --- statistics --------------------------------------------------------------------------------------


class StatSource(Strict):
    label: NonEmpty
    via: NonEmpty | None = None
    year: int = Field(ge=1990, le=2100)
    url: str | None = None


class Column(Strict):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    label: Text
    type: Literal["str", "int", "float", "category"]


class Dataset(Strict):
    """A table of real figures with its source; every chart of statistics is drawn from one."""

    id: Identifier
    title: Text
    caption: Text
    source: StatSource
    notes: list[Text] = Field(default_factory=list)
    columns: list[Column] = Field(min_length=1)
    rows: list[dict[str, Any]] = Field(min_length=1)

    def row_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Rows whose fields or value types do not match `columns`, as (location, message) pairs."""
        checks = {
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "str": lambda v: isinstance(v, str) and v.strip() != "",
            "category": lambda v: isinstance(v, str) and v.strip() != "",
        }
        names = [column.name for column in self.columns]
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for index, row in enumerate(self.rows):
            if set(row) != set(names):
                problems.append((("rows", index), f"fields {sorted(row)} do not match the columns {names}"))
                continue
            for column in self.columns:
                if not checks[column.type](row[column.name]):
                    problems.append(
                        (("rows", index, column.name), f"should be {column.type}, got {row[column.name]!r}")
                    )
        return problems

    def column_values(self, name: str) -> list[Any]:
        return [row[name] for row in self.rows]
