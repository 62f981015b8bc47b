"""SIASN course history ("riwayat kursus") of a training session: one row per trainee who passed it.

SIASN keeps a completed course as `namaKursus`, `jenisKursusNama` / `jenisDiklatId`,
`institusiPenyelenggara`, `jumlahJam`, `noSertipikat`, `tahunKursus`, `tanggalKursus` and
`tanggalSelesaiKursus`, keyed by the employee's NIP (shared/reference/hr-formats.md 1.2). This module gives
those fields for a session, for HR to enter or upload into SIASN, and writes them as an XLSX whose NIP is
text (an 18-digit NIP in a number cell loses its last digits) and whose dates are text in SIASN's
``dd-mm-yyyy`` (the form of SIASN exports, 1.1, and of the `kursus/save` payloads seen in public clients).

Who is listed: a trainee *passed* the session when every quiz of the session has a passed, finished
attempt in it (the completion report's definition, netral/store/reports.py). Per quiz the first passed
attempt counts (when the requirement was first met); the latest of those completes the training, and its
certificate is the one listed. When that attempt has no certificate yet it is issued now
(`issue_certificate`, the same the trainee's certificate page does), so every row has a number; its
frozen facts give the start and end dates, so the SIASN record matches the PDF the trainee uploads as
evidence. The year is the end date's.

Course name, organiser and JP come from the session (`training_sessions.name`, `.organiser`,
`.jp_hours`), NIP and name from the account. `siasn_warnings` names what HR should fill in first.
`siasn_count` gives how many rows there would be (and how many lack a NIP) in one SQL query, for a page
that shows the count on every run and builds the rows only when the file is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, case, distinct, func, or_, select

from netral.content import Content
from netral.export import table_to_xlsx
from netral.i18n import t
from netral.store.accounts import UserView
from netral.store.certificates import issue_certificate
from netral.store.db import read_session
from netral.store.schema import FINISHED_STATUSES, Attempt, Certificate, TrainingSession, User
from netral.store.trainings import TrainingError, TrainingView, _view as _training_view
from netral.store.trainings import visible_sessions_query

SIASN_DATE_FORMAT = "%d-%m-%Y"
DEFAULT_COURSE_TYPE = "Kursus"
"""The `jenisKursusNama` written when the caller names none. SIASN's list of course types and their
`jenisDiklatId` codes were not confirmed from a primary source (hr-formats.md marks them unverified), so the
page should let HR pick the label their SIASN form shows."""

COLUMNS = (
    "siasn.col.nip", "siasn.col.name", "siasn.col.course_name", "siasn.col.course_type", "siasn.col.organiser",
    "siasn.col.hours", "siasn.col.certificate_number", "siasn.col.year", "siasn.col.start_date",
    "siasn.col.end_date",
)
"""The i18n keys of the column headers, in order."""

SIASN_FIELDS = (
    "nipBaru", "nama", "namaKursus", "jenisKursusNama", "institusiPenyelenggara", "jumlahJam", "noSertipikat",
    "tahunKursus", "tanggalKursus", "tanggalSelesaiKursus",
)
"""The SIASN field each column fills, in the same order (for `siasn_xlsx(..., field_names=True)`)."""

_TEXT_COLUMNS = ("siasn.col.nip", "siasn.col.certificate_number", "siasn.col.start_date", "siasn.col.end_date")


@dataclass(frozen=True)
class SiasnRow:
    user_id: int
    attempt_id: int
    nip: str | None
    name: str
    course_name: str
    course_type: str
    organiser: str
    hours: int | None
    certificate_number: str
    year: int
    start_date: date
    end_date: date

    def cells(self) -> tuple[object, ...]:
        """The row as written, in `COLUMNS` order: dates as ``dd-mm-yyyy`` text, NIP as text."""
        return (self.nip or "", self.name, self.course_name, self.course_type, self.organiser, self.hours,
                self.certificate_number, self.year, format_siasn_date(self.start_date),
                format_siasn_date(self.end_date))


def format_siasn_date(day: date) -> str:
    """``dd-mm-yyyy``, as SIASN writes and reads its dates: 2 March 2026 is ``02-03-2026``."""
    return day.strftime(SIASN_DATE_FORMAT)


def _completing_attempts(passed: Sequence[tuple[int, int, str]], quiz_ids: Sequence[str]) -> dict[int, int]:
    """user id -> the attempt that completed the training, for users who passed every quiz.

    `passed` is (user_id, attempt_id, quiz_id) in order of submission, so the first row per user and quiz is
    the first pass, and the last first pass completes the training.
    """
    quizzes: dict[int, set[str]] = {}
    last_first_pass: dict[int, int] = {}
    for user_id, attempt_id, quiz_id in passed:
        seen = quizzes.setdefault(user_id, set())
        if quiz_id not in seen:
            seen.add(quiz_id)
            last_first_pass[user_id] = attempt_id
    needed = set(quiz_ids)
    return {user_id: attempt_id for user_id, attempt_id in last_first_pass.items() if quizzes[user_id] >= needed}


def siasn_rows(engine: Engine, content: Content, viewer: UserView, training_id: int, *,
               course_type: str = DEFAULT_COURSE_TYPE, issue_missing: bool = True) -> list[SiasnRow]:
    """The SIASN course-history rows of a session the viewer may see, sorted by name then NIP.

    Raises `TrainingError("not_found")` for a session the viewer may not see (or that does not exist).
    With `issue_missing`, a completing attempt without a certificate gets one now; without it, such a
    trainee is listed with an empty number and the session's dates.
    """
    with read_session(engine) as session:
        training_row = session.scalar(visible_sessions_query(viewer).where(TrainingSession.id == training_id))
        if training_row is None:
            raise TrainingError("not_found")
        training = _training_view(training_row)
        passed = session.execute(
            select(Attempt.user_id, Attempt.id, Attempt.quiz_id)
            .where(Attempt.session_id == training.id, Attempt.quiz_id.in_(list(training.quiz_ids)),
                   Attempt.passed.is_(True), Attempt.status.in_(FINISHED_STATUSES))
            .order_by(Attempt.user_id, Attempt.submitted_at, Attempt.id)).all()
        completing = _completing_attempts(passed, training.quiz_ids)
        if not completing:
            return []
        attempt_ids = sorted(completing.values())
        certificates = {row.attempt_id: row for row in session.scalars(
            select(Certificate).where(Certificate.attempt_id.in_(attempt_ids)))}
        people = {row.id: row for row in session.scalars(select(User).where(User.id.in_(list(completing))))}
        submitted = dict(session.execute(select(Attempt.id, Attempt.submitted_at)
                                         .where(Attempt.id.in_(attempt_ids))).all())

    rows = []
    for user_id, attempt_id in completing.items():
        person = people[user_id]
        certificate = certificates.get(attempt_id)
        if certificate is not None:
            number, details = certificate.number, dict(certificate.details)
        elif issue_missing:
            issued = issue_certificate(engine, content, user_id, attempt_id)
            number, details = issued.number, dict(issued.details)
        else:
            finished = submitted.get(attempt_id)
            number, details = "", {"start_date": training.opens_at.date().isoformat(),
                                   "end_date": (finished or training.closes_at).date().isoformat()}
        start = date.fromisoformat(str(details["start_date"]))
        end = date.fromisoformat(str(details.get("end_date") or details["start_date"]))
        rows.append(SiasnRow(user_id=user_id, attempt_id=attempt_id, nip=person.nip, name=person.name,
                             course_name=training.name, course_type=course_type, organiser=training.organiser,
                             hours=training.jp_hours, certificate_number=number, year=end.year,
                             start_date=start, end_date=end))
    rows.sort(key=lambda r: (r.name.casefold(), r.nip or "", r.user_id))
    return rows


@dataclass(frozen=True)
class SiasnCount:
    """How many SIASN rows a session has (`trainees`) and how many of them have no NIP."""

    trainees: int
    without_nip: int


def siasn_count(engine: Engine, viewer: UserView, training_id: int) -> SiasnCount:
    """The number of rows `siasn_rows` gives for the session (and of those without a NIP), counted in SQL:
    trainees with a passed, finished attempt in the session at every quiz of the session.

    Raises `TrainingError("not_found")` for a session the viewer may not see (or that does not exist).
    """
    with read_session(engine) as session:
        training_row = session.scalar(visible_sessions_query(viewer).where(TrainingSession.id == training_id))
        if training_row is None:
            raise TrainingError("not_found")
        quiz_ids = sorted(set(_training_view(training_row).quiz_ids))
        completed = (
            select(Attempt.user_id)
            .where(Attempt.session_id == training_row.id, Attempt.quiz_id.in_(quiz_ids),
                   Attempt.passed.is_(True), Attempt.status.in_(FINISHED_STATUSES))
            .group_by(Attempt.user_id)
            .having(func.count(distinct(Attempt.quiz_id)) == len(quiz_ids))
        ).subquery()
        no_nip = or_(User.nip.is_(None), User.nip == "")
        trainees, without_nip = session.execute(
            select(func.count(), func.coalesce(func.sum(case((no_nip, 1), else_=0)), 0))
            .select_from(completed).join(User, User.id == completed.c.user_id)).one()
    return SiasnCount(trainees=int(trainees), without_nip=int(without_nip))


def siasn_warnings(training: TrainingView,
                   rows: Sequence[SiasnRow] | SiasnCount) -> list[tuple[str, dict[str, object]]]:
    """What HR should fix before entering the rows into SIASN, as (i18n key, values) pairs; `rows` may be
    the rows or their `siasn_count`."""
    warnings: list[tuple[str, dict[str, object]]] = []
    if training.jp_hours is None:
        warnings.append(("siasn.warn.no_jp", {}))
    if not training.organiser.strip():
        warnings.append(("siasn.warn.no_organiser", {}))
    without_nip = rows.without_nip if isinstance(rows, SiasnCount) else sum(1 for row in rows if not row.nip)
    if without_nip:
        warnings.append(("siasn.warn.no_nip", {"count": without_nip}))
    return warnings


def siasn_headers(lang: str, *, field_names: bool = False) -> list[str]:
    """The column headers: translated labels, or SIASN's own field names with `field_names`."""
    return list(SIASN_FIELDS) if field_names else [t(lang, key) for key in COLUMNS]


def siasn_xlsx(rows: Sequence[SiasnRow], lang: str, *, field_names: bool = False) -> bytes:
    """An XLSX of `rows` (one sheet) with NIP, certificate number and dates as text cells.

    Pure: build the rows with `siasn_rows` first (a page showing only their count uses `siasn_count`).
    """
    headers = siasn_headers(lang, field_names=field_names)
    text_columns = [headers[COLUMNS.index(key)] for key in _TEXT_COLUMNS]
    return table_to_xlsx({t(lang, "siasn.sheet"): (headers, [row.cells() for row in rows])},
                         text_columns=text_columns)
