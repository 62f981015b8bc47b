"""Scoring against a scenario's key: unit cases and hypothesis properties.

Properties: the key answer scores 1; every score lies in [0, 1]; the score does not depend on the order in
which options are listed or chosen; a client-sent answer that does not fit the scenario is refused.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netral.content.models import Facet, Question, Scenario
from netral.scoring import InvalidAnswer, key_answer, score_attempt, score_question, score_scenario
from tests.contentkit import scenario as scenario_dict

BREACH = Scenario.model_validate(scenario_dict("kat-a-01"))
LAWFUL = Scenario.model_validate(scenario_dict("kat-a-02", lawful=True))


def test_key_answer_scores_one_with_feedback_citing_provisions() -> None:
    result = score_scenario(BREACH, key_answer(BREACH))
    assert result.score == 1.0
    assert all(facet.correct for facet in result.facets)
    assert all(item.cites for facet in result.facets for item in facet.feedback)


def test_lawful_key_is_the_none_answers() -> None:
    answer = key_answer(LAWFUL)
    assert answer == {"verdict": ("tidak",), "provisions": ("tidak-ada",), "kind": ("none",),
                      "sanction": ("none",), "conduct": ("menolak",)}
    assert score_scenario(LAWFUL, answer).score == 1.0


def test_weighted_mean_with_partial_credit() -> None:
    # verdict right (1), provisions 1 right + 1 wrong of 1 key -> 0, kind right (0.5 weight),
    # sanction 'sedang' partial 0.5, conduct wrong (0). Weights 1, 1, 0.5, 1, 1.
    answer = {"verdict": ["ya"], "provisions": ["p-larangan", "p-lain"], "kind": ["disiplin"],
              "sanction": ["sedang"], "conduct": ["ikut"]}
    result = score_scenario(BREACH, answer)
    assert result.facet(Facet.PROVISIONS).score == 0.0
    assert result.facet(Facet.SANCTION).score == 0.5
    assert result.score == pytest.approx((1 + 0 + 0.5 * 1 + 0.5 + 0) / 4.5)


def test_multiple_choice_partial_credit_formula() -> None:
    question = Question.model_validate({
        "facet": "provisions", "weight": 1, "multiple": True, "prompt": {"id": "a", "en": "a"},
        "options": [{"id": i, "text": {"id": i, "en": i}, "credit": c, "feedback": {"id": i, "en": i},
                     "cites": ["p"]} for i, c in (("a", 1), ("b", 1), ("c", 1), ("d", 0), ("e", 0))]})
    assert score_question(question, ["a", "b", "c"]).score == 1.0
    assert score_question(question, ["a", "b"]).score == pytest.approx(2 / 3)
    assert score_question(question, ["a", "b", "d"]).score == pytest.approx(1 / 3)
    assert score_question(question, ["a", "d", "e"]).score == 0.0  # floored, not negative
    assert score_question(question, []).score == 0.0


def test_unanswered_facets_score_zero_and_feedback_shows_the_key() -> None:
    result = score_scenario(BREACH, {})
    assert result.score == 0.0
    verdict = result.facet(Facet.VERDICT)
    assert verdict.chosen == () and [item.option_id for item in verdict.feedback] == ["ya"]


@pytest.mark.parametrize("answer", [
    {"verdict": ["mungkin"]},
    {"verdict": ["ya", "tidak"]},
    {"verdik": ["ya"]},
])
def test_answers_that_do_not_fit_are_refused(answer: dict) -> None:
    with pytest.raises(InvalidAnswer):
        score_scenario(BREACH, answer)


def test_a_bare_string_counts_as_one_choice() -> None:
    assert score_scenario(BREACH, {"verdict": "ya"}).facet(Facet.VERDICT).score == 1.0


def test_branch_choice_names_the_follow_up() -> None:
    data = scenario_dict("kat-a-01")
    data["questions"][4]["options"][1]["next"] = "kat-a-01b"
    branching = Scenario.model_validate(data)
    assert score_scenario(branching, {"conduct": ["ikut"]}).next_scenario == "kat-a-01b"
    assert score_scenario(branching, {"conduct": ["menolak"]}).next_scenario is None


def test_attempt_score_is_the_mean_of_scenarios() -> None:
    results = [score_scenario(BREACH, key_answer(BREACH)), score_scenario(BREACH, {})]
    assert score_attempt(results) == 0.5
    assert score_attempt([]) == 0.0


# --- properties over every shipped scenario and over generated answers --------------------------------

def _shipped_scenarios() -> list[Scenario]:
    from netral.content import load_content

    content, _ = load_content()
    return sorted(content.scenarios.values(), key=lambda s: s.id) or [BREACH, LAWFUL]


SCENARIOS = _shipped_scenarios()


@st.composite
def scenario_and_answer(draw: st.DrawFn) -> tuple[Scenario, dict[str, list[str]]]:
    scenario = draw(st.sampled_from(SCENARIOS))
    answer: dict[str, list[str]] = {}
    for question in scenario.questions:
        ids = [option.id for option in question.options]
        if question.multiple:
            picks = draw(st.lists(st.sampled_from(ids), unique=True))
        else:
            picks = draw(st.lists(st.sampled_from(ids), max_size=1))
        if draw(st.booleans()) or picks:
            answer[question.facet.value] = picks
    return scenario, answer


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_property_key_scores_one_for_every_shipped_scenario(scenario: Scenario) -> None:
    assert score_scenario(scenario, key_answer(scenario)).score == 1.0


@settings(max_examples=300, deadline=None)
@given(scenario_and_answer())
def test_property_score_in_unit_interval(case: tuple[Scenario, dict[str, list[str]]]) -> None:
    scenario, answer = case
    result = score_scenario(scenario, answer)
    assert 0.0 <= result.score <= 1.0
    assert all(0.0 <= facet.score <= 1.0 for facet in result.facets)


@settings(max_examples=200, deadline=None)
@given(scenario_and_answer(), st.randoms(use_true_random=False))
def test_property_independent_of_option_and_pick_order(case, rnd: random.Random) -> None:
    scenario, answer = case
    shuffled_data = scenario.model_dump(mode="json")
    for question in shuffled_data["questions"]:
        rnd.shuffle(question["options"])
    shuffled = Scenario.model_validate(shuffled_data)
    reordered_answer = {facet: list(reversed(picks)) for facet, picks in answer.items()}
    assert score_scenario(shuffled, reordered_answer).score == pytest.approx(
        score_scenario(scenario, answer).score, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(scenario_and_answer())
def test_property_deterministic(case) -> None:
    scenario, answer = case
    assert score_scenario(scenario, answer) == score_scenario(scenario, answer)
