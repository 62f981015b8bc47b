"""Item analysis data: the per-attempt, per-scenario scores of a quiz, fed to `netral.itemanalysis`.

Rows are streamed from the database in attempt order (a server-side cursor on PostgreSQL), so an attempt's
marks are assembled as its rows pass and nothing larger than the analysis input is ever held. The attempt
number per trainee comes from a window function (row_number), which SQLite and PostgreSQL both run.

What counts as a question (Moodle's "slot"):
- a *fixed* quiz: each listed scenario, out of 1 (its score in [0, 1]);
- a *random* quiz: each category drawn, out of the number of scenarios drawn from it; an attempt's mark is
  the sum of its scenario scores in that category. Scenarios differ between attempts, so comparing them
  slot by slot is the only fair comparison; how each scenario fared is in `scenario_means`.
Follow-up scenarios reached through a branching choice are not slots (only some attempts reach them) and
are left out of the marks; their means are listed with the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, Select, func, select

from netral.content import Content
from netral.content.models import Quiz
from netral.itemanalysis import (
    QuizAnalysis,
    ScoredAttempt,
    WhichAttempts,
    analyse_marks,
    analyse_quiz,
    select_attempts,
)
from netral.quizslots import QuizSlots, quiz_slots, slot_marks, slots_layout, unpack_marks
from netral.store.accounts import Role, UserView
from netral.store.db import read_session
from netral.store.reports import FINISHED_STATUSES, visible_training
from netral.store.schema import Answer, Attempt, MasteryCell, QuizProgress, TrainingSession
from netral.store.trainings import TrainingError, visible_sessions_query

STREAM_BATCH = 2000


@dataclass(frozen=True)
class ScenarioMean:
    scenario_id: str
    category_id: str | None
    answers: int
    mean_score: float


@dataclass(frozen=True)
class QuizItemAnalysis:
    quiz_id: str
    session_id: int | None
    which: WhichAttempts
    slots: QuizSlots
    attempts_finished: int
    """Finished attempts found, before choosing first/last/highest/all."""
    analysis: QuizAnalysis
    scenario_means: tuple[ScenarioMean, ...]
    """Mean score per scenario over the analysed attempts (the ones `which` chose), lowest first."""


def _scope(viewer: UserView, quiz_id: str, session_id: int | None) -> list:  # type: ignore[type-arg]
    """WHERE clauses: finished attempts at the quiz in the session, or in every session the viewer sees.
    Attempts outside any session (self-study) are only an administrator's to analyse."""
    clauses = [Attempt.quiz_id == quiz_id, Attempt.status.in_(FINISHED_STATUSES)]
    if session_id is not None:
        clauses.append(Attempt.session_id == session_id)
    elif viewer.role is not Role.ADMIN:
        visible_ids = visible_sessions_query(viewer).with_only_columns(TrainingSession.id)
        clauses.append(Attempt.session_id.in_(visible_ids))
    return clauses


def _numbered_attempts(viewer: UserView, quiz_id: str, session_id: int | None) -> Select:  # type: ignore[type-arg]
    """attempt id, user id, number (1 = the trainee's first finished attempt in scope), score."""
    number = func.row_number().over(partition_by=Attempt.user_id, order_by=(Attempt.started_at, Attempt.id))
    return select(Attempt.id.label("attempt_id"), Attempt.user_id.label("user_id"), number.label("number"),
                  Attempt.score.label("score")).where(*_scope(viewer, quiz_id, session_id))


def _check_access(engine: Engine, viewer: UserView, content: Content, quiz_id: str, session_id: int | None
                  ) -> Quiz:
    quiz = content.quizzes.get(quiz_id)
    if quiz is None:
        raise TrainingError("unknown_quiz", quiz=quiz_id)
    if session_id is not None:
        with read_session(engine) as session:
            visible_training(session, viewer, session_id)
    elif viewer.role not in (Role.ADMIN, Role.HR, Role.TRAINER):
        raise TrainingError("not_found")
    return quiz


def iter_scored_attempts(engine: Engine, viewer: UserView, content: Content, quiz_id: str,
                         session_id: int | None = None, *, batch_size: int = STREAM_BATCH
                         ) -> Iterator[ScoredAttempt]:
    """Every finished attempt at `quiz_id` the viewer may analyse, as `ScoredAttempt` with slot marks.

    Streams (attempt id, user id, attempt number, scenario id, score) rows ordered by attempt and yields an
    attempt when its last row has passed. A finished attempt without answers yields empty marks (it scores
    0 on every slot, as it did). `TrainingError("not_found")` for a session the viewer may not see.
    """
    slots = quiz_slots(_check_access(engine, viewer, content, quiz_id, session_id), content)
    for attempt, _ in _stream_attempts(engine, viewer, slots, quiz_id, session_id, batch_size):
        yield attempt


