"""Real app processes and a real browser for the tests that need them: start (and kill) `streamlit run app.py`
on a database of the test's choosing, open Debian's Chromium through Playwright, and drive a trainee through
a quiz. Used by test_browser, test_deploy_nginx, test_faults and test_replicas (and bench/bytes.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NIP = "199001012015031001"
PASSWORD = "rahasia-123"
QUIZ = "lanjutan-pejabat"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Callable[[], object], timeout: float, what: str, *, every: float = 0.2) -> None:
    """Poll `check` until it is true; fail with "`what` within N s" when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    pytest.fail(f"{what} within {timeout:.0f} s")


# -- PostgreSQL -----------------------------------------------------------------------------------------------

@contextmanager
def postgres_database(prefix: str = "netral_test") -> Iterator[str]:
    """NETRAL_TEST_DATABASE_URL emptied where CI sets it, else a database of our own on 127.0.0.1:5432 (dropped
    afterwards). A PostgreSQL that is down fails the test, it never skips it."""
    from tests.conftest import reset_postgres

    given = os.environ.get("NETRAL_TEST_DATABASE_URL", "").strip()
    if given:
        engine = create_engine(given)
        try:
            reset_postgres(engine)
        finally:
            engine.dispose()
        yield given
        return
    name = f"{prefix}_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - a PostgreSQL that is down is a failure, never a skip
        admin.dispose()
        pytest.fail(f"no PostgreSQL on 127.0.0.1:5432 (user postgres): {exc}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the app processes ----------------------------------------------------------------------------------------

@dataclass
class Replica:
    """One `python -m streamlit run app.py` process on 127.0.0.1:`port`, its output appended to `log`."""

    port: int
    log: Path
    options: tuple[str, ...] = ()  # more `streamlit run` options
    env: dict[str, str] = field(default_factory=dict)  # more environment variables
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self, database_url: str) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                 "--server.port", str(self.port), "--server.headless", "true", *self.options],
                cwd=ROOT, env={**os.environ, **self.env, "NETRAL_DATABASE_URL": database_url},
                stdout=out, stderr=subprocess.STDOUT)

    def output(self, tail: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"the app on {self.address} exited: {self.output()}")
        try:
            return urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok"
        except OSError:
            return False

    def wait_healthy(self, timeout: float = 60) -> None:
        wait_until(self.healthy, timeout, f"the app on {self.address} was not healthy")

    def active_sessions(self) -> int:
        """Streamlit's own gauge, read from the process directly."""
        body = urllib.request.urlopen(f"{self.url}/_stcore/metrics", timeout=5).read().decode()
        match = re.search(r"^active_sessions (\d+)", body, re.MULTILINE)
        assert match, body
        return int(match.group(1))

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


@contextmanager
def replicas(database_url: str, folder: Path, count: int = 2, *,
             options: tuple[str, ...] = ()) -> Iterator[list[Replica]]:
    """`count` app processes started at the same moment (they migrate the empty database in turn)."""
    started = [Replica(free_port(), folder / f"app-{index}.log", options) for index in range(count)]
    try:
        for replica in started:
            replica.start(database_url)
        for replica in started:
            replica.wait_healthy()
        yield started
    finally:
        for replica in started:
            replica.stop()


@contextmanager
def app_server(database_url: str, folder: Path) -> Iterator[Replica]:
    """One new app process on `database_url`, healthy; stopped afterwards."""
    with replicas(database_url, folder, 1) as (app,):
        yield app


