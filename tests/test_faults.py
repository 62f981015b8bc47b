"""Faults, caused for real while a trainee is mid-quiz; the property each time is that no answer the app
confirmed is lost and the trainee carries on.

- The app process is killed (SIGKILL, as a crash or an OOM kill) and started again on the same port and
  database: the saved answers are in the database, the browser reconnects by itself, is still logged in, at
  the same question, the saved answers shown again, and the quiz is finished and submitted.
- PostgreSQL stops under the app (a cluster of the test's own, started with initdb/pg_ctl on a free port as
  the `postgres` user, so the machine's shared server is never touched): the next save shows the app's
  "try again" message, not a traceback, and nothing saved is lost; once the server is back, "Coba lagi"
  returns to the same question and the next save is stored (the pool's pre-ping replaces the dead
  connections). The failed run stops at the login check, before the form is drawn, so the one unsaved pick
  has to be made again; the message promises only the saved answers.
- SQLite's write lock is held by another process: a save waits for a lock held within the busy timeout and
  succeeds; held past the busy timeout and the store's retries, the page shows the "try again" message and
  nothing saved before is lost, and the save succeeds once the lock is released; several processes saving
  at once while another keeps taking the lock lose no answer.
"""

from __future__ import annotations

import multiprocessing
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from netral.content import Content, load_content
from netral.store import db
from netral.store.accounts import create_user
from netral.store.attempts import save_answer, start_or_resume
from netral.store.db import make_engine
from netral.store.migrate import upgrade
from tests.concurrency_worker import save_many
from tests.serverkit import (
    Replica,
    answer,
    attempt_in_url,
    attempt_status,
    chromium_page,
    counts,
    current_scenario,
    finish_and_submit,
    free_port,
    register,
    run_finished,
    save_and_back,
    save_and_next,
    settle,
    shoot,
    start_quiz,
    stored_answers,
    wait_until,
)

CONTENT, _ = load_content()
RETRY_MESSAGE = "Basis data sedang tidak dapat dihubungi"  # error.database in netral/locales/id/app.yaml
SAVE_NEXT = "Simpan & berikutnya"
ANSWERS_EACH = 40  # saves per writer process in the concurrency test


def chosen_texts(content: Content, scenario_id: str, choice: dict[str, list[str]]) -> dict[str, set[str]]:
    """The option texts (Bahasa Indonesia) of a stored choice, by facet."""
    texts = {q.facet.value: {o.id: o.text.get("id") for o in q.options} for q in content.scenarios[scenario_id].questions}
    return {facet: {texts[facet][pick] for pick in picks} for facet, picks in choice.items()}


SHOWN_ANSWERS = """(root) => {
    // Each answer widget carries its key as a class: st-key-a<attempt>_<scenario>_<facet>, and a checkbox of
    // a question with several answers st-key-a<attempt>_<scenario>_<facet>__<option>.
    const shown = {};
    for (const widget of root.querySelectorAll('[class*="st-key-a"]')) {
        const key = [...widget.classList].find(c => c.startsWith('st-key-a'));
        const facet = key.split('__')[0].split('_').pop();
        const picked = [...widget.querySelectorAll('label')].filter(l => l.querySelector('input:checked'));
        const chips = [...widget.querySelectorAll('[data-baseweb="tag"]')];
        shown[facet] = [...(shown[facet] || []), ...[...picked, ...chips].map(e => e.innerText.trim())];
    }
    return shown;
}"""


def answers_on_screen(page: Page) -> dict[str, set[str]]:
    """What the question's form shows as picked, by facet (checked radios and checkboxes, multiselect chips)."""
    shown = page.get_by_test_id("stForm").first.evaluate(SHOWN_ANSWERS)
    return {facet: set(texts) for facet, texts in shown.items() if texts}


# -- a) the app process is killed ----------------------------------------------------------------------------


def register_and_answer(page: Page, app_url: str, answered: int) -> tuple[int, str]:
    """A new trainee registers, starts the quiz and saves `answered` answers: the attempt id and the scenario
    now on screen."""
    register(page, app_url)
    start_quiz(page)
    for _ in range(answered):
        answer(page)
        save_and_next(page)
    assert counts(page)[0] == answered
    return attempt_in_url(page), current_scenario(page)


