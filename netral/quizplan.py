"""Build the frozen plan of a quiz attempt: which scenarios, in which order, with which option order.

The plan is a pure function of the quiz, the content and the attempt's seed, so an attempt can always be
rebuilt exactly (after a refresh, on another device, on another replica) from the seed stored with it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netral.content.loader import Content
from netral.content.models import Quiz, Scenario

OptionOrder = dict[str, tuple[str, ...]]
"""facet name -> option ids in the order they are shown."""


@dataclass(frozen=True)
class AttemptPlan:
    quiz_id: str
    seed: int
    scenario_ids: tuple[str, ...]
    option_orders: dict[str, OptionOrder]
    """For each planned scenario and each follow-up reachable from it."""


def _reachable(content: Content, start: list[str]) -> list[str]:
    """`start` plus every follow-up reachable through `next`, in a stable order."""
    seen: list[str] = []
    stack = list(reversed(start))
    while stack:
        sid = stack.pop()
        if sid in seen or sid not in content.scenarios:
            continue
        seen.append(sid)
        stack.extend(sorted(content.scenarios[sid].next_scenarios, reverse=True))
    return seen


def _option_order(scenario: Scenario, rng: random.Random, shuffle: bool) -> OptionOrder:
    order: OptionOrder = {}
    for question in scenario.questions:
        ids = [option.id for option in question.options]
        if shuffle:
            rng.shuffle(ids)
        order[question.facet.value] = tuple(ids)
    return order


def plan_attempt(quiz: Quiz, content: Content, seed: int) -> AttemptPlan:
    """The scenarios of an attempt of `quiz` with this `seed`: fixed in the listed order, or drawn per category."""
    # A string seed is hashed with SHA-512 by `random`, stable across processes and PYTHONHASHSEED.
    rng = random.Random(f"{quiz.id}:{seed}")
    if quiz.selection.mode == "fixed":
        chosen = list(quiz.selection.scenarios)
    else:
        chosen = []
        for draw in quiz.selection.draw:
            pool = [s.id for s in content.standalone_scenarios(draw.category)]
            chosen.extend(rng.sample(pool, min(draw.count, len(pool))))
        rng.shuffle(chosen)
    orders = {
        sid: _option_order(content.scenarios[sid], rng, quiz.shuffle_options)
        for sid in _reachable(content, chosen)
    }
    return AttemptPlan(quiz.id, seed, tuple(chosen), orders)


def question_sequence(content: Content, planned: tuple[str, ...], answers: Mapping[str, Mapping[str, Sequence[str]]]
                      ) -> list[str]:
    """The scenarios a trainee sees, in order: each planned one, followed by the follow-up its saved answer
    leads to (recursively). Changing an answer changes which follow-up appears; the submission scores the
    same sequence (`submit_attempt` follows the same `next` links)."""
    sequence: list[str] = []
    for start in planned:
        sid: str | None = start
        while sid is not None and sid in content.scenarios and sid not in sequence:
            sequence.append(sid)
            answer = answers.get(sid)
            if not answer:
                break
            chosen = {facet: set(picks) for facet, picks in answer.items()}
            sid = next((option.next for question in content.scenarios[sid].questions
                        for option in question.options
                        if option.next and option.id in chosen.get(question.facet.value, set())), None)
    return sequence


def resume_position(sequence: Sequence[str], answers: Mapping[str, Mapping[str, Sequence[str]]]) -> int:
    """Where a trainee coming back to an attempt continues: the first question without an answer, or the
    last question (where the attempt is submitted) when every one is answered."""
    for index, scenario_id in enumerate(sequence):
        if not any(answers.get(scenario_id, {}).values()):
            return index
    return max(len(sequence) - 1, 0)