@contextmanager
def chromium_page(viewport: tuple[int, int] = (1200, 900)) -> Iterator[Page]:
    """A page in a fresh Chromium (its own cookies), closed afterwards."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                      ignore_https_errors=True)
        try:
            yield context.new_page()
        finally:
            browser.close()


def shoot(page: Page, name: str, show=None) -> Path:  # type: ignore[no-untyped-def]
    """A screenshot into test-artifacts/, scrolled to `show` (a locator) first: Streamlit scrolls inside its
    own container, so a full-page shot holds only what is in view."""
    if show is not None:
        show.scroll_into_view_if_needed()
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- steps in the browser -------------------------------------------------------------------------------------

def settle(page: Page) -> None:
    """Wait until Streamlit has finished the current run (no 'running' indicator, no skeletons)."""
    page.wait_for_load_state("networkidle")
    # The app's own run state: the status widget is not drawn at phone width, this attribute always is.
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=30000)
    page.wait_for_timeout(300)


def run_finished(page: Page) -> None:
    """Streamlit's own flag on its root element: the script run is over (the "Running..." widget that
    `settle` waits for is not shown on a phone-sized screen)."""
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'",
        timeout=30000)


def textbox(page: Page, label: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("textbox", name=label, exact=True).first


def register(page: Page, server: str) -> None:
    page.goto(server)
    page.get_by_role("tab", name="Daftar").click()
    textbox(page, "NIP (18 digit)").fill("19900101 201503 1 001")
    textbox(page, "Nama lengkap (dengan gelar)").fill("Dr. Siti Aminah, S.H., M.H.")
    textbox(page, "Unit kerja").fill("BKPSDM Provinsi Banten")
    textbox(page, "Jabatan").fill("Analis SDM Aparatur")
    textbox(page, "Kata sandi baru").fill(PASSWORD)
    textbox(page, "Ulangi kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Daftar", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Selamat datang"))).to_be_visible(timeout=30000)


def tick_first_checkbox_of_each_group(form) -> None:  # type: ignore[no-untyped-def]
    """Where a question takes several answers as a group of checkboxes (keys `<question key>__<option>`,
    ui/scenario_form.py), tick the first box of each group, unless it is ticked already."""
    seen: set[str] = set()
    for box in form.locator('[class*="st-key-"][class*="__"]').all():
        key = next((c for c in (box.get_attribute("class") or "").split() if c.startswith("st-key-") and "__" in c),
                   None)
        group = key.rsplit("__", 1)[0] if key else None
        if group is None or group in seen or box.get_by_role("checkbox").count() != 1:
            continue
        seen.add(group)
        if not box.get_by_role("checkbox").is_checked():
            box.locator("label").first.click()


def answer_current_question(page: Page) -> None:
    """Pick the first option of every question on screen (radio groups and multiselects)."""
    settle(page)  # the previous run must be finished, or the widgets found may be the old question's
    form = page.get_by_test_id("stForm").first
    for group in form.get_by_test_id("stRadio").all():
        group.get_by_role("radiogroup").locator("label").first.click()
    tick_first_checkbox_of_each_group(form)
    for select in form.get_by_test_id("stMultiSelect").all():
        select.scroll_into_view_if_needed()
        # A click on the box does not open it here; the keyboard does, as it would for a screen-reader user.
        select.locator("input").focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.click()
        # Leave the box with Tab (Escape inside a form can swallow the next click on the submit button).
        page.keyboard.press("Tab")
        # A click while the list is still open would only close it, not press the save button.
        expect(page.get_by_role("listbox")).to_have_count(0, timeout=10000)


def answer(page: Page) -> None:
    """Pick the first option of every question on screen, as `answer_current_question` does but with a
    shorter wait before (the end of the run, no network-idle pause); then move the focus off the last
    multiselect: a focused multiselect is taller, so the mouse-down on the save button would
    collapse it and move the button up, and the click would land beside it."""
    run_finished(page)
    form = page.get_by_test_id("stForm").first
    for group in form.get_by_test_id("stRadio").all():
        group.get_by_role("radiogroup").locator("label").first.click()
    tick_first_checkbox_of_each_group(form)
    for select in form.get_by_test_id("stMultiSelect").all():
        select.locator("input").focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    expect(page.get_by_role("listbox")).to_have_count(0, timeout=10000)


def current_form_key(page: Page) -> str:
    """The CSS class Streamlit gives the question's first widget (`st-key-a<attempt>_<scenario>_verdict`)."""
    classes = page.locator('[class*="_verdict"][class*="st-key-a"]').first.get_attribute("class") or ""
    return next(c for c in classes.split() if c.startswith("st-key-a") and c.endswith("_verdict"))


