"""Accounts: argon2 hashing, lockout that reveals nothing, login sessions, first-administrator set-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from netral.store.accounts import (
    LOCKOUT,
    AccountError,
    LoginOutcome,
    Role,
    authenticate,
    change_password,
    create_first_admin,
    create_user,
    has_admin,
    issue_setup_token,
    normalise_login,
    resolve_login_session,
    revoke_login_session,
    sign_cookie,
    start_login_session,
    unsign_cookie,
)
from netral.store.db import read_session
from netral.store.schema import AuditEntry, User, utcnow

NIP = "198609262015051001"
PASSWORD = "rahasia-netral-1"


def _trainee(engine: Engine, nip: str = NIP):
    return create_user(engine, login=nip, nip=nip, name="Siti Rahmawati", unit="Dinas Pendidikan",
                       position="Guru", password=PASSWORD)


def test_password_is_stored_as_argon2id_only(engine: Engine) -> None:
    user = _trainee(engine)
    with read_session(engine) as session:
        row = session.get(User, user.id)
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash
    assert not hasattr(user, "password_hash")


def test_login_accepts_the_nip_in_any_written_form(engine: Engine) -> None:
    _trainee(engine)
    for written in (NIP, "19860926 201505 1 001", "19860926.201505.1.001"):
        assert authenticate(engine, written, PASSWORD).outcome is LoginOutcome.OK
    assert normalise_login("  Admin ") == "admin"


def test_wrong_password_and_unknown_user_get_the_same_answer(engine: Engine) -> None:
    _trainee(engine)
    assert authenticate(engine, NIP, "salah-salah").outcome is LoginOutcome.INVALID
    assert authenticate(engine, "199001012015051001", "salah-salah").outcome is LoginOutcome.INVALID


@pytest.mark.parametrize("exists", [True, False])
def test_five_failures_lock_for_fifteen_minutes_whether_or_not_the_user_exists(engine: Engine, exists: bool) -> None:
    if exists:
        _trainee(engine)
    now = utcnow()
    outcomes = [authenticate(engine, NIP, "salah-salah", now=now).outcome for _ in range(5)]
    assert outcomes == [LoginOutcome.INVALID] * 4 + [LoginOutcome.LOCKED]
    # Locked: even the right password is refused, with the same message for both cases.
    assert authenticate(engine, NIP, PASSWORD, now=now + timedelta(minutes=14)).outcome is LoginOutcome.LOCKED
    after = authenticate(engine, NIP, PASSWORD, now=now + LOCKOUT + timedelta(seconds=1)).outcome
    assert after is (LoginOutcome.OK if exists else LoginOutcome.INVALID)


def test_success_resets_the_failure_count(engine: Engine) -> None:
    _trainee(engine)
    for _ in range(4):
        authenticate(engine, NIP, "salah-salah")
    assert authenticate(engine, NIP, PASSWORD).outcome is LoginOutcome.OK
    for _ in range(4):
        assert authenticate(engine, NIP, "salah-salah").outcome is LoginOutcome.INVALID


def test_duplicate_registration_is_refused(engine: Engine) -> None:
    _trainee(engine)
    with pytest.raises(AccountError) as error:
        _trainee(engine)
    assert error.value.code == "already_registered"


def test_short_password_is_refused(engine: Engine) -> None:
    with pytest.raises(AccountError) as error:
        create_user(engine, login=NIP, nip=NIP, name="A", password="pendek")
    assert error.value.code == "password_too_short"


def test_login_sessions_expire_and_are_revoked_by_logout_and_password_change(engine: Engine) -> None:
    user = _trainee(engine)
    token = start_login_session(engine, user.id)
    assert resolve_login_session(engine, token).id == user.id
    assert resolve_login_session(engine, token, now=utcnow() + timedelta(days=15)) is None
    assert resolve_login_session(engine, "bukan-token") is None
    revoke_login_session(engine, token)
    assert resolve_login_session(engine, token) is None

    other = start_login_session(engine, user.id)
    change_password(engine, user.id, PASSWORD, "kata-sandi-baru-2")
    assert resolve_login_session(engine, other) is None
    assert authenticate(engine, NIP, "kata-sandi-baru-2").outcome is LoginOutcome.OK
    with pytest.raises(AccountError):
        change_password(engine, user.id, "salah-salah", "kata-sandi-baru-3")


def test_only_the_token_hash_is_stored(engine: Engine) -> None:
    from netral.store.schema import LoginSession

    user = _trainee(engine)
    token = start_login_session(engine, user.id)
    with read_session(engine) as session:
        ids = list(session.scalars(select(LoginSession.id)))
    assert ids and token not in ids


def test_cookie_signature() -> None:
    value = sign_cookie("abc", "secret")
    assert unsign_cookie(value, "secret") == "abc"
    assert unsign_cookie(value, "other-secret") is None
    assert unsign_cookie("abc.deadbeef", "secret") is None
    assert unsign_cookie(None, "secret") is None


def test_first_administrator_needs_the_one_time_token(engine: Engine) -> None:
    assert not has_admin(engine)
    old = issue_setup_token(engine)
    token = issue_setup_token(engine)  # a restart issues a new token; the old one stops working
    with pytest.raises(AccountError):
        create_first_admin(engine, old, login="admin", name="Admin BKPSDM", password="admin-kuat-123")
    with pytest.raises(AccountError):
        create_first_admin(engine, "tebakan", login="admin", name="Admin BKPSDM", password="admin-kuat-123")
    admin = create_first_admin(engine, token, login="admin", name="Admin BKPSDM", password="admin-kuat-123")
    assert admin.role is Role.ADMIN and has_admin(engine)
    with pytest.raises(AccountError):  # spent
        create_first_admin(engine, token, login="admin2", name="X", password="admin-kuat-123")
    assert issue_setup_token(engine) is None  # no token once an administrator exists
    with read_session(engine) as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "admin.setup" in actions
