"""Eight processes each save 500 answers at once into the same attempts: none lost, none doubled, no errors."""

from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from netral.content import Content
from netral.store.accounts import create_user
from netral.store.attempts import start_or_resume
from netral.store.db import read_session
from netral.store.schema import Answer
from tests.concurrency_worker import save_many

PROCESSES = 8
ANSWERS_EACH = 500


def test_eight_processes_save_answers_into_the_same_attempts(engine: Engine, content: Content,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest installs app.py as `__main__`; "spawn" would re-run it in every worker. A bare `__main__`
    # (no file) keeps the workers to this test's own function, whatever ran before in this process.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    slots: list[tuple[int, int, str]] = []
    for index in range(6):
        nip = f"1990010120150510{index + 1:02d}"
        user = create_user(engine, login=nip, nip=nip, name=f"Peserta {index}", password=None).id
        attempt = start_or_resume(engine, content, user, "penyegaran-pemilu")
        slots += [(user, attempt.id, sid) for sid in attempt.scenario_ids]
    url = engine.url.render_as_string(hide_password=False)

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [pool.submit(save_many, url, worker, slots, ANSWERS_EACH) for worker in range(PROCESSES)]
        results = [future.result(timeout=300) for future in futures]

    errors = [error for result in results for error in result["errors"]]
    assert errors == []
    written = [w for result in results for w in result["written"]]
    assert len(written) == PROCESSES * ANSWERS_EACH
    touched = {(attempt, sid) for attempt, sid, _ in written}
    with read_session(engine) as session:
        rows = session.execute(select(Answer.attempt_id, Answer.scenario_id, Answer.choice)).all()
        assert session.scalar(select(func.count()).select_from(Answer)) == len(touched)
    # One row per slot, each holding one of the answers some process sent for it.
    assert {(r.attempt_id, r.scenario_id) for r in rows} == touched
    sent = {}
    for attempt, sid, pick in written:
        sent.setdefault((attempt, sid), set()).add(pick)
    assert all(r.choice["verdict"][0] in sent[(r.attempt_id, r.scenario_id)] for r in rows)
