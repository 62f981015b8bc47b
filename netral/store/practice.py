"""Practice outside quizzes (Latihan kasus, Latihan cerdas): one row per checked answer, owned by its user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from netral.content import Content
from netral.scoring import ScenarioResult
from netral.store.db import read_session, with_retry, write_session
from netral.store.schema import PracticeRecord, utcnow


def record_practice(engine: Engine, content: Content, user_id: int, result: ScenarioResult,
                    choice: dict[str, list[str]], *, now: datetime | None = None) -> None:
    """Keep a scored practice answer: the history that mastery and the review schedule are rebuilt from."""
    scenario = content.scenarios[result.scenario_id]
    clean = {facet: sorted(set(picks)) for facet, picks in choice.items()}

    def work() -> None:
        with write_session(engine) as session:
            session.add(PracticeRecord(user_id=user_id, scenario_id=scenario.id, category_id=scenario.category,
                                       choice=clean, score=result.score, at=now or utcnow()))

    with_retry(work)


def practice_history(engine: Engine, user_id: int, *, limit: int = 5000) -> list[tuple[str, float, datetime]]:
    """The user's practice answers, oldest first: (scenario id, score, time). Bounded, so a very long
    history cannot make a page slow; the newest `limit` answers are kept."""
    with read_session(engine) as session:
        rows = session.execute(
            select(PracticeRecord.scenario_id, PracticeRecord.score, PracticeRecord.at)
            .where(PracticeRecord.user_id == user_id)
            .order_by(PracticeRecord.at.desc(), PracticeRecord.id.desc()).limit(limit)).all()
    return [(row[0], row[1], row[2]) for row in reversed(rows)]
