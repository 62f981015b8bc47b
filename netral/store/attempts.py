"""Quiz attempts kept in the database: start (or resume), save answers idempotently, submit once.

Every function takes the acting user's id and only touches that user's attempts, so no core function lets
one trainee read or change another's. Scores are computed here, on the server, from the stored answers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from netral.content.loader import Content
from netral.quizplan import plan_attempt, question_sequence
from netral.scoring import InvalidAnswer, score_attempt, score_scenario
from netral.store.db import read_session, upsert_insert, with_retry, write_session
from netral.store.schema import Answer, Attempt, User, utcnow
from netral.store.summaries import refresh_progress
from netral.store.xapi_outbox import add_submission
from netral.xapi import XapiConfig

LATE_GRACE = timedelta(seconds=30)  # network latency at the deadline is not lateness


class AttemptError(ValueError):
    """A refused action; `code` is an i18n message key under `attempt.`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class AttemptView:
    id: int
    quiz_id: str
    seed: int
    scenario_ids: tuple[str, ...]
    option_orders: dict[str, dict[str, tuple[str, ...]]]
    status: str
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    pass_mark: float
    score: float | None
    passed: bool | None
    answers: dict[str, dict[str, list[str]]]

    def remaining_seconds(self, now: datetime | None = None) -> int:
        return max(0, int((self.deadline_at - (now or utcnow())).total_seconds()))

    @property
    def finished(self) -> bool:
        return self.status != "in_progress"


def _view(attempt: Attempt, answers: list[Answer]) -> AttemptView:
    plan = attempt.plan
    return AttemptView(
        id=attempt.id, quiz_id=attempt.quiz_id, seed=attempt.seed,
        scenario_ids=tuple(plan["scenario_ids"]),
        option_orders={sid: {facet: tuple(ids) for facet, ids in order.items()}
                       for sid, order in plan["option_orders"].items()},
        status=attempt.status, started_at=attempt.started_at, deadline_at=attempt.deadline_at,
        submitted_at=attempt.submitted_at, pass_mark=attempt.pass_mark, score=attempt.score,
        passed=attempt.passed, answers={a.scenario_id: a.choice for a in answers},
    )


def _owned(session, user_id: int, attempt_id: int, *, lock: bool = False) -> Attempt:  # type: ignore[no-untyped-def]
    query = select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user_id)
    if lock:
        query = query.with_for_update()
    attempt = session.scalar(query)
    if attempt is None:
        # The same answer for "not yours" and "does not exist": ids reveal nothing.
        raise AttemptError("not_found")
    return attempt


def start_or_resume(engine: Engine, content: Content, user_id: int, quiz_id: str, *,
                    session_id: int | None = None, pass_mark: float | None = None,
                    attempts_allowed: int | None = None, now: datetime | None = None) -> AttemptView:
    """The user's attempt at `quiz_id` in progress, or a new one if the allowance permits.

    Two tabs starting at once get the same attempt: the user's row is locked while deciding.
    """
    quiz = content.quizzes.get(quiz_id)
    if quiz is None:
        raise AttemptError("unknown_quiz")
    now = now or utcnow()
    allowed = attempts_allowed or quiz.attempts_allowed

    def work() -> AttemptView:
        with write_session(engine) as session:
            session.scalar(select(User.id).where(User.id == user_id).with_for_update())
            scope = [Attempt.user_id == user_id, Attempt.quiz_id == quiz_id,
                     Attempt.session_id.is_(None) if session_id is None else Attempt.session_id == session_id]
            current = session.scalar(select(Attempt).where(*scope, Attempt.status == "in_progress")
                                     .order_by(Attempt.id.desc()))
            if current is not None:
                answers = list(session.scalars(select(Answer).where(Answer.attempt_id == current.id)))
                return _view(current, answers)
            used = session.scalar(select(func.count()).select_from(Attempt).where(*scope)) or 0
            if used >= allowed:
                raise AttemptError("no_attempts_left")
            seed = secrets.randbelow(2**31 - 1)
            plan = plan_attempt(quiz, content, seed)
            attempt = Attempt(
                user_id=user_id, quiz_id=quiz_id, session_id=session_id, seed=seed,
                plan={"scenario_ids": list(plan.scenario_ids),
                      "option_orders": {sid: {f: list(ids) for f, ids in order.items()}
                                        for sid, order in plan.option_orders.items()}},
                status="in_progress", started_at=now,
                deadline_at=now + timedelta(minutes=quiz.time_limit_minutes),
                pass_mark=pass_mark if pass_mark is not None else quiz.pass_mark,
            )
            session.add(attempt)
            session.flush()
            if session_id is not None:
                refresh_progress(session, session_id, user_id, quiz_id, content)
            return _view(attempt, [])

    return with_retry(work)


