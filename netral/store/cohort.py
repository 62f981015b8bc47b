"""Cohort dashboard of one training session, for trainers and HR: how far the cohort got, how well it scored,
which violation categories it masters least, and each trainee's attempts down to the single answer.

All counting, averaging and binning happens in SQL; what comes back is one row per bin, unit × scenario
or page row. A scenario's category lives in the content, not the database, so answers are summed per
(unit, scenario) in SQL and those few thousand sums are rolled up to category and unit × category in Python:
cheaper than evaluating a sixty-branch CASE on every answer row (3x at 10,000 trainees, bench/README.md).
The other Python-side join is the weakest categories with Table 2.1's frequencies: sixteen aggregated rows.

The default view (first attempts) reads the summaries written at start and submission
(netral/store/summaries.py): each person's first finished attempt is a column of `quiz_progress`, and the
(unit, scenario) sums of those attempts are `mastery_cells`, so no answer is read. Best or all attempts, and
a date range for the mastery, are computed from the attempts and answers.

Scores come from finished attempts (``submitted`` or ``late``). By default each trainee's *first* finished
attempt per quiz counts (what the cohort knew before retrying); `which="best"` takes each trainee's best
attempt per quiz and `which="all"` every finished attempt. The attempt is chosen first and the date range
applied afterwards, so "first attempts in March" means first attempts that were submitted in March.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, Subquery, and_, case, func, literal, select
from sqlalchemy.orm import Session

from netral.content import Content
from netral.store.accounts import UserView
from netral.store.db import read_session
from netral.store.reports import (
    FINISHED_STATUSES,
    person_progress,
    quizzes_in_scope,
    status_counts,
    visible_training,
)
from netral.store.schema import Answer, Attempt, Enrolment, MasteryCell, QuizProgress, User
from netral.store.trainings import TrainingError

Which = Literal["first", "best", "all"]
WHICH: tuple[Which, ...] = ("first", "best", "all")
SortKey = Literal["score", "name", "unit"]
SORT_KEYS: tuple[SortKey, ...] = ("score", "name", "unit")
BIN_COUNT = 10
MAX_PAGE_SIZE = 500
WEAKEST_COUNT = 5


@dataclass(frozen=True)
class CohortFilters:
    """What part of the cohort to look at. The date range is half-open, [`date_from`, `date_to`), on the
    attempt's submission time (aware datetimes). Empty `units` means every unit."""

    units: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    which: Which = "first"
    quiz_id: str | None = None

    def __post_init__(self) -> None:
        if self.which not in WHICH:
            raise ValueError(f"which must be one of {WHICH}, not {self.which!r}")


# --- results --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortCounts:
    """People, as in the completion report: enrolled, started, finished (every quiz), passed (every quiz)."""

    enrolled: int
    started: int
    finished: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        """Passed over finished: how many of those who completed the training passed it."""
        return self.passed / self.finished if self.finished else None


@dataclass(frozen=True)
class ScoreBin:
    """Attempts scoring in [lower, upper); the last bin includes 1.0."""

    index: int
    lower: float
    upper: float
    count: int


@dataclass(frozen=True)
class CategoryMastery:
    """Mean answer score in a category (0..1) over the answers counted, optionally for one unit."""

    category_id: str
    mastery: float
    answers: int
    unit: str | None = None


@dataclass(frozen=True)
class WeakCategory:
    """A weak category with how often it was the actual violation in Pilkada 2020 (Table 2.1)."""

    category_id: str
    mastery: float
    answers: int
    table_2_1_label: str | None
    table_2_1_count: int | None
    table_2_1_share: float | None
    """The category's share of Table 2.1's cases (of 366); None for categories outside the table."""


