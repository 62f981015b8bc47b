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
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.serverkit import (
    ARTIFACTS,
    ROOT,
    Replica,
    answer,
    attempt_in_url,
    chromium_page,
    counts,
    finish_and_submit,
    free_port,
    postgres_database,
    progress_text,
    register,
    replicas,
    save_and_next,
    settle,
    start_quiz,
    stored_answer_count,
    wait_until,
)

pytestmark = pytest.mark.browser

NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "deploy" / "nginx" / "netral.conf"
ALLOWED_HOSTS = ("--server.allowedHosts", "127.0.0.1")  # as docs/deploy.md advises, with the public name


@pytest.fixture
def shared_database() -> Iterator[str]:
    """NETRAL_TEST_DATABASE_URL emptied where CI sets it, else a database of our own (dropped afterwards)."""
    with postgres_database("netral_nginx") as url:
        yield url


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
    https_port, http_port = free_port(), free_port()
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
        wait_until(listening, 15, "nginx did not listen")
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
    with replicas(database_url, folder, options=ALLOWED_HOSTS) as apps, \
            nginx([app.address for app in apps], folder / "nginx") as proxy:
        yield apps, proxy


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
        TEMPLATE.read_text(), upstreams=["127.0.0.1:8501", "127.0.0.1:8502"], https_port=free_port(),
        http_port=free_port(), certificate=certificate, key=key, access_log=tmp_path / "access.log"))
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
        wait_until(lambda: survivor.active_sessions() == 1, 45, "the browser did not reconnect to the survivor")
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
