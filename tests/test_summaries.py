"""The summaries written at start and submission (netral/store/summaries.py): kept up to date by the store's own
write paths, equal to a rebuild from scratch, and read by the dashboards with the same results as the
computation from the attempts and answers."""

from __future__ import annotations

import math
import random
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update

from netral.content import Content
from netral.demo import random_nip, synthetic_answer
from netral.itemanalysis import analyse_quiz, select_attempts
from netral.roster import parse_roster
from netral.store.accounts import Role, UserView, create_user
from netral.store.attempts import save_answer, start_or_resume, submit_attempt
from netral.store.cohort import CohortFilters, cohort_dashboard, trainee_table
from netral.store.db import read_session, write_session
from netral.store.itemdata import QuizItemAnalysis, iter_scored_attempts, quiz_item_analysis
from netral.store.migrate import upgrade
from netral.store.reports import completion_report
from netral.store.roster_import import apply_roster
from netral.store.schema import MasteryCell, QuizProgress
from netral.store.summaries import rebuild
from netral.store.trainings import create_training, enrol

RANDOM_QUIZ = "penyegaran-pemilu"
FIXED_QUIZ = "lanjutan-pejabat"
OPENS = datetime(2026, 3, 2, 8, tzinfo=UTC)
UNITS = ("Dinas Pendidikan", "Dinas Kesehatan", "Bappeda")
TODAY = date(2026, 11, 1)


def _take_quiz(engine: Engine, content: Content, user_id: int, training_id: int, quiz_id: str, rng: random.Random,
               ability: float, when: datetime, *, submit: bool = True) -> int:
    """Start, answer every planned question and (optionally) submit, through the store as the pages do."""
    attempt = start_or_resume(engine, content, user_id, quiz_id, session_id=training_id, now=when)
    for minute, scenario_id in enumerate(attempt.scenario_ids):
        save_answer(engine, content, user_id, attempt.id, scenario_id,
                    synthetic_answer(content.scenarios[scenario_id], ability, rng),
                    now=when + timedelta(minutes=minute + 1))
    if submit:
        submit_attempt(engine, content, user_id, attempt.id, now=when + timedelta(minutes=30))
    return attempt.id


