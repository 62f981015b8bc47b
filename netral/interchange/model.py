"""What Netral exchanges with Moodle: plain practice items, Moodle's grade rules, and the import report.

A `PracticeItem` is one Moodle question of a type Netral can show (multiple choice with one or several
answers, true/false). It is *not* a regulation-scored scenario: it carries no provisions and no facets, only
the options with Moodle's fractions and feedback. Exporting turns each facet of a scenario into one item;
importing reads items back from Moodle XML or GIFT.

Fractions are Moodle's: the share of the question's mark an option is worth, -1..1 (the files write them as
percentages). Moodle stores a fraction with 7 decimals and, on import with its default setting "match grades:
error if grade not listed", accepts only fractions within 0.00001 of its list of grades
(`question_bank::fraction_options_full()`: 100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30,
25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5 and 0 per cent, and their negatives). With the setting
"nearest grade" it rounds to that list instead. Every fraction Netral writes is rounded to 7 decimals, so a
share 1/k with k in 1..10 or 20 is exactly a listed grade (1/3 -> 33.33333 %).

How Moodle grades the answers (question/type/multichoice/question.php):
- one answer (`single`): the chosen option's fraction;
- several answers: the sum of the chosen options' fractions, clamped to 0..1.
So a multiple-answer facet with k key options exports +1/k for each key option and -1/k for each wrong one:
Moodle's clamped sum is then (right - wrong)/k floored at 0, which is Netral's multiple-choice score. Rounding
to 7 decimals makes all k key options sum to 0.9999999 for k = 3; Moodle accepts a multiple-answer question
whose positive fractions sum to 1 after rounding to 2 decimals and counts a fraction above 0.999999 as fully
correct, so the mark differs from Netral's by less than 1e-6 of the question's mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from netral.i18n import t

MOODLE_GRADES: tuple[float, ...] = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667,
    0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)
"""Moodle's standard positive grades (fractions); the full list adds their negatives."""

MOODLE_FRACTIONS: tuple[float, ...] = tuple(sorted({*MOODLE_GRADES, *(-g for g in MOODLE_GRADES)}, reverse=True))
"""Every fraction Moodle's importer accepts with its default setting, 1 down to -1."""

_MATCH_TOLERANCE = 0.00001  # Moodle's match_grade_options(): abs(grade - value) < 0.00001


def moodle_round(fraction: float) -> float:
    """A fraction as Moodle stores it: 7 decimals (the question_answers.fraction column is NUMBER(12,7))."""
    value = round(fraction, 7)
    return 0.0 if value == 0 else value


def is_moodle_fraction(fraction: float) -> bool:
    """True when Moodle's importer accepts `fraction` as it is (no "nearest grade" rounding needed)."""
    return any(abs(fraction - allowed) < _MATCH_TOLERANCE for allowed in MOODLE_FRACTIONS)


def percent(fraction: float) -> str:
    """A fraction as the percentage Moodle writes in its files: `1/3` -> `33.33333`, `-0.5` -> `-50`."""
    text = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class PracticeOption(NamedTuple):
    """One answer of a practice item: its text, Moodle fraction (-1..1) and the feedback shown when chosen."""

    text: str
    fraction: float
    feedback: str


MULTICHOICE = "multichoice"
TRUEFALSE = "truefalse"
TRUE_TEXT = "true"
FALSE_TEXT = "false"
"""A true/false item has two options whose texts are these words, true first (show them with
`option_label`, which translates them)."""


@dataclass(frozen=True)
class PracticeItem:
    """A plain practice question from or for Moodle. Texts are plain text (imported HTML is reduced to text)."""

    title: str
    text: str
    options: tuple[PracticeOption, ...]
    multiple: bool
    category: str = ""
    """Moodle category path as written in the file (`$course$/Netral/...`, `/` inside a name doubled)."""
    source_line: int | None = None
    """Line of the question in the imported file; None for an item built by the export."""
    kind: str = MULTICHOICE
    general_feedback: str = ""
    default_mark: float = 1.0
    """Moodle's default mark; only Moodle XML carries it (GIFT questions always get 1)."""

    @property
    def key(self) -> tuple[int, ...]:
        """Indexes of the options that earn full marks (single) or any positive share (multiple)."""
        if self.multiple:
            return tuple(i for i, option in enumerate(self.options) if option.fraction > 0)
        best = max((option.fraction for option in self.options), default=0.0)
        return tuple(i for i, option in enumerate(self.options) if option.fraction == best and best > 0)