@dataclass(frozen=True)
class CohortDashboard:
    filters: CohortFilters
    quiz_ids: tuple[str, ...]
    counts: CohortCounts
    attempts_counted: int
    """Attempts behind the scores (after choosing first/best/all and the date range)."""
    attempts_passed: int
    mean_score: float | None
    distribution: tuple[ScoreBin, ...]
    mastery: tuple[CategoryMastery, ...]
    """Per category, weakest first."""
    unit_mastery: tuple[CategoryMastery, ...]
    """Per unit × category (heat-map cells), by unit then category."""
    weakest: tuple[WeakCategory, ...]
    units_available: tuple[str, ...]

    @property
    def pass_rate(self) -> float | None:
        return self.counts.pass_rate

    @property
    def attempt_pass_rate(self) -> float | None:
        """Share of the counted attempts that passed (e.g. first-attempt pass rate)."""
        return self.attempts_passed / self.attempts_counted if self.attempts_counted else None

    def to_rows(self, table: Literal["distribution", "mastery", "unit_mastery", "weakest"]
                ) -> list[dict[str, object]]:
        """Rows for an export table keyed by the i18n key of each column header (``cohort.col.*``)."""
        if table == "distribution":
            return [{"cohort.col.score_from": b.lower, "cohort.col.score_to": b.upper,
                     "cohort.col.attempts": b.count} for b in self.distribution]
        if table == "mastery":
            return [{"cohort.col.category": m.category_id, "cohort.col.mastery": m.mastery,
                     "cohort.col.answers": m.answers} for m in self.mastery]
        if table == "unit_mastery":
            return [{"cohort.col.unit": m.unit, "cohort.col.category": m.category_id,
                     "cohort.col.mastery": m.mastery, "cohort.col.answers": m.answers} for m in self.unit_mastery]
        if table == "weakest":
            return [{"cohort.col.category": w.category_id, "cohort.col.mastery": w.mastery,
                     "cohort.col.answers": w.answers, "cohort.col.table_2_1_count": w.table_2_1_count,
                     "cohort.col.table_2_1_share": w.table_2_1_share} for w in self.weakest]
        raise ValueError(table)


@dataclass(frozen=True)
class TraineeRow:
    user_id: int
    name: str
    nip: str | None
    unit: str
    position: str
    score: float | None
    """Mean score of the counted attempts (first/best/all); None without a finished attempt."""
    attempts_counted: int
    finished: bool
    passed: bool
    last_submitted: datetime | None


TRAINEE_COLUMNS: dict[str, str] = {
    "name": "cohort.col.name",
    "nip": "cohort.col.nip",
    "unit": "cohort.col.unit",
    "position": "cohort.col.position",
    "score": "cohort.col.score",
    "attempts_counted": "cohort.col.attempts",
    "finished": "cohort.col.finished",
    "passed": "cohort.col.passed",
    "last_submitted": "cohort.col.last_submitted",
}


@dataclass(frozen=True)
class TraineePage:
    rows: tuple[TraineeRow, ...]
    total: int
    """Trainees matching the filters, on all pages."""
    limit: int
    offset: int

    def to_rows(self) -> list[dict[str, object]]:
        """Rows keyed by the i18n key of each column header (`TRAINEE_COLUMNS`)."""
        return [{key: getattr(row, field) for field, key in TRAINEE_COLUMNS.items()} for row in self.rows]


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    quiz_id: str
    number: int
    """1 for the trainee's first attempt at this quiz in the session, 2 for the second, …"""
    status: str
    started_at: datetime
    submitted_at: datetime | None
    score: float | None
    passed: bool | None
    answers: int


@dataclass(frozen=True)
class AnswerDetail:
    scenario_id: str
    category_id: str | None
    choice: dict[str, list[str]]
    facet_scores: dict[str, float] | None
    score: float | None
    answered_at: datetime


# --- SQL building blocks --------------------------------------------------------------------------------


