"""Benchmark: wall time from launching the Streamlit server to the first page served.

Each run starts `python -m streamlit run app.py --server.headless true --server.port P` on a fresh temporary
SQLite database (NETRAL_DATABASE_URL) and measures, from the moment the process is launched:

- **health**: until GET /_stcore/health answers "ok" (polled every 20 ms);
- **GET /**: until GET / returns the HTML page (right after health);
- **browser** (unless --no-browser): until headless Chromium (Playwright), opened on / right after health,
  shows the login heading "Masuk ke Netral" (the app's first script run, the store migrated on first use).
  The browser itself is launched before the server, so its own start-up is not counted.

Baseline, in the same process and the same way: a trivial Streamlit script (`st.title("Halo")`) in a temporary
directory, for which the browser waits for "Halo". The ratio app / baseline is the app's own start-up cost.

    python bench/startup.py                 # 3 runs of each, with the browser (~1 min)
    python bench/startup.py --quick         # 1 run of each, no browser (< 15 s)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit as kit  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
HELLO = 'import streamlit as st\n\nst.title("Halo")\n'
TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_health(url: str, began: float) -> float:
    while time.perf_counter() - began < TIMEOUT:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return time.perf_counter() - began
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"{url} not healthy within {TIMEOUT:.0f} s")


def one_run(script: Path, cwd: Path, heading: str, browser) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-startup-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NETRAL_DATABASE_URL": f"sqlite:///{workdir / 'netral.db'}"}
    page = browser.new_page() if browser is not None else None
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        health = wait_health(url, began)
        body = urllib.request.urlopen(url + "/", timeout=10).read()
        first_get = time.perf_counter() - began
        assert b"<html" in body.lower() or b"<!doctype" in body.lower(), body[:200]
        shown = None
        if page is not None:
            page.goto(url + "/")
            page.get_by_role("heading", name=heading).first.wait_for(timeout=TIMEOUT * 1000)
            shown = time.perf_counter() - began
        return {"health": health, "get": first_get, "browser": shown}
    finally:
        if page is not None:
            page.close()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    parser.add_argument("--quick", action="store_true", help="1 run each, no browser")
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.no_browser = 1, True
    use_browser = not args.no_browser and Path(CHROMIUM).exists()
    if not args.no_browser and not use_browser:
        print(f"! {CHROMIUM} not found: no browser measurement", file=sys.stderr)

    print("# bench/startup.py:", kit.machine())
    hello_dir = Path(tempfile.mkdtemp(prefix="netral-bench-hello-"))
    (hello_dir / "hello.py").write_text(HELLO)
    targets = {"app.py (Netral)": (kit.ROOT / "app.py", kit.ROOT, "Masuk ke Netral"),
               "hello script (baseline)": (hello_dir / "hello.py", hello_dir, "Halo")}
    runs: dict[str, list[dict[str, float | None]]] = {name: [] for name in targets}
    playwright = browser = None
    try:
        if use_browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Interleaved (app, hello, app, hello, ...) so both see the same machine load; one untimed run each
        # first, so neither pays for cold OS file caches.
        for name, (script, cwd, heading) in targets.items():
            one_run(script, cwd, heading, browser)
        for _ in range(args.repeat):
            for name, (script, cwd, heading) in targets.items():
                runs[name].append(one_run(script, cwd, heading, browser))
    finally:
        if browser is not None:
            browser.close()
        if playwright is not None:
            playwright.stop()
        shutil.rmtree(hello_dir, ignore_errors=True)

    def med(name: str, key: str) -> float | None:
        values = [r[key] for r in runs[name] if r[key] is not None]
        return kit.median(values) if values else None

    app, hello = targets
    rows = []
    for name in targets:
        rows.append([name, len(runs[name]), kit.ms(med(name, "health")), kit.ms(med(name, "get")),
                     kit.ms(med(name, "browser")),
                     " / ".join(kit.ms(r["browser"] or r["get"]) for r in runs[name])])
    ratio = [f"{med(app, k) / med(hello, k):.2f}x" if med(app, k) and med(hello, k) else "-"
             for k in ("health", "get", "browser")]
    rows.append(["ratio app / hello", "", *ratio, ""])
    print(kit.table(["server", "runs", "health ms", "GET / ms", "heading shown ms",
                     "each run (heading, else GET) ms"], rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": kit.machine(), "runs": runs}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
