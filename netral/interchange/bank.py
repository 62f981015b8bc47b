"""Netral's scenarios as a Moodle question bank: every facet of a scenario becomes one practice item.

- name `<scenario-id>/<facet>`, category `$course$/Netral/<category name>`;
- text: the scenario's situation, a blank line, the facet's prompt;
- single-choice facet: one answer (`single`), each option's fraction is its credit (0, 0.25, 0.5, 1);
- multiple-choice facet: several answers, each key option +1/k and each wrong option -1/k (k = size of the
  key), rounded to Moodle's 7 decimals, so Moodle's clamped sum equals Netral's (right - wrong)/k floored at 0
  (see `netral.interchange.model` for Moodle's rules and the rounding);
- each option's feedback: Netral's explanation, then every cited provision with its reference, title and
  sanction (a contested provision says so, with its note);
- default mark (Moodle XML only): the facet's weight divided by the scenario's total weight, so each scenario
  is worth one mark, as each scenario counts equally in a Netral attempt.

Branching has no Moodle equivalent: follow-up scenarios are exported as ordinary questions when the whole
bank is exported, and left out of a quiz's selection (they are never drawn on their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from netral.content.loader import Content
from netral.content.models import Option, Question, Quiz, Scenario
from netral.feedback import citation
from netral.i18n import t
from netral.interchange.model import (
    PracticeItem,
    PracticeOption,
    category_path,
    is_moodle_fraction,
    moodle_round,
    percent,
)

ROOT_CATEGORY = "Netral"


class ExportError(ValueError):
    """The export cannot be made (an unknown quiz); `key` is an `interchange.error.` message."""

    def __init__(self, key: str, **values: str):
        super().__init__(f"{key} {values}")
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        return t(lang, self.key, **self.values)


@dataclass(frozen=True)
class Pool:
    """The scenarios exported for one category, and how many a quiz draws from them (None: all, in order)."""

    category_id: str
    category: str
    """The category path for Moodle."""
    scenarios: tuple[Scenario, ...]
    draw: int | None = None


@dataclass(frozen=True)
class Bank:
    """What one export holds: the pools in order, their items, the quiz they come from, and warnings."""

    lang: str
    pools: tuple[Pool, ...]
    items: tuple[PracticeItem, ...]
    quiz: Quiz | None
    warnings: tuple[str, ...]

    @property
    def scenario_count(self) -> int:
        return sum(len(pool.scenarios) for pool in self.pools)


def item_name(scenario: Scenario, question: Question) -> str:
    return f"{scenario.id}/{question.facet.value}"


def option_feedback(content: Content, option: Option, lang: str) -> str:
    """The option's explanation followed by each cited provision: reference, title, sanction, status."""
    lines = [option.feedback.get(lang)]
    for pid in option.cites:
        if pid not in content.provisions:
            continue
        cited = citation(content, pid, lang)
        line = t(lang, "interchange.feedback.citation", reference=cited.reference, title=cited.title,
                 sanction=cited.sanction.strip())
        line += "" if line.endswith((".", "!", "?")) else "."
        if cited.contested:
            line += " " + t(lang, "interchange.feedback.contested", note=cited.status_note or "")
        lines.append(line.strip())
    return "\n".join([lines[0], "", *lines[1:]]) if len(lines) > 1 else lines[0]


def fractions(question: Question) -> list[float]:
    """Moodle fractions of the options, in the question's option order (see the module docstring)."""
    if not question.multiple:
        return [moodle_round(option.credit) for option in question.options]
    share = moodle_round(1 / len(question.key))
    key = set(question.key)
    return [share if option.id in key else -share for option in question.options]


