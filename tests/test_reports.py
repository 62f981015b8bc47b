"""The completion report: per person and per unit, counted in SQL, only for sessions the viewer may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from netral.content import Content
from netral.i18n import catalogue
from netral.store.accounts import Role, UserView, create_user
from netral.store.db import write_session
from netral.store.reports import PEOPLE_COLUMNS, UNIT_COLUMNS, completion_report
from netral.store.schema import Answer, Attempt
from netral.store.summaries import refresh_progress
from netral.store.trainings import TrainingError, create_training, enrol, set_training_status

OPENS = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 20, 17, 0, tzinfo=UTC)
DURING = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)


def _staff(engine: Engine, login: str, role: Role) -> UserView:
    return create_user(engine, login=login, name=login.title(), password=None, role=role)


def _trainee(engine: Engine, nip: str, name: str, unit: str) -> UserView:
    return create_user(engine, login=nip, nip=nip, name=name, unit=unit, position="Analis", password=None)


def _attempt(engine: Engine, user_id: int, session_id: int | None, quiz_id: str, *, started: datetime,
             status: str = "submitted", score: float | None = None, passed: bool | None = None,
             answered: datetime | None = None) -> int:
    with write_session(engine) as session:
        attempt = Attempt(user_id=user_id, quiz_id=quiz_id, session_id=session_id, seed=1,
                          plan={"scenario_ids": [], "option_orders": {}}, status=status, started_at=started,
                          deadline_at=started + timedelta(minutes=30), pass_mark=0.6,
                          submitted_at=started + timedelta(minutes=20) if status != "in_progress" else None,
                          score=score, passed=passed)
        session.add(attempt)
        session.flush()
        if answered is not None:
            session.add(Answer(attempt_id=attempt.id, scenario_id="media-sosial-01", choice={"verdict": ["ya"]},
                               answered_at=answered))
        session.flush()
        if session_id is not None:  # as the store's start and submit do
            refresh_progress(session, session_id, user_id, quiz_id, None)
        return attempt.id


@pytest.fixture
def cohort(engine: Engine, content: Content) -> dict:  # type: ignore[type-arg]
    """Five trainees in two units, in every state a report must tell apart (numbers worked out by hand)."""
    hr = _staff(engine, "hr-serang", Role.HR)
    trainer = _staff(engine, "pelatih-serang", Role.TRAINER)
    training = create_training(engine, content, hr, name="Netralitas Kota Serang", quiz_ids=["pretest-cpns"],
                               opens_at=OPENS, closes_at=CLOSES, trainer_ids=(trainer.id,))
    ana = _trainee(engine, "198609262015051001", "Ana", "Dinas Pendidikan")
    budi = _trainee(engine, "198703142010011002", "Budi", "Dinas Pendidikan")
    citra = _trainee(engine, "199001012015032003", "Citra", "Dinas Kesehatan")
    dedi = _trainee(engine, "198812122014021004", "Dedi", "Dinas Kesehatan")
    euis = _trainee(engine, "199205052019032005", "Euis", "Dinas Kesehatan")
    for person in (ana, budi, citra, dedi, euis):
        enrol(engine, person.id, training.id)
    day = timedelta(days=1)
    _attempt(engine, ana.id, training.id, "pretest-cpns", started=OPENS + day, score=0.5, passed=False)
    _attempt(engine, ana.id, training.id, "pretest-cpns", started=OPENS + 2 * day, score=0.8, passed=True)
    _attempt(engine, budi.id, training.id, "pretest-cpns", started=OPENS + day, status="in_progress",
             answered=OPENS + 3 * day)
    _attempt(engine, citra.id, training.id, "pretest-cpns", started=OPENS + 4 * day, status="late", score=0.65,
             passed=True)
    _attempt(engine, euis.id, training.id, "pretest-cpns", started=OPENS + 5 * day, score=0.4, passed=False)
    # Noise the report must ignore: an attempt outside the session and a trainee of another session.
    _attempt(engine, dedi.id, None, "pretest-cpns", started=OPENS, score=1.0, passed=True)
    other = create_training(engine, content, _staff(engine, "hr-lebak", Role.HR), name="Lebak",
                            quiz_ids=["pretest-cpns"], opens_at=OPENS, closes_at=CLOSES)
    outsider = _trainee(engine, "198001012005011006", "Fajar", "Dinas Pendidikan")
    enrol(engine, outsider.id, other.id)
    _attempt(engine, outsider.id, other.id, "pretest-cpns", started=OPENS, score=0.9, passed=True)
    return {"hr": hr, "trainer": trainer, "training": training, "other": other, "ana": ana, "budi": budi,
            "citra": citra, "dedi": dedi, "euis": euis}


def test_people_rows_tell_every_state_apart(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    report = completion_report(engine, cohort["hr"], cohort["training"].id, now=AFTER)
    people = {p.name: p for p in report.people}
    assert list(people) == ["Citra", "Dedi", "Euis", "Ana", "Budi"]  # by unit, then name
    ana, budi, citra, dedi, euis = (people[n] for n in ("Ana", "Budi", "Citra", "Dedi", "Euis"))
    assert (ana.started, ana.finished, ana.passed, ana.best_score, ana.overdue) == (True, True, True, 0.8, False)
    assert ana.last_activity == OPENS + timedelta(days=2, minutes=20)
    assert (budi.started, budi.finished, budi.passed, budi.best_score, budi.overdue) == (True, False, False, None, True)
    assert budi.last_activity == OPENS + timedelta(days=3)  # the saved answer, later than the start
    assert (citra.finished, citra.passed, citra.best_score, citra.overdue) == (True, True, 0.65, False)
    assert (dedi.started, dedi.finished, dedi.best_score, dedi.last_activity, dedi.overdue) == \
        (False, False, None, None, True)  # his self-study attempt is not part of the session
    assert (euis.finished, euis.passed, euis.best_score, euis.overdue) == (True, False, 0.4, False)
    assert (ana.nip, ana.unit, ana.position) == ("198609262015051001", "Dinas Pendidikan", "Analis")


def test_units_and_totals_are_counted_by_hand(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    report = completion_report(engine, cohort["trainer"], cohort["training"].id, now=AFTER)
    units = {u.unit: u for u in report.units}
    assert set(units) == {"Dinas Pendidikan", "Dinas Kesehatan"}
    health, education = units["Dinas Kesehatan"], units["Dinas Pendidikan"]
    assert (health.enrolled, health.started, health.finished, health.passed, health.overdue) == (3, 2, 2, 1, 1)
    assert (education.enrolled, education.started, education.finished, education.passed,
            education.overdue) == (2, 2, 1, 1, 1)
    totals = report.totals
    assert (totals.unit, totals.enrolled, totals.started, totals.finished, totals.passed, totals.overdue) == \
        (None, 5, 4, 3, 2, 2)
    assert totals.completion_rate == pytest.approx(3 / 5) and totals.pass_rate == pytest.approx(2 / 5)
    assert report.over


def test_nobody_is_overdue_while_the_session_runs_and_everyone_unfinished_is_once_it_closes(
        engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    running = completion_report(engine, cohort["hr"], cohort["training"].id, now=DURING)
    assert not running.over and not any(p.overdue for p in running.people) and running.totals.overdue == 0
    set_training_status(engine, cohort["hr"], cohort["training"].id, "closed")
    closed_early = completion_report(engine, cohort["hr"], cohort["training"].id, now=DURING)
    assert closed_early.over and {p.name for p in closed_early.people if p.overdue} == {"Budi", "Dedi"}


def test_unit_filter_narrows_people_units_and_totals(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    report = completion_report(engine, cohort["hr"], cohort["training"].id, units=["Dinas Kesehatan"], now=AFTER)
    assert [p.name for p in report.people] == ["Citra", "Dedi", "Euis"]
    assert [u.unit for u in report.units] == ["Dinas Kesehatan"]
    assert (report.totals.enrolled, report.totals.finished) == (3, 2)


def test_a_person_finishes_a_two_quiz_session_only_with_both_quizzes(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr", Role.HR)
    training = create_training(engine, content, hr, name="Dua kuis", quiz_ids=["pretest-cpns", "penyegaran-pemilu"],
                               opens_at=OPENS, closes_at=CLOSES)
    one = _trainee(engine, "198609262015051001", "Satu", "Bappeda")
    both = _trainee(engine, "198703142010011002", "Dua", "Bappeda")
    for person in (one, both):
        enrol(engine, person.id, training.id)
    _attempt(engine, one.id, training.id, "pretest-cpns", started=OPENS, score=0.9, passed=True)
    _attempt(engine, both.id, training.id, "pretest-cpns", started=OPENS, score=0.9, passed=True)
    _attempt(engine, both.id, training.id, "penyegaran-pemilu", started=OPENS, score=0.6, passed=False)
    _attempt(engine, both.id, training.id, "penyegaran-pemilu", started=OPENS + timedelta(hours=1), score=0.7,
             passed=True)
    people = {p.name: p for p in completion_report(engine, hr, training.id, now=AFTER).people}
    assert (people["Satu"].finished, people["Satu"].passed, people["Satu"].overdue) == (False, False, True)
    assert (people["Dua"].finished, people["Dua"].passed) == (True, True)
    assert people["Dua"].best_score == pytest.approx((0.9 + 0.7) / 2)  # best per quiz, averaged
    only_pretest = {p.name: p for p in completion_report(engine, hr, training.id, quiz_id="pretest-cpns",
                                                         now=AFTER).people}
    assert only_pretest["Satu"].finished and only_pretest["Satu"].passed
    with pytest.raises(TrainingError) as refused:
        completion_report(engine, hr, training.id, quiz_id="lanjutan-pejabat")
    assert refused.value.code == "unknown_quiz"


def test_role_gates(engine: Engine, content: Content, cohort: dict) -> None:  # type: ignore[type-arg]
    training_id = cohort["training"].id
    other_hr = _staff(engine, "hr-lain", Role.HR)
    other_trainer = _staff(engine, "pelatih-lain", Role.TRAINER)
    trainee = cohort["ana"]
    for viewer in (other_hr, other_trainer, trainee):
        with pytest.raises(TrainingError) as refused:
            completion_report(engine, viewer, training_id, now=AFTER)
        assert refused.value.code == "not_found"
    admin = _staff(engine, "admin", Role.ADMIN)
    assert completion_report(engine, admin, training_id, now=AFTER).totals.enrolled == 5
    assert completion_report(engine, admin, cohort["other"].id, now=AFTER).totals.enrolled == 1
    with pytest.raises(TrainingError):
        completion_report(engine, admin, 999_999)


def test_export_rows_are_keyed_by_existing_message_keys(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    report = completion_report(engine, cohort["hr"], cohort["training"].id, now=AFTER)
    people = report.to_rows("people")
    assert len(people) == 5 and list(people[0]) == list(PEOPLE_COLUMNS.values())
    assert people[0]["report.col.name"] == "Citra" and people[0]["report.col.best_score"] == 0.65
    units = report.to_rows("units")
    assert [row["report.col.unit"] for row in units] == ["Dinas Kesehatan", "Dinas Pendidikan", "report.total"]
    assert units[-1]["report.col.enrolled"] == 5
    for lang in ("id", "en"):
        messages = catalogue(lang)
        assert all(key in messages for key in [*PEOPLE_COLUMNS.values(), *UNIT_COLUMNS.values(), "report.total"])