def _table_rows(engine: Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with read_session(engine) as session:
        progress = session.execute(select(QuizProgress).order_by(
            QuizProgress.session_id, QuizProgress.user_id, QuizProgress.quiz_id)).scalars().all()
        cells = session.execute(select(MasteryCell).order_by(
            MasteryCell.session_id, MasteryCell.quiz_id, MasteryCell.unit, MasteryCell.scenario_id)).scalars().all()
        progress_rows = [(p.session_id, p.user_id, p.quiz_id, p.attempts, p.finished_count, p.passed_any,
                          p.best_score, p.last_started, p.last_submitted, p.first_attempt_id, p.first_score,
                          p.first_passed, p.first_submitted_at, p.first_marks, p.marks_layout, p.cells_unit)
                         for p in progress]
        cell_rows = [(c.session_id, c.quiz_id, c.unit, c.scenario_id, round(c.total, 9), c.answers) for c in cells]
    return progress_rows, cell_rows


@pytest.fixture
def cohort(engine: Engine, content: Content) -> dict[str, Any]:
    """A two-quiz session of 24 trainees in three units, every one through the store: most finish once, some
    twice (a better second try), some leave an attempt in progress, two enrol only after their attempt, one
    never enrols, one never starts; then a roster moves three people to another unit."""
    rng = random.Random(5)
    hr = create_user(engine, login="hr", name="Hr", password=None, role=Role.HR)
    training = create_training(engine, content, hr, name="Netralitas Banten", quiz_ids=[RANDOM_QUIZ, FIXED_QUIZ],
                               opens_at=OPENS, closes_at=OPENS + timedelta(days=30))
    people: list[tuple[UserView, float]] = []
    for index in range(24):
        nip = random_nip(rng, TODAY)
        person = create_user(engine, login=nip, nip=nip, name=f"Peserta {index:02d}", unit=UNITS[index % 3],
                             position="Analis", password=None)
        people.append((person, rng.gauss(0.0, 1.0)))
    late_enrolled = {people[4][0].id, people[5][0].id}
    never_enrolled = people[6][0].id
    for index, (person, ability) in enumerate(people):
        if person.id not in late_enrolled and person.id != never_enrolled:
            enrol(engine, person.id, training.id)
        if index == 7:
            continue  # enrolled, never started
        when = OPENS + timedelta(hours=index)
        _take_quiz(engine, content, person.id, training.id, RANDOM_QUIZ, rng, ability, when)
        if index % 3 == 0:
            _take_quiz(engine, content, person.id, training.id, FIXED_QUIZ, rng, ability, when + timedelta(hours=1))
        if index % 5 == 0:
            _take_quiz(engine, content, person.id, training.id, RANDOM_QUIZ, rng, ability + 2,
                       when + timedelta(days=1))
        if index % 7 == 1:
            _take_quiz(engine, content, person.id, training.id, FIXED_QUIZ, rng, ability, when + timedelta(days=2),
                       submit=False)
    for user_id in late_enrolled:
        enrol(engine, user_id, training.id)
    moved = [people[0][0], people[1][0], people[9][0]]
    roster = "NIP;Nama;Unit Kerja;Jabatan\n" + "".join(
        f"{person.nip};{person.name};Inspektorat;Analis\n" for person in moved)
    apply_roster(engine, hr, training.id, parse_roster(roster.encode(), "peserta.csv", TODAY))
    return {"hr": hr, "training": training, "people": people, "moved": moved}


def test_the_store_keeps_the_summaries_equal_to_a_rebuild(engine: Engine, content: Content,
                                                          cohort: dict[str, Any]) -> None:
    written = _table_rows(engine)
    assert len(written[0]) > 24 and len(written[1]) > 30
    with read_session(engine) as session:
        assert session.scalar(select(QuizProgress.cells_unit).where(
            QuizProgress.user_id == cohort["moved"][0].id, QuizProgress.quiz_id == RANDOM_QUIZ)) == "Inspektorat"
        never = cohort["people"][6][0].id
        assert session.scalar(select(QuizProgress.cells_unit).where(QuizProgress.user_id == never)) is None
    with engine.begin() as connection:
        rebuild(connection, content)
    assert _table_rows(engine) == written


def _dashboard_numbers(engine: Engine, viewer: UserView, content: Content, training_id: int,
                       filters: CohortFilters) -> dict[str, Any]:
    dashboard = cohort_dashboard(engine, viewer, content, training_id, filters)
    return {
        "counts": dashboard.counts, "counted": dashboard.attempts_counted, "passed": dashboard.attempts_passed,
        "mean": round(dashboard.mean_score or 0, 9), "bins": [b.count for b in dashboard.distribution],
        "mastery": {m.category_id: (round(m.mastery, 9), m.answers) for m in dashboard.mastery},
        "units": {(m.unit, m.category_id): (round(m.mastery, 9), m.answers) for m in dashboard.unit_mastery},
    }


@pytest.mark.parametrize("units", [(), ("Inspektorat", "Bappeda")])
@pytest.mark.parametrize("quiz_id", [None, FIXED_QUIZ])
def test_the_dashboard_reads_the_same_numbers_from_the_summaries(engine: Engine, content: Content, cohort: dict,
                                                                 units: tuple[str, ...], quiz_id: str | None
                                                                 ) -> None:
    hr, training_id = cohort["hr"], cohort["training"].id
    from_summaries = _dashboard_numbers(engine, hr, content, training_id,
                                        CohortFilters(units=units, quiz_id=quiz_id))
    # The same view computed from the attempts and answers: a date range holding every attempt sends the
    # counts and the mastery to the live queries (the counted first attempts still come from the summary rows).
    everything = CohortFilters(units=units, quiz_id=quiz_id, date_from=OPENS - timedelta(days=1))
    from_answers = _dashboard_numbers(engine, hr, content, training_id, everything)
    assert from_summaries == from_answers
    assert from_summaries["counted"] > 0 and from_summaries["mastery"]


def test_moved_people_count_under_their_new_unit(engine: Engine, content: Content,
                                                cohort: dict[str, Any]) -> None:
    dashboard = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id, CohortFilters(
        units=("Inspektorat",), quiz_id=RANDOM_QUIZ))
    assert dashboard.attempts_counted == 3
    answers = sum(m.answers for m in dashboard.unit_mastery)
    assert {m.unit for m in dashboard.unit_mastery} == {"Inspektorat"}
    assert answers == sum(m.answers for m in dashboard.mastery) >= 3 * 14


