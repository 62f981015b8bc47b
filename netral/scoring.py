"""Score a trainee's answer to a scenario against the scenario's key, facet by facet.

Pure and deterministic: the same scenario and answer always give the same result, and the result does not
depend on the order in which options were shown or chosen. The answer comes from the client, so it is
checked (unknown option ids, several picks on a single-choice facet) and never trusted for a score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netral.content.models import Facet, Question, Scenario, Text

Answer = Mapping[str, Iterable[str]]
"""A trainee's answer: facet name -> chosen option ids. A facet left out counts as unanswered (score 0)."""


class InvalidAnswer(ValueError):
    """The answer does not fit the scenario (unknown facet or option, several picks on a single choice)."""


@dataclass(frozen=True)
class FeedbackItem:
    """One option worth explaining: a chosen one, or a key the trainee missed. Always cites provisions."""

    option_id: str
    text: Text
    feedback: Text
    cites: tuple[str, ...]
    chosen: bool
    in_key: bool


@dataclass(frozen=True)
class FacetResult:
    facet: Facet
    weight: float
    score: float
    chosen: tuple[str, ...]
    key: tuple[str, ...]
    feedback: tuple[FeedbackItem, ...]

    @property
    def correct(self) -> bool:
        return self.score == 1.0


@dataclass(frozen=True)
class ScenarioResult:
    scenario_id: str
    score: float
    facets: tuple[FacetResult, ...]
    next_scenario: str | None

    def facet(self, facet: Facet) -> FacetResult:
        return next(result for result in self.facets if result.facet is facet)


def score_question(question: Question, chosen: Iterable[str]) -> FacetResult:
    """Score one facet.

    Single choice: the chosen option's credit (0 when nothing is chosen).
    Multiple choice: (correct picks - wrong picks) / number of correct options, floored at 0.
    """
    picks = frozenset((chosen,) if isinstance(chosen, str) else chosen)
    by_id = {option.id: option for option in question.options}
    unknown = sorted(picks - by_id.keys())
    if unknown:
        raise InvalidAnswer(f"{question.facet.value}: unknown option(s) {', '.join(unknown)}")
    if not question.multiple and len(picks) > 1:
        raise InvalidAnswer(f"{question.facet.value}: only one option may be chosen")

    key = frozenset(question.key)
    if question.multiple:
        right = len(picks & key)
        wrong = len(picks - key)
        score = max(0.0, (right - wrong) / len(key))
    else:
        score = by_id[next(iter(picks))].credit if picks else 0.0

    # Feedback in the scenario's own option order, so it reads the same whatever order the trainee saw.
    feedback = tuple(
        FeedbackItem(
            option_id=option.id,
            text=option.text,
            feedback=option.feedback,
            cites=tuple(option.cites),
            chosen=option.id in picks,
            in_key=option.id in key,
        )
        for option in question.options
        if option.id in picks or option.id in key
    )
    ordered_picks = tuple(option.id for option in question.options if option.id in picks)
    return FacetResult(question.facet, question.weight, score, ordered_picks, question.key, feedback)


def score_scenario(scenario: Scenario, answer: Answer) -> ScenarioResult:
    """Score every facet of `scenario` and combine them as the weighted mean, in [0, 1]."""
    answer = {facet: ((picks,) if isinstance(picks, str) else tuple(picks)) for facet, picks in answer.items()}
    known = {facet.value for facet in Facet}
    stray = sorted(set(answer) - known)
    if stray:
        raise InvalidAnswer(f"unknown facet(s) {', '.join(stray)}")
    facets = tuple(score_question(question, answer.get(question.facet.value, ())) for question in scenario.questions)
    total_weight = sum(result.weight for result in facets)
    score = sum(result.weight * result.score for result in facets) / total_weight
    # Guard against float drift past the bounds (e.g. 1.0000000000000002).
    score = min(1.0, max(0.0, score))
    next_scenario = next(
        (
            option.next
            for question in scenario.questions
            for option in question.options
            if option.next and option.id in set(answer.get(question.facet.value, ()))
        ),
        None,
    )
    return ScenarioResult(scenario.id, score, facets, next_scenario)


def key_answer(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The answer that scores 1: each facet's key."""
    return {question.facet.value: question.key for question in scenario.questions}


def score_attempt(results: Iterable[ScenarioResult]) -> float:
    """An attempt's score: the mean of its scenario scores (each scenario counts equally), 0 when empty."""
    scores = [result.score for result in results]
    return sum(scores) / len(scores) if scores else 0.0
