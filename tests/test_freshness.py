"""The analytics fingerprint changes exactly when what the dashboard and item analysis count changes, checks
access every time, and the page-side cache recomputes only then."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, event, update

from netral.content import Content
from netral.store.accounts import Role
from netral.store.db import write_session
from netral.store.freshness import analytics_fingerprint
from netral.store.schema import Attempt, SessionTrainer
from netral.store.summaries import refresh_progress
from netral.store.trainings import TrainingError, enrol
from tests.test_cohort import M, P, QUIZ, _attempt, _staff, _trainee, cohort, day  # noqa: F401 - cohort: fixture


def test_fingerprint_moves_on_enrolment_start_and_submission_only(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    training, hr = cohort["training"].id, cohort["hr"]
    before = analytics_fingerprint(engine, hr, training)
    assert analytics_fingerprint(engine, hr, training) == before  # nothing changed: same fingerprint

    newcomer = _trainee(engine, "199202022016011007", "Fajar", "Unit Y")
    enrol(engine, newcomer.id, training)
    enrolled = analytics_fingerprint(engine, hr, training)
    assert enrolled != before

    attempt = _attempt(engine, newcomer.id, training, submitted=None, score=None, passed=None, answers={P: 0.5},
                       status="in_progress")
    started = analytics_fingerprint(engine, hr, training)
    assert started != enrolled

    with write_session(engine) as session:
        session.execute(update(Attempt).where(Attempt.id == attempt).values(
            status="submitted", submitted_at=day(6), score=0.5, passed=False))
        refresh_progress(session, training, newcomer.id, QUIZ)  # as the store's submit_attempt does
    assert analytics_fingerprint(engine, hr, training) != started


def test_fingerprint_is_per_viewer_and_checks_access(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    training = cohort["training"].id
    assert analytics_fingerprint(engine, cohort["hr"], training) != analytics_fingerprint(
        engine, cohort["trainer"], training)
    with pytest.raises(TrainingError):
        analytics_fingerprint(engine, _staff(engine, "orang-lain", Role.TRAINER), training)
    with pytest.raises(TrainingError):
        analytics_fingerprint(engine, cohort["ana"], None, QUIZ)  # a trainee analyses nothing


def test_fingerprint_across_sessions_covers_only_visible_sessions(engine: Engine, cohort: dict) -> None:  # type: ignore[type-arg]
    hr = cohort["hr"]
    before = analytics_fingerprint(engine, hr, None, QUIZ)
    # An attempt in the other HR unit's session is not this viewer's business: no change.
    stranger = _trainee(engine, "198101012006011008", "Gita", "Unit Z")
    enrol(engine, stranger.id, cohort["other"].id)
    _attempt(engine, stranger.id, cohort["other"].id, submitted=day(3), score=0.3, passed=False, answers={M: 0.3})
    assert analytics_fingerprint(engine, hr, None, QUIZ) == before
    _attempt(engine, cohort["dedi"].id, cohort["training"].id, submitted=day(3), score=0.3, passed=False,
             answers={M: 0.3})
    assert analytics_fingerprint(engine, hr, None, QUIZ) != before


def _count_statements(engine: Engine) -> list[str]:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_the_page_cache_recomputes_only_when_the_data_changes(engine: Engine, content: Content,
                                                               cohort: dict) -> None:  # type: ignore[type-arg]
    import streamlit as st

    from ui import analytics_cache

    st.cache_data.clear()
    training, trainer = cohort["training"].id, cohort["trainer"]
    first = analytics_cache.dashboard(engine, trainer, content, training)
    analytics_cache.item_analysis(engine, trainer, content, QUIZ, training)
    statements = _count_statements(engine)
    again = analytics_cache.dashboard(engine, trainer, content, training)
    items = analytics_cache.item_analysis(engine, trainer, content, QUIZ, training)
    assert again == first and items.attempts_finished == 3
    assert not any("answers" in s.lower() for s in statements), "a hit reads only the fingerprint"

    _attempt(engine, cohort["dedi"].id, training, submitted=day(3), score=1.0, passed=True, answers={P: 1.0, M: 1.0})
    fresh = analytics_cache.dashboard(engine, trainer, content, training)
    assert fresh.counts.finished == first.counts.finished + 1
    assert analytics_cache.item_analysis(engine, trainer, content, QUIZ, training).attempts_finished == 4
    page = analytics_cache.table(engine, trainer, training, sort="name", limit=2)
    assert [row.name for row in page.rows] == ["Ana", "Budi"] and page.total == 4
    # The trainer is taken off the session: no cached result, even one computed a moment ago.
    with write_session(engine) as session:
        session.execute(delete(SessionTrainer).where(SessionTrainer.user_id == trainer.id))
    with pytest.raises(TrainingError):
        analytics_cache.dashboard(engine, trainer, content, training)
    with pytest.raises(TrainingError):
        analytics_cache.item_analysis(engine, trainer, content, QUIZ, training)