def get_attempt(engine: Engine, user_id: int, attempt_id: int) -> AttemptView:
    with read_session(engine) as session:
        attempt = _owned(session, user_id, attempt_id)
        answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
        return _view(attempt, answers)


def list_attempts(engine: Engine, user_id: int) -> list[AttemptView]:
    """The user's attempts, newest first (answers are not loaded)."""
    with read_session(engine) as session:
        rows = session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.id.desc()))
        return [_view(row, []) for row in rows]


def save_answer(engine: Engine, content: Content, user_id: int, attempt_id: int, scenario_id: str,
                choice: dict[str, list[str]], *, now: datetime | None = None) -> None:
    """Store (or replace) the answer to one scenario of an attempt in progress.

    Idempotent: the same answer sent twice leaves one row; a changed answer replaces the old one. The
    choice is checked against the scenario (unknown options are refused), never scored here.
    """
    now = now or utcnow()
    clean = {facet: sorted(set(picks)) for facet, picks in choice.items()}

    def work() -> None:
        with write_session(engine) as session:
            attempt = _owned(session, user_id, attempt_id, lock=True)
            if attempt.status != "in_progress":
                raise AttemptError("already_submitted")
            allowed = attempt.plan["option_orders"]
            if scenario_id not in allowed:
                raise AttemptError("not_in_attempt")
            if scenario_id not in content.scenarios:
                raise AttemptError("not_in_attempt")
            try:
                score_scenario(content.scenarios[scenario_id], clean)  # validates the shape only
            except InvalidAnswer as exc:
                raise AttemptError("invalid_answer") from exc
            insert = upsert_insert(engine.dialect.name)
            statement = insert(Answer).values(attempt_id=attempt_id, scenario_id=scenario_id, choice=clean,
                                              answered_at=now)
            statement = statement.on_conflict_do_update(
                index_elements=[Answer.attempt_id, Answer.scenario_id],
                set_={"choice": statement.excluded.choice, "answered_at": statement.excluded.answered_at},
            )
            session.execute(statement)

    with_retry(work)


def submit_attempt(engine: Engine, content: Content, user_id: int, attempt_id: int, *,
                   now: datetime | None = None, xapi: XapiConfig | None = None) -> AttemptView:
    """Score the stored answers and close the attempt, once. After the deadline it is recorded as late.

    With `xapi` configured, the attempt's xAPI statements are queued in the same transaction, so a
    submission and its statements are stored together or not at all.
    """
    now = now or utcnow()

    def work() -> AttemptView:
        with write_session(engine) as session:
            attempt = _owned(session, user_id, attempt_id, lock=True)
            if attempt.status != "in_progress":
                raise AttemptError("already_submitted")
            answers = {a.scenario_id: a for a in session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))}
            results = []
            # Exactly what the trainee was shown: the planned scenarios and the follow-ups their answers
            # lead to (an unanswered follow-up scores 0; one no longer reached does not count).
            shown = question_sequence(content, tuple(attempt.plan["scenario_ids"]),
                                      {sid: row.choice for sid, row in answers.items()})
            for sid in shown:
                scenario = content.scenarios[sid]
                row = answers.get(sid)
                result = score_scenario(scenario, row.choice if row else {})
                results.append(result)
                if row is not None:
                    row.facet_scores = {f.facet.value: f.score for f in result.facets}
                    row.score = result.score
            score = score_attempt(results)
            attempt.score = score
            attempt.passed = score >= attempt.pass_mark
            attempt.submitted_at = now
            attempt.status = "late" if now > attempt.deadline_at + LATE_GRACE else "submitted"
            session.flush()
            if attempt.session_id is not None:
                refresh_progress(session, attempt.session_id, attempt.user_id, attempt.quiz_id, content)
            if xapi is not None:
                add_submission(session, content, xapi, attempt, now=now)
            return _view(attempt, list(answers.values()))

    return with_retry(work)
