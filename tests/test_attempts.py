"""Attempts live in the database: resumable, idempotent answers, one submission, late kept, owner-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.scoring import key_answer, score_attempt, score_scenario
from netral.store.accounts import create_user
from netral.store.attempts import AttemptError, get_attempt, save_answer, start_or_resume, submit_attempt
from netral.store.db import read_session
from netral.store.schema import Answer, utcnow

QUIZ = "penyegaran-pemilu"


def _user(engine: Engine, nip: str = "198609262015051001") -> int:
    return create_user(engine, login=nip, nip=nip, name="Budi Santoso", password="rahasia-netral-1").id


def _key_for(content: Content, attempt, sid: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {facet: list(ids) for facet, ids in key_answer(content.scenarios[sid]).items()}


def test_start_then_resume_returns_the_same_frozen_attempt(engine: Engine, content: Content) -> None:
    user = _user(engine)
    first = start_or_resume(engine, content, user, QUIZ)
    first_sid = first.scenario_ids[0]
    save_answer(engine, content, user, first.id, first_sid, _key_for(content, first, first_sid))
    again = start_or_resume(engine, content, user, QUIZ)  # a refresh, another tab, another device
    assert again.id == first.id
    assert again.scenario_ids == first.scenario_ids and again.option_orders == first.option_orders
    assert again.started_at == first.started_at and again.deadline_at == first.deadline_at
    assert again.answers[first_sid] == {f: sorted(v) for f, v in _key_for(content, first, first_sid).items()}


def test_saving_the_same_answer_twice_leaves_one_row_and_a_change_replaces_it(engine: Engine,
                                                                               content: Content) -> None:
    user = _user(engine)
    attempt = start_or_resume(engine, content, user, QUIZ)
    sid = attempt.scenario_ids[0]
    save_answer(engine, content, user, attempt.id, sid, {"verdict": ["ya"]} if "ya" in
                attempt.option_orders[sid]["verdict"] else {"verdict": [attempt.option_orders[sid]["verdict"][0]]})
    first_choice = get_attempt(engine, user, attempt.id).answers[sid]
    save_answer(engine, content, user, attempt.id, sid, first_choice)
    other = attempt.option_orders[sid]["verdict"][-1] if attempt.option_orders[sid]["verdict"][-1] != \
        first_choice["verdict"][0] else attempt.option_orders[sid]["verdict"][0]
    save_answer(engine, content, user, attempt.id, sid, {"verdict": [other]})
    with read_session(engine) as session:
        rows = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    assert len(rows) == 1 and rows[0].choice == {"verdict": [other]}


def test_submission_scores_on_the_server_and_happens_once(engine: Engine, content: Content) -> None:
    user = _user(engine)
    attempt = start_or_resume(engine, content, user, QUIZ)
    for sid in attempt.scenario_ids[:3]:
        save_answer(engine, content, user, attempt.id, sid, _key_for(content, attempt, sid))
    done = submit_attempt(engine, content, user, attempt.id)
    expected = score_attempt([score_scenario(content.scenarios[sid], done.answers.get(sid, {}))
                              for sid in attempt.scenario_ids])
    assert done.status == "submitted" and done.score == pytest.approx(expected)
    assert done.score == pytest.approx(3 / len(attempt.scenario_ids))
    assert done.passed is (done.score >= done.pass_mark)
    with pytest.raises(AttemptError) as error:
        submit_attempt(engine, content, user, attempt.id)
    assert error.value.code == "already_submitted"
    with pytest.raises(AttemptError):
        save_answer(engine, content, user, attempt.id, attempt.scenario_ids[0], {"verdict": []})
    assert get_attempt(engine, user, attempt.id).score == done.score  # immutable


def test_late_submission_is_recorded_as_late_not_lost(engine: Engine, content: Content) -> None:
    user = _user(engine)
    attempt = start_or_resume(engine, content, user, QUIZ)
    sid = attempt.scenario_ids[0]
    save_answer(engine, content, user, attempt.id, sid, _key_for(content, attempt, sid))
    late = submit_attempt(engine, content, user, attempt.id, now=attempt.deadline_at + timedelta(minutes=5))
    assert late.status == "late" and late.score > 0


def test_attempt_allowance(engine: Engine, content: Content) -> None:
    user = _user(engine)
    allowed = content.quizzes[QUIZ].attempts_allowed
    for _ in range(allowed):
        attempt = start_or_resume(engine, content, user, QUIZ)
        submit_attempt(engine, content, user, attempt.id)
    with pytest.raises(AttemptError) as error:
        start_or_resume(engine, content, user, QUIZ)
    assert error.value.code == "no_attempts_left"


def test_another_trainee_can_neither_read_nor_change_an_attempt(engine: Engine, content: Content) -> None:
    owner = _user(engine)
    intruder = _user(engine, "199001012015052001")
    attempt = start_or_resume(engine, content, owner, QUIZ)
    sid = attempt.scenario_ids[0]
    for action in (
        lambda: get_attempt(engine, intruder, attempt.id),
        lambda: save_answer(engine, content, intruder, attempt.id, sid, _key_for(content, attempt, sid)),
        lambda: submit_attempt(engine, content, intruder, attempt.id),
    ):
        with pytest.raises(AttemptError) as error:
            action()
        assert error.value.code == "not_found"
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Answer)) == 0
    assert get_attempt(engine, owner, attempt.id).status == "in_progress"


@pytest.mark.parametrize("bad", [{"verdict": ["tidak-ada-opsi"]}, {"facet-palsu": ["ya"]}])
def test_answers_that_do_not_fit_are_refused(engine: Engine, content: Content, bad) -> None:  # type: ignore[no-untyped-def]
    user = _user(engine)
    attempt = start_or_resume(engine, content, user, QUIZ)
    with pytest.raises(AttemptError) as error:
        save_answer(engine, content, user, attempt.id, attempt.scenario_ids[0], bad)
    assert error.value.code == "invalid_answer"
    with pytest.raises(AttemptError) as error:
        save_answer(engine, content, user, attempt.id, "skenario-lain", {})
    assert error.value.code == "not_in_attempt"


def test_timer_keeps_running_from_the_original_start(engine: Engine, content: Content) -> None:
    user = _user(engine)
    attempt = start_or_resume(engine, content, user, QUIZ)
    later = attempt.started_at + timedelta(minutes=10)
    resumed = start_or_resume(engine, content, user, QUIZ, now=later)
    limit = content.quizzes[QUIZ].time_limit_minutes * 60
    assert resumed.remaining_seconds(later) == limit - 600
    assert resumed.remaining_seconds(utcnow() + timedelta(days=1)) == 0