@pytest.mark.browser
def test_the_app_killed_mid_quiz_loses_no_saved_answer_and_the_trainee_resumes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'netral.db'}"
    app = Replica(free_port(), tmp_path / "app.log")
    try:
        app.start(url)
        app.wait_healthy()
        with chromium_page() as page:
            attempt, fourth = register_and_answer(page, app.url, 3)
            mid_quiz = page.evaluate("location.href")
            saved = stored_answers(url, attempt)
            assert len(saved) == 3
            login = next(c["value"] for c in page.context.cookies() if c["name"] == "netral_session")

            app.stop(signal.SIGKILL)  # no shutdown: the websocket just breaks
            assert app.process is not None and app.process.returncode == -signal.SIGKILL
            # Every confirmed answer is in the database while no app runs.
            assert stored_answers(url, attempt) == saved
            shoot(page, "faults-a1-app-mati", show=page.get_by_test_id("stProgress"))

            # Started again on the same port and database (as systemd would): the page reconnects by itself
            # (a new Streamlit session, the same address and login cookie) and shows the same question.
            app.start(url)
            app.wait_healthy()
            wait_until(lambda: app.active_sessions() == 1, 60, "the browser did not reconnect to the new process")
            expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
            settle(page)
            assert page.evaluate("location.href") == mid_quiz
            assert counts(page)[0] == 3
            assert current_scenario(page) == fourth
            assert page.get_by_test_id("stException").count() == 0
            assert next(c["value"] for c in page.context.cookies() if c["name"] == "netral_session") == login
            shoot(page, "faults-a2-setelah-restart", show=page.get_by_test_id("stProgress"))

            # The previous question shows the answer saved before the kill (nothing picked here, so going
            # back saves nothing).
            save_and_back(page)
            third = current_scenario(page)
            assert third in saved
            assert answers_on_screen(page) == chosen_texts(CONTENT, third, saved[third])
            shoot(page, "faults-a3-jawaban-tersimpan", show=page.get_by_test_id("stForm").first)
            save_and_next(page)  # the same answer again: still one row
            assert current_scenario(page) == fourth

            answered = finish_and_submit(page)
            shoot(page, "faults-a4-hasil")
        final = stored_answers(url, attempt)  # fails on a second row for a scenario
        assert len(final) == answered
        assert {sid: final[sid] for sid in saved} == saved
        assert attempt_status(url, attempt) == "submitted"
    finally:
        app.stop()


# -- b) PostgreSQL restarts ----------------------------------------------------------------------------------

def postgres_bin() -> Path:
    """Debian's PostgreSQL server programs (initdb, pg_ctl); a missing server package fails the test."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail("no /usr/lib/postgresql/*/bin/initdb: apt-get install -y postgresql")
    return found[-1].parent


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own, in `folder`, listening on 127.0.0.1:`port` only."""

    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str) -> None:
        # PostgreSQL refuses to run as root: as root, run it as the `postgres` user.
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{program} {args}: {done.stdout}{done.stderr}{self.log()}"

    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def start(self) -> None:
        self.run("pg_ctl", "start", "--wait", "-D", str(self.folder / "data"), "-l", str(self.folder / "postgres.log"),
                 "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "stop", "--wait", "-m", mode, "-D", str(self.folder / "data"))

    def running(self) -> bool:
        return (self.folder / "data" / "postmaster.pid").exists()


@pytest.fixture
def own_postgres() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="netral-pg-"))  # under /tmp: the postgres user can reach it
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("no `postgres` user to run a PostgreSQL cluster as: apt-get install -y postgresql")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(folder, free_port(), postgres_bin())
    try:
        cluster.run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-sync", "--no-instructions")
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.browser
def test_postgresql_restarting_mid_quiz_shows_the_retry_message_then_the_save_succeeds(
        own_postgres: Cluster, tmp_path: Path) -> None:
    url = own_postgres.url
    app = Replica(free_port(), tmp_path / "app.log")
    try:
        app.start(url)
        app.wait_healthy()
        with chromium_page() as page:
            attempt, third = register_and_answer(page, app.url, 2)
            saved = stored_answers(url, attempt)
            assert len(saved) == 2

            own_postgres.stop("fast")  # the server goes away mid-session; the app's pooled connections break
            answer(page)
            page.get_by_role("button", name=SAVE_NEXT).click()
            expect(page.get_by_text(RETRY_MESSAGE)).to_be_visible(timeout=30000)
            expect(page.get_by_role("button", name="Coba lagi")).to_be_visible()
            run_finished(page)
            assert page.get_by_test_id("stException").count() == 0, "a traceback instead of the retry message"
            shoot(page, "faults-b1-postgres-mati")

            own_postgres.start()
            assert stored_answers(url, attempt) == saved  # nothing confirmed was lost in the restart
            page.get_by_role("button", name="Coba lagi").click()
            expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
            settle(page)
            assert page.get_by_text(RETRY_MESSAGE).count() == 0
            assert current_scenario(page) == third and counts(page)[0] == 2
            shoot(page, "faults-b2-postgres-kembali", show=page.get_by_test_id("stProgress"))
            answer(page)
            save_and_next(page)
            assert counts(page)[0] == 3
            shoot(page, "faults-b3-tersimpan", show=page.get_by_test_id("stProgress"))
        after = stored_answers(url, attempt)
        assert set(after) == set(saved) | {third} and all(after[sid] == saved[sid] for sid in saved)
    finally:
        app.stop()