def counted_attempts(training_id: int, quiz_ids: Sequence[str], filters: CohortFilters) -> Subquery:
    """The finished attempts behind the scores: one per trainee and quiz (first or best) or all of them,
    of enrolled trainees of the chosen units, submitted within the date range.

    Columns: id, user_id, quiz_id, score, passed, submitted_at, unit.
    """
    if filters.which == "first":
        return _first_attempts(training_id, quiz_ids, filters)
    columns = [Attempt.id.label("id"), Attempt.user_id.label("user_id"), Attempt.quiz_id.label("quiz_id"),
               Attempt.score.label("score"), Attempt.passed.label("passed"),
               Attempt.submitted_at.label("submitted_at"), User.unit.label("unit")]
    if filters.which != "all":
        order = ((Attempt.started_at, Attempt.id) if filters.which == "first"
                 else (Attempt.score.desc(), Attempt.started_at, Attempt.id))
        # row_number() runs on SQLite >= 3.25 and PostgreSQL alike.
        columns.append(func.row_number().over(partition_by=(Attempt.user_id, Attempt.quiz_id),
                                              order_by=order).label("pick"))
    query = (select(*columns)
             .join(Enrolment, and_(Enrolment.session_id == Attempt.session_id, Enrolment.user_id == Attempt.user_id))
             .join(User, User.id == Attempt.user_id)
             .where(Attempt.session_id == training_id, Attempt.quiz_id.in_(list(quiz_ids)),
                    Attempt.status.in_(FINISHED_STATUSES), Attempt.score.is_not(None)))
    if filters.units:
        query = query.where(User.unit.in_(list(filters.units)))
    ranked = query.subquery("ranked")
    outer = select(*(ranked.c[name] for name in ("id", "user_id", "quiz_id", "score", "passed", "submitted_at",
                                                 "unit")))
    if filters.which != "all":
        outer = outer.where(ranked.c.pick == 1)
    if filters.date_from is not None:
        outer = outer.where(ranked.c.submitted_at >= filters.date_from)
    if filters.date_to is not None:
        outer = outer.where(ranked.c.submitted_at < filters.date_to)
    return outer.subquery("counted")