def score_practice(item: PracticeItem, chosen: Iterable[int]) -> float:
    """Score chosen option indexes as Moodle does.

    One answer: the chosen option's fraction (0 when nothing is chosen; Moodle lets a single-answer fraction
    be negative). Several answers: the sum of the chosen fractions, clamped to 0..1.
    """
    picks = sorted(set(chosen))
    if any(not 0 <= index < len(item.options) for index in picks):
        raise ValueError(f"{item.title}: option index out of range: {picks}")
    if not item.multiple:
        if len(picks) > 1:
            raise ValueError(f"{item.title}: only one option may be chosen")
        return item.options[picks[0]].fraction if picks else 0.0
    return min(1.0, max(0.0, sum(item.options[index].fraction for index in picks)))


def category_names(path: str) -> list[str]:
    """Split a Moodle category path into names, the way Moodle does (`//` is a `/` inside a name)."""
    names: list[str] = []
    current = ""
    index = 0
    while index < len(path):
        if path.startswith("//", index):
            current += "/"
            index += 2
        elif path[index] == "/":
            names.append(current.strip())
            current = ""
            index += 1
        else:
            current += path[index]
            index += 1
    names.append(current.strip())
    return [name for name in names if name]


def category_path(*names: str) -> str:
    """`$course$/Netral/<name>` with each `/` inside a name doubled, as Moodle's exporter writes it."""
    return "/".join(["$course$", *(name.replace("/", "//") for name in names)])


# --- the import report ----------------------------------------------------------------------------------


class Unsupported(NamedTuple):
    """A question of a type Netral cannot use as a practice item (short answer, matching, essay, ...)."""

    title: str
    line: int
    qtype: str
    """Moodle's type name: essay, match, numerical, shortanswer, description, multianswer (cloze), ..."""


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in the file: a message key under `interchange.problem.` with its values.

    `skipped` tells whether the question was left out (True) or imported with the warning (False).
    """

    line: int
    key: str
    title: str = ""
    skipped: bool = True
    values: dict[str, str] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return t(lang, self.key, line=self.line, title=self.title, **self.values)


@dataclass(frozen=True)
class ImportReport:
    """Everything found in one file: the practice items, the unsupported questions and the problems."""

    items: tuple[PracticeItem, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    format: str = ""
    """`gift` or `xml`."""

    @property
    def question_count(self) -> int:
        """Questions seen in the file (items, unsupported and skipped ones), as Moodle would count them."""
        return len(self.items) + len(self.unsupported) + sum(1 for p in self.problems if p.skipped and p.title)

    @property
    def clean(self) -> bool:
        """True when every question in the file became a practice item."""
        return bool(self.items) and not self.unsupported and not self.problems


def grade_problems(item: PracticeItem) -> list[ImportProblem]:
    """Moodle's own checks on a question's grades, as warnings (the item is kept): a one-answer question
    needs an answer worth 100 %, and the positive fractions of a several-answer question must add up to
    100 % (rounded to 2 decimals)."""
    line = item.source_line or 0
    if item.multiple:
        total = round(sum(o.fraction for o in item.options if o.fraction > 0), 2)
        if total != 1:
            return [ImportProblem(line, "interchange.problem.fractions_sum", item.title, False,
                                  {"total": percent(total)})]
        return []
    best = max((o.fraction for o in item.options), default=0.0)
    if best != 1:
        return [ImportProblem(line, "interchange.problem.no_full_marks", item.title, False, {"best": percent(best)})]
    return []


def qtype_label(lang: str, qtype: str) -> str:
    """A readable name for a Moodle question type, or the type name itself when it is unknown."""
    key = "interchange.qtype." + qtype
    label = t(lang, key)
    return qtype if label == key else label


def option_label(lang: str, item: PracticeItem, option: PracticeOption) -> str:
    """The text to show for an option: true/false options are translated, others shown as they are."""
    if item.kind == TRUEFALSE and option.text in (TRUE_TEXT, FALSE_TEXT):
        return t(lang, "interchange.truefalse." + option.text)
    return option.text
