"""Completion report of a training session, for HR: who started, finished and passed, per person and per unit.

Everything is counted in SQL (GROUP BY with CASE), one row per person or per unit coming back, so a cohort
of tens of thousands costs a few small queries, never a table loaded into memory. Every function takes the
viewer and only reports sessions `visible_sessions_query` lets them see.

Definitions, shared with the cohort dashboard (`netral.store.cohort`):

- a person *started* when they have any attempt at one of the session's quizzes;
- *finished* when every quiz in scope has a finished attempt (status ``submitted`` or ``late``);
- *passed* when every quiz in scope has a passed attempt;
- the *best score* is the best finished score per quiz, averaged over the quizzes finished;
- *last activity* is the latest start, submission or saved answer;
- *overdue* when the session is over (closed, archived, or past its closing time) and the person has not
  finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, NamedTuple

from sqlalchemy import Engine, Subquery, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import Session

from netral.store.accounts import UserView
from netral.store.db import read_session
from netral.store.schema import (
    FINISHED_STATUSES,
    Answer,
    Attempt,
    Enrolment,
    QuizProgress,
    TrainingSession,
    User,
    UTCDateTime,
    utcnow,
)
from netral.store.trainings import TrainingError, TrainingView, _view as _training_view
from netral.store.trainings import visible_sessions_query



# --- shared with the cohort dashboard -------------------------------------------------------------------------


def visible_training(session: Session, viewer: UserView, training_id: int) -> TrainingSession:
    """The session row if `viewer` may see it; `TrainingError("not_found")` otherwise (or if it is missing)."""
    row = session.scalar(visible_sessions_query(viewer).where(TrainingSession.id == training_id))
    if row is None:
        raise TrainingError("not_found")
    return row


def quizzes_in_scope(training: TrainingSession, quiz_id: str | None) -> tuple[str, ...]:
    """The session's quizzes, or just `quiz_id` (which must be one of them)."""
    quiz_ids = tuple(training.quiz_ids)
    if quiz_id is None:
        return quiz_ids
    if quiz_id not in quiz_ids:
        raise TrainingError("unknown_quiz", quiz=quiz_id)
    return (quiz_id,)


def activity_time():  # type: ignore[no-untyped-def]
    """When an attempt last happened for date filters: its submission, or its start while in progress."""
    return func.coalesce(Attempt.submitted_at, Attempt.started_at)


def person_progress(training_id: int, quiz_ids: Sequence[str], *, units: Sequence[str] = (),
                    date_from: datetime | None = None, date_to: datetime | None = None) -> Subquery:
    """One row per enrolled person (optionally only of `units`) with their progress in the session.

    Columns: user_id, name, nip, unit, position, quizzes_started, quizzes_finished, quizzes_passed,
    best_score, last_started, last_submitted, last_answered. Only attempts whose activity time lies in
    [`date_from`, `date_to`) count, when given. Without a date range the per-quiz sums come from the summary rows
    written at start and submission (netral/store/summaries.py), not from the attempts.
    """
    attempt_filters = [Attempt.session_id == training_id, Attempt.quiz_id.in_(list(quiz_ids))]
    if date_from is not None:
        attempt_filters.append(activity_time() >= date_from)
    if date_to is not None:
        attempt_filters.append(activity_time() < date_to)

    every_attempt = date_from is None and date_to is None
    if every_attempt and len(quiz_ids) == 1:
        per_person = _one_quiz_from_summaries(training_id, quiz_ids[0])
    else:
        per_quiz = (_per_quiz_from_summaries(training_id, quiz_ids) if every_attempt
                    else _per_quiz_from_attempts(attempt_filters))
        per_person = (
            select(per_quiz.c.user_id,
                   func.count().label("quizzes_started"),
                   func.sum(per_quiz.c.finished).label("quizzes_finished"),
                   func.sum(per_quiz.c.passed).label("quizzes_passed"),
                   func.avg(per_quiz.c.best).label("best_score"),
                   func.max(per_quiz.c.last_started).label("last_started"),
                   func.max(per_quiz.c.last_submitted).label("last_submitted"))
            .group_by(per_quiz.c.user_id)
            .subquery("per_person"))
    # Answers only matter for attempts still in progress: a finished attempt's submission is later.
    answering = (
        select(Attempt.user_id.label("user_id"), func.max(Answer.answered_at).label("last_answered"))
        .join(Answer, Answer.attempt_id == Attempt.id)
        .where(*attempt_filters, Attempt.status == "in_progress")
        .group_by(Attempt.user_id)
        .subquery("answering"))

    query = (
        select(User.id.label("user_id"), User.name, User.nip, User.unit, User.position,
               func.coalesce(per_person.c.quizzes_started, 0).label("quizzes_started"),
               func.coalesce(per_person.c.quizzes_finished, 0).label("quizzes_finished"),
               func.coalesce(per_person.c.quizzes_passed, 0).label("quizzes_passed"),
               per_person.c.best_score, per_person.c.last_started, per_person.c.last_submitted,
               answering.c.last_answered)
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(per_person, per_person.c.user_id == User.id)
        .outerjoin(answering, answering.c.user_id == User.id)
        .where(Enrolment.session_id == training_id))
    if units:
        query = query.where(User.unit.in_(list(units)))
    return query.subquery("progress")


