"""Accounts, passwords, login throttling, login sessions and the first administrator's set-up token.

Passwords are hashed with argon2id and never stored or logged in clear. A failed login is counted per login
name whether or not the account exists, and an unknown name is verified against a dummy hash, so neither the
message nor the timing nor the lockout tells an attacker which accounts exist.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from netral.store.db import read_session, with_retry, write_session
from netral.store.schema import (
    AuditEntry,
    LoginSession,
    LoginThrottle,
    LoginTicket,
    Setting,
    SetupToken,
    User,
    utcnow,
)

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(days=14)
TICKET_LIFETIME = timedelta(minutes=2)
COOKIE_SECRET_ENV = "NETRAL_COOKIE_SECRET"
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


class Role(str, Enum):
    TRAINEE = "trainee"      # peserta
    TRAINER = "trainer"      # pelatih
    HR = "hr"                # admin kepegawaian
    ADMIN = "admin"          # administrator


_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("netral-dummy-password-for-timing")


class AccountError(ValueError):
    """A user-facing refusal; `code` is an i18n message key under `account.`."""

    def __init__(self, code: str, **values: object):
        super().__init__(code)
        self.code = code
        self.values = values


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", minimum=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_too_long", maximum=MAX_PASSWORD_LENGTH)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_login(login: str) -> str:
    """Logins compare case-insensitively and without surrounding spaces; a NIP keeps its digits only."""
    text = login.strip().lower()
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 18 and all(ch.isdigit() or ch in " .'-" for ch in text):
        return digits
    return text


@dataclass(frozen=True)
class UserView:
    """What the app may know of a user: never the password hash."""

    id: int
    login: str
    nip: str | None
    name: str
    unit: str
    position: str
    role: Role
    language: str
    email: str | None = None


def _view(user: User) -> UserView:
    return UserView(user.id, user.login, user.nip, user.name, user.unit, user.position, Role(user.role),
                    user.language, user.email)


def audit(session, actor_id: int | None, action: str, target: str = "", **details: object) -> None:  # type: ignore[no-untyped-def]
    """Record an administrative action (never a password or token)."""
    session.add(AuditEntry(actor_id=actor_id, action=action, target=target, details=dict(details)))


def create_user(engine: Engine, *, login: str, name: str, password: str | None, role: Role = Role.TRAINEE,
                nip: str | None = None, email: str | None = None, unit: str = "", position: str = "",
                actor_id: int | None = None) -> UserView:
    """Create an account. The login must be free; a NIP, when given, must not belong to another account."""
    login = normalise_login(login)
    if not name.strip():
        raise AccountError("name_required")
    password_hash = hash_password(password) if password is not None else None

    def work() -> UserView:
        with write_session(engine) as session:
            clashes = [User.login == login]
            if nip:
                clashes.append(User.nip == nip)
            if email:
                clashes.append(User.email == email)
            taken = session.scalar(select(func.count()).select_from(User).where(or_(*clashes)))
            if taken:
                raise AccountError("already_registered")
            user = User(login=login, nip=nip, email=email, name=name.strip(), unit=unit.strip(),
                        position=position.strip(), role=Role(role).value, password_hash=password_hash,
                        language="id", password_changed_at=utcnow() if password_hash else None)
            session.add(user)
            session.flush()
            if actor_id is not None or Role(role) is not Role.TRAINEE:
                audit(session, actor_id, "user.create", f"user:{user.id}", role=Role(role).value)
            return _view(user)

    return with_retry(work)


class LoginOutcome(str, Enum):
    OK = "ok"
    INVALID = "invalid"     # wrong login or password: the same answer either way
    LOCKED = "locked"       # too many failures for this login name, existing or not


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: UserView | None = None
    locked_until: datetime | None = None


def authenticate(engine: Engine, login: str, password: str, *, now: datetime | None = None) -> LoginResult:
    """Check a login; five failures in a row lock that login name for 15 minutes."""
    now = now or utcnow()
    key = normalise_login(login)[:120]
    with read_session(engine) as session:
        throttle = session.get(LoginThrottle, key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            _verify(None, password)  # same work as a real check, so timing says nothing
            return LoginResult(LoginOutcome.LOCKED, locked_until=throttle.locked_until)
        user = session.scalar(select(User).where(User.login == key))
        ok = _verify(user.password_hash if user else None, password)

    def record() -> LoginResult:
        with write_session(engine) as session:
            row = session.get(LoginThrottle, key)
            if ok:
                if row is not None:
                    session.delete(row)
                assert user is not None
                if _hasher.check_needs_rehash(user.password_hash or ""):
                    session.execute(update(User).where(User.id == user.id)
                                    .values(password_hash=_hasher.hash(password)))
                return LoginResult(LoginOutcome.OK, user=_view(user))
            if row is None:
                row = LoginThrottle(login=key, failures=0)
                session.add(row)
            if row.locked_until and row.locked_until <= now:
                row.failures = 0
                row.locked_until = None
            row.failures += 1
            row.last_failure_at = now
            if row.failures >= MAX_FAILURES:
                row.locked_until = now + LOCKOUT
                return LoginResult(LoginOutcome.LOCKED, locked_until=row.locked_until)
            return LoginResult(LoginOutcome.INVALID)

    return with_retry(record)


def change_password(engine: Engine, user_id: int, old_password: str, new_password: str) -> None:
    """Change a password after checking the old one; every login session of the user is revoked."""
    new_hash = hash_password(new_password)
    with write_session(engine) as session:
        user = session.get(User, user_id)
        if user is None or not _verify(user.password_hash, old_password):
            raise AccountError("wrong_password")
        user.password_hash = new_hash
        user.password_changed_at = utcnow()
        session.execute(update(LoginSession).where(LoginSession.user_id == user_id,
                                                   LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


# --- login sessions ------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(engine: Engine, user_id: int, *, now: datetime | None = None) -> str:
    """A new login session; returns the random token for the cookie (only its hash is stored)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with write_session(engine) as session:
        session.add(LoginSession(id=_digest(token), user_id=user_id, created_at=now,
                                 expires_at=now + SESSION_LIFETIME))
    return token


