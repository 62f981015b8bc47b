"""Item analysis data: streamed per-attempt scores, attempt numbers per trainee, slots, and who sees what."""

from __future__ import annotations

import functools

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from netral.content import Content, load_content
from netral.itemanalysis import ScoredAttempt, analyse_quiz
from netral.store.accounts import Role, UserView, create_user
from netral.store.db import write_session
from netral.store.itemdata import iter_scored_attempts, quiz_item_analysis, quiz_slots
from netral.store.schema import Answer, Attempt
from netral.store.summaries import refresh_progress
from netral.store.trainings import TrainingError, create_training, enrol

FIXED, RANDOM = "lanjutan-pejabat", "pretest-cpns"
K, P, P_FOLLOW_UP = "keputusan-menguntungkan-01", "penggantian-pejabat-01", "penggantian-pejabat-01b"
OPENS = datetime(2026, 4, 1, tzinfo=UTC)


def _user(engine: Engine, login: str, role: Role = Role.TRAINEE) -> UserView:
    return create_user(engine, login=login, name=login.title(), password=None, role=role)


@functools.cache
def _shipped_content() -> Content:
    return load_content()[0]


def _attempt(engine: Engine, user_id: int, session_id: int | None, quiz_id: str, day: int,
             answers: dict[str, float], status: str = "submitted") -> int:
    started = OPENS + timedelta(days=day)
    with write_session(engine) as session:
        attempt = Attempt(user_id=user_id, quiz_id=quiz_id, session_id=session_id, seed=day, status=status,
                          plan={"scenario_ids": list(answers), "option_orders": {}}, started_at=started,
                          deadline_at=started + timedelta(hours=1), pass_mark=0.7,
                          submitted_at=None if status == "in_progress" else started + timedelta(minutes=30),
                          score=sum(answers.values()) / max(1, len(answers)), passed=False)
        session.add(attempt)
        session.flush()
        for sid, score in answers.items():
            session.add(Answer(attempt_id=attempt.id, scenario_id=sid, choice={}, score=score, answered_at=started))
        session.flush()
        if session_id is not None:  # as the store's start and submit do
            refresh_progress(session, session_id, user_id, quiz_id, _shipped_content())
        return attempt.id


@pytest.fixture
def setup(engine: Engine, content: Content) -> dict:  # type: ignore[type-arg]
    """Session 1 (trainer assigned): Ana's attempts 1 and 2 and one in progress, Budi with a follow-up answer,
    Citra with no answer at all. Session 2 (another HR): Dedi. Outside any session: Eko."""
    hr, other_hr = _user(engine, "hr", Role.HR), _user(engine, "hr-lain", Role.HR)
    trainer = _user(engine, "pelatih", Role.TRAINER)
    closes = OPENS + timedelta(days=30)
    first = create_training(engine, content, hr, name="S1", quiz_ids=[FIXED], opens_at=OPENS, closes_at=closes,
                            trainer_ids=(trainer.id,))
    second = create_training(engine, content, other_hr, name="S2", quiz_ids=[FIXED], opens_at=OPENS,
                             closes_at=closes)
    ana, budi, citra, dedi, eko = (_user(engine, name) for name in ("ana", "budi", "citra", "dedi", "eko"))
    for person in (ana, budi, citra):
        enrol(engine, person.id, first.id)
    enrol(engine, dedi.id, second.id)
    ids = {
        "ana1": _attempt(engine, ana.id, first.id, FIXED, 1, {K: 0.5, P: 1.0}),
        "ana2": _attempt(engine, ana.id, first.id, FIXED, 2, {K: 1.0, P: 1.0}),
        "ana3": _attempt(engine, ana.id, first.id, FIXED, 3, {K: 0.0}, status="in_progress"),
        "budi1": _attempt(engine, budi.id, first.id, FIXED, 1, {K: 0.0, P: 0.5, P_FOLLOW_UP: 0.3}),
        "citra1": _attempt(engine, citra.id, first.id, FIXED, 3, {}, status="late"),
        "dedi1": _attempt(engine, dedi.id, second.id, FIXED, 1, {K: 0.2}),
        "eko1": _attempt(engine, eko.id, None, FIXED, 1, {K: 0.9}),
    }
    return {"hr": hr, "other_hr": other_hr, "trainer": trainer, "first": first, "second": second, "ana": ana,
            "budi": budi, "citra": citra, "ids": ids}


def test_streamed_attempts_carry_numbers_and_slot_marks(engine: Engine, content: Content,
                                                        setup: dict) -> None:  # type: ignore[type-arg]
    ids, ana, budi, citra = setup["ids"], setup["ana"], setup["budi"], setup["citra"]
    expected = [ScoredAttempt(ids["ana1"], ana.id, 1, {K: 0.5, P: 1.0}),
                ScoredAttempt(ids["ana2"], ana.id, 2, {K: 1.0, P: 1.0}),
                ScoredAttempt(ids["budi1"], budi.id, 1, {K: 0.0, P: 0.5}),  # the follow-up is not a slot
                ScoredAttempt(ids["citra1"], citra.id, 1, {})]
    for batch_size in (1, 3, 2000):  # attempts straddling fetch batches come out whole
        got = list(iter_scored_attempts(engine, setup["trainer"], content, FIXED, batch_size=batch_size))
        assert sorted(got, key=lambda a: a.attempt_id) == sorted(expected, key=lambda a: a.attempt_id)