def current_scenario(page: Page) -> str:
    """The id of the scenario on screen (from `st-key-a<attempt>_<scenario>_verdict`)."""
    return current_form_key(page).removeprefix("st-key-").split("_", 1)[1].removesuffix("_verdict")


def save_and_next(page: Page) -> None:
    """Save the answer and wait until the next question's form has replaced this one (the progress bar is
    drawn before the form, so its change alone does not mean the new widgets are there)."""
    before = current_form_key(page)
    page.get_by_role("button", name="Simpan & berikutnya").click()
    expect(page.locator(f".{before}")).to_have_count(0, timeout=30000)
    assert page.get_by_test_id("stException").count() == 0
    settle(page)


def save_and_back(page: Page) -> None:
    """As `save_and_next`, with the button that goes to the previous question."""
    before = current_form_key(page)
    page.get_by_role("button", name="Simpan & sebelumnya").click()
    expect(page.locator(f".{before}")).to_have_count(0, timeout=30000)
    assert page.get_by_test_id("stException").count() == 0
    settle(page)


def progress_text(page: Page) -> str:
    return page.get_by_test_id("stProgress").inner_text()


def counts(page: Page) -> tuple[int, int]:
    """(answered, total) from the quiz's progress bar."""
    answered, total = map(int, re.findall(r"\d+", progress_text(page))[:2])
    return answered, total


def start_quiz(page: Page, quiz: str = QUIZ) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Kuis").click()
    settle(page)
    page.locator(f".st-key-start_free_{quiz} button").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    settle(page)


def finish_and_submit(page: Page) -> int:
    """Answer the remaining questions in order (a chosen option may add a follow-up), then submit; return
    the number of questions answered."""
    for _ in range(25):
        answered, total = counts(page)
        if answered == total:
            break
        answer(page)
        if answered + 1 == total:  # the last question stays on screen after saving, unless it branches
            before = progress_text(page)
            page.get_by_role("button", name="Simpan & berikutnya").click()
            expect(page.get_by_test_id("stProgress")).not_to_have_text(before, timeout=30000)
            settle(page)
        else:
            save_and_next(page)
    answered, total = counts(page)
    assert answered == total > 0, f"{answered}/{total} answered"
    page.get_by_text("Saya yakin ingin mengumpulkan kuis ini").click()
    page.get_by_role("button", name="Kumpulkan kuis").click()
    expect(page.get_by_role("heading", name="Hasil", exact=True)).to_be_visible(timeout=30000)
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    return total


def attempt_in_url(page: Page) -> int:
    match = re.search(r"[?&]attempt=(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


# -- the database, read directly ------------------------------------------------------------------------------

def stored_answers(database_url: str, attempt: int) -> dict[str, dict[str, list[str]]]:
    """The attempt's stored answers by scenario, read on a connection of the test's own."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT scenario_id, choice FROM answers WHERE attempt_id = :a"),
                                      {"a": attempt}).all()
    finally:
        engine.dispose()
    found: dict[str, dict[str, list[str]]] = {}
    for scenario_id, choice in rows:
        assert scenario_id not in found, f"two rows for {scenario_id} in attempt {attempt}"
        found[scenario_id] = choice if isinstance(choice, dict) else json.loads(choice)
    return found


def stored_answer_count(database_url: str, attempt: int) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM answers WHERE attempt_id = :a"), {"a": attempt}))
    finally:
        engine.dispose()


def attempt_status(database_url: str, attempt: int) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return str(connection.scalar(text("SELECT status FROM attempts WHERE id = :a"), {"a": attempt}))
    finally:
        engine.dispose()
