"""A separate process that saves many answers into shared attempts (used by test_store_concurrency)."""

from __future__ import annotations

import random

from netral.content import load_content
from netral.store.attempts import save_answer
from netral.store.db import make_engine


def save_many(url: str, worker: int, slots: list[tuple[int, int, str]], count: int) -> dict[str, object]:
    """Save `count` answers to slots (user, attempt, scenario) chosen by this worker's seed."""
    content, _ = load_content()
    engine = make_engine(url)
    rng = random.Random(worker)
    written: list[tuple[int, str, str]] = []
    errors: list[str] = []
    for _ in range(count):
        user, attempt, sid = slots[rng.randrange(len(slots))]
        options = [o.id for o in content.scenarios[sid].questions[0].options]
        pick = options[rng.randrange(len(options))]
        try:
            save_answer(engine, content, user, attempt, sid, {"verdict": [pick]})
            written.append((attempt, sid, pick))
        except Exception as exc:  # noqa: BLE001 - the test reports every error
            errors.append(f"{type(exc).__name__}: {exc}")
    engine.dispose()
    return {"written": written, "errors": errors}
