"""The score store's tables (SQLAlchemy 2 declarative). Migrations in `migrations/` must match these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC (SQLite has no time zones) and returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        # SQLite keeps ISO text ("2026-03-02 08:00:00.000000"): the C parser reads it several times faster than
        # the dialect's regular expression, which a report of ten thousand rows notices.
        def process(value: str | None) -> datetime | None:
            return datetime.fromisoformat(value).replace(tzinfo=UTC) if value is not None else None

        return process


FINISHED_STATUSES = ("submitted", "late")
"""Attempt statuses of a finished attempt (on time, or after the deadline's grace)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(120), unique=True)  # the NIP, or a user name for staff without one
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="trainee")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="id")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TrainingSession(Base):
    """A cohort run by HR: quizzes, dates, pass mark, attempts allowed, join code."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    quiz_ids: Mapped[list[str]] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pass_mark: Mapped[float | None] = mapped_column(Float)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | closed | archived
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Added in revision 0003: what the certificate and the SIASN course record need.
    description: Mapped[str] = mapped_column(String(500), default="")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    jp_hours: Mapped[int | None] = mapped_column(Integer)


class SessionTrainer(Base):
    __tablename__ = "session_trainers"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="uq_enrolments_session_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attempt(Base):
    """One try at a quiz. The plan (scenarios, option order) is frozen at the start and never changes."""

    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_quiz", "user_id", "quiz_id"),
                      Index("ix_attempts_session_status", "session_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quiz_id: Mapped[str] = mapped_column(String(80))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id"))
    seed: Mapped[int] = mapped_column(Integer)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="in_progress")  # in_progress | FINISHED_STATUSES
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pass_mark: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class Answer(Base):
    """One row per attempt and scenario: replaced until submission, scored on submission."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "scenario_id", name="uq_answers_attempt_scenario"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(80))
    choice: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    facet_scores: Mapped[dict[str, float] | None] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Added in revision 0003: the facts printed on the PDF, frozen at issue, so a later rename or a
    # re-scored quiz never changes what a verifier sees.
    number: Mapped[str] = mapped_column(String(60), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- added in revision 0002: login sessions, throttling, first-admin set-up, settings -------------------


class LoginSession(Base):
    """A login: the cookie carries the random token; only its SHA-256 is stored, so a leaked table logs no one in."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins per login name, existing or not, so a lockout never reveals whether an account exists."""

    __tablename__ = "login_throttle"

    login: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SetupToken(Base):
    """One-time token that lets the first administrator be created on a fresh database."""

    __tablename__ = "setup_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)




class LoginTicket(Base):
    """A one-time, short-lived ticket that the browser trades at `/auth/complete` for the login cookie.

    A Streamlit page cannot set an HttpOnly cookie; it checks the password, issues a ticket, and sends the
    browser to the route, which sets the cookie of the login session the page started with the ticket
    (`start_login`; a ticket issued on its own starts one when redeemed). The ticket lives in the database so
    any replica can redeem it.
    """

    __tablename__ = "login_tickets"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the browser's XSRF cookie when the ticket was issued: only that browser can redeem it, so a
    # ticket link sent to someone else cannot log them into the sender's account (login CSRF).
    browser_binding: Mapped[str | None] = mapped_column(String(64))


# --- added in revision 0003: practice outside quizzes (Latihan kasus, Latihan cerdas) -----------------


class PracticeRecord(Base):
    """One practice answer: the history from which mastery and the FSRS review schedule are rebuilt."""

    __tablename__ = "practice_records"
    __table_args__ = (Index("ix_practice_records_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[str] = mapped_column(String(80))
    choice: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- added in revision 0004: analytics indexes ---------------------------------------------------------------

# Item analysis reads one quiz's finished attempts across every session (netral/store/itemdata.py).
Index("ix_attempts_quiz_status", Attempt.__table__.c.quiz_id, Attempt.__table__.c.status)


# --- added in revision 0005: xAPI outbox ---------------------------------------------------------------------


class XapiOutboxEntry(Base):
    """One xAPI statement waiting for (or done with) delivery to the LRS: a transactional outbox.

    A row is written with the fact it reports and is never deleted before it was sent, so an LRS outage
    delays statements but loses none (netral/store/xapi_outbox.py). `statement_id` is the statement's own
    UUID, derived from what it reports: enqueueing the same fact twice keeps one row, and a resend after a
    lost reply is recognised by the LRS as the same statement.
    """

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sent | rejected
    tries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))  # the sender holding the row until next_attempt_at
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")


# --- added in revision 0006: plain practice items imported from Moodle (GIFT, Moodle XML) -------------------


class ImportedItem(Base):
    """A multiple-choice or true/false question imported from a Moodle file: plain practice, not a
    regulation-scored scenario. `item` holds the question as read (texts, options, fractions, feedback)."""

    __tablename__ = "imported_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    item: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- added in revision 0007: one session's attempts by quiz and trainee ------------------------------------

# The completion report, cohort counts and trainee table (netral/store/reports.py person_progress).
Index("ix_attempts_session_quiz_user", Attempt.__table__.c.session_id, Attempt.__table__.c.quiz_id,
      Attempt.__table__.c.user_id)


# --- added in revision 0008: summaries written when an attempt starts or is submitted ------------------------


class QuizProgress(Base):
    """One person's attempts at one quiz of one training session, summed up when an attempt starts or is
    submitted (netral/store/summaries.py), so the dashboards read one narrow row per person instead of the
    wide attempt rows and every answer. Always equal to what `summaries.rebuild` computes from the attempts."""

    __tablename__ = "quiz_progress"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    finished_count: Mapped[int] = mapped_column(Integer)
    passed_any: Mapped[bool] = mapped_column(Boolean)
    """Some finished attempt passed."""
    best_score: Mapped[float | None] = mapped_column(Float)
    last_started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_submitted: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"))
    """The first finished attempt (by start time, then id): the one the dashboards count by default."""
    first_score: Mapped[float | None] = mapped_column(Float)
    first_passed: Mapped[bool | None] = mapped_column(Boolean)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_marks: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The first attempt's mark per item-analysis slot, float64 little-endian in the slots' order."""
    marks_layout: Mapped[str | None] = mapped_column(String(40))
    """Which slots `first_marks` follows (a digest of the quiz's slots when they were written)."""
    cells_unit: Mapped[str | None] = mapped_column(String(200))
    """The unit whose `mastery_cells` hold the first attempt's answers; None when they are in no cell (no
    finished attempt, or the person is not enrolled)."""


class MasteryCell(Base):
    """Sum and count of the scored answers of the first finished attempts, per session, quiz, unit and
    scenario: the cohort dashboard's mastery without reading the answers."""

    __tablename__ = "mastery_cells"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True)
    quiz_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    total: Mapped[float] = mapped_column(Float)
    answers: Mapped[int] = mapped_column(Integer)


# Who is answering right now (the completion report's last activity): the few attempts in progress of a session,
# without reading its finished ones.
Index("ix_attempts_in_progress", Attempt.__table__.c.session_id, Attempt.__table__.c.quiz_id,
      sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'"))