def _one_quiz_from_summaries(training_id: int, quiz_id: str) -> Subquery:
    """`per_person` of a one-quiz session: each person's summary row (netral/store/summaries.py, written at
    start and submission) is their progress, joined by its key with nothing to group."""
    return (
        select(QuizProgress.user_id.label("user_id"),
               literal(1).label("quizzes_started"),
               case((QuizProgress.finished_count > 0, 1), else_=0).label("quizzes_finished"),
               case((QuizProgress.passed_any.is_(True), 1), else_=0).label("quizzes_passed"),
               QuizProgress.best_score.label("best_score"),
               QuizProgress.last_started.label("last_started"),
               QuizProgress.last_submitted.label("last_submitted"))
        .where(QuizProgress.session_id == training_id, QuizProgress.quiz_id == quiz_id)
        .subquery("per_person"))


def _per_quiz_from_summaries(training_id: int, quiz_ids: Sequence[str]) -> Subquery:
    """Per person and quiz, every attempt counting: the summary rows."""
    return (
        select(QuizProgress.user_id.label("user_id"),
               case((QuizProgress.finished_count > 0, 1), else_=0).label("finished"),
               case((QuizProgress.passed_any.is_(True), 1), else_=0).label("passed"),
               QuizProgress.best_score.label("best"),
               QuizProgress.last_started.label("last_started"),
               QuizProgress.last_submitted.label("last_submitted"))
        .where(QuizProgress.session_id == training_id, QuizProgress.quiz_id.in_(list(quiz_ids)))
        .subquery("per_quiz"))


def _per_quiz_from_attempts(attempt_filters: list) -> Subquery:  # type: ignore[type-arg]
    """Per person and quiz from the attempts themselves (a date range restricts which attempts count)."""
    finished = Attempt.status.in_(FINISHED_STATUSES)
    return (
        select(Attempt.user_id.label("user_id"),
               func.max(case((finished, 1), else_=0)).label("finished"),
               func.max(case((and_(finished, Attempt.passed.is_(True)), 1), else_=0)).label("passed"),
               func.max(case((finished, Attempt.score), else_=None)).label("best"),
               func.max(Attempt.started_at).label("last_started"),
               func.max(Attempt.submitted_at).label("last_submitted"))
        .where(*attempt_filters)
        .group_by(Attempt.user_id, Attempt.quiz_id)
        .subquery("per_quiz"))


def status_counts(progress: Subquery, quiz_count: int) -> list:  # type: ignore[type-arg]
    """SQL columns counting enrolled, started, finished and passed people of a `person_progress` subquery."""
    return [
        func.count().label("enrolled"),
        func.coalesce(func.sum(case((progress.c.quizzes_started > 0, 1), else_=0)), 0).label("started"),
        func.coalesce(func.sum(case((progress.c.quizzes_finished >= quiz_count, 1), else_=0)), 0).label("finished"),
        func.coalesce(func.sum(case((progress.c.quizzes_passed >= quiz_count, 1), else_=0)), 0).label("passed"),
    ]


def session_over(training: TrainingSession | TrainingView, now: datetime) -> bool:
    """Whether trainees can no longer take the session's quizzes: closed, archived, or past closing time."""
    return training.status != "open" or now > training.closes_at


class latest_of(FunctionElement[datetime]):  # noqa: N801 - used like an SQL function
    """The latest of some timestamps, ignoring NULLs (NULL when all are): PostgreSQL's GREATEST. Computed in
    SQL, so a report of ten thousand people parses one timestamp per person, not three."""

    type = UTCDateTime()
    name = "latest_of"
    inherit_cache = True


