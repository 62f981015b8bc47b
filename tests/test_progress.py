"""A trainee's progress: SQL tallies per scenario, mastery per category beside Table 2.1, practice history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from netral.content import Content
from netral.progress import category_mastery, weakest_frequent
from netral.quizplan import question_sequence
from netral.scoring import key_answer, score_scenario
from netral.store.accounts import create_user
from netral.store.attempts import save_answer, start_or_resume, submit_attempt
from netral.store.practice import practice_history, record_practice
from netral.store.progress import quiz_scores, scenario_tallies
from netral.store.schema import utcnow


def test_tallies_combine_finished_quizzes_and_practice_per_user(engine: Engine, content: Content) -> None:
    me = create_user(engine, login="me", name="Me", password="rahasia-123")
    someone = create_user(engine, login="someone", name="Someone", password="rahasia-123")
    scenario = content.standalone_scenarios()[0]
    key = {f: list(k) for f, k in key_answer(scenario).items()}
    wrong = {q.facet.value: [next(o.id for o in q.options if o.id not in q.key)] for q in scenario.questions}
    record_practice(engine, content, me.id, score_scenario(scenario, key), key, now=utcnow() - timedelta(hours=2))
    record_practice(engine, content, me.id, score_scenario(scenario, wrong), wrong, now=utcnow() - timedelta(hours=1))
    record_practice(engine, content, someone.id, score_scenario(scenario, key), key)
    tallies = {t.scenario_id: t for t in scenario_tallies(engine, me.id)}
    assert tallies[scenario.id].answers == 2
    assert abs(tallies[scenario.id].mean_score - (1.0 + score_scenario(scenario, wrong).score) / 2) < 1e-9
    history = practice_history(engine, me.id)
    assert [round(h[1], 6) for h in history] == [1.0, round(score_scenario(scenario, wrong).score, 6)]
    assert all(h[2].tzinfo is not None for h in history)  # aware times, as the FSRS replay needs

    # An attempt in progress does not count; a submitted one does.
    attempt = start_or_resume(engine, content, me.id, "lanjutan-pejabat")
    first = attempt.scenario_ids[0]
    save_answer(engine, content, me.id, attempt.id, first, {f: list(k) for f, k in key_answer(content.scenarios[first]).items()})
    assert quiz_scores(engine, me.id) == []
    submit_attempt(engine, content, me.id, attempt.id)
    scores = quiz_scores(engine, me.id)
    assert len(scores) == 1 and scores[0].quiz_id == "lanjutan-pejabat"
    assert {t.scenario_id for t in scenario_tallies(engine, me.id)} >= {first, scenario.id}
    assert quiz_scores(engine, someone.id) == []


def test_mastery_rows_follow_real_frequency_and_name_the_weakest(content: Content) -> None:
    by_category = {}
    for scenario in content.standalone_scenarios():
        by_category.setdefault(scenario.category, scenario.id)
    frequent = max((c for c in content.categories.values() if c.table_2_1), key=lambda c: c.table_2_1.count)  # type: ignore[union-attr]
    rare = min((c for c in content.categories.values() if c.table_2_1), key=lambda c: c.table_2_1.count)  # type: ignore[union-attr]
    rows = category_mastery(content, [(by_category[frequent.id], 4, 0.25), (by_category[rare.id], 2, 0.25),
                                      ("no-such-scenario", 3, 0.0)])
    assert rows[0].category_id == frequent.id and rows[0].mastery == 0.25 and rows[0].answers == 4
    assert [r.real_cases for r in rows if r.real_cases is not None] == sorted(
        [r.real_cases for r in rows if r.real_cases is not None], reverse=True)
    assert all(r.real_cases is None for r in rows[len([r for r in rows if r.real_cases is not None]):])
    focus = weakest_frequent(rows)
    assert focus is not None and focus.category_id == frequent.id  # equally weak: the one that happens more
    assert weakest_frequent(category_mastery(content, [])) is None


def test_question_sequence_follows_the_saved_branch(content: Content) -> None:
    branching = next(s for s in content.standalone_scenarios() if s.next_scenarios)
    question, option = next((q, o) for q in branching.questions for o in q.options if o.next)
    other = next(s.id for s in content.standalone_scenarios() if s.id != branching.id and not s.next_scenarios)
    planned = (branching.id, other)
    assert question_sequence(content, planned, {}) == [branching.id, other]
    chosen = {question.facet.value: [option.id]}
    assert question_sequence(content, planned, {branching.id: chosen}) == [branching.id, option.next, other]
    unrelated = next(o.id for o in question.options if not o.next)
    assert question_sequence(content, planned, {branching.id: {question.facet.value: [unrelated]}}) == list(planned)
