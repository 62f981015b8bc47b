"""The production set-up of docs/deploy.md, run for real: Debian's nginx with deploy/nginx/netral.conf (only the
replicas' addresses, the ports, the certificate and the log paths substituted, IPv6 listens dropped) in
front of two app processes on one PostgreSQL database, over TLS, driven by Chromium.

- A trainee registers, takes a quiz and sees the result, all through nginx; the login cookie is Secure
  (nginx says X-Forwarded-Proto: https); /_stcore/health answers, /_stcore/metrics does not.
- Mid-quiz, the app process that holds the trainee's websocket is killed: the browser reconnects through
  nginx to the other process, is still logged in and carries on with the answers already saved.

The database is NETRAL_TEST_DATABASE_URL (emptied first) where CI sets it, else a new database on
127.0.0.1:5432 (user postgres); a PostgreSQL that is down fails these tests, it never skips them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import create_engine, text

from tests.conftest import reset_postgres
from tests.test_browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    ROOT,
    progress_text,
    register,
    save_and_next,
    settle,
)

pytestmark = pytest.mark.browser

NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "deploy" / "nginx" / "netral.conf"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
QUIZ = "lanjutan-pejabat"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout:.0f} s")


# -- PostgreSQL -----------------------------------------------------------------------------------------------

@pytest.fixture
def shared_database() -> Iterator[str]:
    """NETRAL_TEST_DATABASE_URL emptied where CI sets it, else a database of our own (dropped afterwards)."""
    given = os.environ.get("NETRAL_TEST_DATABASE_URL", "").strip()
    if given:
        engine = create_engine(given)
        try:
            reset_postgres(engine)
        finally:
            engine.dispose()
        yield given
        return
    name = f"netral_nginx_{os.getpid()}_{int(time.time() * 1000) % 10**8}"
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
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, database_url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
             "--server.port", str(self.port), "--server.headless", "true",
             "--server.allowedHosts", "127.0.0.1"],  # as docs/deploy.md advises, with the public name
            cwd=ROOT, env={**os.environ, "NETRAL_DATABASE_URL": database_url},
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

    def healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"the app on {self.address} exited: {self.log.read_text(errors='replace')[-3000:]}")
        try:
            return urllib.request.urlopen(f"http://{self.address}/_stcore/health", timeout=2).read() == b"ok"
        except OSError:
            return False

    def active_sessions(self) -> int:
        """Streamlit's own gauge, read from the process directly (nginx does not pass /_stcore/metrics)."""
        body = urllib.request.urlopen(f"http://{self.address}/_stcore/metrics", timeout=5).read().decode()
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
def replicas(database_url: str, folder: Path, count: int = 2) -> Iterator[list[Replica]]:
    """`count` app processes started at the same moment (they migrate the empty database in turn)."""
    started = [Replica(_free_port(), folder / f"app-{index}.log") for index in range(count)]
    try:
        for replica in started:
            replica.start(database_url)
        for replica in started:
            _wait_until(replica.healthy, 60, f"the app on {replica.address} was not healthy")
        yield started
    finally:
        for replica in started:
            replica.stop()


# -- nginx ----------------------------------------------------------------------------------------------------

def render_site_config(template: str, *, upstreams: list[str], https_port: int, http_port: int,
                       certificate: Path, key: Path, access_log: Path) -> str:
    """The template with the deployment-specific values replaced, and nothing else. Each replacement must
    match as often as expected, so a changed template fails here instead of testing something else."""

    def swap(config: str, pattern: str, replacement, expected: int) -> str:  # type: ignore[no-untyped-def]
        new, count = re.subn(pattern, replacement, config, flags=re.MULTILINE)
        assert count == expected, f"{pattern!r} matched {count} times in {TEMPLATE}, expected {expected}"
        return new

    assert 1 <= len(upstreams) <= 2, upstreams
    servers = iter(upstreams)
    config = swap(template, r"^(\s*server )\S+:8501\b", lambda m: m.group(1) + next(servers, "#"), 2)
    config = re.sub(r"^\s*server #.*\n", "", config, flags=re.MULTILINE)  # the template's second, unused
    config = swap(config, r"^\s*listen \[::\]:\d+[^;]*;\n", "", 2)  # no IPv6 in the test
    config = swap(config, r"^(\s*listen )80;", rf"\g<1>127.0.0.1:{http_port};", 1)
    config = swap(config, r"^(\s*listen )443 ", rf"\g<1>127.0.0.1:{https_port} ", 1)
    config = swap(config, r"^(\s*ssl_certificate\s+)\S+;", rf"\g<1>{certificate};", 1)
    config = swap(config, r"^(\s*ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", 1)
    config = swap(config, r"/var/log/nginx/netral\.access\.log", str(access_log), 2)
    return config


