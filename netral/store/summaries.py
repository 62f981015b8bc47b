"""Summaries written when an attempt starts or is submitted, so the dashboards need not read every answer.

Two tables (netral/store/schema.py), both functions of the attempts, answers, enrolments and units:

- `quiz_progress`: one row per person, training session and quiz with their attempt counts, best score,
  latest times and their *first finished attempt* (score, pass, time, and its marks per item-analysis slot);
- `mastery_cells`: the sum and count of the scored answers of those first attempts, per session, quiz, unit
  and scenario, for enrolled people only (as the cohort dashboard counts them).

`refresh_progress` brings one row (and the cells it feeds) up to date inside the writer's transaction: after
an attempt starts or is submitted, a person is enrolled, or their unit changes. `rebuild` computes every row
from scratch in set-based SQL (migration 0008, the demo, `python -m netral db summaries`). The tests check
that the two agree, and that the dashboards read the same numbers through either path.

Only the default views read the summaries (first attempts, any units, any quiz; the cohort counts without a
date range); other filters compute from the attempts as before. The packed marks depend on the content's
slots: rows written under other slots (the content changed) make the item analysis read the answers again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Engine, and_, bindparam, case, delete, func, select, update
from sqlalchemy.orm import Session

from netral.content import Content
from netral.quizslots import QuizSlots, pack_marks, quiz_slots, slot_marks, slots_layout
from netral.store.db import upsert_insert
from netral.store.schema import FINISHED_STATUSES, Answer, Attempt, Enrolment, MasteryCell, QuizProgress, User

_MARKS_BATCH = 2000


# --- one row, in the writer's transaction -------------------------------------------------------------------


def refresh_progress(session: Session, session_id: int, user_id: int, quiz_id: str,
                     content: Content | None = None) -> None:
    """Recompute the `quiz_progress` row of (session, user, quiz) from the attempts and move the person's
    first-attempt answers between `mastery_cells` when their first attempt, unit or enrolment changed.

    Locks the row first (PostgreSQL), so two transactions refreshing the same person queue. Without
    `content` a changed first attempt gets no packed marks (the item analysis then reads the answers).
    """
    dialect = session.get_bind().dialect.name
    key = {"session_id": session_id, "user_id": user_id, "quiz_id": quiz_id}
    session.execute(upsert_insert(dialect)(QuizProgress).values(**key, attempts=0, finished_count=0, passed_any=False)
                    .on_conflict_do_nothing())
    old = session.execute(select(QuizProgress.first_attempt_id, QuizProgress.cells_unit,
                                 QuizProgress.marks_layout, QuizProgress.first_marks)
                          .where(*_key_clauses(session_id, user_id, quiz_id)).with_for_update()).one()

    attempts = session.execute(
        select(Attempt.id, Attempt.status, Attempt.started_at, Attempt.submitted_at, Attempt.score, Attempt.passed)
        .where(Attempt.session_id == session_id, Attempt.user_id == user_id, Attempt.quiz_id == quiz_id)).all()
    if not attempts:
        _move_cells(session, session_id, quiz_id, old.first_attempt_id, old.cells_unit, None, None, [])
        session.execute(delete(QuizProgress).where(*_key_clauses(session_id, user_id, quiz_id)))
        return
    finished = [a for a in attempts if a.status in FINISHED_STATUSES]
    scored = [a for a in finished if a.score is not None]
    first = min(scored, key=lambda a: (a.started_at, a.id)) if scored else None
    enrolled = session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.session_id == session_id, Enrolment.user_id == user_id))
    unit = session.scalar(select(User.unit).where(User.id == user_id))
    cells_unit = unit if first is not None and enrolled else None
    first_id = first.id if first is not None else None
    slots = _slots(content, quiz_id)
    remark = first_id is not None and (
        first_id != old.first_attempt_id or (slots is not None and old.marks_layout != slots_layout(slots)))
    recount = (old.first_attempt_id, old.cells_unit) != (first_id, cells_unit)
    # The first attempt's answers, read once for both the cells and the marks.
    first_answers = _scored_answers(session, first_id) if first_id is not None and (remark or recount) else []
    if recount:
        _move_cells(session, session_id, quiz_id, old.first_attempt_id, old.cells_unit, first_id, cells_unit,
                    first_answers)

    marks, layout = old.first_marks, old.marks_layout
    if first_id is None:
        marks = layout = None
    elif remark:
        marks = layout = None
        if slots is not None:
            marks = pack_marks(slots, slot_marks(slots, first_answers))
            layout = slots_layout(slots)

    session.execute(update(QuizProgress).where(*_key_clauses(session_id, user_id, quiz_id)).values(
        attempts=len(attempts), finished_count=len(finished),
        passed_any=any(a.passed is True for a in finished),
        best_score=max((a.score for a in scored), default=None),
        last_started=max(a.started_at for a in attempts),
        last_submitted=max((a.submitted_at for a in attempts if a.submitted_at is not None), default=None),
        first_attempt_id=first_id, first_score=first.score if first else None,
        first_passed=first.passed if first else None, first_submitted_at=first.submitted_at if first else None,
        first_marks=marks, marks_layout=layout, cells_unit=cells_unit))


def refresh_people(session: Session, user_ids: Iterable[int], session_id: int | None = None) -> None:
    """`refresh_progress` for every summary row of these people (in one session, or in all): after their
    unit changed or they were enrolled. Marks are kept (their first attempts do not change)."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):
        query = select(QuizProgress.session_id, QuizProgress.user_id, QuizProgress.quiz_id).where(
            QuizProgress.user_id.in_(ids[start:start + 500]))
        if session_id is not None:
            query = query.where(QuizProgress.session_id == session_id)
        for row in session.execute(query).all():
            refresh_progress(session, row.session_id, row.user_id, row.quiz_id)


