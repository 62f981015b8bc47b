"""Scale out: two app processes on different ports share one PostgreSQL database, with no proxy and no sticky
routing between them. A trainee registers and starts a quiz on one, then opens the other: the login cookie
is accepted there too (the key that signs it is kept in the shared database), the quiz resumes at the first
unanswered question, and the trainee finishes it there and sees the result. In the database every answer
is stored exactly once, the ones given on the first process unchanged.

The database is NETRAL_TEST_DATABASE_URL (emptied first) where CI sets it, else a new database on
127.0.0.1:5432 (user postgres); a PostgreSQL that is down fails this test, it never skips it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.serverkit import (
    ROOT,
    answer,
    attempt_in_url,
    attempt_status,
    chromium_page,
    counts,
    current_scenario,
    finish_and_submit,
    postgres_database,
    register,
    replicas,
    save_and_next,
    settle,
    shoot,
    start_quiz,
    stored_answers,
    wait_until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def shared_database() -> Iterator[str]:
    with postgres_database("netral_replicas") as url:
        yield url


def test_a_quiz_started_on_one_replica_is_finished_on_the_other(shared_database: str, tmp_path: Path) -> None:
    with replicas(shared_database, tmp_path) as (first, second), chromium_page() as page:
        register(page, first.url)
        start_quiz(page)
        for _ in range(3):
            answer(page)
            save_and_next(page)
        assert counts(page)[0] == 3
        attempt, fourth = attempt_in_url(page), current_scenario(page)
        saved = stored_answers(shared_database, attempt)
        assert len(saved) == 3
        assert first.active_sessions() == 1 and second.active_sessions() == 0

        # The same browser (the same cookie: cookies do not depend on the port) opens the other process.
        page.goto(second.url)
        expect(page.get_by_role("heading", name=re.compile("Selamat datang"))).to_be_visible(timeout=30000)
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Kuis").click()
        resume = page.locator(f".st-key-resume_{attempt} button")
        expect(resume).to_be_visible(timeout=30000)
        shoot(page, "replicas-1-kuis-di-replika-kedua", show=resume)
        resume.click()
        expect(page.get_by_test_id("stProgress")).to_contain_text("3 dari", timeout=30000)
        settle(page)
        assert page.get_by_test_id("stException").count() == 0
        assert attempt_in_url(page) == attempt
        assert current_scenario(page) == fourth, "not resumed at the first unanswered question"
        shoot(page, "replicas-2-lanjut-di-replika-kedua", show=page.get_by_test_id("stProgress"))
        # This browser's Streamlit session now lives on the second process only.
        wait_until(lambda: second.active_sessions() == 1 and first.active_sessions() == 0, 30,
                   "the browser's session did not move to the second process")

        answered = finish_and_submit(page)
        expect(page.get_by_test_id("stMetric").first).to_be_visible()
        shoot(page, "replicas-3-hasil-di-replika-kedua", show=page.get_by_test_id("stMetric").first)
        assert second.active_sessions() == 1

    stored = stored_answers(shared_database, attempt)  # fails on a second row for a scenario
    assert len(stored) == answered, "every question answered in the browser is stored, once"
    assert {sid: stored[sid] for sid in saved} == saved, "an answer given on the first process changed"
    assert fourth in stored
    assert attempt_status(shared_database, attempt) == "submitted"


def test_the_load_generator_spreads_trainees_over_two_replicas_and_every_answer_is_stored(tmp_path: Path) -> None:
    """bench/load's websocket client, small: six trainees on two app processes sharing a fresh PostgreSQL
    database (the generator makes and drops its own), taking the quiz in one training session. Keeps the load
    test's protocol client from rotting and checks what the load test checks at scale: no error, every quiz
    submitted, every answer the trainees were told was saved is in the database, and the summaries the two
    processes wrote at submission equal a rebuild from the attempts."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.load.run", "--servers", "2", "--trainees", "6", "--think", "0.4",
         "--ramp", "2", "--max-seconds", "300", "--in-session", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stderr.strip().splitlines()[-1])
    assert summary["servers"] == 2 and summary["trainees"] == 6
    assert summary["errors"] == 0, summary["error_samples"]
    assert summary["finished"] == 6 and summary["attempts_submitted"] == 6
    assert summary["answers_reported"] >= 6 * 10  # lanjutan-pejabat: 10 questions, follow-ups add more
    assert summary["answers_stored"] == summary["answers_reported"]
    assert summary["in_session"] and summary["summaries_agree"]
    assert all(server["cpu_seconds"] > 0 for server in summary["server"]), "both replicas served trainees"