def resolve_login_session(engine: Engine, token: str | None, *, now: datetime | None = None) -> UserView | None:
    """The user of a live login session, or None for a missing, unknown, expired or revoked token."""
    if not token:
        return None
    now = now or utcnow()
    with read_session(engine) as session:
        row = session.get(LoginSession, _digest(token))
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        user = session.get(User, row.user_id)
        return _view(user) if user else None


def revoke_login_session(engine: Engine, token: str) -> None:
    """Log out: the token stops working on every device and replica at once."""
    with write_session(engine) as session:
        session.execute(update(LoginSession).where(LoginSession.id == _digest(token),
                                                   LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def sign_cookie(token: str, secret: str) -> str:
    """`token.signature`: the cookie value; a tampered or foreign cookie fails `unsign_cookie`."""
    signature = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return f"{token}.{signature}"


def unsign_cookie(value: str | None, secret: str) -> str | None:
    if not value or "." not in value:
        return None
    token, _, signature = value.rpartition(".")
    expected = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return token if hmac.compare_digest(signature, expected) else None


def _ticket_session_token(secret: str, ticket: str) -> str:
    """The login-session token a ticket hands to the browser, derived from the ticket with the cookie key.

    Only hashes of tokens and tickets are stored, so this is how `/auth/complete` finds the session the page
    already started: the cookie then carries that session, not a second one. A ticket alone (say from a
    logged URL) gives no session token without the key.
    """
    return hmac.new(secret.encode(), b"netral-login-session:" + ticket.encode(), hashlib.sha256).hexdigest()


def _new_ticket(user_id: int, ticket: str, browser: str | None, now: datetime) -> LoginTicket:
    return LoginTicket(token_hash=_digest(ticket), user_id=user_id, created_at=now,
                       expires_at=now + TICKET_LIFETIME, browser_binding=_digest(browser) if browser else None)


def start_login(engine: Engine, user_id: int, *, browser: str | None = None,
                now: datetime | None = None) -> tuple[str, str]:
    """One login: its login session, and the one-time ticket with which the browser's cookie gets that same
    session at `/auth/complete` (see `issue_login_ticket` for `browser`). Returns (session token, ticket);
    the page keeps the token for its own session, the browser takes the ticket to the route."""
    now = now or utcnow()
    ticket = secrets.token_urlsafe(32)
    token = _ticket_session_token(cookie_secret(engine), ticket)
    with write_session(engine) as session:
        session.add(LoginSession(id=_digest(token), user_id=user_id, created_at=now,
                                 expires_at=now + SESSION_LIFETIME))
        session.add(_new_ticket(user_id, ticket, browser, now))
    return token, ticket


def issue_login_ticket(engine: Engine, user_id: int, *, browser: str | None = None,
                       now: datetime | None = None) -> str:
    """A one-time ticket, valid for two minutes, that `/auth/complete` trades for a login cookie; a ticket
    issued alone starts its login session when redeemed (`start_login` starts it at once).

    `browser` is a value only the requesting browser holds (its XSRF cookie); when given, the ticket is
    redeemable only by a request carrying the same value.
    """
    now = now or utcnow()
    ticket = secrets.token_urlsafe(32)
    with write_session(engine) as session:
        session.add(_new_ticket(user_id, ticket, browser, now))
    return ticket


def redeem_login_ticket(engine: Engine, ticket: str | None, *, browser: str | None = None,
                        now: datetime | None = None) -> str | None:
    """Spend a ticket; returns the token of its login session for the cookie, or None for a bad ticket
    (unknown, used, expired, or issued to another browser) or a login ended before the browser came.

    The session is the one `start_login` began with the ticket, or for a ticket issued alone a new one.
    The ticket is marked used in the same transaction that checks it, so two tabs redeeming one ticket
    get one session, not two.
    """
    if not ticket:
        return None
    now = now or utcnow()
    token = _ticket_session_token(cookie_secret(engine), ticket)
    with write_session(engine) as session:
        row = session.get(LoginTicket, _digest(ticket))
        if row is None or row.used_at is not None or row.expires_at <= now:
            return None
        if row.browser_binding is not None and not hmac.compare_digest(row.browser_binding,
                                                                       _digest(browser or "")):
            return None
        row.used_at = now
        login = session.get(LoginSession, _digest(token))
        if login is None:
            session.add(LoginSession(id=_digest(token), user_id=row.user_id, created_at=now,
                                     expires_at=now + SESSION_LIFETIME))
        elif login.user_id != row.user_id or login.revoked_at is not None or login.expires_at <= now:
            return None  # logged out (or expired) in the page before the browser came for its cookie
    return token


_stored_secrets: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_stored_secrets_lock = threading.Lock()


def cookie_secret(engine: Engine) -> str:
    """The key that signs login cookies: `NETRAL_COOKIE_SECRET` if set, else one generated once and kept
    in the database, so every replica sharing the database signs and checks with the same key.

    The stored key never changes once written, so it is read from the database once per engine (that is,
    once per process and database) and then kept in memory: a page run that checks a login cookie costs
    no query for it. The environment is read on every call, so setting the variable takes effect at once.
    """
    configured = os.environ.get(COOKIE_SECRET_ENV, "").strip()
    if configured:
        return configured
    with _stored_secrets_lock:
        known = _stored_secrets.get(engine)
    if known is not None:
        return known
    stored = _stored_cookie_secret(engine)
    with _stored_secrets_lock:
        _stored_secrets[engine] = stored
    return stored


def forget_cookie_secrets() -> None:
    """Drop the cookie keys kept in memory (for tests that replace a database's stored key)."""
    with _stored_secrets_lock:
        _stored_secrets.clear()


def _stored_cookie_secret(engine: Engine) -> str:
    with read_session(engine) as session:
        row = session.get(Setting, "cookie_secret")
        if row is not None:
            return str(row.value)
    try:
        with write_session(engine) as session:
            session.add(Setting(key="cookie_secret", value=secrets.token_hex(32)))
    except IntegrityError:
        pass  # another replica stored one first: use theirs
    with read_session(engine) as session:
        row = session.get(Setting, "cookie_secret")
        assert row is not None
        return str(row.value)


def find_user_for_single_sign_on(engine: Engine, *, email: str | None, nip: str | None) -> UserView | None:
    """The account an identity provider's user maps to: by NIP first (it is unique and stable), then email."""
    with read_session(engine) as session:
        if nip:
            user = session.scalar(select(User).where(User.nip == nip))
            if user is not None:
                return _view(user)
        if email:
            user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
            if user is not None:
                return _view(user)
    return None


def get_user(engine: Engine, user_id: int) -> UserView | None:
    with read_session(engine) as session:
        user = session.get(User, user_id)
        return _view(user) if user else None


def list_staff(engine: Engine) -> list[UserView]:
    """Trainers, HR administrators and administrators, by name (for assigning trainers to sessions)."""
    with read_session(engine) as session:
        rows = session.scalars(select(User).where(User.role != Role.TRAINEE.value).order_by(User.name, User.id))
        return [_view(row) for row in rows]


@dataclass(frozen=True)
class AuditView:
    at: datetime
    actor: str | None
    action: str
    target: str
    details: dict[str, object]


def recent_audit(engine: Engine, *, limit: int = 100) -> list[AuditView]:
    """The newest administrative actions (never a password or token: `audit` stores none)."""
    with read_session(engine) as session:
        rows = session.execute(select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
                               .order_by(AuditEntry.id.desc()).limit(limit)).all()
        return [AuditView(entry.at, name, entry.action, entry.target, dict(entry.details)) for entry, name in rows]


def set_language(engine: Engine, user_id: int, language: str) -> None:
    """Remember the user's language, so the switch persists across devices and logins."""
    with write_session(engine) as session:
        session.execute(update(User).where(User.id == user_id).values(language=language))


# --- the first administrator ---------------------------------------------------------------------------


def has_admin(engine: Engine) -> bool:
    with read_session(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)))