def facet_item(content: Content, scenario: Scenario, question: Question, lang: str) -> PracticeItem:
    total_weight = sum(q.weight for q in scenario.questions)
    options = tuple(
        PracticeOption(option.text.get(lang), fraction, option_feedback(content, option, lang))
        for option, fraction in zip(question.options, fractions(question), strict=True)
    )
    return PracticeItem(
        title=item_name(scenario, question),
        text=f"{scenario.situation.get(lang)}\n\n{question.prompt.get(lang)}",
        options=options,
        multiple=question.multiple,
        category=scenario_category(content, scenario, lang),
        default_mark=moodle_round(question.weight / total_weight),
    )


def scenario_category(content: Content, scenario: Scenario, lang: str) -> str:
    category = content.categories.get(scenario.category)
    return category_path(ROOT_CATEGORY, category.name.get(lang) if category else scenario.category)


def _pools(content: Content, quiz: Quiz | None, lang: str) -> list[Pool]:
    if quiz is None:
        # Every scenario, category by category in the catalogue's order, then any category not in it.
        unlisted = {s.category for s in content.scenarios.values()} - content.categories.keys()
        order = [*content.categories, *sorted(unlisted)]
        pools = []
        for category_id in order:
            scenarios = sorted((s for s in content.scenarios.values() if s.category == category_id), key=lambda s: s.id)
            if scenarios:
                pools.append(Pool(category_id, scenario_category(content, scenarios[0], lang), tuple(scenarios)))
        return pools
    if quiz.selection.mode == "fixed":
        pools = []
        for sid in quiz.selection.scenarios:
            if sid not in content.scenarios:
                raise ExportError("interchange.error.unknown_scenario", quiz=quiz.id, scenario=sid)
            scenario = content.scenarios[sid]
            # Consecutive scenarios of one category share a pool, so the order of the quiz is kept.
            if pools and pools[-1].category_id == scenario.category:
                pools[-1] = Pool(scenario.category, pools[-1].category, (*pools[-1].scenarios, scenario))
            else:
                pools.append(Pool(scenario.category, scenario_category(content, scenario, lang), (scenario,)))
        return pools
    pools = []
    for draw in quiz.selection.draw:
        scenarios = tuple(content.standalone_scenarios(draw.category))
        if scenarios:
            pools.append(Pool(draw.category, scenario_category(content, scenarios[0], lang), scenarios, draw.count))
    return pools


def build_bank(content: Content, *, lang: str = "id", quiz_id: str | None = None) -> Bank:
    """The items to export: every scenario, or the scenarios a quiz can show (its list, or its draw pools)."""
    quiz = None
    if quiz_id is not None:
        if quiz_id not in content.quizzes:
            raise ExportError("interchange.error.unknown_quiz", quiz=quiz_id)
        quiz = content.quizzes[quiz_id]
    pools = _pools(content, quiz, lang)
    items = tuple(
        facet_item(content, scenario, question, lang)
        for pool in pools for scenario in pool.scenarios for question in scenario.questions
    )
    warnings = tuple(
        t(lang, "interchange.warning.fraction_not_listed", title=item.title, percent=percent(option.fraction))
        for item in items for option in item.options if not is_moodle_fraction(option.fraction)
    )
    return Bank(lang, tuple(pools), items, quiz, warnings)


def header_lines(bank: Bank) -> list[str]:
    """The comment written at the top of an export: what it holds, and how a quiz selects from it."""
    lang = bank.lang
    lines = [t(lang, "interchange.export.header", questions=len(bank.items), scenarios=bank.scenario_count,
               language=lang)]
    lines.append(t(lang, "interchange.export.fractions"))
    if bank.quiz is not None:
        lines.append(t(lang, "interchange.export.quiz", quiz=bank.quiz.id, title=bank.quiz.title.get(lang)))
    return lines


def pool_lines(bank: Bank, pool: Pool) -> list[str]:
    """The comment written before a pool a quiz draws from."""
    if pool.draw is None:
        return []
    return [t(bank.lang, "interchange.export.draw", count=pool.draw, available=len(pool.scenarios),
              questions=sum(len(s.questions) for s in pool.scenarios))]
