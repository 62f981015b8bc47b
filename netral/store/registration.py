"""Trainees joining: self-registration (when open), joining a session by code, and claiming an account an
HR roster created (NIP + join code, then a password of one's own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from netral.nip import NipCheck, validate_nip
from netral.store.accounts import (
    LOCKOUT,
    MAX_FAILURES,
    AccountError,
    Role,
    UserView,
    _view,
    audit,
    create_user,
    hash_password,
)
from netral.store.db import read_session, write_session
from netral.store.schema import Enrolment, LoginThrottle, Setting, TrainingSession, User, utcnow
from netral.store.trainings import TrainingError, enrol, find_open_training_by_code, normalise_join_code

OPEN_REGISTRATION = "open_registration"


class RegistrationError(ValueError):
    """A refused registration; `code` is an i18n key under `registration.`; `nip_check` explains a bad NIP."""

    def __init__(self, code: str, nip_check: NipCheck | None = None, **values: object):
        super().__init__(code)
        self.code = code
        self.nip_check = nip_check
        self.values = values


def registration_open(engine: Engine) -> bool:
    """Whether anyone with a valid NIP may register (the default), or only NIPs on an HR roster."""
    with read_session(engine) as session:
        row = session.get(Setting, OPEN_REGISTRATION)
        return True if row is None else bool(row.value)


def set_registration_open(engine: Engine, actor: UserView, is_open: bool) -> None:
    if actor.role is not Role.ADMIN:
        raise RegistrationError("forbidden")
    with write_session(engine) as session:
        row = session.get(Setting, OPEN_REGISTRATION)
        if row is None:
            session.add(Setting(key=OPEN_REGISTRATION, value=is_open))
        else:
            row.value = is_open
        audit(session, actor.id, "settings.open_registration", "", value=is_open)


@dataclass(frozen=True)
class Registration:
    user: UserView
    training_name: str | None


def _checked_nip(raw: str, kind: str, today: date | None) -> str:
    check = validate_nip(raw, "pppk" if kind == "pppk" else "pns", today=today)
    if not check.ok or check.nip is None:
        raise RegistrationError("nip_invalid", nip_check=check)
    return check.nip


def register_trainee(engine: Engine, *, nip: str, nip_kind: str = "pns", name: str, unit: str, position: str,
                     password: str, email: str | None = None, join_code: str = "",
                     today: date | None = None, now: datetime | None = None) -> Registration:
    """Create a trainee account with a NIP as its login, optionally joining a session by code.

    With open registration switched off, a NIP that is not on a roster is refused; a rostered NIP is told
    to claim its account instead of registering a second one.
    """
    digits = _checked_nip(nip, nip_kind, today)
    if not name.strip():
        raise RegistrationError("name_required")
    training = None
    if join_code.strip():
        try:
            training = find_open_training_by_code(engine, join_code, now=now)
        except TrainingError as refusal:
            raise RegistrationError(refusal.code) from None
    with read_session(engine) as session:
        existing = session.scalar(select(User).where(User.nip == digits))
    if existing is not None:
        raise RegistrationError("claim_instead" if existing.password_hash is None else "already_registered")
    if not registration_open(engine):
        raise RegistrationError("closed")
    try:
        user = create_user(engine, login=digits, nip=digits, name=name, password=password, unit=unit,
                           position=position, email=(email or "").strip() or None)
    except AccountError as refusal:
        raise RegistrationError(refusal.code, **refusal.values) from None
    if training is not None:
        enrol(engine, user.id, training.id)
    return Registration(user, training.name if training else None)


def claim_account(engine: Engine, *, nip: str, join_code: str, password: str, today: date | None = None
                  ) -> UserView:
    """Set the first password of an account an HR roster created, proven by NIP plus the session's code.

    Wrong NIP/code pairs count against the same lockout as logins, so codes cannot be guessed at speed.
    """
    digits = _checked_nip(nip, "pns", today) if len("".join(c for c in nip if c.isdigit())) == 18 else None
    if digits is None:
        raise RegistrationError("nip_invalid", nip_check=validate_nip(nip, today=today))
    password_hash = hash_password(password)
    code = normalise_join_code(join_code)
    now = utcnow()
    refusal: str | None = None
    with write_session(engine) as session:
        throttle = session.get(LoginThrottle, digits)
        user = session.scalar(select(User).where(User.nip == digits))
        enrolled = user is not None and bool(session.scalar(
            select(func.count()).select_from(Enrolment)
            .join(TrainingSession, TrainingSession.id == Enrolment.session_id)
            .where(Enrolment.user_id == user.id, TrainingSession.join_code == code)))
        if throttle and throttle.locked_until and throttle.locked_until > now:
            refusal = "locked"
        elif user is not None and enrolled and user.password_hash is not None:
            refusal = "already_claimed"
        elif user is None or not enrolled:
            # One message for an unknown NIP and a wrong code: it must not reveal who is on a roster.
            # The failure is committed (not rolled back with the refusal) so guessing runs into the lockout.
            refusal = "claim_failed"
            if throttle is None:
                throttle = LoginThrottle(login=digits, failures=0)
                session.add(throttle)
            throttle.failures += 1
            throttle.last_failure_at = now
            if throttle.failures >= MAX_FAILURES:
                throttle.locked_until = now + LOCKOUT
        else:
            user.password_hash = password_hash
            user.password_changed_at = now
            audit(session, user.id, "user.claim", f"user:{user.id}")
            session.flush()
            claimed = _view(user)
    if refusal is not None:
        raise RegistrationError(refusal)
    return claimed
