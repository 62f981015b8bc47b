"""The cohort dashboard: counts, distribution, mastery, weakest categories, trainee table and drill-down,
on a small cohort whose every number is worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from netral.content import Content
from netral.i18n import catalogue
from netral.store.accounts import Role, UserView, create_user
from netral.store.cohort import (
    TRAINEE_COLUMNS,
    CohortFilters,
    attempt_answers,
    cohort_dashboard,
    trainee_attempts,
    trainee_table,
)
from netral.store.db import write_session
from netral.store.schema import Answer, Attempt
from netral.store.summaries import refresh_progress
from netral.store.trainings import TrainingError, create_training, enrol

QUIZ = "lanjutan-pejabat"  # fixed quiz: these three scenarios are in it
P, M, K = "penggantian-pejabat-01", "mendukung-bakal-calon-01", "keputusan-menguntungkan-01"
OPENS = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 31, 0, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return OPENS + timedelta(days=n)


def _staff(engine: Engine, login: str, role: Role) -> UserView:
    return create_user(engine, login=login, name=login.title(), password=None, role=role)


def _trainee(engine: Engine, nip: str, name: str, unit: str) -> UserView:
    return create_user(engine, login=nip, nip=nip, name=name, unit=unit, position="Kepala Seksi", password=None)


def _attempt(engine: Engine, user_id: int, session_id: int, *, submitted: datetime | None, score: float | None,
             passed: bool | None, answers: dict[str, float], status: str = "submitted") -> int:
    """An attempt started an hour before `submitted` (or on day 4 when in progress) with scored answers."""
    started = (submitted or day(4)) - timedelta(hours=1)
    with write_session(engine) as session:
        attempt = Attempt(user_id=user_id, quiz_id=QUIZ, session_id=session_id, seed=7,
                          plan={"scenario_ids": [K, P, M], "option_orders": {}}, status=status,
                          started_at=started, deadline_at=started + timedelta(minutes=40), submitted_at=submitted,
                          pass_mark=0.75, score=score, passed=passed)
        session.add(attempt)
        session.flush()
        for minute, (sid, value) in enumerate(answers.items()):
            session.add(Answer(attempt_id=attempt.id, scenario_id=sid, choice={"verdict": ["ya"]},
                               facet_scores={"verdict": value} if value is not None else None, score=value,
                               answered_at=started + timedelta(minutes=minute + 1)))
        session.flush()
        if session_id is not None:  # as the store's start and submit do
            refresh_progress(session, session_id, user_id, QUIZ, None)
        return attempt.id


@pytest.fixture
def cohort(engine: Engine, content: Content) -> dict:  # type: ignore[type-arg]
    """Ana (Unit X): first attempt day 1 scoring 0.5 (P 0.2, M 0.8), second day 5 scoring 0.9 (P 1.0, M 0.8).
    Budi (Unit Y): one attempt day 2 scoring 0.75, passed (P 0.6, M 0.9). Citra (Unit Y): in progress since
    day 4. Dedi (Unit X): enrolled only. Pass mark 0.75."""
    hr = _staff(engine, "hr", Role.HR)
    trainer = _staff(engine, "pelatih", Role.TRAINER)
    training = create_training(engine, content, hr, name="Pejabat Banten", quiz_ids=[QUIZ], opens_at=OPENS,
                               closes_at=CLOSES, trainer_ids=(trainer.id,))
    ana = _trainee(engine, "198609262015051001", "Ana", "Unit X")
    budi = _trainee(engine, "198703142010011002", "Budi", "Unit Y")
    citra = _trainee(engine, "199001012015032003", "Citra", "Unit Y")
    dedi = _trainee(engine, "198812122014021004", "Dedi", "Unit X")
    for person in (ana, budi, citra, dedi):
        enrol(engine, person.id, training.id)
    ana_first = _attempt(engine, ana.id, training.id, submitted=day(1), score=0.5, passed=False,
                         answers={P: 0.2, M: 0.8})
    ana_second = _attempt(engine, ana.id, training.id, submitted=day(5), score=0.9, passed=True,
                          answers={P: 1.0, M: 0.8})
    _attempt(engine, budi.id, training.id, submitted=day(2), score=0.75, passed=True, answers={P: 0.6, M: 0.9})
    _attempt(engine, citra.id, training.id, submitted=None, score=None, passed=None, answers={P: 0.0},
             status="in_progress")
    other = create_training(engine, content, _staff(engine, "hr-lain", Role.HR), name="Lain", quiz_ids=[QUIZ],
                            opens_at=OPENS, closes_at=CLOSES)
    stranger = _trainee(engine, "198001012005011006", "Eko", "Unit X")
    enrol(engine, stranger.id, other.id)
    stranger_attempt = _attempt(engine, stranger.id, other.id, submitted=day(1), score=0.1, passed=False,
                                answers={P: 0.0, M: 0.0})
    return {"hr": hr, "trainer": trainer, "training": training, "ana": ana, "budi": budi, "citra": citra,
            "dedi": dedi, "ana_first": ana_first, "ana_second": ana_second, "other": other,
            "stranger_attempt": stranger_attempt}


def _bins(dashboard) -> dict[int, int]:  # type: ignore[no-untyped-def]
    return {b.index: b.count for b in dashboard.distribution if b.count}


def _mastery(dashboard) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {m.category_id: round(m.mastery, 6) for m in dashboard.mastery}


def test_first_attempts_by_default(engine: Engine, content: Content, cohort: dict) -> None:  # type: ignore[type-arg]
    dashboard = cohort_dashboard(engine, cohort["trainer"], content, cohort["training"].id)
    counts = dashboard.counts
    assert (counts.enrolled, counts.started, counts.finished, counts.passed) == (4, 3, 2, 2)
    assert dashboard.pass_rate == 1.0  # both who finished passed (Ana on her second try)
    # First attempts: Ana 0.5 (failed), Budi 0.75 (passed).
    assert (dashboard.attempts_counted, dashboard.attempts_passed) == (2, 1)
    assert dashboard.mean_score == pytest.approx(0.625) and dashboard.attempt_pass_rate == 0.5
    assert _bins(dashboard) == {5: 1, 7: 1} and len(dashboard.distribution) == 10
    assert _mastery(dashboard) == {"penggantian-pejabat": 0.4, "mendukung-bakal-calon": 0.85}
    assert [m.category_id for m in dashboard.mastery] == ["penggantian-pejabat", "mendukung-bakal-calon"]
    heat = {(m.unit, m.category_id): (round(m.mastery, 6), m.answers) for m in dashboard.unit_mastery}
    assert heat == {("Unit X", "penggantian-pejabat"): (0.2, 1), ("Unit X", "mendukung-bakal-calon"): (0.8, 1),
                    ("Unit Y", "penggantian-pejabat"): (0.6, 1), ("Unit Y", "mendukung-bakal-calon"): (0.9, 1)}
    assert dashboard.units_available == ("Unit X", "Unit Y")


def test_best_and_all_attempts(engine: Engine, content: Content, cohort: dict) -> None:  # type: ignore[type-arg]
    best = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id, CohortFilters(which="best"))
    assert (best.attempts_counted, best.attempts_passed) == (2, 2)  # Ana 0.9, Budi 0.75
    assert _bins(best) == {9: 1, 7: 1}
    assert _mastery(best) == {"penggantian-pejabat": 0.8, "mendukung-bakal-calon": 0.85}
    every = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id, CohortFilters(which="all"))
    assert every.attempts_counted == 3 and every.mean_score == pytest.approx((0.5 + 0.9 + 0.75) / 3)
    assert _mastery(every) == {"penggantian-pejabat": 0.6, "mendukung-bakal-calon": pytest.approx(2.5 / 3)}


def test_weakest_categories_carry_their_table_2_1_frequency(engine: Engine, content: Content,
                                                            cohort: dict) -> None:  # type: ignore[type-arg]
    dashboard = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id, weakest_count=1)
    assert len(dashboard.weakest) == 1
    weakest = dashboard.weakest[0]
    assert (weakest.category_id, round(weakest.mastery, 6), weakest.answers) == ("penggantian-pejabat", 0.4, 2)
    assert weakest.table_2_1_count == 1 and weakest.table_2_1_share == pytest.approx(1 / 366)
    assert weakest.table_2_1_label.startswith("Melakukan Penggantian Pejabat")
    both = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id).weakest
    assert [w.table_2_1_count for w in both] == [1, 29]


def test_unit_filter(engine: Engine, content: Content, cohort: dict) -> None:  # type: ignore[type-arg]
    dashboard = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id,
                                 CohortFilters(units=("Unit Y",)))
    counts = dashboard.counts
    assert (counts.enrolled, counts.started, counts.finished, counts.passed) == (2, 2, 1, 1)
    assert dashboard.attempts_counted == 1 and _mastery(dashboard) == {"penggantian-pejabat": 0.6,
                                                                       "mendukung-bakal-calon": 0.9}
    assert {m.unit for m in dashboard.unit_mastery} == {"Unit Y"}


def test_date_range_applies_after_choosing_the_attempt(engine: Engine, content: Content,
                                                       cohort: dict) -> None:  # type: ignore[type-arg]
    from_day_3 = CohortFilters(date_from=day(3))
    first = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id, from_day_3)
    assert first.attempts_counted == 0 and first.mean_score is None and first.mastery == ()
    counts = first.counts  # activity from day 3: Ana's second attempt (day 5), Citra's attempt in progress
    assert (counts.enrolled, counts.started, counts.finished, counts.passed) == (4, 2, 1, 1)
    best = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id,
                            CohortFilters(date_from=day(3), which="best"))
    assert best.attempts_counted == 1 and best.mean_score == pytest.approx(0.9)
    until_day_2 = cohort_dashboard(engine, cohort["hr"], content, cohort["training"].id,
                                   CohortFilters(date_to=day(2), which="all"))
    assert until_day_2.attempts_counted == 1  # half-open: Budi's attempt at exactly day 2 is out


def test_score_bins_are_exact_at_their_edges(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr", Role.HR)
    training = create_training(engine, content, hr, name="Tepi", quiz_ids=[QUIZ], opens_at=OPENS, closes_at=CLOSES)
    edges = [0.0, 0.1, 0.7, 0.7999999, 0.9, 1.0]
    for index, score in enumerate(edges):
        person = _trainee(engine, f"19860926201505100{index + 1}", f"P{index}", "Unit X")
        enrol(engine, person.id, training.id)
        _attempt(engine, person.id, training.id, submitted=day(1), score=score, passed=score >= 0.75, answers={})
    dashboard = cohort_dashboard(engine, hr, content, training.id)
    assert _bins(dashboard) == {0: 1, 1: 1, 7: 2, 9: 2}
    assert sum(b.count for b in dashboard.distribution) == len(edges)


def test_trainee_table_sorts_and_pages(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    training_id = cohort["training"].id
    page = trainee_table(engine, cohort["trainer"], training_id)
    assert [(r.name, r.score) for r in page.rows] == [("Ana", 0.5), ("Budi", 0.75), ("Citra", None), ("Dedi", None)]
    assert page.total == 4 and page.rows[0].attempts_counted == 1 and page.rows[0].passed  # passed on try two
    assert [r.name for r in trainee_table(engine, cohort["hr"], training_id, sort="score", descending=True).rows] \
        == ["Budi", "Ana", "Citra", "Dedi"]  # no score: always last
    best = trainee_table(engine, cohort["hr"], training_id, CohortFilters(which="best"), descending=True)
    assert [(r.name, r.score) for r in best.rows][:2] == [("Ana", 0.9), ("Budi", 0.75)]
    by_unit = trainee_table(engine, cohort["hr"], training_id, sort="unit")
    assert [r.name for r in by_unit.rows] == ["Ana", "Dedi", "Budi", "Citra"]
    second_page = trainee_table(engine, cohort["hr"], training_id, sort="name", limit=2, offset=2)
    assert [r.name for r in second_page.rows] == ["Citra", "Dedi"] and second_page.total == 4
    unit_y = trainee_table(engine, cohort["hr"], training_id, CohortFilters(units=("Unit Y",)), sort="name")
    assert [r.name for r in unit_y.rows] == ["Budi", "Citra"] and unit_y.total == 2
    rows = page.to_rows()
    assert list(rows[0]) == list(TRAINEE_COLUMNS.values()) and rows[0]["cohort.col.score"] == 0.5
    assert all(key in catalogue(lang) for lang in ("id", "en") for key in TRAINEE_COLUMNS.values())
    with pytest.raises(ValueError):
        trainee_table(engine, cohort["hr"], training_id, sort="password_hash")  # type: ignore[arg-type]


def test_drill_down_to_attempts_and_answers(engine: Engine, content: Content,
                                            cohort: dict) -> None:  # type: ignore[type-arg]
    training_id = cohort["training"].id
    attempts = trainee_attempts(engine, cohort["trainer"], training_id, cohort["ana"].id)
    assert [(a.number, a.score, a.passed, a.answers) for a in attempts] == [(1, 0.5, False, 2), (2, 0.9, True, 2)]
    answers = attempt_answers(engine, cohort["trainer"], content, training_id, cohort["ana_first"])
    assert [(a.scenario_id, a.category_id, a.score) for a in answers] == \
        [(P, "penggantian-pejabat", 0.2), (M, "mendukung-bakal-calon", 0.8)]  # in the plan's order
    assert answers[0].choice == {"verdict": ["ya"]} and answers[0].facet_scores == {"verdict": 0.2}
    with pytest.raises(TrainingError):  # an attempt of another session, through this session
        attempt_answers(engine, cohort["trainer"], content, training_id, cohort["stranger_attempt"])
    with pytest.raises(TrainingError):  # a user not enrolled here
        trainee_attempts(engine, cohort["hr"], training_id, cohort["hr"].id)


def test_role_gates(engine: Engine, content: Content, cohort: dict) -> None:  # type: ignore[type-arg]
    training_id = cohort["training"].id
    outsiders = [_staff(engine, "pelatih-lain", Role.TRAINER), _staff(engine, "hr-ketiga", Role.HR), cohort["ana"]]
    calls = [
        lambda v: cohort_dashboard(engine, v, content, training_id),
        lambda v: trainee_table(engine, v, training_id),
        lambda v: trainee_attempts(engine, v, training_id, cohort["ana"].id),
        lambda v: attempt_answers(engine, v, content, training_id, cohort["ana_first"]),
    ]
    for viewer in outsiders:
        for call in calls:
            with pytest.raises(TrainingError) as refused:
                call(viewer)
            assert refused.value.code == "not_found"
    admin = _staff(engine, "admin", Role.ADMIN)
    assert cohort_dashboard(engine, admin, content, training_id).counts.enrolled == 4
    assert cohort_dashboard(engine, admin, content, cohort["other"].id).attempts_counted == 1