def _stream_attempts(engine: Engine, viewer: UserView, slots: QuizSlots, quiz_id: str, session_id: int | None,
                     batch_size: int = STREAM_BATCH
                     ) -> Iterator[tuple[ScoredAttempt, tuple[tuple[str, float], ...]]]:
    """`iter_scored_attempts` after its access check, each attempt with its scored answers as (scenario id,
    score), follow-ups included, so the per-scenario means need no second pass over the answers."""
    numbered = _numbered_attempts(viewer, quiz_id, session_id).subquery("numbered")
    rows = (select(numbered.c.attempt_id, numbered.c.user_id, numbered.c.number, Answer.scenario_id,
                   Answer.score)
            .outerjoin(Answer, Answer.attempt_id == numbered.c.attempt_id)
            .order_by(numbered.c.attempt_id))
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=batch_size).execute(rows)
        current: tuple[int, int, int] | None = None
        answers: list[tuple[str, float]] = []
        for attempt_id, user_id, number, scenario_id, score in result:
            if current is not None and current[0] != attempt_id:
                yield ScoredAttempt(current[0], current[1], current[2], slot_marks(slots, answers)), tuple(answers)
                answers = []
            current = (attempt_id, user_id, int(number))
            if scenario_id is not None and score is not None:
                answers.append((scenario_id, float(score)))
        if current is not None:
            yield ScoredAttempt(current[0], current[1], current[2], slot_marks(slots, answers)), tuple(answers)


def _scenario_means(content: Content, answers: Iterable[tuple[str, float]]) -> tuple[ScenarioMean, ...]:
    """Mean score per scenario over the given (scenario id, score) answers, lowest first."""
    sums: dict[str, list[float]] = {}
    for scenario_id, score in answers:
        cell = sums.setdefault(scenario_id, [0.0, 0])
        cell[0] += score
        cell[1] += 1
    means = [ScenarioMean(sid, content.scenarios[sid].category if sid in content.scenarios else None, int(n),
                          total / n) for sid, (total, n) in sums.items()]
    return tuple(sorted(means, key=lambda m: (m.mean_score, m.scenario_id)))


def quiz_item_analysis(engine: Engine, viewer: UserView, content: Content, quiz_id: str,
                       session_id: int | None = None, which: WhichAttempts = "first") -> QuizItemAnalysis:
    """Moodle-style item analysis of `quiz_id`, in one session or across the sessions the viewer sees.

    `which` chooses each trainee's first (default), last, highest or all finished attempts. Raises
    `TrainingError("not_found")` for an invisible session and `TrainingError("unknown_quiz")` for a quiz not
    in the content; a trainee sees nothing.
    """
    quiz = _check_access(engine, viewer, content, quiz_id, session_id)
    slots = quiz_slots(quiz, content)
    if session_id is not None and which == "first":
        summed = _first_attempts_from_summaries(engine, content, quiz_id, session_id, slots)
        if summed is not None:
            return summed
    answers_of: dict[int, tuple[tuple[str, float], ...]] = {}
    finished = []
    for attempt, answers in _stream_attempts(engine, viewer, slots, quiz_id, session_id):
        finished.append(attempt)
        answers_of[attempt.attempt_id] = answers
    chosen = select_attempts(finished, which)
    return QuizItemAnalysis(
        quiz_id=quiz_id, session_id=session_id, which=which, slots=slots, attempts_finished=len(finished),
        analysis=analyse_quiz(chosen, slots.max_marks),
        scenario_means=_scenario_means(content, (answer for attempt in chosen
                                                 for answer in answers_of[attempt.attempt_id])))


def _first_attempts_from_summaries(engine: Engine, content: Content, quiz_id: str, session_id: int,
                                   slots: QuizSlots) -> QuizItemAnalysis | None:
    """The first-attempt analysis of one session from the marks packed at submission and the mastery cells
    (netral/store/summaries.py), or None when some first attempt's marks were written under other slots (the
    content changed since) or by someone not enrolled (whose answers are in no cell): then the answers are read.
    """
    layout = slots_layout(slots)
    with read_session(engine) as session:
        # Plain Core rows: thousands of them skip the ORM's per-row result processing.
        rows = session.connection().execute(
            select(QuizProgress.first_attempt_id, QuizProgress.finished_count, QuizProgress.marks_layout,
                   QuizProgress.cells_unit, QuizProgress.first_marks)
            .where(QuizProgress.session_id == session_id, QuizProgress.quiz_id == quiz_id)
            .order_by(QuizProgress.first_attempt_id)).all()
        finished, packed = 0, []
        for first_attempt_id, finished_count, marks_layout, cells_unit, first_marks in rows:
            finished += finished_count
            if first_attempt_id is None:
                continue
            if marks_layout != layout or cells_unit is None:
                return None
            packed.append(first_marks)
        cells = session.execute(
            select(MasteryCell.scenario_id, func.sum(MasteryCell.total), func.sum(MasteryCell.answers))
            .where(MasteryCell.session_id == session_id, MasteryCell.quiz_id == quiz_id, MasteryCell.answers > 0)
            .group_by(MasteryCell.scenario_id)).all()
    means = [ScenarioMean(sid, content.scenarios[sid].category if sid in content.scenarios else None, int(n),
                          float(total) / int(n)) for sid, total, n in cells]
    return QuizItemAnalysis(
        quiz_id=quiz_id, session_id=session_id, which="first", slots=slots,
        attempts_finished=int(finished),
        analysis=analyse_marks(unpack_marks(slots, packed), slots.max_marks),
        scenario_means=tuple(sorted(means, key=lambda m: (m.mean_score, m.scenario_id))))