def main_config(folder: Path, site: Path) -> str:
    """A minimal nginx.conf around the site file, everything under `folder` (Debian's compiled-in paths
    under /var/lib/nginx and /var/log/nginx are never touched)."""
    # As root, nginx's workers would otherwise run as `nobody` and could not use the temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\nerror_log {folder / 'error.log'} info;\n"
            "events { worker_connections 512; }\n"
            f"http {{\n{temp}\n    include {site};\n}}\n")


@dataclass
class Proxy:
    url: str
    http_url: str
    access_log: Path
    error_log: Path

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """A request through nginx (TLS, the test's own certificate), without following redirects."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
        base = self.url if path.startswith("/") else ""
        try:
            with opener.open(base + path, timeout=10) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)


@contextmanager
def nginx(upstreams: list[str], folder: Path) -> Iterator[Proxy]:
    if not os.access(NGINX, os.X_OK):
        pytest.fail(f"{NGINX} is missing: apt-get install -y nginx")
    folder.mkdir(parents=True, exist_ok=True)
    certificate, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", str(key), "-out", str(certificate)], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    https_port, http_port = _free_port(), _free_port()
    site = folder / "netral.conf"
    site.write_text(render_site_config(TEMPLATE.read_text(), upstreams=upstreams, https_port=https_port,
                                       http_port=http_port, certificate=certificate, key=key,
                                       access_log=folder / "access.log"))
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    command = [NGINX, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log"),
               "-g", f"daemon off; pid {folder / 'nginx.pid'};"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, f"nginx -t: {checked.stderr}"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = Proxy(f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", folder / "access.log",
                  folder / "error.log")

    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {proxy.error_log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", https_port)) == 0

    try:
        _wait_until(listening, 15, "nginx did not listen")
        yield proxy
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finish the open requests, then exit
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def deployment(database_url: str, folder: Path) -> Iterator[tuple[list[Replica], Proxy]]:
    with replicas(database_url, folder) as apps, nginx([app.address for app in apps], folder / "nginx") as proxy:
        yield apps, proxy


@contextmanager
def chromium_page() -> Iterator[Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 900}, ignore_https_errors=True)
        try:
            yield context.new_page()
        finally:
            browser.close()


# -- quiz steps -----------------------------------------------------------------------------------------------

def counts(page: Page) -> tuple[int, int]:
    answered, total = map(int, re.findall(r"\d+", progress_text(page))[:2])
    return answered, total


def run_finished(page: Page) -> None:
    """Streamlit's own flag on its root element: the script run is over (the "Running..." widget that
    `settle` waits for is not shown on a phone-sized screen)."""
    page.wait_for_function(
        "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'",
        timeout=30000)


def answer(page: Page) -> None:
    """Pick the first option of every question on screen, as `answer_current_question` does but with a
    shorter wait before (the end of the run, no network-idle pause); then move the focus off the last
    multiselect: a focused multiselect is taller, so the mouse-down on the save button would
    collapse it and move the button up, and the click would land beside it."""
    run_finished(page)
    form = page.get_by_test_id("stForm").first
    for group in form.get_by_test_id("stRadio").all():
        group.get_by_role("radiogroup").locator("label").first.click()
    for select in form.get_by_test_id("stMultiSelect").all():
        select.locator("input").focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.click()
        page.keyboard.press("Escape")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    expect(page.get_by_role("listbox")).to_have_count(0, timeout=10000)


def start_quiz(page: Page) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Kuis").click()
    settle(page)
    page.locator(f".st-key-start_free_{QUIZ} button").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    settle(page)


def finish_and_submit(page: Page) -> None:
    """Answer the remaining questions in order (a chosen option may add a follow-up), then submit."""
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


def stored_answer_count(database_url: str, attempt: int) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM answers WHERE attempt_id = :a"), {"a": attempt}))
    finally:
        engine.dispose()


def attempt_in_url(page: Page) -> int:
    match = re.search(r"[?&]attempt=(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


# -- the tests ------------------------------------------------------------------------------------------------

def test_the_template_passes_nginx_t_in_debians_own_nginx_conf(tmp_path: Path) -> None:
    """docs/deploy.md says: copy the file into /etc/nginx/conf.d/. So it must load beside everything Debian's
    stock nginx.conf sets at http level (its `gzip on;`, for one, forbids a second one there)."""
    stock = Path("/etc/nginx/nginx.conf")
    assert stock.is_file(), "Debian's /etc/nginx/nginx.conf is missing: apt-get install -y nginx"
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "netral.conf").write_text(render_site_config(
        TEMPLATE.read_text(), upstreams=["127.0.0.1:8501", "127.0.0.1:8502"], https_port=_free_port(),
        http_port=_free_port(), certificate=certificate, key=key, access_log=tmp_path / "access.log"))
    config = stock.read_text()
    assert "include /etc/nginx/conf.d/*.conf;" in config
    config = config.replace("include /etc/nginx/conf.d/*.conf;", f"include {tmp_path}/conf.d/*.conf;")
    (tmp_path / "nginx.conf").write_text(config)
    checked = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_a_trainee_takes_a_quiz_through_nginx_over_tls(shared_database: str, tmp_path: Path) -> None:
    with deployment(shared_database, tmp_path) as (apps, proxy), chromium_page() as page:
        # The proxy's own answers: health passes, the metrics and the agent API do not, HTTP redirects.
        status, body, _ = proxy.get("/_stcore/health")
        assert (status, body) == (200, b"ok")
        for path in ("/_stcore/metrics", "/_stcore/metrics/", "/_stcore/metrics?format=text",
                     "/_stcore//metrics", "/_stcore/%6detrics", "//_stcore/metrics", "/_stcore/agent/openapi.json"):
            status, body, _ = proxy.get(path)
            assert status == 404 and b"active_sessions" not in body, f"{path}: {status} {body[:200]!r}"
        status, _, headers = proxy.get(proxy.http_url + "/kuis?x=1")
        assert status == 301 and headers["Location"] == "https://127.0.0.1/kuis?x=1"

        register(page, proxy.url)
        cookies = {c["name"]: c for c in page.context.cookies()}
        login = cookies["netral_session"]
        # nginx tells the app the request came over https, so the login cookie is Secure.
        assert login["secure"] and login["httpOnly"] and login["sameSite"] == "Lax"
        assert cookies["netral_route"]["httpOnly"] and cookies["netral_route"]["secure"]

        start_quiz(page)
        assert counts(page)[0] == 0
        finish_and_submit(page)
        page.screenshot(path=str(ARTIFACTS / "nginx-01-hasil.png"), full_page=True)

    # Every request of this browser went to one replica (the route cookie), and it was one of ours.
    upstreams = set(re.findall(r"upstream=(\S+)", proxy.access_log.read_text()))
    upstreams.discard("-")
    assert len(upstreams) == 1 and upstreams <= {app.address for app in apps}, upstreams


def test_the_replica_holding_the_quiz_dies_and_the_browser_carries_on_on_the_other(
        shared_database: str, tmp_path: Path) -> None:
    with deployment(shared_database, tmp_path) as (apps, proxy), chromium_page() as page:
        register(page, proxy.url)
        start_quiz(page)
        for _ in range(3):
            answer(page)
            save_and_next(page)
        assert counts(page)[0] == 3
        attempt = attempt_in_url(page)
        assert stored_answer_count(shared_database, attempt) == 3
        login = next(c for c in page.context.cookies() if c["name"] == "netral_session")

        # The replica holding this browser's Streamlit session is the one with an active session; the
        # other has served nobody (the route cookie sent every request of this browser to the first).
        holding = [app for app in apps if app.active_sessions() > 0]
        assert len(holding) == 1, [(app.address, app.active_sessions()) for app in apps]
        dead, = holding
        survivor, = [app for app in apps if app is not dead]
        assert survivor.active_sessions() == 0
        # SIGKILL, as a crash or an OOM kill: no shutdown, the websocket just breaks.
        dead.stop(signal.SIGKILL)

        # Streamlit's page notices the broken websocket and reconnects through nginx, which passes it on
        # to the survivor: a new Streamlit session there, for the same address (/kuis?attempt=..&q=3) and
        # with the same login cookie.
        _wait_until(lambda: survivor.active_sessions() == 1, 45, "the browser did not reconnect to the survivor")
        expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
        settle(page)
        assert attempt_in_url(page) == attempt
        assert counts(page)[0] == 3, progress_text(page)
        assert next(c for c in page.context.cookies() if c["name"] == "netral_session")["value"] == login["value"]
        page.screenshot(path=str(ARTIFACTS / "nginx-02-setelah-replika-mati.png"), full_page=True)

        # The next answer is saved by the survivor, and the quiz goes on from there (not from the home page).
        answer(page)
        page.get_by_role("button", name="Simpan & berikutnya").click()
        home = page.get_by_role("heading", name=re.compile("Selamat datang"))
        expect(page.get_by_test_id("stProgress").filter(has_text=re.compile(r"^4 dari")).or_(home)).to_be_visible(
            timeout=30000)
        assert home.count() == 0, (
            "after the reconnect the survivor answered the quiz's first run by sending the browser to the home "
            "page: a process that has served no session yet runs pages/ files the legacy way (see the report)")
        settle(page)
        assert stored_answer_count(shared_database, attempt) == 4

        finish_and_submit(page)
        page.screenshot(path=str(ARTIFACTS / "nginx-03-hasil-di-replika-lain.png"), full_page=True)
        assert survivor.active_sessions() == 1

    assert f"upstream={survivor.address}" in proxy.access_log.read_text()
