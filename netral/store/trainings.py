"""Training sessions (cohorts): creation and life cycle, join codes, enrolment, and who may see which.

Trainers see the sessions they own or are assigned to; HR sees the sessions it owns; administrators see
all. Every function that returns session data takes the viewer and applies that rule in its SQL, so a page
cannot forget it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Select, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from netral.content import Content
from netral.store.accounts import Role, UserView, audit
from netral.store.db import read_session, with_retry, write_session
from netral.store.schema import Attempt, Enrolment, SessionTrainer, TrainingSession, utcnow
from netral.store.summaries import refresh_people

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud in a classroom
JOIN_CODE_LENGTH = 6
STATUSES = ("open", "closed", "archived")


class TrainingError(ValueError):
    """A refused action; `code` is an i18n message key under `training.`."""

    def __init__(self, code: str, **values: object):
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class TrainingView:
    id: int
    name: str
    quiz_ids: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime
    pass_mark: float | None
    attempts_allowed: int | None
    join_code: str
    status: str
    owner_id: int
    description: str
    organiser: str
    jp_hours: int | None

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.status == "open" and self.opens_at <= now <= self.closes_at


def _view(row: TrainingSession) -> TrainingView:
    return TrainingView(row.id, row.name, tuple(row.quiz_ids), row.opens_at, row.closes_at, row.pass_mark,
                        row.attempts_allowed, row.join_code, row.status, row.owner_id, row.description,
                        row.organiser, row.jp_hours)


def normalise_join_code(code: str | None) -> str:
    """Join codes compare without case, spaces or dashes (the alphabet has no look-alike letters)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def visible_sessions_query(viewer: UserView) -> Select[tuple[TrainingSession]]:
    """The sessions `viewer` may see, as a query other functions refine (the role rule lives only here)."""
    query = select(TrainingSession)
    if viewer.role is Role.ADMIN:
        return query
    if viewer.role is Role.HR:
        return query.where(TrainingSession.owner_id == viewer.id)
    if viewer.role is Role.TRAINER:
        assigned = exists().where(SessionTrainer.session_id == TrainingSession.id,
                                  SessionTrainer.user_id == viewer.id)
        return query.where(or_(TrainingSession.owner_id == viewer.id, assigned))
    return query.where(TrainingSession.id.is_(None))  # trainees manage no session


def _check_fields(content: Content, name: str, quiz_ids: list[str], opens_at: datetime, closes_at: datetime,
                  pass_mark: float | None, attempts_allowed: int | None, jp_hours: int | None) -> None:
    if not name.strip():
        raise TrainingError("name_required")
    if not quiz_ids:
        raise TrainingError("quiz_required")
    unknown = [q for q in quiz_ids if q not in content.quizzes]
    if unknown:
        raise TrainingError("unknown_quiz", quiz=", ".join(unknown))
    if closes_at <= opens_at:
        raise TrainingError("dates_order")
    if pass_mark is not None and not 0 < pass_mark <= 1:
        raise TrainingError("pass_mark_range")
    if attempts_allowed is not None and attempts_allowed < 1:
        raise TrainingError("attempts_range")
    if jp_hours is not None and not 0 < jp_hours <= 200:
        raise TrainingError("jp_range")


def create_training(engine: Engine, content: Content, actor: UserView, *, name: str, quiz_ids: list[str],
                    opens_at: datetime, closes_at: datetime, pass_mark: float | None = None,
                    attempts_allowed: int | None = None, description: str = "", organiser: str = "",
                    jp_hours: int | None = None, trainer_ids: tuple[int, ...] = ()) -> TrainingView:
    """Create a session owned by `actor` (HR or administrator) with a fresh join code; audited."""
    if actor.role not in (Role.HR, Role.ADMIN):
        raise TrainingError("forbidden")
    _check_fields(content, name, quiz_ids, opens_at, closes_at, pass_mark, attempts_allowed, jp_hours)

    def work() -> TrainingView:
        with write_session(engine) as session:
            row = TrainingSession(name=name.strip(), quiz_ids=list(quiz_ids), opens_at=opens_at,
                                  closes_at=closes_at, pass_mark=pass_mark, attempts_allowed=attempts_allowed,
                                  join_code=new_join_code(), status="open", owner_id=actor.id,
                                  description=description.strip(), organiser=organiser.strip(),
                                  jp_hours=jp_hours)
            session.add(row)
            session.flush()
            for trainer_id in trainer_ids:
                session.add(SessionTrainer(session_id=row.id, user_id=trainer_id))
            audit(session, actor.id, "training.create", f"training:{row.id}", name=row.name)
            return _view(row)

    # A join-code collision (one in ~10^9) is retried with a new code.
    for _ in range(5):
        try:
            return with_retry(work)
        except IntegrityError:
            continue
    raise TrainingError("join_code_exhausted")


def get_training(engine: Engine, viewer: UserView, training_id: int) -> TrainingView:
    with read_session(engine) as session:
        row = session.scalar(visible_sessions_query(viewer).where(TrainingSession.id == training_id))
        if row is None:
            raise TrainingError("not_found")
        return _view(row)