def test_the_trainee_table_and_report_match_the_people(engine: Engine, content: Content,
                                                       cohort: dict[str, Any]) -> None:
    hr, training_id = cohort["hr"], cohort["training"].id
    page = trainee_table(engine, hr, training_id, limit=100)
    report = completion_report(engine, hr, training_id)
    assert page.total == len(report.people) == 23  # one never enrolled
    by_id = {person.user_id: person for person in report.people}
    never_started = cohort["people"][7][0].id
    assert not by_id[never_started].started and by_id[never_started].last_activity is None
    scores = [row.score for row in page.rows]
    assert scores[:len([s for s in scores if s is not None])] == sorted(s for s in scores if s is not None)
    with read_session(engine) as session:
        first = dict(session.execute(select(QuizProgress.user_id, QuizProgress.first_score).where(
            QuizProgress.quiz_id == RANDOM_QUIZ)).all())
    for row in page.rows:
        if row.user_id in first and row.attempts_counted == 1 and first[row.user_id] is not None:
            assert math.isclose(row.score, first[row.user_id])
    # In progress: the latest saved answer is the last activity.
    in_progress = cohort["people"][8][0].id
    assert by_id[in_progress].last_activity == OPENS + timedelta(hours=8, days=2, minutes=10)


def _item_numbers(result: QuizItemAnalysis) -> dict[str, Any]:
    return {"n": result.analysis.test.attempt_count, "finished": result.attempts_finished,
            "cic": round(result.analysis.test.cic or 0, 9), "median": result.analysis.test.median,
            "facility": {q.question_id: round(q.facility or 0, 9) for q in result.analysis.questions},
            "discrimination": {q.question_id: round(q.discrimination_index or 0, 9)
                               for q in result.analysis.questions},
            "efficiency": {q.question_id: round(q.discriminative_efficiency or 0, 9)
                           for q in result.analysis.questions},
            "means": {m.scenario_id: (round(m.mean_score, 9), m.answers) for m in result.scenario_means}}


def _analysis_from_answers(engine: Engine, viewer: UserView, content: Content, quiz_id: str, training_id: int
                           ) -> dict[str, Any]:
    """The first-attempt analysis computed from the streamed answers (the path that reads every answer)."""
    result = quiz_item_analysis(engine, viewer, content, quiz_id, training_id, "all")
    finished = list(iter_scored_attempts(engine, viewer, content, quiz_id, training_id))
    chosen = select_attempts(finished, "first")
    numbers = _item_numbers(result)
    analysis = analyse_quiz(chosen, result.slots.max_marks)
    numbers.update({"n": analysis.test.attempt_count, "cic": round(analysis.test.cic or 0, 9),
                    "median": analysis.test.median,
                    "facility": {q.question_id: round(q.facility or 0, 9) for q in analysis.questions},
                    "discrimination": {q.question_id: round(q.discrimination_index or 0, 9)
                                       for q in analysis.questions},
                    "efficiency": {q.question_id: round(q.discriminative_efficiency or 0, 9)
                                   for q in analysis.questions}})
    return numbers


@pytest.mark.parametrize("quiz_id", [RANDOM_QUIZ, FIXED_QUIZ])
def test_the_item_analysis_reads_packed_marks_with_the_same_result(engine: Engine, content: Content,
                                                                   cohort: dict[str, Any], quiz_id: str) -> None:
    hr, training_id = cohort["hr"], cohort["training"].id
    # Everyone who took the quiz counts here, enrolled or not; one person never enrolled, so the scenario
    # means cannot come from the cells: enrol them first to get the summary path, then compare.
    enrol(engine, cohort["people"][6][0].id, training_id)
    summed = _item_numbers(quiz_item_analysis(engine, hr, content, quiz_id, training_id, "first"))
    expected = _analysis_from_answers(engine, hr, content, quiz_id, training_id)
    expected["means"] = _first_attempt_means(engine, hr, content, quiz_id, training_id)
    assert summed == expected
    assert summed["n"] >= 8


