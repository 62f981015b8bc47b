"""`python -m netral demo`: a deterministic, valid, realistic synthetic cohort, scored like real attempts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.demo import HR_LOGIN, REGIONS, TRAINER_LOGIN, DemoError, UnknownQuiz, fill_demo
from netral.nip import validate_nip
from netral.quizplan import plan_attempt, question_sequence
from netral.scoring import score_attempt, score_scenario
from netral.store.accounts import Role, create_user, get_user
from netral.store.cohort import cohort_dashboard
from netral.store.db import make_engine, read_session
from netral.store.migrate import upgrade
from netral.store.reports import completion_report
from netral.store.schema import (
    Answer,
    Attempt,
    AuditEntry,
    Enrolment,
    SessionTrainer,
    TrainingSession,
    User,
)

ROOT = Path(__file__).resolve().parents[1]
BASE = datetime(2024, 8, 1, tzinfo=UTC)
TABLES = (User, TrainingSession, SessionTrainer, Enrolment, Attempt, Answer, AuditEntry)


def _dump(engine: Engine) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table the demo writes, in primary-key order."""
    dump = {}
    with engine.connect() as connection:
        for model in TABLES:
            table = model.__table__
            dump[table.name] = [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
    return dump


def _fresh_sqlite(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def test_the_same_seed_gives_the_same_rows(engine: Engine, content: Content, tmp_path: Path) -> None:
    summary = fill_demo(engine, content, trainees=25, seed=7, sessions=2, batch_size=10)
    assert (summary.trainees, summary.attempts) == (25, 25) and len(summary.session_ids) == 2
    reference = _fresh_sqlite(tmp_path / "reference.db")
    again = fill_demo(reference, content, trainees=25, seed=7, sessions=2, batch_size=10)
    assert again == summary
    assert _dump(engine) == _dump(reference)  # on PostgreSQL too: the same rows as on SQLite
    other = _fresh_sqlite(tmp_path / "other.db")
    fill_demo(other, content, trainees=25, seed=8, sessions=2, batch_size=10)
    assert _dump(other)["users"] != _dump(reference)["users"]
    with pytest.raises(DemoError):
        fill_demo(engine, content, trainees=1, seed=7)  # one demo per database
    reference.dispose()
    other.dispose()


def test_trainees_are_plausible_banten_civil_servants(engine: Engine, content: Content) -> None:
    fill_demo(engine, content, trainees=60, seed=3, base=BASE)
    with read_session(engine) as session:
        trainees = session.execute(select(User.nip, User.login, User.name, User.unit, User.position,
                                          User.password_hash).where(User.role == "trainee")).all()
        staff = dict(session.execute(select(User.login, User.role).where(User.role != "trainee")).all())
    assert len(trainees) == 60 and staff == {HR_LOGIN: "hr", TRAINER_LOGIN: "trainer"}
    nips = [row.nip for row in trainees]
    assert len(set(nips)) == 60
    for row in trainees:
        check = validate_nip(row.nip, today=BASE.date())
        assert check.ok, (row.nip, check.codes)
        assert 1965 <= check.birth_date.year <= 2000 and check.sex in ("L", "P")
        assert row.login == row.nip and row.password_hash is None
        assert any(row.unit.endswith(region) for region, _ in REGIONS) and row.name and row.position


def test_attempts_are_scored_exactly_as_a_submission_would_be(engine: Engine, content: Content) -> None:
    summary = fill_demo(engine, content, trainees=40, seed=11, sessions=3, base=BASE)
    with read_session(engine) as session:
        attempts = list(session.scalars(select(Attempt).order_by(Attempt.id)))
        answers: dict[int, list[Answer]] = {}
        for answer in session.scalars(select(Answer).order_by(Answer.id)):
            answers.setdefault(answer.attempt_id, []).append(answer)
        trainings = {t.id: t for t in session.scalars(select(TrainingSession))}
        enrolled = session.scalar(select(func.count()).select_from(Enrolment))
    assert len(attempts) == 40 == enrolled and summary.answers == sum(len(a) for a in answers.values())
    assert {t.quiz_ids[0] for t in trainings.values()} == {"penyegaran-pemilu", "pretest-cpns", "lanjutan-pejabat"}
    passed = 0
    for attempt in attempts:
        quiz = content.quizzes[attempt.quiz_id]
        training = trainings[attempt.session_id]
        assert attempt.quiz_id in training.quiz_ids and attempt.status == "submitted"
        assert training.opens_at <= attempt.started_at < attempt.submitted_at <= attempt.deadline_at
        assert attempt.submitted_at <= training.closes_at
        plan = plan_attempt(quiz, content, attempt.seed)
        assert attempt.plan["scenario_ids"] == list(plan.scenario_ids)
        rows = answers[attempt.id]
        # Exactly the scenarios a trainee is shown (follow-ups right after their parent), as submission scores.
        shown = question_sequence(content, plan.scenario_ids, {r.scenario_id: r.choice for r in rows})
        assert [r.scenario_id for r in rows] == shown
        results = []
        for row in rows:
            result = score_scenario(content.scenarios[row.scenario_id], row.choice)
            assert row.score == result.score
            assert row.facet_scores == {f.facet.value: f.score for f in result.facets}
            results.append(result)
        assert attempt.score == score_attempt(results)
        assert attempt.passed == (attempt.score >= quiz.pass_mark) and attempt.pass_mark == quiz.pass_mark
        passed += attempt.passed
    assert passed == summary.passed and 0 < passed < 40  # a realistic cohort: some pass, some do not
    assert any(content.scenarios[r.scenario_id].followup_only for rows in answers.values() for r in rows)


def test_harder_categories_come_out_weaker_on_the_dashboard(engine: Engine, content: Content) -> None:
    summary = fill_demo(engine, content, trainees=80, seed=5)
    with read_session(engine) as session:
        hr_id = session.scalar(select(User.id).where(User.login == HR_LOGIN))
    hr = get_user(engine, hr_id)
    assert hr is not None and hr.role is Role.HR
    dashboard = cohort_dashboard(engine, hr, content, summary.session_ids[0])
    mastery = {m.category_id: m.mastery for m in dashboard.mastery}
    # menghadiri-kegiatan is drawn with a +0.8 logit difficulty, atribut-kampanye with -0.6.
    assert mastery["menghadiri-kegiatan"] < mastery["atribut-kampanye"]
    assert dashboard.counts.enrolled == dashboard.counts.finished == 80
    report = completion_report(engine, hr, summary.session_ids[0], now=BASE)
    assert report.totals.enrolled == 80 and len(report.units) > 5


def test_the_command_line_fills_a_database_and_prints_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = subprocess.run([sys.executable, "-m", "netral", "demo", "--trainees", "12", "--seed", "4",
                             "--sessions", "2", "--database-url", url],
                            cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("OK: demo cohort of 12 trainees in 2 session(s)")
    engine = make_engine(url)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == 12
    engine.dispose()
    again = subprocess.run([sys.executable, "-m", "netral", "demo", "--trainees", "1", "--database-url", url],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already" in again.stderr


def test_a_real_account_keeps_its_nip_and_the_demo_draws_another(engine: Engine, content: Content,
                                                                   tmp_path: Path) -> None:
    probe = _fresh_sqlite(tmp_path / "probe.db")
    fill_demo(probe, content, trainees=5, seed=21)
    with read_session(probe) as session:
        drawn = list(session.scalars(select(User.nip).where(User.role == "trainee").order_by(User.id)))
    probe.dispose()
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    real = create_user(engine, login=drawn[2], nip=drawn[2], name="Pegawai Sungguhan", password=None)
    fill_demo(engine, content, trainees=5, seed=21)
    with read_session(engine) as session:
        nips = list(session.scalars(select(User.nip).where(User.role == "trainee", User.id != real.id)
                                    .order_by(User.id)))
        assert session.get(User, real.id).name == "Pegawai Sungguhan"
        assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == real.id)) == 0
    assert len(nips) == 5 and drawn[2] not in nips and len(set(nips)) == 5
    assert nips[:2] == drawn[:2] and all(validate_nip(nip, today=BASE.date()).ok for nip in nips)


def test_the_quiz_option_gives_session_1_the_40_case_final_test(tmp_path: Path, content: Content) -> None:
    url = f"sqlite:///{tmp_path / 'final.db'}"
    result = subprocess.run([sys.executable, "-m", "netral", "demo", "--trainees", "5", "--seed", "2",
                             "--quiz", "ujian-akhir", "--database-url", url],
                            cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: demo cohort of 5 trainees in 1 session(s)")
    engine = make_engine(url)
    with read_session(engine) as session:
        trainings = list(session.scalars(select(TrainingSession)))
        attempts = list(session.scalars(select(Attempt).order_by(Attempt.id)))
    engine.dispose()
    assert [t.quiz_ids for t in trainings] == [["ujian-akhir"]] and len(attempts) == 5
    quiz = content.quizzes["ujian-akhir"]
    for attempt in attempts:
        planned = attempt.plan["scenario_ids"]
        assert attempt.quiz_id == "ujian-akhir" and attempt.session_id == trainings[0].id
        assert len(planned) == 40 == len(set(planned))
        assert planned == list(plan_attempt(quiz, content, attempt.seed).scenario_ids)
        assert Counter(content.scenarios[sid].category for sid in planned) == {
            draw.category: draw.count for draw in quiz.selection.draw}


def test_later_sessions_follow_the_usual_order_without_the_chosen_quiz(engine: Engine, content: Content) -> None:
    fill_demo(engine, content, trainees=4, seed=9, sessions=4, quiz_id="pretest-cpns")
    with read_session(engine) as session:
        order = [t.quiz_ids for t in session.scalars(select(TrainingSession).order_by(TrainingSession.id))]
    assert order == [["pretest-cpns"], ["penyegaran-pemilu"], ["lanjutan-pejabat"], ["ujian-akhir"]]


def test_choosing_the_default_quiz_changes_no_row(engine: Engine, content: Content, tmp_path: Path) -> None:
    fill_demo(engine, content, trainees=9, seed=6, sessions=3, batch_size=4)
    chosen = _fresh_sqlite(tmp_path / "chosen.db")
    fill_demo(chosen, content, trainees=9, seed=6, sessions=3, batch_size=4, quiz_id="penyegaran-pemilu")
    assert _dump(chosen) == _dump(engine)
    chosen.dispose()


def test_an_unknown_quiz_is_refused_with_the_known_ids(engine: Engine, content: Content, tmp_path: Path) -> None:
    with pytest.raises(UnknownQuiz) as refused:
        fill_demo(engine, content, trainees=3, quiz_id="ujian-tidak-ada")
    assert isinstance(refused.value, DemoError)
    assert "'ujian-tidak-ada'" in str(refused.value)
    assert all(quiz_id in str(refused.value) for quiz_id in content.quizzes)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0  # nothing written
    path = tmp_path / "never.db"
    result = subprocess.run([sys.executable, "-m", "netral", "demo", "--trainees", "3", "--quiz", "ujian-tidak-ada",
                             "--database-url", f"sqlite:///{path}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("demo: unknown quiz 'ujian-tidak-ada'")
    assert all(quiz_id in result.stderr for quiz_id in content.quizzes)
    assert not path.exists()  # refused before the database is created
