"""Roster import: all or nothing, idempotent, matched by NIP, audited, and only into a session HR may manage."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.i18n import catalogue, t
from netral.roster import RosterPreview, parse_roster
from netral.store.accounts import Role, UserView, create_user
from netral.store.db import read_session
from netral.store.registration import claim_account
from netral.store.roster_import import ImportOutcome, RosterImportError, apply_roster
from netral.store.schema import AuditEntry, Enrolment, User
from netral.store.trainings import TrainingError, TrainingView, create_training, set_training_status

TODAY = date(2026, 2, 1)
SITI, BUDI, CITRA = "198609262015051001", "198703142010011002", "199001012015032003"
HEADER = "NIP;Nama;Unit Kerja;Jabatan;Email\n"
ROSTER = HEADER + (
    f"{SITI};Siti Aminah;Dinas Pendidikan Kota Serang;Guru Ahli Pertama;siti@serangkota.go.id\n"
    f"{BUDI};Budi Santoso;Dinas Kesehatan Kota Serang;Perawat Terampil;\n"
    f"{CITRA};Citra Lestari;Bappeda Kota Serang;Perencana;citra@serangkota.go.id\n")


def _preview(text: str) -> RosterPreview:
    return parse_roster(text.encode("utf-8"), "peserta.csv", TODAY)


def _staff(engine: Engine, login: str, role: Role) -> UserView:
    return create_user(engine, login=login, name=login.title(), password=None, role=role)


def _training(engine: Engine, content: Content, owner: UserView, trainers: tuple[int, ...] = ()) -> TrainingView:
    return create_training(engine, content, owner, name="Netralitas ASN Kota Serang", quiz_ids=["pretest-cpns"],
                           opens_at=datetime(2026, 1, 1, tzinfo=UTC), closes_at=datetime(2027, 1, 1, tzinfo=UTC),
                           trainer_ids=trainers)


def _snapshot(engine: Engine) -> tuple:  # type: ignore[type-arg]
    """Every row an import may touch, to prove that a refused or repeated import changed nothing."""
    with read_session(engine) as session:
        users = session.execute(select(User.id, User.login, User.nip, User.email, User.name, User.unit,
                                       User.position, User.role, User.password_hash).order_by(User.id)).all()
        enrolments = session.execute(select(Enrolment.session_id, Enrolment.user_id).order_by(Enrolment.id)).all()
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return users, enrolments, audits


def test_a_roster_creates_claimable_trainees_and_enrols_them(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    outcome = apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert outcome == ImportOutcome(created=3, updated=0, enrolled=3, unchanged=0)
    with read_session(engine) as session:
        siti = session.scalar(select(User).where(User.nip == SITI))
        assert (siti.login, siti.name, siti.unit, siti.position, siti.email, siti.role, siti.password_hash) == (
            SITI, "Siti Aminah", "Dinas Pendidikan Kota Serang", "Guru Ahli Pertama", "siti@serangkota.go.id",
            "trainee", None)
        assert session.scalar(select(User.email).where(User.nip == BUDI)) is None
        enrolled = set(session.scalars(select(Enrolment.user_id).where(Enrolment.session_id == training.id)))
        assert len(enrolled) == 3
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.import"))
        assert (entry.actor_id, entry.target) == (hr.id, f"training:{training.id}")
        assert entry.details == {"rows": 3, "created": 3, "updated": 0, "enrolled": 3, "unchanged": 0}
    # The person then claims the account with NIP + join code, as registration.claim_account expects.
    claimed = claim_account(engine, nip=SITI, join_code=training.join_code, password="rahasia-netral-1",
                            today=TODAY)
    assert claimed.nip == SITI and claimed.role is Role.TRAINEE


def test_importing_the_same_file_again_changes_nothing(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    apply_roster(engine, hr, training.id, _preview(ROSTER))
    before = _snapshot(engine)
    again = apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert again == ImportOutcome(created=0, updated=0, enrolled=0, unchanged=3)
    assert _snapshot(engine) == before


def test_a_known_nip_is_enrolled_and_only_changed_details_are_updated(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    first = _training(engine, content, hr)
    second = _training(engine, content, hr)
    apply_roster(engine, hr, first.id, _preview(ROSTER))
    moved = ROSTER.replace("Dinas Kesehatan Kota Serang;Perawat Terampil", "RSUD Kota Serang;Perawat Terampil")
    moved = moved.replace("Bappeda Kota Serang;Perencana", ";")  # empty cells never blank what is stored
    outcome = apply_roster(engine, hr, second.id, _preview(moved))
    assert outcome == ImportOutcome(created=0, updated=1, enrolled=3, unchanged=0)
    with read_session(engine) as session:
        assert session.scalar(select(User.unit).where(User.nip == BUDI)) == "RSUD Kota Serang"
        assert session.execute(select(User.unit, User.position).where(User.nip == CITRA)).one() == \
            ("Bappeda Kota Serang", "Perencana")
        assert session.scalar(select(func.count()).select_from(User).where(User.role == "trainee")) == 3
    # Back to the first session: Budi's unit changes back, the others were enrolled there already.
    assert apply_roster(engine, hr, first.id, _preview(ROSTER)) == ImportOutcome(0, 1, 0, 2)


def test_an_existing_account_keeps_its_password_and_role(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    known = create_user(engine, login=SITI, nip=SITI, name="Siti Aminah", password="kata-sandi-siti-1",
                        unit="Dinas Pendidikan Kota Serang", position="Guru Ahli Pertama",
                        email="siti@serangkota.go.id")
    outcome = apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert outcome == ImportOutcome(created=2, updated=0, enrolled=3, unchanged=0)
    with read_session(engine) as session:
        siti = session.get(User, known.id)
        assert siti.password_hash is not None and siti.role == "trainee"


def test_a_preview_with_any_problem_is_refused_whole(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    before = _snapshot(engine)
    broken = ROSTER + "1.98609E+17;Dewi;Inspektorat;Auditor;\n"
    with pytest.raises(RosterImportError) as refused:
        apply_roster(engine, hr, training.id, _preview(broken))
    assert refused.value.key == "roster_import.rows_with_problems"
    assert refused.value.values == {"count": 1, "lines": "5"}
    assert _snapshot(engine) == before
    with pytest.raises(RosterImportError) as empty:
        apply_roster(engine, hr, training.id, _preview("tidak ada tabel di sini\n"))
    assert empty.value.key == "roster_import.file_problems"
    assert _snapshot(engine) == before


def test_an_email_of_another_account_refuses_everything_and_names_the_line(engine: Engine,
                                                                          content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    create_user(engine, login="198001012005011006", nip="198001012005011006", name="Orang Lain", password=None,
                email="Citra@SerangKota.go.id")
    before = _snapshot(engine)
    with pytest.raises(RosterImportError) as refused:
        apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert refused.value.key == "roster_import.email_taken"
    assert refused.value.values == {"line": 4, "email": "citra@serangkota.go.id"}
    assert _snapshot(engine) == before  # Siti and Budi (lines 2-3) were not created either
    for lang in ("id", "en"):
        assert "4" in t(lang, refused.value.key, **refused.value.values)


def test_a_staff_login_equal_to_a_new_nip_is_refused(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    create_user(engine, login=BUDI, name="Akun staf", password=None, role=Role.TRAINER)  # login only, no NIP
    before = _snapshot(engine)
    with pytest.raises(RosterImportError) as refused:
        apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert (refused.value.key, refused.value.values["line"]) == ("roster_import.login_taken", 3)
    assert _snapshot(engine) == before


def test_role_gates(engine: Engine, content: Content) -> None:
    owner = _staff(engine, "hr-serang", Role.HR)
    trainer = _staff(engine, "pelatih", Role.TRAINER)
    training = _training(engine, content, owner, trainers=(trainer.id,))
    other_hr = _staff(engine, "hr-lebak", Role.HR)
    trainee = create_user(engine, login="198812122014021004", nip="198812122014021004", name="Dedi",
                          password=None)
    before = _snapshot(engine)
    for outsider in (trainer, other_hr, trainee):  # the assigned trainer sees the session but manages no roster
        with pytest.raises(TrainingError) as refused:
            apply_roster(engine, outsider, training.id, _preview(ROSTER))
        assert refused.value.code == "not_found"
    assert _snapshot(engine) == before
    admin = _staff(engine, "admin", Role.ADMIN)
    assert apply_roster(engine, admin, training.id, _preview(ROSTER)).created == 3


def test_an_archived_session_takes_no_roster(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = _training(engine, content, hr)
    set_training_status(engine, hr, training.id, "archived")
    before = _snapshot(engine)
    with pytest.raises(RosterImportError) as refused:
        apply_roster(engine, hr, training.id, _preview(ROSTER))
    assert refused.value.code == "session_archived" and _snapshot(engine) == before


def test_every_refusal_has_a_message_in_both_languages() -> None:
    codes = ("file_problems", "rows_with_problems", "no_rows", "session_archived", "email_taken", "login_taken",
             "conflict", "done")
    for lang in ("id", "en"):
        assert all(f"roster_import.{code}" in catalogue(lang) for code in codes)