def _first_attempt_means(engine: Engine, viewer: UserView, content: Content, quiz_id: str, training_id: int
                         ) -> dict[str, tuple[float, int]]:
    """Per-scenario means over each person's first finished attempt, from the answers."""
    with read_session(engine) as session:
        first_ids = set(session.scalars(select(QuizProgress.first_attempt_id).where(
            QuizProgress.session_id == training_id, QuizProgress.quiz_id == quiz_id)))
        rows = session.execute(text(
            "SELECT attempt_id, scenario_id, score FROM answers WHERE score IS NOT NULL")).all()
    sums: dict[str, list[float]] = {}
    for attempt_id, scenario_id, score in rows:
        if attempt_id in first_ids:
            cell = sums.setdefault(scenario_id, [0.0, 0])
            cell[0] += score
            cell[1] += 1
    return {sid: (round(total / n, 9), int(n)) for sid, (total, n) in sums.items()}


def test_marks_written_under_other_slots_are_not_used(engine: Engine, content: Content, cohort: dict[str, Any]) -> None:
    hr, training_id = cohort["hr"], cohort["training"].id
    enrol(engine, cohort["people"][6][0].id, training_id)
    before = _item_numbers(quiz_item_analysis(engine, hr, content, RANDOM_QUIZ, training_id))
    # As if the quiz's draw had changed since these were written: wrong marks under an old layout.
    with write_session(engine) as session:
        session.execute(update(QuizProgress).where(QuizProgress.quiz_id == RANDOM_QUIZ).values(
            marks_layout="old-layout", first_marks=b"\x00" * 8))
    assert _item_numbers(quiz_item_analysis(engine, hr, content, RANDOM_QUIZ, training_id)) == before


def test_someone_not_enrolled_sends_the_item_analysis_to_the_answers(engine: Engine, content: Content,
                                                                     cohort: dict[str, Any]) -> None:
    hr, training_id = cohort["hr"], cohort["training"].id
    result = _item_numbers(quiz_item_analysis(engine, hr, content, RANDOM_QUIZ, training_id))
    expected = _analysis_from_answers(engine, hr, content, RANDOM_QUIZ, training_id)
    assert {key: result[key] for key in ("n", "finished", "cic", "facility")} == {
        key: expected[key] for key in ("n", "finished", "cic", "facility")}
    never = cohort["people"][6][0].id
    with read_session(engine) as session:
        first = session.scalar(select(QuizProgress.first_attempt_id).where(QuizProgress.user_id == never,
                                                                           QuizProgress.quiz_id == RANDOM_QUIZ))
        scenarios = set(session.scalars(text("SELECT scenario_id FROM answers WHERE attempt_id = :a"), {"a": first}))
    assert sum(result["means"][sid][1] for sid in scenarios) > sum(
        n for sid, (_, n) in _cell_means(engine, training_id).items() if sid in scenarios)


def _cell_means(engine: Engine, training_id: int) -> dict[str, tuple[float, int]]:
    with read_session(engine) as session:
        rows = session.execute(select(MasteryCell.scenario_id, MasteryCell.total, MasteryCell.answers).where(
            MasteryCell.session_id == training_id, MasteryCell.quiz_id == RANDOM_QUIZ)).all()
    sums: dict[str, list[float]] = {}
    for scenario_id, total, count in rows:
        cell = sums.setdefault(scenario_id, [0.0, 0])
        cell[0] += total
        cell[1] += count
    return {sid: (total / n, int(n)) for sid, (total, n) in sums.items()}