def test_first_attempts_are_analysed_by_default(engine: Engine, content: Content,
                                                setup: dict) -> None:  # type: ignore[type-arg]
    ids, ana, budi, citra = setup["ids"], setup["ana"], setup["budi"], setup["citra"]
    result = quiz_item_analysis(engine, setup["trainer"], content, FIXED, session_id=setup["first"].id)
    slots = quiz_slots(content.quizzes[FIXED], content)
    assert result.slots.kind == "scenario" and list(slots.max_marks) == content.quizzes[FIXED].selection.scenarios
    assert result.attempts_finished == 4 and result.analysis.test.attempt_count == 3
    by_hand = analyse_quiz([ScoredAttempt(ids["ana1"], ana.id, 1, {K: 0.5, P: 1.0}),
                            ScoredAttempt(ids["budi1"], budi.id, 1, {K: 0.0, P: 0.5}),
                            ScoredAttempt(ids["citra1"], citra.id, 1, {})], slots.max_marks)
    assert result.analysis == by_hand
    assert result.analysis.question(K).facility == pytest.approx(0.5 / 3)
    assert [(m.scenario_id, m.answers, round(m.mean_score, 6)) for m in result.scenario_means] == \
        [(K, 2, 0.25), (P_FOLLOW_UP, 1, 0.3), (P, 2, 0.75)]
    last = quiz_item_analysis(engine, setup["trainer"], content, FIXED, which="last")
    assert last.analysis.question(K).facility == pytest.approx(1.0 / 3)
    assert {(m.scenario_id, round(m.mean_score, 6)) for m in last.scenario_means} == \
        {(K, 0.5), (P, 0.75), (P_FOLLOW_UP, 0.3)}
    every = quiz_item_analysis(engine, setup["trainer"], content, FIXED, which="all")
    assert every.analysis.test.attempt_count == 4
    highest = quiz_item_analysis(engine, setup["trainer"], content, FIXED, which="highest")
    assert highest.analysis.question(K).facility == pytest.approx(1.0 / 3)


def test_random_quizzes_are_compared_per_drawn_category(engine: Engine, content: Content) -> None:
    hr = _user(engine, "hr", Role.HR)
    training = create_training(engine, content, hr, name="CPNS", quiz_ids=[RANDOM], opens_at=OPENS,
                               closes_at=OPENS + timedelta(days=30))
    fajar = _user(engine, "fajar")
    enrol(engine, fajar.id, training.id)
    attempt = _attempt(engine, fajar.id, training.id, RANDOM, 1, {"media-sosial-01": 0.5, "media-sosial-02": 1.0,
                                                                  "media-sosial-01b": 1.0,
                                                                  "pendekatan-parpol-01": 0.25})
    slots = quiz_slots(content.quizzes[RANDOM], content)
    assert slots.kind == "category" and slots.max_marks["media-sosial"] == 2.0
    assert sum(slots.max_marks.values()) == 8.0
    scored = list(iter_scored_attempts(engine, hr, content, RANDOM, training.id))
    assert scored == [ScoredAttempt(attempt, fajar.id, 1, {"media-sosial": 1.5, "pendekatan-parpol": 0.25})]
    result = quiz_item_analysis(engine, hr, content, RANDOM, training.id)
    assert result.analysis.question("media-sosial").facility == pytest.approx(0.75)


def test_who_sees_which_attempts(engine: Engine, content: Content, setup: dict) -> None:  # type: ignore[type-arg]
    admin = _user(engine, "admin", Role.ADMIN)
    everything = quiz_item_analysis(engine, admin, content, FIXED, which="all")
    assert everything.attempts_finished == 6  # both sessions and Eko's self-study attempt
    other_hr = quiz_item_analysis(engine, setup["other_hr"], content, FIXED, which="all")
    assert [a.attempt_id for a in iter_scored_attempts(engine, setup["other_hr"], content, FIXED)] == \
        [setup["ids"]["dedi1"]] and other_hr.attempts_finished == 1
    owner = quiz_item_analysis(engine, setup["hr"], content, FIXED, which="all")
    assert owner.attempts_finished == 4
    for viewer, session_id in ((setup["trainer"], setup["second"].id), (setup["other_hr"], setup["first"].id),
                               (setup["ana"], setup["first"].id), (setup["ana"], None)):
        with pytest.raises(TrainingError) as refused:
            quiz_item_analysis(engine, viewer, content, FIXED, session_id)
        assert refused.value.code == "not_found"
    with pytest.raises(TrainingError) as unknown:
        quiz_item_analysis(engine, admin, content, "no-such-quiz")
    assert unknown.value.code == "unknown_quiz"
