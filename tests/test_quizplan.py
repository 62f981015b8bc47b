"""An attempt's plan is rebuilt exactly from its seed, and differs between seeds."""

from __future__ import annotations

from netral.content import load_content
from netral.content.models import Quiz
from netral.quizplan import plan_attempt

CONTENT, _ = load_content()


def _quiz(**selection) -> Quiz:
    return Quiz.model_validate({
        "id": "uji", "title": {"id": "a", "en": "a"}, "description": {"id": "a", "en": "a"},
        "audience": {"id": "a", "en": "a"}, "pass_mark": 0.7, "time_limit_minutes": 10, "attempts_allowed": 1,
        "selection": selection})


def test_every_shipped_quiz_plans_and_is_rebuilt_from_its_seed() -> None:
    assert len(CONTENT.quizzes) >= 3
    for quiz in CONTENT.quizzes.values():
        first = plan_attempt(quiz, CONTENT, seed=1234)
        again = plan_attempt(quiz, CONTENT, seed=1234)
        assert first == again
        assert len(first.scenario_ids) == len(set(first.scenario_ids)) > 0
        assert all(not CONTENT.scenarios[sid].followup_only for sid in first.scenario_ids)
        for sid in first.scenario_ids:
            for follow_up in CONTENT.scenarios[sid].next_scenarios:
                assert follow_up in first.option_orders  # a branch can be shown in the frozen order


def test_random_draw_respects_counts_and_categories() -> None:
    quiz = next(q for q in CONTENT.quizzes.values() if q.selection.mode == "random")
    plan = plan_attempt(quiz, CONTENT, seed=7)
    drawn: dict[str, int] = {}
    for sid in plan.scenario_ids:
        drawn[CONTENT.scenarios[sid].category] = drawn.get(CONTENT.scenarios[sid].category, 0) + 1
    assert drawn == {draw.category: draw.count for draw in quiz.selection.draw}


def test_seeds_change_the_draw_and_the_option_order() -> None:
    category = next(iter(CONTENT.categories))
    quiz = _quiz(mode="random", draw=[{"category": category, "count": 2}])
    plans = {plan_attempt(quiz, CONTENT, seed).scenario_ids for seed in range(30)}
    assert len(plans) > 1
    orders = {tuple(plan_attempt(quiz, CONTENT, seed).option_orders[sid]["conduct"])
              for seed in range(30) for sid in [plan_attempt(quiz, CONTENT, seed).scenario_ids[0]]}
    assert len(orders) > 1


def test_fixed_selection_keeps_its_order_and_options_are_a_permutation() -> None:
    ids = [s.id for s in CONTENT.standalone_scenarios()][:3]
    plan = plan_attempt(_quiz(mode="fixed", scenarios=ids), CONTENT, seed=99)
    assert list(plan.scenario_ids) == ids
    for sid in ids:
        for question in CONTENT.scenarios[sid].questions:
            assert sorted(plan.option_orders[sid][question.facet.value]) == sorted(o.id for o in question.options)


def test_resume_position_is_the_first_unanswered_question_or_the_last() -> None:
    from netral.quizplan import resume_position

    cases = [
        ((), {}, 0),
        (("a", "b", "c"), {}, 0),
        (("a", "b", "c"), {"a": {"f": ["x"]}}, 1),
        (("a", "b", "c"), {"a": {"f": ["x"]}, "c": {"f": ["y"]}}, 1),  # a gap left earlier comes first
        (("a", "b", "c"), {"a": {"f": ["x"]}, "b": {"f": []}}, 1),  # an empty choice is not an answer
        (("a", "b", "c"), {sid: {"f": ["x"]} for sid in "abc"}, 2),  # all answered: the submit question
    ]
    for sequence, answers, expected in cases:
        assert resume_position(sequence, answers) == expected, (sequence, answers)