def _key_clauses(session_id: int, user_id: int, quiz_id: str) -> list:  # type: ignore[type-arg]
    return [QuizProgress.session_id == session_id, QuizProgress.user_id == user_id, QuizProgress.quiz_id == quiz_id]


def _slots(content: Content | None, quiz_id: str) -> QuizSlots | None:
    quiz = content.quizzes.get(quiz_id) if content is not None else None
    return quiz_slots(quiz, content) if quiz is not None and content is not None else None


def _scored_answers(session: Session, attempt_id: int) -> list[tuple[str, float]]:
    # In scenario order: trainees of one unit submitting at once then lock their shared cells in the same order
    # (no deadlock on PostgreSQL).
    return [(sid, float(score)) for sid, score in session.execute(
        select(Answer.scenario_id, Answer.score).where(Answer.attempt_id == attempt_id, Answer.score.is_not(None))
        .order_by(Answer.scenario_id))]


def _move_cells(session: Session, session_id: int, quiz_id: str, old_attempt: int | None, old_unit: str | None,
                new_attempt: int | None, new_unit: str | None, new_answers: list[tuple[str, float]]) -> None:
    """Take the old first attempt's answers out of its unit's cells and put the new one's (`new_answers`) in."""
    dialect = session.get_bind().dialect.name
    for attempt_id, unit, sign in ((old_attempt, old_unit, -1), (new_attempt, new_unit, 1)):
        if attempt_id is None or unit is None:
            continue
        answers = new_answers if sign > 0 else _scored_answers(session, attempt_id)
        rows = [{"session_id": session_id, "quiz_id": quiz_id, "unit": unit, "scenario_id": scenario_id,
                 "total": sign * score, "answers": sign} for scenario_id, score in answers]
        if rows:
            statement = upsert_insert(dialect)(MasteryCell)
            # An atomic increment: two trainees of one unit submitting at once both count. One statement for
            # all of the attempt's answers.
            session.execute(statement.on_conflict_do_update(
                index_elements=[MasteryCell.session_id, MasteryCell.quiz_id, MasteryCell.unit,
                                MasteryCell.scenario_id],
                set_={"total": MasteryCell.total + statement.excluded.total,
                      "answers": MasteryCell.answers + statement.excluded.answers}), rows)
        if sign < 0:
            session.execute(delete(MasteryCell).where(MasteryCell.session_id == session_id,
                                                      MasteryCell.quiz_id == quiz_id, MasteryCell.unit == unit,
                                                      MasteryCell.answers <= 0))


# --- everything, set-based ----------------------------------------------------------------------------------