def list_trainings(engine: Engine, viewer: UserView, *, include_archived: bool = False) -> list[TrainingView]:
    query = visible_sessions_query(viewer).order_by(TrainingSession.closes_at.desc(), TrainingSession.id.desc())
    if not include_archived:
        query = query.where(TrainingSession.status != "archived")
    with read_session(engine) as session:
        return [_view(row) for row in session.scalars(query)]


def update_training(engine: Engine, content: Content, actor: UserView, training_id: int, **changes: object
                    ) -> TrainingView:
    """Edit a session's fields (name, quiz_ids, dates, pass mark, attempts, description, organiser, JP)."""
    editable = {"name", "quiz_ids", "opens_at", "closes_at", "pass_mark", "attempts_allowed", "description",
                "organiser", "jp_hours"}
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with write_session(engine) as session:
        row = session.scalar(visible_sessions_query(actor).where(TrainingSession.id == training_id))
        if row is None or actor.role not in (Role.HR, Role.ADMIN):
            raise TrainingError("not_found")
        merged = {field: changes.get(field, getattr(row, field)) for field in editable}
        _check_fields(content, str(merged["name"]), list(merged["quiz_ids"]),  # type: ignore[call-overload]
                      merged["opens_at"], merged["closes_at"], merged["pass_mark"],  # type: ignore[arg-type]
                      merged["attempts_allowed"], merged["jp_hours"])  # type: ignore[arg-type]
        for field, value in changes.items():
            setattr(row, field, value)
        audit(session, actor.id, "training.update", f"training:{row.id}", fields=sorted(changes))
        session.flush()
        return _view(row)


def set_training_status(engine: Engine, actor: UserView, training_id: int, status: str) -> TrainingView:
    """Close (no new attempts), reopen, or archive (hidden from lists, data kept) a session; audited."""
    if status not in STATUSES:
        raise ValueError(status)
    with write_session(engine) as session:
        row = session.scalar(visible_sessions_query(actor).where(TrainingSession.id == training_id))
        if row is None or actor.role not in (Role.HR, Role.ADMIN):
            raise TrainingError("not_found")
        previous, row.status = row.status, status
        audit(session, actor.id, f"training.{status}", f"training:{row.id}", previous=previous)
        return _view(row)


def find_open_training_by_code(engine: Engine, join_code: str, *, now: datetime | None = None) -> TrainingView:
    code = normalise_join_code(join_code)
    with read_session(engine) as session:
        row = session.scalar(select(TrainingSession).where(TrainingSession.join_code == code))
    if row is None:
        raise TrainingError("join_code_unknown")
    view = _view(row)
    if not view.is_open(now):
        raise TrainingError("join_code_closed")
    return view


def enrol(engine: Engine, user_id: int, training_id: int) -> bool:
    """Enrol a user; True if newly enrolled, False if already (enrolling twice changes nothing)."""
    def work() -> bool:
        with write_session(engine) as session:
            present = session.scalar(select(func.count()).select_from(Enrolment).where(
                Enrolment.session_id == training_id, Enrolment.user_id == user_id))
            if present:
                return False
            session.add(Enrolment(session_id=training_id, user_id=user_id))
            session.flush()
            refresh_people(session, [user_id], training_id)  # attempts made before enrolling now count
            return True

    try:
        return with_retry(work)
    except IntegrityError:
        return False  # a concurrent enrolment won the race: the user is enrolled either way


def join_with_code(engine: Engine, user_id: int, join_code: str, *, now: datetime | None = None) -> TrainingView:
    training = find_open_training_by_code(engine, join_code, now=now)
    enrol(engine, user_id, training.id)
    return training


@dataclass(frozen=True)
class Assignment:
    """A training as its trainee sees it: a quiz to take, by when, and how it went so far."""

    training: TrainingView
    quiz_id: str
    attempts_used: int
    best_score: float | None
    passed: bool
    in_progress_attempt_id: int | None


def my_assignments(engine: Engine, user_id: int) -> list[Assignment]:
    """The trainings the user is enrolled in (not archived), one entry per quiz, soonest deadline first."""
    with read_session(engine) as session:
        trainings = [_view(row) for row in session.scalars(
            select(TrainingSession).join(Enrolment, Enrolment.session_id == TrainingSession.id)
            .where(Enrolment.user_id == user_id, TrainingSession.status != "archived")
            .order_by(TrainingSession.closes_at, TrainingSession.id))]
        if not trainings:
            return []
        stats = session.execute(
            select(Attempt.session_id, Attempt.quiz_id, func.count(), func.max(Attempt.score),
                   func.max(case((Attempt.passed.is_(True), 1), else_=0)),
                   func.max(case((Attempt.status == "in_progress", Attempt.id), else_=None)))
            .where(Attempt.user_id == user_id, Attempt.session_id.in_([t.id for t in trainings]))
            .group_by(Attempt.session_id, Attempt.quiz_id)).all()
    by_key = {(row[0], row[1]): row for row in stats}
    out = []
    for training in trainings:
        for quiz_id in training.quiz_ids:
            row = by_key.get((training.id, quiz_id))
            out.append(Assignment(training, quiz_id, row[2] if row else 0, row[3] if row else None,
                                  bool(row[4]) if row else False, row[5] if row else None))
    return out
