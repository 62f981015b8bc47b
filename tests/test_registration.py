"""Registration, join codes and roster claims: every refusal is specific, and nothing is half-written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.store.accounts import LoginOutcome, Role, authenticate, create_user
from netral.store.registration import (
    RegistrationError,
    claim_account,
    register_trainee,
    registration_open,
    set_registration_open,
)
from netral.store.schema import Enrolment, User, utcnow
from netral.store.trainings import create_training, enrol

NIP = "199001012015031001"
OTHER_NIP = "199202022016041002"
TODAY = date(2026, 11, 28)


@pytest.fixture
def hr(engine: Engine):  # type: ignore[no-untyped-def]
    return create_user(engine, login="hr", name="HR Banten", password="rahasia-123", role=Role.HR)


@pytest.fixture
def training(engine: Engine, content: Content, hr):  # type: ignore[no-untyped-def]
    return create_training(engine, content, hr, name="Orientasi CPNS", quiz_ids=["pretest-cpns"],
                           opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=7))


def users(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(User)) or 0


def test_register_creates_a_trainee_who_can_log_in(engine: Engine) -> None:
    outcome = register_trainee(engine, nip="19900101 201503 1 001", name="Siti", unit="BKD", position="Analis",
                               password="rahasia-123", today=TODAY)
    assert outcome.user.nip == NIP and outcome.user.role is Role.TRAINEE and outcome.training_name is None
    assert authenticate(engine, NIP, "rahasia-123").outcome is LoginOutcome.OK


@pytest.mark.parametrize("nip, kind", [("199013012015031001", "pns"), ("1.99001E+17", "pns"), ("12345", "pns"),
                                       ("200801012015031001", "pns")])
def test_register_refuses_a_bad_nip_and_explains_it(engine: Engine, nip: str, kind: str) -> None:
    with pytest.raises(RegistrationError) as refusal:
        register_trainee(engine, nip=nip, nip_kind=kind, name="X", unit="", position="", password="rahasia-123",
                         today=TODAY)
    assert refusal.value.code == "nip_invalid"
    assert refusal.value.nip_check is not None and refusal.value.nip_check.errors
    assert users(engine) == 0


def test_register_twice_and_weak_passwords_are_refused(engine: Engine) -> None:
    register_trainee(engine, nip=NIP, name="Siti", unit="", position="", password="rahasia-123", today=TODAY)
    with pytest.raises(RegistrationError, match="already_registered"):
        register_trainee(engine, nip=NIP, name="Siti", unit="", position="", password="rahasia-123", today=TODAY)
    with pytest.raises(RegistrationError) as short:
        register_trainee(engine, nip=OTHER_NIP, name="Budi", unit="", position="", password="pendek", today=TODAY)
    assert short.value.code == "password_too_short" and short.value.values == {"minimum": 8}
    with pytest.raises(RegistrationError, match="name_required"):
        register_trainee(engine, nip=OTHER_NIP, name="  ", unit="", position="", password="rahasia-123", today=TODAY)
    assert users(engine) == 1


def test_a_join_code_enrols_and_an_unknown_or_closed_code_is_refused(engine: Engine, content: Content, hr,  # type: ignore[no-untyped-def]
                                                                      training) -> None:
    outcome = register_trainee(engine, nip=NIP, name="Siti", unit="", position="", password="rahasia-123",
                               join_code=f" {training.join_code.lower()} ", today=TODAY)
    assert outcome.training_name == "Orientasi CPNS"
    with pytest.raises(RegistrationError, match="join_code_unknown"):
        register_trainee(engine, nip=OTHER_NIP, name="Budi", unit="", position="", password="rahasia-123",
                         join_code="ZZZZZZ", today=TODAY)
    closed = create_training(engine, content, hr, name="Lama", quiz_ids=["pretest-cpns"],
                             opens_at=utcnow() - timedelta(days=30), closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(RegistrationError, match="join_code_closed"):
        register_trainee(engine, nip=OTHER_NIP, name="Budi", unit="", position="", password="rahasia-123",
                         join_code=closed.join_code, today=TODAY)
    assert users(engine) == 2  # hr and Siti; the refused ones wrote nothing


def test_closed_registration_and_roster_claims(engine: Engine, content: Content, training) -> None:  # type: ignore[no-untyped-def]
    admin = create_user(engine, login="admin", name="Admin", password="rahasia-123", role=Role.ADMIN)
    trainee = create_user(engine, login="budi", name="Budi", password="rahasia-123")
    with pytest.raises(RegistrationError, match="forbidden"):
        set_registration_open(engine, trainee, False)
    set_registration_open(engine, admin, False)
    assert not registration_open(engine)
    with pytest.raises(RegistrationError, match="closed"):
        register_trainee(engine, nip=OTHER_NIP, name="X", unit="", position="", password="rahasia-123", today=TODAY)

    rostered = create_user(engine, login=NIP, nip=NIP, name="Siti", password=None)
    enrol(engine, rostered.id, training.id)
    with pytest.raises(RegistrationError, match="claim_instead"):
        register_trainee(engine, nip=NIP, name="Siti", unit="", position="", password="rahasia-123", today=TODAY)
    with pytest.raises(RegistrationError, match="claim_failed"):
        claim_account(engine, nip=NIP, join_code="WRONG1", password="rahasia-123", today=TODAY)
    with pytest.raises(RegistrationError, match="claim_failed"):  # the same answer for a NIP on no roster
        claim_account(engine, nip=OTHER_NIP, join_code=training.join_code, password="rahasia-123", today=TODAY)
    claimed = claim_account(engine, nip=NIP, join_code=training.join_code, password="rahasia-123", today=TODAY)
    assert claimed.id == rostered.id
    assert authenticate(engine, NIP, "rahasia-123").outcome is LoginOutcome.OK
    with pytest.raises(RegistrationError, match="already_claimed"):
        claim_account(engine, nip=NIP, join_code=training.join_code, password="another-pass", today=TODAY)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_guessing_join_codes_runs_into_the_lockout(engine: Engine, training) -> None:  # type: ignore[no-untyped-def]
    rostered = create_user(engine, login=NIP, nip=NIP, name="Siti", password=None)
    enrol(engine, rostered.id, training.id)
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        with pytest.raises(RegistrationError, match="claim_failed"):
            claim_account(engine, nip=NIP, join_code=guess, password="rahasia-123", today=TODAY)
    with pytest.raises(RegistrationError, match="locked"):  # even the right code waits out the lock
        claim_account(engine, nip=NIP, join_code=training.join_code, password="rahasia-123", today=TODAY)
