"""Which questions item analysis compares for a quiz (Moodle's "slots"), from the content alone.

- a *fixed* quiz: each listed scenario, out of 1 (its score in [0, 1]);
- a *random* quiz: each category drawn, out of the number of scenarios drawn from it; an attempt's mark is
  the sum of its scenario scores in that category.
Follow-up scenarios reached through a branching choice are not slots (only some attempts reach them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from netral.content import Content
from netral.content.models import Quiz

MARKS_DTYPE = np.dtype("<f8")
"""How packed slot marks are stored: float64, little-endian, one per slot in the slots' order."""


@dataclass(frozen=True)
class QuizSlots:
    """How a quiz's scenarios map to analysed questions."""

    kind: str
    """``scenario`` (fixed quiz) or ``category`` (random quiz)."""
    slot_of: dict[str, str]
    """scenario id -> slot id; scenarios not listed are not marked."""
    max_marks: dict[str, float]
    """slot id -> maximum mark, in the quiz's order."""


def quiz_slots(quiz: Quiz, content: Content) -> QuizSlots:
    """The questions item analysis compares for `quiz` (see the module docstring)."""
    if quiz.selection.mode == "fixed":
        ids = [sid for sid in quiz.selection.scenarios if sid in content.scenarios]
        return QuizSlots("scenario", {sid: sid for sid in ids}, {sid: 1.0 for sid in ids})
    max_marks: dict[str, float] = {}
    for draw in quiz.selection.draw:
        available = len(content.standalone_scenarios(draw.category))
        drawn = min(draw.count, available)
        if drawn:
            max_marks[draw.category] = max_marks.get(draw.category, 0.0) + drawn
    slot_of = {s.id: s.category for s in content.scenarios.values()
               if not s.followup_only and s.category in max_marks}
    return QuizSlots("category", slot_of, max_marks)


def slots_layout(slots: QuizSlots) -> str:
    """A short digest of the slots (kind, scenario -> slot, slot order and maximum marks): packed marks
    written under one layout are only read back under the same one."""
    description = json.dumps([slots.kind, sorted(slots.slot_of.items()), list(slots.max_marks.items())])
    return hashlib.sha256(description.encode()).hexdigest()[:32]


def slot_marks(slots: QuizSlots, answers: Iterable[tuple[str, float]]) -> dict[str, float]:
    """An attempt's mark per slot from its scored (scenario id, score) answers; scenarios in no slot are
    left out, a slot with no answer is absent (it scores 0)."""
    marks: dict[str, float] = {}
    for scenario_id, score in answers:
        slot = slots.slot_of.get(scenario_id)
        if slot is not None:
            marks[slot] = marks.get(slot, 0.0) + float(score)
    return marks


def pack_marks(slots: QuizSlots, marks: Mapping[str, float]) -> bytes:
    """`marks` as bytes: one float64 per slot in the slots' order (0 for a missing slot)."""
    return np.array([marks.get(slot, 0.0) for slot in slots.max_marks], dtype=MARKS_DTYPE).tobytes()


def unpack_marks(slots: QuizSlots, packed: Iterable[bytes]) -> np.ndarray:
    """Attempts x slots matrix from `pack_marks` outputs (all under `slots`)."""
    data = b"".join(packed)
    return np.frombuffer(data, dtype=MARKS_DTYPE).reshape(-1, len(slots.max_marks)).astype(float)