def rebuild(connection: Connection, content: Content | None = None, session_ids: Sequence[int] | None = None
            ) -> int:
    """Compute `quiz_progress` and `mastery_cells` from the attempts, for the given training sessions or all
    of them, replacing what was there; with `content`, the packed marks too. Returns the rows written."""
    progress, cells = QuizProgress.__table__, MasteryCell.__table__
    ids = list(session_ids) if session_ids is not None else None

    def in_scope(column):  # type: ignore[no-untyped-def]
        return column.in_(ids) if ids is not None else column.is_not(None)

    connection.execute(delete(cells).where(in_scope(cells.c.session_id)))
    connection.execute(delete(progress).where(in_scope(progress.c.session_id)))

    # One pass over the attempts, partitioned per person and quiz: the sums as window aggregates, and the row
    # ranked first is the first finished attempt (by start, then id) when there is one. No join of two
    # aggregates, so no plan can turn it into a nested loop over thousands of rows.
    finished = Attempt.status.in_(FINISHED_STATUSES)
    counted = and_(finished, Attempt.score.is_not(None))
    key = (Attempt.session_id, Attempt.user_id, Attempt.quiz_id)
    windowed = (select(
        Attempt.session_id, Attempt.user_id, Attempt.quiz_id,
        func.count().over(partition_by=key).label("attempts"),
        func.sum(case((finished, 1), else_=0)).over(partition_by=key).label("finished_count"),
        func.max(case((and_(finished, Attempt.passed.is_(True)), 1), else_=0)).over(partition_by=key)
        .label("passed_any"),
        func.max(case((finished, Attempt.score), else_=None)).over(partition_by=key).label("best_score"),
        func.max(Attempt.started_at).over(partition_by=key).label("last_started"),
        func.max(Attempt.submitted_at).over(partition_by=key).label("last_submitted"),
        case((counted, Attempt.id), else_=None).label("first_id"),
        case((counted, Attempt.score), else_=None).label("first_score"),
        case((counted, Attempt.passed), else_=None).label("first_passed"),
        case((counted, Attempt.submitted_at), else_=None).label("first_submitted_at"),
        func.row_number().over(partition_by=key, order_by=(case((counted, 0), else_=1), Attempt.started_at,
                                                            Attempt.id)).label("pick"))
        .where(in_scope(Attempt.session_id))
        .subquery("windowed"))
    rows = (select(windowed.c.session_id, windowed.c.user_id, windowed.c.quiz_id, windowed.c.attempts,
                   windowed.c.finished_count, windowed.c.passed_any == 1, windowed.c.best_score,
                   windowed.c.last_started, windowed.c.last_submitted, windowed.c.first_id, windowed.c.first_score,
                   windowed.c.first_passed, windowed.c.first_submitted_at,
                   case((and_(windowed.c.first_id.is_not(None), Enrolment.id.is_not(None)), User.unit), else_=None))
            .select_from(windowed)
            .join(User, User.id == windowed.c.user_id)
            .outerjoin(Enrolment, and_(Enrolment.session_id == windowed.c.session_id,
                                       Enrolment.user_id == windowed.c.user_id))
            .where(windowed.c.pick == 1))
    connection.execute(progress.insert().from_select(
        ["session_id", "user_id", "quiz_id", "attempts", "finished_count", "passed_any", "best_score",
         "last_started", "last_submitted", "first_attempt_id", "first_score", "first_passed", "first_submitted_at",
         "cells_unit"], rows))
    # Counted, as psycopg reports no row count for this INSERT … SELECT.
    written = connection.execute(select(func.count()).select_from(progress)
                                 .where(in_scope(progress.c.session_id))).scalar_one()
    connection.execute(cells.insert().from_select(
        ["session_id", "quiz_id", "unit", "scenario_id", "total", "answers"],
        select(progress.c.session_id, progress.c.quiz_id, progress.c.cells_unit, Answer.scenario_id,
               func.sum(Answer.score), func.count())
        .join(Answer, Answer.attempt_id == progress.c.first_attempt_id)
        .where(in_scope(progress.c.session_id), progress.c.cells_unit.is_not(None), Answer.score.is_not(None))
        .group_by(progress.c.session_id, progress.c.quiz_id, progress.c.cells_unit, Answer.scenario_id)))
    if content is not None:
        _rebuild_marks(connection, content, in_scope(progress.c.session_id))
    return int(written)


def rebuild_summaries(engine: Engine, content: Content | None = None) -> int:
    """`rebuild` for every session in one write transaction (BEGIN IMMEDIATE on SQLite, so no submission
    lands halfway); returns the progress rows written."""
    with engine.connect() as connection:
        connection.info["netral_write"] = True
        try:
            with connection.begin():
                return rebuild(connection, content)
        finally:
            connection.info.pop("netral_write", None)


def _rebuild_marks(connection: Connection, content: Content, scope) -> None:  # type: ignore[no-untyped-def]
    """Pack every first attempt's slot marks; rows of quizzes no longer in the content keep none."""
    progress = QuizProgress.__table__
    slots_of = {quiz_id: quiz_slots(quiz, content) for quiz_id, quiz in content.quizzes.items()}
    packed: list[dict[str, object]] = []
    query = (select(progress.c.first_attempt_id, progress.c.session_id, progress.c.user_id, progress.c.quiz_id,
                    Answer.scenario_id, Answer.score)
             .outerjoin(Answer, and_(Answer.attempt_id == progress.c.first_attempt_id, Answer.score.is_not(None)))
             .where(scope, progress.c.first_attempt_id.is_not(None))
             .order_by(progress.c.first_attempt_id))
    current: tuple[int, int, int, str] | None = None
    answers: list[tuple[str, float]] = []

    def done() -> None:
        if current is not None and current[3] in slots_of:
            slots = slots_of[current[3]]
            packed.append({"s": current[1], "u": current[2], "q": current[3],
                           "marks": pack_marks(slots, slot_marks(slots, answers)), "layout": slots_layout(slots)})

    # Rows are collected first and written after: one connection cannot update while it streams.
    for attempt_id, session_id, user_id, quiz_id, scenario_id, score in connection.execute(
            query.execution_options(stream_results=True, yield_per=_MARKS_BATCH)):
        if current is None or current[0] != attempt_id:
            done()
            current, answers = (attempt_id, session_id, user_id, quiz_id), []
        if scenario_id is not None:
            answers.append((scenario_id, float(score)))
    done()
    statement = (update(progress).where(progress.c.session_id == bindparam("s"), progress.c.user_id == bindparam("u"),
                                        progress.c.quiz_id == bindparam("q"))
                 .values(first_marks=bindparam("marks"), marks_layout=bindparam("layout")))
    for start in range(0, len(packed), _MARKS_BATCH):
        connection.execute(statement, packed[start:start + _MARKS_BATCH])
