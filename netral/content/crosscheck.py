"""Checks that span files: references resolve, every category is taught, the statistics agree with themselves.

Each check is a small function returning problems; `CHECKS` lists them in the order they run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from netral.content.loader import Content, Problem, _display_path, _field_name, load_content
from netral.content.models import BreachKind, Facet, Text
from netral.statistics import PILKADA2020_TYPES, invariant_problems

MIN_SCENARIOS_PER_CATEGORY = 2


def _problem(content: Content, kind: str, item_id: str, sub: tuple[str | int, ...], message: str) -> Problem:
    origin = content.origin(kind, item_id)
    location = origin.location + sub
    return Problem(
        _display_path(origin.document.path, content.root),
        origin.document.line_of(location),
        _field_name(location),
        message,
    )


def _missing(kind: str, wanted: str, known: Iterable[str]) -> str:
    return f"unknown {kind} {wanted!r}" + ("" if known else " (none loaded)")


def check_knowledge_base(content: Content) -> list[Problem]:
    problems = []
    for provision in content.provisions.values():
        for index, source in enumerate(provision.sources):
            if source not in content.sources:
                problems.append(_problem(content, "provision", provision.id, ("sources", index),
                                         _missing("source", source, content.sources)))
        if provision.sanction.level not in content.sanction_levels:
            problems.append(_problem(content, "provision", provision.id, ("sanction", "level"),
                                     _missing("sanction level", provision.sanction.level, content.sanction_levels)))
    for level in content.sanction_levels.values():
        for index, pid in enumerate(level.provisions):
            if pid not in content.provisions:
                problems.append(_problem(content, "sanction level", level.id, ("provisions", index),
                                         _missing("provision", pid, content.provisions)))
    for institution in content.institutions.values():
        for index, pid in enumerate(institution.provisions):
            if pid not in content.provisions:
                problems.append(_problem(content, "institution", institution.id, ("provisions", index),
                                         _missing("provision", pid, content.provisions)))
        for index, source in enumerate(institution.sources):
            if source not in content.sources:
                problems.append(_problem(content, "institution", institution.id, ("sources", index),
                                         _missing("source", source, content.sources)))
    return problems


def check_categories(content: Content) -> list[Problem]:
    problems = []
    for category in content.categories.values():
        for index, pid in enumerate(category.provisions):
            if pid not in content.provisions:
                problems.append(_problem(content, "category", category.id, ("provisions", index),
                                         _missing("provision", pid, content.provisions)))
        count = len(content.standalone_scenarios(category.id))
        if count < MIN_SCENARIOS_PER_CATEGORY:
            problems.append(_problem(content, "category", category.id, ("id",),
                                     f"has {count} scenario(s); every category needs at least "
                                     f"{MIN_SCENARIOS_PER_CATEGORY}"))
    table = content.datasets.get(PILKADA2020_TYPES)
    if table is not None:
        mapped = {c.id: c for c in content.categories.values()}
        for index, row in enumerate(table.rows):
            category = mapped.get(row.get("category"))
            if category is None:
                problems.append(_problem(content, "dataset", table.id, ("rows", index, "category"),
                                         _missing("category", str(row.get("category")), mapped)))
            elif category.table_2_1 is None or category.table_2_1.count != row.get("count"):
                problems.append(_problem(content, "category", category.id, ("table_2_1",),
                                         f"does not match Table 2.1 ({row.get('label')!r}: {row.get('count')})"))
    return problems


def check_scenarios(content: Content) -> list[Problem]:
    problems = []
    reached: set[str] = set()
    for scenario in content.scenarios.values():
        sid = scenario.id
        if scenario.category not in content.categories:
            problems.append(_problem(content, "scenario", sid, ("category",),
                                     _missing("category", scenario.category, content.categories)))
        for q_index, question in enumerate(scenario.questions):
            for o_index, option in enumerate(question.options):
                where = ("questions", q_index, "options", o_index)
                for c_index, pid in enumerate(option.cites):
                    if pid not in content.provisions:
                        problems.append(_problem(content, "scenario", sid, where + ("cites", c_index),
                                                 _missing("provision", pid, content.provisions)))
                if option.level is not None and option.level not in content.sanction_levels:
                    problems.append(_problem(content, "scenario", sid, where + ("level",),
                                             _missing("sanction level", option.level, content.sanction_levels)))
                if option.next is not None:
                    reached.add(option.next)
                    target = content.scenarios.get(option.next)
                    if target is None:
                        problems.append(_problem(content, "scenario", sid, where + ("next",),
                                                 _missing("scenario", option.next, content.scenarios)))
                    elif not target.followup_only:
                        problems.append(_problem(content, "scenario", sid, where + ("next",),
                                                 f"follow-up {option.next!r} must have followup_only: true"))
                    elif option.next == sid:
                        problems.append(_problem(content, "scenario", sid, where + ("next",),
                                                 "a scenario cannot lead to itself"))
        problems.extend(_lawful_consistency(content, scenario))
    for scenario in content.scenarios.values():
        if scenario.followup_only and scenario.id not in reached:
            problems.append(_problem(content, "scenario", scenario.id, ("followup_only",),
                                     "follow-up scenario is not reached by any option's `next`"))
    return problems


def _lawful_consistency(content: Content, scenario) -> list[Problem]:
    """A lawful case must key `none` for kind and sanction; a breach must not."""
    problems = []
    kind_q = scenario.question(Facet.KIND)
    sanction_q = scenario.question(Facet.SANCTION)
    q_kind = scenario.questions.index(kind_q)
    q_sanction = scenario.questions.index(sanction_q)
    key_kinds = {o.kind for o in kind_q.options if o.credit == 1.0}
    key_levels = {o.level for o in sanction_q.options if o.credit == 1.0}
    if scenario.lawful:
        if key_kinds != {BreachKind.NONE}:
            problems.append(_problem(content, "scenario", scenario.id, ("questions", q_kind),
                                     "a lawful scenario's kind key must be the `none` option alone"))
        if key_levels != {"none"}:
            problems.append(_problem(content, "scenario", scenario.id, ("questions", q_sanction),
                                     "a lawful scenario's sanction key must have level `none`"))
    else:
        if BreachKind.NONE in key_kinds:
            problems.append(_problem(content, "scenario", scenario.id, ("questions", q_kind),
                                     "a breach cannot key the kind `none`"))
        if "none" in key_levels:
            problems.append(_problem(content, "scenario", scenario.id, ("questions", q_sanction),
                                     "a breach cannot key the sanction level `none`"))
    return problems


def check_quizzes(content: Content) -> list[Problem]:
    problems = []
    for quiz in content.quizzes.values():
        for index, sid in enumerate(quiz.selection.scenarios):
            scenario = content.scenarios.get(sid)
            if scenario is None:
                problems.append(_problem(content, "quiz", quiz.id, ("selection", "scenarios", index),
                                         _missing("scenario", sid, content.scenarios)))
            elif scenario.followup_only:
                problems.append(_problem(content, "quiz", quiz.id, ("selection", "scenarios", index),
                                         f"{sid!r} is a follow-up; it is reached through its branch, not listed"))
        seen: set[str] = set()
        for index, draw in enumerate(quiz.selection.draw):
            where = ("selection", "draw", index)
            if draw.category in seen:
                problems.append(_problem(content, "quiz", quiz.id, where + ("category",),
                                         f"category {draw.category!r} is drawn twice"))
            seen.add(draw.category)
            if draw.category not in content.categories:
                problems.append(_problem(content, "quiz", quiz.id, where + ("category",),
                                         _missing("category", draw.category, content.categories)))
                continue
            available = len(content.standalone_scenarios(draw.category))
            if draw.count > available:
                problems.append(_problem(content, "quiz", quiz.id, where + ("count",),
                                         f"draws {draw.count} but category {draw.category!r} has {available}"))
    return problems


def check_statistics(content: Content) -> list[Problem]:
    problems = []
    for dataset_id, found in invariant_problems(content.datasets).items():
        for location, message in found:
            if dataset_id in content.datasets:
                problems.append(_problem(content, "dataset", dataset_id, location, message))
            else:
                path = _display_path(content.root / "stats" / f"{dataset_id}.yaml", content.root)
                problems.append(Problem(path, 1, "(document)", message))
    return problems


def check_translations(content: Content) -> list[Problem]:
    """Both languages are required by the schema; this catches an English field that only copies the Indonesian."""
    problems = []
    for scenario in content.scenarios.values():
        for name in ("title", "situation"):
            text: Text = getattr(scenario, name)
            if len(text.id) > 30 and text.id.strip() == text.en.strip():
                problems.append(_problem(content, "scenario", scenario.id, (name, "en"),
                                         "the English text is a copy of the Indonesian; translate it"))
    return problems


CHECKS: tuple[Callable[[Content], list[Problem]], ...] = (
    check_knowledge_base,
    check_categories,
    check_scenarios,
    check_quizzes,
    check_statistics,
    check_translations,
)


def cross_check(content: Content) -> list[Problem]:
    """Every cross-file problem of `content`, sorted by file and line."""
    return sorted(problem for check in CHECKS for problem in check(content))


def validate_content(root: Path | str | None = None) -> tuple[Content, list[Problem]]:
    """Load and cross-check the content folder: the single entry point for the CLI, the app and the tests."""
    content, problems = load_content(root)
    if not content.root.is_dir():
        return content, problems  # nothing to cross-check; the one problem says so
    return content, sorted(problems + cross_check(content))