@compiles(latest_of)
def _latest_of_greatest(element: latest_of, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(latest_of, "sqlite")
def _latest_of_sqlite(element: latest_of, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    # SQLite's max(a, b, ...) is NULL when any argument is; its timestamps are ISO text, so '' sorts first.
    present = ", ".join(f"coalesce({compiler.process(clause, **kw)}, '')" for clause in element.clauses)
    return f"nullif(max({present}), '')"


# --- the report ---------------------------------------------------------------------------------------------


class PersonProgress(NamedTuple):
    """One enrolled person's progress in a session (a named tuple: a report builds ten thousand of them)."""

    user_id: int
    name: str
    nip: str | None
    unit: str
    position: str
    started: bool
    finished: bool
    passed: bool
    best_score: float | None
    last_activity: datetime | None
    overdue: bool


@dataclass(frozen=True)
class UnitProgress:
    """Counts of people for one unit of work (or, with `unit` None, for the whole session)."""

    unit: str | None
    enrolled: int
    started: int
    finished: int
    passed: int
    overdue: int

    @property
    def completion_rate(self) -> float | None:
        """Share of the enrolled who finished; None with nobody enrolled."""
        return self.finished / self.enrolled if self.enrolled else None

    @property
    def pass_rate(self) -> float | None:
        """Share of the enrolled who passed; None with nobody enrolled."""
        return self.passed / self.enrolled if self.enrolled else None


# Export columns: field -> i18n key of its header (netral/locales/*/trainers.yaml).
PEOPLE_COLUMNS: dict[str, str] = {
    "name": "report.col.name",
    "nip": "report.col.nip",
    "unit": "report.col.unit",
    "position": "report.col.position",
    "started": "report.col.started",
    "finished": "report.col.finished",
    "best_score": "report.col.best_score",
    "passed": "report.col.passed",
    "last_activity": "report.col.last_activity",
    "overdue": "report.col.overdue",
}
UNIT_COLUMNS: dict[str, str] = {
    "unit": "report.col.unit",
    "enrolled": "report.col.enrolled",
    "started": "report.col.started_count",
    "finished": "report.col.finished_count",
    "passed": "report.col.passed_count",
    "overdue": "report.col.overdue_count",
    "completion_rate": "report.col.completion_rate",
    "pass_rate": "report.col.pass_rate",
}


@dataclass(frozen=True)
class CompletionReport:
    """The completion report of one session at one moment."""

    training: TrainingView
    quiz_ids: tuple[str, ...]
    as_of: datetime
    over: bool
    """The session is closed, archived or past its closing time: unfinished people are overdue."""
    people: tuple[PersonProgress, ...]
    units: tuple[UnitProgress, ...]
    totals: UnitProgress

    def to_rows(self, table: Literal["people", "units"] = "people") -> list[dict[str, object]]:
        """Rows for an export table, keyed by the i18n key of each column header (`PEOPLE_COLUMNS`,
        `UNIT_COLUMNS`); the unit table ends with the totals, whose unit cell is ``report.total``."""
        if table == "people":
            return [{key: getattr(person, field) for field, key in PEOPLE_COLUMNS.items()}
                    for person in self.people]
        rows = []
        for unit in (*self.units, self.totals):
            row = {key: getattr(unit, field) for field, key in UNIT_COLUMNS.items()}
            row[UNIT_COLUMNS["unit"]] = unit.unit if unit.unit is not None else "report.total"
            rows.append(row)
        return rows


def completion_report(engine: Engine, viewer: UserView, training_id: int, *, quiz_id: str | None = None,
                      units: Sequence[str] = (), now: datetime | None = None) -> CompletionReport:
    """Progress of every person enrolled in the session (by unit, then name), per unit and in total.

    `quiz_id` narrows the report to one of the session's quizzes; `units` to some units of work. Raises
    `TrainingError("not_found")` for a session the viewer may not see.
    """
    now = now or utcnow()
    with read_session(engine) as session:
        training = visible_training(session, viewer, training_id)
        quiz_ids = quizzes_in_scope(training, quiz_id)
        over = session_over(training, now)
        progress = person_progress(training.id, quiz_ids, units=units)
        quiz_count = len(quiz_ids)

        people = []
        # Plain Core rows: thousands of them skip the ORM's per-row result processing.
        rows = session.connection().execute(
            select(progress.c.user_id, progress.c.name, progress.c.nip, progress.c.unit, progress.c.position,
                   progress.c.quizzes_started, progress.c.quizzes_finished, progress.c.quizzes_passed,
                   progress.c.best_score,
                   latest_of(progress.c.last_started, progress.c.last_submitted, progress.c.last_answered))
            .order_by(progress.c.unit, progress.c.name, progress.c.user_id)).all()
        for user_id, name, nip, unit, position, started, finished_count, passed_count, best, latest in rows:
            finished = finished_count >= quiz_count
            people.append(PersonProgress(user_id, name, nip, unit, position, started > 0, finished,
                                         passed_count >= quiz_count, float(best) if best is not None else None,
                                         latest, over and not finished))

    # Every person is in hand already: count per unit (in the people's order, i.e. the database's unit order)
    # and in total here instead of two more aggregate queries over the same progress rows.
    def unit_progress(unit: str | None, members: Sequence[PersonProgress]) -> UnitProgress:
        finished = sum(person.finished for person in members)
        return UnitProgress(unit=unit, enrolled=len(members), started=sum(person.started for person in members),
                            finished=finished, passed=sum(person.passed for person in members),
                            overdue=len(members) - finished if over else 0)

    by_unit: dict[str, list[PersonProgress]] = {}
    for person in people:
        by_unit.setdefault(person.unit, []).append(person)

    return CompletionReport(training=_training_view(training), quiz_ids=quiz_ids, as_of=now, over=over,
                            people=tuple(people),
                            units=tuple(unit_progress(unit, members) for unit, members in by_unit.items()),
                            totals=unit_progress(None, people))