def test_trainees_submitting_at_once_all_count(engine: Engine, content: Content) -> None:
    """Eight trainees of one unit submit in parallel threads: every increment of the shared cells lands."""
    rng = random.Random(11)
    hr = create_user(engine, login="hr", name="Hr", password=None, role=Role.HR)
    # A random quiz: each attempt has its own scenarios in its own order, and they overlap in the unit's cells.
    training = create_training(engine, content, hr, name="Serentak", quiz_ids=[RANDOM_QUIZ], opens_at=OPENS,
                               closes_at=OPENS + timedelta(days=3))
    attempts = []
    for index in range(8):
        nip = random_nip(rng, TODAY)
        person = create_user(engine, login=nip, nip=nip, name=f"P{index}", unit="Satu Unit", position="Analis",
                             password=None)
        enrol(engine, person.id, training.id)
        attempt = _take_quiz(engine, content, person.id, training.id, RANDOM_QUIZ, rng, 0.0, OPENS, submit=False)
        attempts.append((person.id, attempt))
    barrier = threading.Barrier(len(attempts))
    errors: list[BaseException] = []

    def submit(user_id: int, attempt_id: int) -> None:
        try:
            barrier.wait()
            submit_attempt(engine, content, user_id, attempt_id, now=OPENS + timedelta(minutes=20))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = _table_rows(engine)
    with read_session(engine) as session:
        scored = session.scalar(text("SELECT count(*) FROM answers WHERE score IS NOT NULL"))
    assert scored >= 8 * 10 and sum(cell[5] for cell in written[1]) == scored
    with engine.begin() as connection:
        rebuild(connection, content)
    assert _table_rows(engine) == written


def test_the_migration_sums_up_existing_attempts(empty_engine: Engine, content: Content) -> None:
    upgrade(empty_engine, "0007")
    now = datetime(2026, 11, 1, 8, 0)
    with empty_engine.begin() as connection:
        for statement, values in (
            ("INSERT INTO users (id, login, name, unit, position, role, created_at, language) "
             "VALUES (1, 'hr', 'Hr', '', '', 'hr', :now, 'id'), "
             "(2, 'ana', 'Ana', 'Bappeda', '', 'trainee', :now, 'id'),"
             " (3, 'budi', 'Budi', 'Bappeda', '', 'trainee', :now, 'id')", {}),
            ("INSERT INTO training_sessions (id, name, quiz_ids, opens_at, closes_at, join_code, status, owner_id, "
             "created_at, description, organiser) VALUES (1, 'S', :q, :now, :now, 'ABCDEF', 'open', 1, :now, '', '')",
             {"q": f'["{FIXED_QUIZ}"]'}),
            ("INSERT INTO enrolments (session_id, user_id, enrolled_at) VALUES (1, 2, :now), (1, 3, :now)", {}),
            ("INSERT INTO attempts (id, user_id, quiz_id, session_id, seed, plan, status, started_at, deadline_at, "
             "submitted_at, pass_mark, score, passed) VALUES "
             "(1, 2, :quiz, 1, 1, '{}', 'submitted', :now, :now, :now, 0.75, 0.5, false), "
             "(2, 2, :quiz, 1, 2, '{}', 'submitted', :later, :later, :later, 0.75, 1.0, true), "
             "(3, 3, :quiz, 1, 3, '{}', 'in_progress', :now, :now, NULL, 0.75, NULL, NULL)",
             {"quiz": FIXED_QUIZ, "later": now + timedelta(days=1)}),
            ("INSERT INTO answers (attempt_id, scenario_id, choice, score, answered_at) VALUES "
             "(1, 'fasilitas-negara-01', '{}', 0.25, :now), (1, 'keputusan-menguntungkan-01', '{}', 0.75, :now), "
             "(2, 'fasilitas-negara-01', '{}', 1.0, :now), (3, 'fasilitas-negara-01', '{}', NULL, :now)", {}),
        ):
            connection.execute(text(statement), {"now": now, **values})
    upgrade(empty_engine)
    progress, cells = _table_rows(empty_engine)
    assert [(row[1], row[3], row[4], row[5], row[6], row[9], row[10], row[15]) for row in progress] == [
        (2, 2, 2, True, 1.0, 1, 0.5, "Bappeda"), (3, 1, 0, False, None, None, None, None)]
    assert [(row[2], row[3], row[4], row[5]) for row in cells] == [
        ("Bappeda", "fasilitas-negara-01", 0.25, 1), ("Bappeda", "keputusan-menguntungkan-01", 0.75, 1)]
    # The marks need the content: written by the next rebuild with it (python -m netral db summaries).
    assert progress[0][13] is None
