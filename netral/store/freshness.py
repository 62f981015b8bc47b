"""A cheap fingerprint of the data behind a session's analytics, so a page can reuse a computed dashboard or
item analysis until something it counts has changed.

The cohort dashboard and the item analysis read every finished attempt of a session: hundreds of
milliseconds at 10,000 trainees (bench/README.md). A trainer who sorts the trainee table, turns a page or
opens a trainee should not pay that again. The fingerprint is a handful of aggregates over one session's
summary rows (netral/store/summaries.py) and enrolments, read through indexes: it changes when a trainee joins or leaves, starts an attempt
or submits one. The viewer's right to see the session is checked on every call, so a cached result is
never shown to someone who has lost access.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, case, func, select

from netral.store.accounts import Role, UserView
from netral.store.db import read_session
from netral.store.reports import FINISHED_STATUSES, visible_training
from netral.store.schema import Attempt, Enrolment, QuizProgress, TrainingSession
from netral.store.trainings import TrainingError, visible_sessions_query

Fingerprint = tuple[object, ...]


def analytics_fingerprint(engine: Engine, viewer: UserView, training_id: int | None,
                          quiz_id: str | None = None) -> Fingerprint:
    """Aggregates that change whenever the analytics of `training_id` (or, with None, of `quiz_id` across
    the sessions the viewer sees) would: attempts started, finished and their latest times, and the
    enrolments. Includes who is asking, so one viewer's cached result is never another's.

    Raises `TrainingError("not_found")` when the viewer may not see the session, as the analytics do.
    """
    with read_session(engine) as session:
        clauses = []
        enrolments: tuple[object, ...] = ()
        if training_id is not None:
            visible_training(session, viewer, training_id)
            clauses.append(Attempt.session_id == training_id)
            count, last_id = session.execute(select(func.count(), func.max(Enrolment.id))
                                             .where(Enrolment.session_id == training_id)).one()
            enrolments = (int(count), last_id)
        elif viewer.role not in (Role.ADMIN, Role.HR, Role.TRAINER):
            raise TrainingError("not_found")
        elif viewer.role is not Role.ADMIN:
            clauses.append(Attempt.session_id.in_(visible_sessions_query(viewer).with_only_columns(TrainingSession.id)))
        if training_id is not None:
            # One session: its summary rows change in the same transaction as every start and submission, and
            # are narrower than the attempts they sum up.
            summary = [QuizProgress.session_id == training_id]
            if quiz_id is not None:
                summary.append(QuizProgress.quiz_id == quiz_id)
            started, last_attempt, finished_count, last_submitted = session.execute(
                select(func.coalesce(func.sum(QuizProgress.attempts), 0), func.max(QuizProgress.last_started),
                       func.coalesce(func.sum(QuizProgress.finished_count), 0), func.max(QuizProgress.last_submitted))
                .where(*summary)).one()
        else:
            if quiz_id is not None:
                clauses.append(Attempt.quiz_id == quiz_id)
            finished = func.coalesce(func.sum(case((Attempt.status.in_(FINISHED_STATUSES), 1), else_=0)), 0)
            started, last_attempt, finished_count, last_submitted = session.execute(
                select(func.count(), func.max(Attempt.id), finished, func.max(Attempt.submitted_at))
                .where(*clauses)).one()
    return (viewer.id, viewer.role.value, training_id, quiz_id, int(started), _stamp(last_attempt),
            int(finished_count), _stamp(last_submitted), *enrolments)


def _stamp(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
