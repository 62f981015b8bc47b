"""A trainee's own progress, aggregated in SQL: quiz scores over time and per-scenario results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select, union_all

from netral.store.db import read_session
from netral.store.schema import Answer, Attempt, PracticeRecord

FINISHED = ("submitted", "late")


@dataclass(frozen=True)
class QuizScore:
    attempt_id: int
    quiz_id: str
    submitted_at: datetime
    score: float
    passed: bool


def quiz_scores(engine: Engine, user_id: int) -> list[QuizScore]:
    """The user's finished attempts, oldest first."""
    with read_session(engine) as session:
        rows = session.execute(
            select(Attempt.id, Attempt.quiz_id, Attempt.submitted_at, Attempt.score, Attempt.passed)
            .where(Attempt.user_id == user_id, Attempt.status.in_(FINISHED))
            .order_by(Attempt.submitted_at, Attempt.id)).all()
    return [QuizScore(r[0], r[1], r[2], float(r[3] or 0.0), bool(r[4])) for r in rows]


@dataclass(frozen=True)
class ScenarioTally:
    scenario_id: str
    answers: int
    mean_score: float


def scenario_tallies(engine: Engine, user_id: int) -> list[ScenarioTally]:
    """Per scenario: how often the user answered it (finished quizzes and practice) and the mean score."""
    quiz_part = (select(Answer.scenario_id.label("scenario_id"), Answer.score.label("score"))
                 .join(Attempt, Attempt.id == Answer.attempt_id)
                 .where(Attempt.user_id == user_id, Attempt.status.in_(FINISHED), Answer.score.is_not(None)))
    practice_part = (select(PracticeRecord.scenario_id.label("scenario_id"), PracticeRecord.score.label("score"))
                     .where(PracticeRecord.user_id == user_id))
    both = union_all(quiz_part, practice_part).subquery()
    with read_session(engine) as session:
        rows = session.execute(select(both.c.scenario_id, func.count(), func.avg(both.c.score))
                               .group_by(both.c.scenario_id).order_by(both.c.scenario_id)).all()
    return [ScenarioTally(r[0], int(r[1]), float(r[2])) for r in rows]
