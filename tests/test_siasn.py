"""SIASN course history (netral/store/siasn.py): one row per trainee who passed, certificate numbers, text
NIPs and dd-mm-yyyy dates, only for sessions the viewer may see."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.i18n import t
from netral.store.accounts import Role, UserView, create_user
from netral.store.certificates import issue_certificate
from netral.store.db import write_session
from netral.store.schema import Attempt, Certificate
from netral.store.siasn import (
    COLUMNS,
    SIASN_FIELDS,
    format_siasn_date,
    siasn_rows,
    siasn_warnings,
    siasn_xlsx,
)
from netral.store.trainings import TrainingError, create_training, get_training

OPENS = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)   # 08:00 WIB
CLOSES = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NIP_ANA = "198609262015051001"
NIP_BUDI = "198703142010011002"
NIP_CITRA = "199001012015032003"


def _staff(engine: Engine, login: str, role: Role) -> UserView:
    return create_user(engine, login=login, name=login.title(), password=None, role=role)


def _trainee(engine: Engine, nip: str | None, name: str, login: str | None = None) -> UserView:
    return create_user(engine, login=login or nip or name.lower(), nip=nip, name=name, unit="Dinas Pendidikan",
                       password=None)


def _attempt(engine: Engine, user_id: int, session_id: int | None, quiz_id: str, *, submitted: datetime,
             passed: bool, status: str = "submitted") -> int:
    with write_session(engine) as session:
        attempt = Attempt(user_id=user_id, quiz_id=quiz_id, session_id=session_id, seed=1,
                          plan={"scenario_ids": [], "option_orders": {}}, status=status,
                          started_at=submitted - timedelta(minutes=20), deadline_at=submitted + timedelta(minutes=10),
                          submitted_at=submitted, pass_mark=0.6, score=0.8 if passed else 0.4, passed=passed)
        session.add(attempt)
        session.flush()
        return attempt.id


def _certificates(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Certificate)) or 0


@pytest.fixture
def cohort(engine: Engine, content: Content) -> dict:  # type: ignore[type-arg]
    hr = _staff(engine, "hr-serang", Role.HR)
    trainer = _staff(engine, "pelatih-serang", Role.TRAINER)
    training = create_training(engine, content, hr, name="Netralitas ASN Kota Serang 2026",
                               quiz_ids=["pretest-cpns"], opens_at=OPENS, closes_at=CLOSES,
                               organiser="BKPSDM Kota Serang", jp_hours=4, trainer_ids=(trainer.id,))
    ana = _trainee(engine, NIP_ANA, "Ana Suryani, S.E.")
    budi = _trainee(engine, NIP_BUDI, "Budi")
    citra = _trainee(engine, NIP_CITRA, "Citra")
    euis = _trainee(engine, "199205052019032005", "Euis")
    dedi = _trainee(engine, "198812122014021004", "Dedi")
    tanpa = _trainee(engine, None, "Zaenal Tanpa NIP", login="zaenal")
    # Ana failed once, then passed, then passed again: the first pass counts, and it already has a certificate.
    _attempt(engine, ana.id, training.id, "pretest-cpns", submitted=OPENS + DAY, passed=False)
    ana_pass = _attempt(engine, ana.id, training.id, "pretest-cpns", submitted=OPENS + 2 * DAY, passed=True)
    _attempt(engine, ana.id, training.id, "pretest-cpns", submitted=OPENS + 3 * DAY, passed=True)
    ana_certificate = issue_certificate(engine, content, ana.id, ana_pass)
    budi_pass = _attempt(engine, budi.id, training.id, "pretest-cpns", submitted=OPENS + 4 * DAY, passed=True)
    citra_pass = _attempt(engine, citra.id, training.id, "pretest-cpns", submitted=OPENS + 5 * DAY, passed=True,
                          status="late")
    _attempt(engine, euis.id, training.id, "pretest-cpns", submitted=OPENS + DAY, passed=False)
    _attempt(engine, dedi.id, None, "pretest-cpns", submitted=OPENS, passed=True)  # outside the session
    _attempt(engine, tanpa.id, training.id, "pretest-cpns", submitted=OPENS + 6 * DAY, passed=True)
    other = create_training(engine, content, _staff(engine, "hr-lebak", Role.HR), name="Lebak",
                            quiz_ids=["pretest-cpns"], opens_at=OPENS, closes_at=CLOSES)
    _attempt(engine, dedi.id, other.id, "pretest-cpns", submitted=OPENS, passed=True)
    return {"hr": hr, "trainer": trainer, "training": training, "other": other, "ana": ana, "budi": budi,
            "citra": citra, "ana_pass": ana_pass, "budi_pass": budi_pass, "citra_pass": citra_pass,
            "ana_certificate": ana_certificate}


def test_one_row_per_trainee_who_passed_with_the_session_facts(engine: Engine, content: Content, cohort) -> None:
    before = _certificates(engine)
    rows = siasn_rows(engine, content, cohort["hr"], cohort["training"].id)
    assert [r.name for r in rows] == ["Ana Suryani, S.E.", "Budi", "Citra", "Zaenal Tanpa NIP"]
    assert [r.nip for r in rows] == [NIP_ANA, NIP_BUDI, NIP_CITRA, None]
    ana, budi, citra, _ = rows
    assert ana.attempt_id == cohort["ana_pass"]  # the first pass, not the later one
    assert ana.certificate_number == cohort["ana_certificate"].number
    assert {r.course_name for r in rows} == {"Netralitas ASN Kota Serang 2026"}
    assert {r.organiser for r in rows} == {"BKPSDM Kota Serang"}
    assert {r.hours for r in rows} == {4}
    assert {r.course_type for r in rows} == {"Kursus"}
    assert (ana.start_date, ana.end_date, ana.year) == (date(2026, 3, 2), date(2026, 3, 4), 2026)
    assert (citra.start_date, citra.end_date) == (date(2026, 3, 2), date(2026, 3, 7))  # late still passed
    # Budi, Citra and Zaenal had no certificate: issued now, numbered, and the same on the next export.
    assert _certificates(engine) == before + 3
    assert budi.certificate_number == f"NTRL/2026/{cohort['budi_pass']:06d}"
    again = siasn_rows(engine, content, cohort["hr"], cohort["training"].id, course_type="Pelatihan Teknis")
    assert [r.certificate_number for r in again] == [r.certificate_number for r in rows]
    assert {r.course_type for r in again} == {"Pelatihan Teknis"}
    assert _certificates(engine) == before + 3


def test_without_issuing_the_numbers_stay_empty(engine: Engine, content: Content, cohort) -> None:
    before = _certificates(engine)
    rows = siasn_rows(engine, content, cohort["hr"], cohort["training"].id, issue_missing=False)
    assert _certificates(engine) == before
    numbers = {r.name: r.certificate_number for r in rows}
    assert numbers["Ana Suryani, S.E."] == cohort["ana_certificate"].number and numbers["Budi"] == ""
    budi = next(r for r in rows if r.name == "Budi")
    assert (budi.start_date, budi.end_date) == (date(2026, 3, 2), date(2026, 3, 6))


def test_only_sessions_the_viewer_may_see(engine: Engine, content: Content, cohort) -> None:
    assert len(siasn_rows(engine, content, cohort["trainer"], cohort["training"].id)) == 4
    outsider_hr = _staff(engine, "hr-cilegon", Role.HR)
    for viewer in (outsider_hr, cohort["ana"]):
        with pytest.raises(TrainingError, match="not_found"):
            siasn_rows(engine, content, viewer, cohort["training"].id)
    with pytest.raises(TrainingError, match="not_found"):
        siasn_rows(engine, content, cohort["hr"], cohort["other"].id)
    admin = _staff(engine, "admin", Role.ADMIN)
    assert [r.name for r in siasn_rows(engine, content, admin, cohort["other"].id)] == ["Dedi"]


def test_every_quiz_of_the_session_must_be_passed(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    quizzes = sorted(content.quizzes)[:2]
    assert len(quizzes) == 2
    training = create_training(engine, content, hr, name="Dua kuis", quiz_ids=quizzes, opens_at=OPENS,
                               closes_at=CLOSES, organiser="BKPSDM", jp_hours=8)
    both = _trainee(engine, NIP_ANA, "Ana")
    one = _trainee(engine, NIP_BUDI, "Budi")
    _attempt(engine, both.id, training.id, quizzes[0], submitted=OPENS + 3 * DAY, passed=True)
    last = _attempt(engine, both.id, training.id, quizzes[1], submitted=OPENS + 5 * DAY, passed=True)
    _attempt(engine, one.id, training.id, quizzes[0], submitted=OPENS + DAY, passed=True)
    _attempt(engine, one.id, training.id, quizzes[1], submitted=OPENS + DAY, passed=False)
    rows = siasn_rows(engine, content, hr, training.id)
    assert [(r.name, r.attempt_id, r.end_date) for r in rows] == [("Ana", last, date(2026, 3, 7))]
    assert rows[0].certificate_number == f"NTRL/2026/{last:06d}"


def test_warnings_name_what_siasn_needs(engine: Engine, content: Content, cohort) -> None:
    rows = siasn_rows(engine, content, cohort["hr"], cohort["training"].id)
    assert siasn_warnings(cohort["training"], rows) == [("siasn.warn.no_nip", {"count": 1})]
    bare = create_training(engine, content, cohort["hr"], name="Tanpa JP", quiz_ids=["pretest-cpns"],
                           opens_at=OPENS, closes_at=CLOSES)
    view = get_training(engine, cohort["hr"], bare.id)
    assert [key for key, _ in siasn_warnings(view, [])] == ["siasn.warn.no_jp", "siasn.warn.no_organiser"]
    for key in ("siasn.warn.no_jp", "siasn.warn.no_organiser", "siasn.warn.no_nip"):
        assert t("id", key, count=1) != key and t("en", key, count=1) != key


@pytest.mark.parametrize("lang", ["id", "en"])
def test_xlsx_keeps_nip_as_text_and_dates_as_siasn_writes_them(engine: Engine, content: Content, cohort,
                                                               lang: str) -> None:
    rows = siasn_rows(engine, content, cohort["hr"], cohort["training"].id)
    book = openpyxl.load_workbook(io.BytesIO(siasn_xlsx(rows, lang)))
    sheet = book.worksheets[0]
    assert sheet.title == t(lang, "siasn.sheet")[:31]
    header = [cell.value for cell in sheet[1]]
    assert header == [t(lang, key) for key in COLUMNS]
    assert all(value != key for value, key in zip(header, COLUMNS))  # every header is translated
    first = {name: cell for name, cell in zip(COLUMNS, sheet[2])}
    assert first["siasn.col.nip"].value == NIP_ANA and first["siasn.col.nip"].data_type == "s"
    assert first["siasn.col.nip"].number_format == "@"
    assert first["siasn.col.start_date"].value == "02-03-2026" and first["siasn.col.start_date"].data_type == "s"
    assert first["siasn.col.end_date"].value == "04-03-2026" and first["siasn.col.end_date"].number_format == "@"
    assert first["siasn.col.hours"].value == 4 and first["siasn.col.year"].value == 2026
    assert first["siasn.col.certificate_number"].value == cohort["ana_certificate"].number
    assert sheet.max_row == 1 + len(rows)
    last = {name: cell.value for name, cell in zip(COLUMNS, sheet[sheet.max_row])}
    assert last["siasn.col.nip"] in ("", None) and last["siasn.col.name"] == "Zaenal Tanpa NIP"


def test_xlsx_with_siasn_field_names_and_no_rows() -> None:
    book = openpyxl.load_workbook(io.BytesIO(siasn_xlsx([], "id", field_names=True)))
    assert [cell.value for cell in book.worksheets[0][1]] == list(SIASN_FIELDS)
    assert book.worksheets[0].max_row == 1


def test_date_format() -> None:
    assert format_siasn_date(date(2026, 3, 2)) == "02-03-2026"
    assert format_siasn_date(date(2025, 12, 31)) == "31-12-2025"


def test_a_formula_in_a_session_name_is_neutralised(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    training = create_training(engine, content, hr, name="=HYPERLINK(\"http://evil.example\")",
                               quiz_ids=["pretest-cpns"], opens_at=OPENS, closes_at=CLOSES,
                               organiser="+62 BKPSDM", jp_hours=2)
    ana = _trainee(engine, NIP_ANA, "Ana")
    _attempt(engine, ana.id, training.id, "pretest-cpns", submitted=OPENS + DAY, passed=True)
    rows = siasn_rows(engine, content, hr, training.id)
    sheet = openpyxl.load_workbook(io.BytesIO(siasn_xlsx(rows, "id"))).worksheets[0]
    values = {name: cell.value for name, cell in zip(COLUMNS, sheet[2])}
    assert values["siasn.col.course_name"].startswith("'=") and values["siasn.col.organiser"].startswith("'+")