def _first_attempts(training_id: int, quiz_ids: Sequence[str], filters: CohortFilters) -> Subquery:
    """`counted_attempts` for first attempts, from the summary rows (netral/store/summaries.py) that already
    name each person's first finished attempt."""
    query = (select(QuizProgress.first_attempt_id.label("id"), QuizProgress.user_id.label("user_id"),
                    QuizProgress.quiz_id.label("quiz_id"), QuizProgress.first_score.label("score"),
                    QuizProgress.first_passed.label("passed"),
                    QuizProgress.first_submitted_at.label("submitted_at"), User.unit.label("unit"))
             .join(Enrolment, and_(Enrolment.session_id == QuizProgress.session_id,
                                   Enrolment.user_id == QuizProgress.user_id))
             .join(User, User.id == QuizProgress.user_id)
             .where(QuizProgress.session_id == training_id, QuizProgress.quiz_id.in_(list(quiz_ids)),
                    QuizProgress.first_attempt_id.is_not(None)))
    if filters.units:
        query = query.where(User.unit.in_(list(filters.units)))
    if filters.date_from is not None:
        query = query.where(QuizProgress.first_submitted_at >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(QuizProgress.first_submitted_at < filters.date_to)
    return query.subquery("counted")


def _score_bin(score):  # type: ignore[no-untyped-def]
    """CASE ladder: 0 for [0, 0.1), …, 9 for [0.9, 1]; exact at the edges, unlike float floor(score * 10)."""
    return case(*((score >= step / BIN_COUNT, step) for step in range(BIN_COUNT - 1, 0, -1)), else_=0)


def _mastery_sums(session: Session, content: Content, training_id: int, quiz_ids: Sequence[str],
                  filters: CohortFilters, counted: Subquery) -> tuple[list[CategoryMastery], list[CategoryMastery]]:
    """Mean answer score per category and per unit × category (by unit, then category), from one query
    that sums the answers per (unit, scenario). Answers to scenarios no longer in the content are left out.

    First attempts without a date range are summed already, per unit and scenario, in `mastery_cells`
    (written at submission); other choices sum the counted attempts' answers."""
    if filters.which == "first" and filters.date_from is None and filters.date_to is None:
        query = (select(MasteryCell.unit, MasteryCell.scenario_id, func.sum(MasteryCell.total),
                        func.sum(MasteryCell.answers))
                 .where(MasteryCell.session_id == training_id, MasteryCell.quiz_id.in_(list(quiz_ids)),
                        MasteryCell.answers > 0)
                 .group_by(MasteryCell.unit, MasteryCell.scenario_id))
        if filters.units:
            query = query.where(MasteryCell.unit.in_(list(filters.units)))
    else:
        query = (select(counted.c.unit, Answer.scenario_id, func.sum(Answer.score), func.count())
                 .join(counted, counted.c.id == Answer.attempt_id)
                 .where(Answer.score.is_not(None))
                 .group_by(counted.c.unit, Answer.scenario_id))
    category_of = {sid: scenario.category for sid, scenario in content.scenarios.items()}
    by_category: dict[str, list[float]] = {}
    by_unit: dict[tuple[str, str], list[float]] = {}
    # Plain Core rows: thousands of them skip the ORM's per-row result processing.
    rows = session.connection().execute(query).all()
    for unit, scenario_id, total, count in rows:
        category = category_of.get(scenario_id)
        if category is None:
            continue
        for cell in (by_category.setdefault(category, [0.0, 0]), by_unit.setdefault((unit, category), [0.0, 0])):
            cell[0] += float(total)
            cell[1] += int(count)
    mastery = [CategoryMastery(c, total / n, int(n)) for c, (total, n) in by_category.items()]
    unit_mastery = [CategoryMastery(c, total / n, int(n), unit=u)
                    for (u, c), (total, n) in sorted(by_unit.items())]
    return mastery, unit_mastery


# --- the dashboard -------------------------------------------------------------------------------------------


def cohort_dashboard(engine: Engine, viewer: UserView, content: Content, training_id: int,
                     filters: CohortFilters = CohortFilters(), *, weakest_count: int = WEAKEST_COUNT
                     ) -> CohortDashboard:
    """Counts, pass rate, score distribution, mastery per category and per unit × category, and the weakest
    categories beside their real-world frequency, for one session the viewer may see
    (`TrainingError("not_found")` otherwise)."""
    with read_session(engine) as session:
        training = visible_training(session, viewer, training_id)
        quiz_ids = quizzes_in_scope(training, filters.quiz_id)
        progress = person_progress(training.id, quiz_ids, units=filters.units, date_from=filters.date_from,
                                   date_to=filters.date_to)
        people = session.execute(select(*status_counts(progress, len(quiz_ids))).select_from(progress)).one()
        counts = CohortCounts(int(people.enrolled), int(people.started), int(people.finished), int(people.passed))

        counted = counted_attempts(training.id, quiz_ids, filters)
        # One pass over the counted attempts: per score bin the attempts, their score sum and how many passed;
        # the totals and the mean follow from the ten bins.
        binned = select(_score_bin(counted.c.score).label("bin"), counted.c.score.label("score"),
                        case((counted.c.passed.is_(True), 1), else_=0).label("passed")).subquery("binned")
        per_bin = {int(b): (int(n), float(total), int(passed)) for b, n, total, passed in session.execute(
            select(binned.c.bin, func.count(), func.sum(binned.c.score), func.sum(binned.c.passed))
            .group_by(binned.c.bin))}
        distribution = tuple(ScoreBin(i, i / BIN_COUNT, (i + 1) / BIN_COUNT, per_bin.get(i, (0, 0.0, 0))[0])
                             for i in range(BIN_COUNT))
        attempts_counted = sum(n for n, _, _ in per_bin.values())
        attempts_passed = sum(passed for _, _, passed in per_bin.values())
        mean_score = (math.fsum(total for _, total, _ in per_bin.values()) / attempts_counted
                      if attempts_counted else None)

        mastery, unit_mastery = _mastery_sums(session, content, training.id, quiz_ids, filters, counted)
        units_available = _enrolled_units(session, training.id)

    mastery.sort(key=lambda m: (m.mastery, m.category_id))
    return CohortDashboard(
        filters=filters, quiz_ids=quiz_ids, counts=counts, attempts_counted=attempts_counted,
        attempts_passed=attempts_passed, mean_score=mean_score,
        distribution=distribution, mastery=tuple(mastery), unit_mastery=tuple(unit_mastery),
        weakest=weakest_categories(content, mastery, weakest_count), units_available=units_available)


def weakest_categories(content: Content, mastery: Sequence[CategoryMastery], count: int = WEAKEST_COUNT
                       ) -> tuple[WeakCategory, ...]:
    """The `count` categories with the lowest mastery, each with its Table 2.1 row (label, count, share).

    On equal mastery the category that happens more often in reality comes first: it matters more.
    """
    table_total = sum(c.table_2_1.count for c in content.categories.values() if c.table_2_1 is not None)

    def frequency(category_id: str) -> int:
        category = content.categories.get(category_id)
        return category.table_2_1.count if category is not None and category.table_2_1 is not None else -1

    ranked = sorted(mastery, key=lambda m: (m.mastery, -frequency(m.category_id), m.category_id))[:max(0, count)]
    weakest = []
    for entry in ranked:
        category = content.categories.get(entry.category_id)
        row = category.table_2_1 if category is not None else None
        weakest.append(WeakCategory(
            category_id=entry.category_id, mastery=entry.mastery, answers=entry.answers,
            table_2_1_label=row.label if row else None, table_2_1_count=row.count if row else None,
            table_2_1_share=row.count / table_total if row and table_total else None))
    return tuple(weakest)


def _enrolled_units(session: Session, training_id: int) -> tuple[str, ...]:
    return tuple(session.scalars(select(User.unit).join(Enrolment, Enrolment.user_id == User.id)
                                 .where(Enrolment.session_id == training_id).distinct().order_by(User.unit)))


# --- the trainee table ---------------------------------------------------------------------------------------


def trainee_table(engine: Engine, viewer: UserView, training_id: int, filters: CohortFilters = CohortFilters(),
                  *, sort: SortKey = "score", descending: bool = False, limit: int = 50, offset: int = 0
                  ) -> TraineePage:
    """One page of the session's trainees (of the filtered units) with their score.

    Sorted by `sort` ("score": trainees without a score always last; "name"; "unit", then name), ascending
    unless `descending`; the weakest trainees come first by default.
    """
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {SORT_KEYS}, not {sort!r}")
    if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
        raise ValueError("limit must be 1..500 and offset >= 0")
    with read_session(engine) as session:
        training = visible_training(session, viewer, training_id)
        quiz_ids = quizzes_in_scope(training, filters.quiz_id)
        quiz_count = len(quiz_ids)
        progress = person_progress(training.id, quiz_ids, units=filters.units, date_from=filters.date_from,
                                   date_to=filters.date_to)
        counted = counted_attempts(training.id, quiz_ids, filters)
        if quiz_count == 1 and filters.which != "all":
            # One attempt per trainee already: nothing to group (and SQLite can join it by its keys).
            per_user = select(counted.c.user_id, counted.c.score.label("score"),
                              literal(1).label("attempts_counted"),
                              counted.c.submitted_at.label("last_submitted")).subquery("per_user")
        else:
            per_user = (select(counted.c.user_id, func.avg(counted.c.score).label("score"),
                               func.count().label("attempts_counted"),
                               func.max(counted.c.submitted_at).label("last_submitted"))
                        .group_by(counted.c.user_id).subquery("per_user"))

        def direction(column):  # type: ignore[no-untyped-def]
            return column.desc() if descending else column.asc()

        if sort == "score":
            order = [case((per_user.c.score.is_(None), 1), else_=0), direction(per_user.c.score),
                     progress.c.name]
        elif sort == "name":
            order = [direction(progress.c.name)]
        else:
            order = [direction(progress.c.unit), progress.c.name]
        query = (select(progress, per_user.c.score, per_user.c.attempts_counted, per_user.c.last_submitted)
                 .outerjoin(per_user, per_user.c.user_id == progress.c.user_id)
                 .order_by(*order, progress.c.user_id).limit(limit).offset(offset))
        rows = tuple(
            TraineeRow(user_id=r.user_id, name=r.name, nip=r.nip, unit=r.unit, position=r.position,
                       score=float(r.score) if r.score is not None else None,
                       attempts_counted=int(r.attempts_counted or 0),
                       finished=r.quizzes_finished >= quiz_count, passed=r.quizzes_passed >= quiz_count,
                       last_submitted=r.last_submitted)
            for r in session.execute(query))
        # progress has one row per enrolled person of the chosen units: count those without its aggregates.
        enrolled = (select(func.count()).select_from(Enrolment).join(User, User.id == Enrolment.user_id)
                    .where(Enrolment.session_id == training.id))
        if filters.units:
            enrolled = enrolled.where(User.unit.in_(list(filters.units)))
        total = session.scalar(enrolled) or 0
    return TraineePage(rows=rows, total=int(total), limit=limit, offset=offset)


# --- drill-down ----------------------------------------------------------------------------------------------


def trainee_attempts(engine: Engine, viewer: UserView, training_id: int, user_id: int) -> tuple[AttemptSummary, ...]:
    """Every attempt of one enrolled trainee in the session, oldest first, numbered per quiz.

    `TrainingError("not_found")` for a session the viewer may not see or a user not enrolled in it.
    """
    with read_session(engine) as session:
        training = visible_training(session, viewer, training_id)
        enrolled = session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.session_id == training.id, Enrolment.user_id == user_id))
        if not enrolled:
            raise TrainingError("not_found")
        # Correlated, so only this trainee's answers are counted (not the whole answers table).
        answered = select(func.count()).where(Answer.attempt_id == Attempt.id).scalar_subquery()
        number = func.row_number().over(partition_by=Attempt.quiz_id, order_by=(Attempt.started_at, Attempt.id))
        rows = session.execute(
            select(Attempt.id, Attempt.quiz_id, number.label("number"), Attempt.status, Attempt.started_at,
                   Attempt.submitted_at, Attempt.score, Attempt.passed,
                   answered.label("answers"))
            .where(Attempt.session_id == training.id, Attempt.user_id == user_id)
            .order_by(Attempt.started_at, Attempt.id)).all()
    return tuple(AttemptSummary(r.id, r.quiz_id, int(r.number), r.status, r.started_at, r.submitted_at, r.score,
                                r.passed, int(r.answers)) for r in rows)


def attempt_answers(engine: Engine, viewer: UserView, content: Content, training_id: int, attempt_id: int
                    ) -> tuple[AnswerDetail, ...]:
    """The answers of one attempt made in the session, in the order the attempt showed the scenarios
    (follow-ups after). `TrainingError("not_found")` when the attempt is not in a session the viewer sees."""
    with read_session(engine) as session:
        training = visible_training(session, viewer, training_id)
        attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.session_id == training.id))
        if attempt is None:
            raise TrainingError("not_found")
        planned = {sid: index for index, sid in enumerate(attempt.plan.get("scenario_ids", []))}
        answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    answers.sort(key=lambda a: (planned.get(a.scenario_id, len(planned)), a.answered_at, a.scenario_id))
    return tuple(
        AnswerDetail(scenario_id=a.scenario_id,
                     category_id=content.scenarios[a.scenario_id].category if a.scenario_id in content.scenarios
                     else None,
                     choice=a.choice, facet_scores=a.facet_scores, score=a.score, answered_at=a.answered_at)
        for a in answers)