# -- c) SQLite's write lock held by another process ----------------------------------------------------------

HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
connection.execute("CREATE TABLE IF NOT EXISTS other_writer (n INTEGER)")
holds, hold_for, pause = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
for n in range(holds):
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO other_writer VALUES (?)", (n,))
    print("held", flush=True)
    if hold_for < 0:
        sys.stdin.readline()  # until the test says so
    else:
        time.sleep(hold_for)
    connection.execute("COMMIT")
    print("released", flush=True)
    time.sleep(pause)
"""


class LockHolder:
    """Another process that takes SQLite's write lock (BEGIN IMMEDIATE, one row written) `holds` times, each
    for `hold_for` seconds (or until `release()` when negative), with `pause` seconds between."""

    def __init__(self, path: Path, *, holds: int = 1, hold_for: float = -1, pause: float = 0) -> None:
        self.path = path
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(holds), str(hold_for), str(pause)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def wait_for(self, line: str) -> None:
        assert self.process.stdout is not None
        got = self.process.stdout.readline().strip()
        assert got == line, f"the lock holder said {got!r}, not {line!r} (exit code {self.process.poll()})"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        self.wait_for("released")

    def finish(self) -> None:
        assert self.process.wait(timeout=120) == 0

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def locked_now(path: Path) -> bool:
    """True when another connection holds the write lock at this moment (BEGIN IMMEDIATE fails at once)."""
    import sqlite3

    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def verdict_options(scenario_id: str) -> list[str]:
    return next([o.id for o in q.options] for q in CONTENT.scenarios[scenario_id].questions if q.facet.value == "verdict")


def sqlite_store(path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def test_a_save_waits_for_a_write_lock_held_within_the_busy_timeout_and_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "netral.db"
    engine = sqlite_store(path)
    user = create_user(engine, login="199001012015031001", nip="199001012015031001", name="Siti", password=None).id
    attempt = start_or_resume(engine, CONTENT, user, "penyegaran-pemilu")
    first, second = attempt.scenario_ids[:2]
    save_answer(engine, CONTENT, user, attempt.id, first, {"verdict": verdict_options(first)[:1]})
    # Held for 1.5 s: well inside the 5 s busy timeout, so the save's BEGIN IMMEDIATE just waits for it.
    assert db.SQLITE_BUSY_TIMEOUT_MS >= 5000
    holder = LockHolder(path, hold_for=1.5)
    try:
        holder.wait_for("held")
        assert locked_now(path)
        pick = verdict_options(second)[0]
        save_answer(engine, CONTENT, user, attempt.id, second, {"verdict": [pick]})
        holder.wait_for("released")  # the other writer committed before our save could (it held the lock)
        holder.finish()
    finally:
        holder.kill()
    stored = stored_answers(f"sqlite:///{path}", attempt.id)
    assert set(stored) == {first, second} and stored[second] == {"verdict": [pick]}
    with engine.connect() as connection:  # and the other writer's work is there too
        assert connection.exec_driver_sql("SELECT count(*) FROM other_writer").scalar() == 1
    engine.dispose()


def test_a_write_lock_held_past_the_timeout_and_retries_shows_the_retry_message_and_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.appkit import make_user, new_app, open_page

    path = tmp_path / "app.db"
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{path}")
    # The store's real retry policy (db.with_retry: 6 tries, backoff), but a 0.2 s busy timeout instead of
    # 5 s, so exhausting them takes about 2 s instead of about 32 s; the app's engine is made after this.
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(db, "_BUSY_TIMEOUT_PRAGMA", "PRAGMA busy_timeout=200")
    _, token = make_user()
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == "start_free_penyegaran-pemilu").click()
    at.run()
    attempt = int(at.query_params["attempt"])
    prefix = f"a{attempt}"

    def on_screen() -> str:
        key = next(r.key for r in at.radio if (r.key or "").startswith(prefix + "_") and r.key.endswith("_verdict"))
        return key[len(prefix) + 1:-len("_verdict")]

    def pick_verdict() -> tuple[str, str]:
        """Answer the verdict of the question on screen (an answer in itself)."""
        scenario = on_screen()
        pick = verdict_options(scenario)[-1]
        at.radio(key=f"{prefix}_{scenario}_verdict").set_value(pick)
        return scenario, pick

    def save() -> None:
        next(b for b in at.button if b.label == SAVE_NEXT).click()
        at.run()
        assert not at.exception, [e.message for e in at.exception]

    confirmed = set()
    for _ in range(2):
        confirmed.add(pick_verdict()[0])
        save()
    url = f"sqlite:///{path}"
    saved = stored_answers(url, attempt)
    assert set(saved) == confirmed

    holder = LockHolder(path)  # holds the lock until released
    try:
        holder.wait_for("held")
        blocked, pick = pick_verdict()
        save()
        assert RETRY_MESSAGE in at.error[0].value
        assert at.button(key="_netral_retry").label == "Coba lagi"
        # The question stays on screen above the message, with the trainee's pick still in the form.
        assert on_screen() == blocked and "2 dari" in at.get("progress")[0].proto.text
        assert at.radio(key=f"{prefix}_{blocked}_verdict").value == pick
        assert locked_now(path)
        assert stored_answers(url, attempt) == saved  # reads still work (WAL); nothing confirmed is lost
        holder.release()
        holder.finish()
    finally:
        holder.kill()

    at.button(key="_netral_retry").click()
    at.run()
    assert not at.exception and not at.error
    assert on_screen() == blocked and at.radio(key=f"{prefix}_{blocked}_verdict").value == pick
    save()  # the same pick, saved now
    assert "3 dari" in at.get("progress")[0].proto.text and on_screen() != blocked
    stored = stored_answers(url, attempt)
    assert set(stored) == confirmed | {blocked} and stored[blocked] == {"verdict": [pick]}
    assert all(stored[sid] == saved[sid] for sid in saved)


def test_writers_in_several_processes_lose_nothing_while_another_keeps_taking_the_write_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest installs app.py as `__main__`; "spawn" would re-run it in every worker (see test_store_concurrency).
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    path = tmp_path / "netral.db"
    url = f"sqlite:///{path}"
    engine = sqlite_store(path)
    own_slots = []  # each worker its own trainee's attempt, so the last answer it sent to a slot must be the one stored
    for index in range(4):
        nip = f"1990010120150520{index + 1:02d}"
        user = create_user(engine, login=nip, nip=nip, name=f"Peserta {index}", password=None).id
        attempt = start_or_resume(engine, CONTENT, user, "penyegaran-pemilu")
        own_slots.append([(user, attempt.id, sid) for sid in attempt.scenario_ids])
    engine.dispose()

    # Another writer keeps taking the lock for 0.3 s with 0.3 s gaps (until it is stopped); the workers start
    # while it holds the lock for the first time, so their first saves all wait on it.
    holder = LockHolder(path, holds=1000, hold_for=0.3, pause=0.3)
    try:
        holder.wait_for("held")
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(len(own_slots), mp_context=context) as pool:
            futures = [pool.submit(save_many, url, index, slots, ANSWERS_EACH) for index, slots in enumerate(own_slots)]
            results = [future.result(timeout=300) for future in futures]
    finally:
        holder.kill()  # mid-hold or between holds: its open transaction, if any, is simply rolled back

    assert [error for result in results for error in result["errors"]] == []
    assert all(len(result["written"]) == ANSWERS_EACH for result in results)
    for slots, result in zip(own_slots, results, strict=True):
        last = {sid: pick for _, sid, pick in result["written"]}  # in the order this worker saved them
        stored = stored_answers(url, slots[0][1])
        assert set(stored) == set(last), "a saved answer is missing (or one was stored that was not sent)"
        assert {sid: choice["verdict"] for sid, choice in stored.items()} == \
            {sid: [pick] for sid, pick in last.items()}, "an answer was lost or overwritten by an older one"