def issue_setup_token(engine: Engine) -> str | None:
    """On a database with no administrator, a fresh one-time token to create one (older ones stop working)."""
    if has_admin(engine):
        return None
    token = secrets.token_urlsafe(24)
    with write_session(engine) as session:
        session.execute(update(SetupToken).where(SetupToken.used_at.is_(None)).values(used_at=utcnow()))
        session.add(SetupToken(token_hash=_digest(token)))
    return token


def create_first_admin(engine: Engine, token: str, *, login: str, name: str, password: str,
                       email: str | None = None) -> UserView:
    """Create the first administrator with a valid unused setup token; the token is then spent."""
    password_hash = hash_password(password)
    with write_session(engine) as session:
        row = session.get(SetupToken, _digest(token or ""))
        if row is None or row.used_at is not None:
            raise AccountError("setup_token_invalid")
        if session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)):
            raise AccountError("setup_token_invalid")
        if session.scalar(select(func.count()).select_from(User).where(User.login == normalise_login(login))):
            raise AccountError("already_registered")
        row.used_at = utcnow()
        user = User(login=normalise_login(login), name=name.strip(), email=email, role=Role.ADMIN.value,
                    password_hash=password_hash, unit="", position="", language="id",
                    password_changed_at=utcnow())
        session.add(user)
        session.flush()
        audit(session, user.id, "admin.setup", f"user:{user.id}")
        return _view(user)
