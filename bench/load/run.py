"""Load generator: simulated trainees take a quiz over Streamlit's websocket protocol, against 1..n app
processes that it starts on loopback ports and that share one database it creates (and drops) itself.

    python -m bench.load.run --servers 1 --trainees 200 --think 20
    python -m bench.load.run --servers 2 --trainees 400 --think 20 --database postgres

Login is prepared in the database (create_user + start_login_session + the signed `netral_session` cookie,
sent in the websocket handshake); the password form itself is exercised by tests/test_browser.py. Each
trainee opens /kuis, presses "Mulai" on one quiz, answers question by question after a think time, and
submits. It measures the save latency (sending the form to the end of the run that shows the next
question), errors, and each server's memory (VmRSS) and CPU. Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.trainee import TraineeResult, take_quiz  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MAX_TRAINEES = 2000
MAX_SECONDS = 1800


# -- database -------------------------------------------------------------------------------------------------

@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh database: a SQLite file in `workdir`, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"netral_load_{os.getpid()}_{int(time.time())}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare_trainees(url: str, count: int, quiz_id: str, in_session: bool) -> tuple[list[tuple[str, str]], str]:
    """`count` trainee accounts with a live login session each, (login, signed cookie value), and the key of the
    start button they press: the quiz taken on its own, or (`in_session`) in a training session they are all
    enrolled in, spread over eight units, as on a training day (the submissions then write the dashboards'
    summaries, netral/store/summaries.py)."""
    from datetime import timedelta

    from netral.content import load_content
    from netral.store.accounts import Role, cookie_secret, create_user, sign_cookie, start_login_session
    from netral.store.migrate import open_store
    from netral.store.schema import utcnow
    from netral.store.trainings import create_training, enrol

    engine = open_store(url)
    secret = cookie_secret(engine)
    start_key = f"start_free_{quiz_id}"
    training_id = None
    if in_session:
        content, _ = load_content()
        hr = create_user(engine, login="load-hr", name="HR Uji Beban", password=None, role=Role.HR)
        now = utcnow()
        training_id = create_training(engine, content, hr, name="Uji beban", quiz_ids=[quiz_id],
                                      opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)).id
        start_key = f"start_{training_id}_{quiz_id}"
    accounts = []
    for index in range(count):
        # No password: these accounts log in only through the prepared session.
        user = create_user(engine, login=f"load{index:05d}", name=f"Peserta Beban {index}", password=None,
                           unit=f"BKPSDM Uji Beban {index % 8}", position="Analis")
        if training_id is not None:
            enrol(engine, user.id, training_id)
        accounts.append((f"load{index:05d}", sign_cookie(start_login_session(engine, user.id), secret)))
    engine.dispose()
    return accounts, start_key


def summaries_agree(url: str) -> bool:
    """Whether the summaries the submissions wrote equal a rebuild from the attempts (computed in a transaction
    that is rolled back)."""
    from sqlalchemy import text

    from netral.content import load_content
    from netral.store.db import make_engine
    from netral.store.summaries import rebuild

    content, _ = load_content()
    engine = make_engine(url)
    queries = ("SELECT session_id, user_id, quiz_id, attempts, finished_count, passed_any, best_score, "
               "first_attempt_id, first_score, first_marks, marks_layout, cells_unit FROM quiz_progress "
               "ORDER BY session_id, user_id, quiz_id",
               "SELECT session_id, quiz_id, unit, scenario_id, round(CAST(total AS NUMERIC), 9), answers "
               "FROM mastery_cells ORDER BY session_id, quiz_id, unit, scenario_id")
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            written = [connection.execute(text(q)).all() for q in queries]
            rebuild(connection, content)
            rebuilt = [connection.execute(text(q)).all() for q in queries]
            transaction.rollback()
    finally:
        engine.dispose()
    return written == rebuilt


def stored_answers(url: str) -> tuple[int, int]:
    """(answers stored, attempts submitted) in the database."""
    from sqlalchemy import func, select

    from netral.store.db import make_engine
    from netral.store.schema import Answer, Attempt

    engine = make_engine(url)
    with engine.connect() as connection:
        answers = connection.scalar(select(func.count()).select_from(Answer)) or 0
        submitted = connection.scalar(select(func.count()).select_from(Attempt)
                                      .where(Attempt.status != "in_progress")) or 0
    engine.dispose()
    return answers, submitted


# -- servers ----------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, log: Path, options: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    extra = ["--" + option.lstrip("-") for option in options]  # name=value, as `streamlit run --name=value`
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", *extra],
        cwd=ROOT, env={**os.environ, "NETRAL_DATABASE_URL": url},
        stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server on {base} did not become healthy (log: {log})")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def postgres_cpu_seconds() -> float:
    """CPU seconds of every `postgres` process now running (the machine's server, all databases)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text_ = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text_:
            fields = text_.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the run ----------------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def drive(bases: list[str], accounts: list[tuple[str, str]], args: argparse.Namespace,
                pids: list[int], start_key: str) -> tuple[list[TraineeResult], dict]:
    rng = random.Random(args.seed)
    stop_at = time.monotonic() + args.max_seconds
    samples: dict[int, list[float]] = {pid: [] for pid in pids}
    active = {"n": 0, "peak": 0}

    def think() -> float:
        return rng.uniform(0.5, 1.5) * args.think

    async def sample() -> None:
        while True:
            for pid in pids:
                samples[pid].append(rss_mb(pid))
            await asyncio.sleep(1.0)

    async def one(index: int, login: str, cookie: str) -> TraineeResult:
        await asyncio.sleep(index * args.ramp / max(1, len(accounts)))
        active["n"] += 1
        active["peak"] = max(active["peak"], active["n"])
        try:
            return await take_quiz(bases[index % len(bases)], cookie, start_key, user=login, think=think,
                                   rng=random.Random(args.seed * 100003 + index), timeout=args.timeout,
                                   stop_at=stop_at)
        finally:
            active["n"] -= 1

    sampler = asyncio.create_task(sample())
    tasks = [asyncio.create_task(one(i, login, cookie)) for i, (login, cookie) in enumerate(accounts)]
    try:
        done, pending = await asyncio.wait(tasks, timeout=args.max_seconds + args.timeout + 30)
        for task in pending:
            task.cancel()
        results = [task.result() for task in done]
    finally:
        sampler.cancel()
    return results, {"rss": samples, "peak_active": active["peak"]}


def summarise(results: list[TraineeResult], extra: dict, args: argparse.Namespace, pids: list[int],
              cpu: dict[int, float], wall: float, stored: tuple[int, int], base_rss: dict[int, float]) -> dict:
    saves = [s for r in results for s in r.saves]
    starts = [r.start for r in results if r.start is not None]
    loads = [r.page_load for r in results if r.page_load is not None]
    submits = [r.submit for r in results if r.submit is not None]
    errors = [e for r in results for e in r.errors]

    def stats(values: list[float]) -> dict:
        return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
                "p99": percentile(values, 99), "max": max(values) if values else None,
                "mean": statistics.fmean(values) if values else None}

    servers = []
    for pid in pids:
        series = extra["rss"][pid]
        peak = max(series) if series else 0.0
        servers.append({"pid": pid, "rss_base_mb": round(base_rss[pid], 1), "rss_peak_mb": round(peak, 1),
                        "cpu_seconds": round(cpu[pid], 1), "cpu_share": round(cpu[pid] / wall, 2)})
    # Save latency per 30 s window of the step: a stall shows as one bad window, an overload as a rising tail.
    windows: dict[int, list[float]] = {}
    for r in results:
        for latency, ended in zip(r.saves, r.save_ended):
            windows.setdefault(int((ended - extra["started"]) // 30), []).append(latency)
    timeline = [{"from_s": w * 30, "saves": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95),
                 "max": max(v)} for w, v in sorted(windows.items())]
    per_server_sessions = max(1, len(results) // max(1, len(pids)))
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "servers": len(pids), "database": args.database, "quiz": args.quiz, "trainees": len(results),
        "peak_concurrent": extra["peak_active"], "think_s": args.think, "ramp_s": args.ramp,
        "wall_s": round(wall, 1),
        "save_latency_s": stats(saves), "start_latency_s": stats(starts), "page_load_s": stats(loads),
        "submit_latency_s": stats(submits),
        "saves_per_s": round(len(saves) / wall, 2),
        "finished": sum(r.finished for r in results), "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "answers_reported": sum(r.answered for r in results), "answers_stored": stored[0],
        "attempts_submitted": stored[1],
        "server": servers,
        "rss_per_session_mb": [round((s["rss_peak_mb"] - s["rss_base_mb"]) / per_server_sessions, 2)
                               for s in servers],
        "client_cpu_s": round(own.ru_utime + own.ru_stime, 1),
        "machine_busy_cores": extra["machine_busy_cores"], "machine_cores": extra["machine_cores"],
        "client_cores": extra["client_cores"], "postgres_cores": extra["postgres_cores"],
        "other_processes_cores": extra["other_processes_cores"],
        "loadavg_before_after": extra["loadavg_before_after"],
        "server_cpu_ms_per_save": round(1000 * sum(cpu.values()) / max(1, len(saves)), 1),
        "server_options": args.server_option,
        "timeline": timeline,
    }


def run_once(args: argparse.Namespace, trainees: int) -> dict:
    workdir = Path(args.workdir) / f"run-{int(time.time())}-{trainees}"
    workdir.mkdir(parents=True, exist_ok=True)
    with database(args.database, workdir) as url:
        accounts, start_key = prepare_trainees(url, trainees + args.servers, args.quiz, args.in_session)
        warmers, accounts = accounts[:args.servers], accounts[args.servers:]
        servers = [start_server(url, workdir / f"server-{i}.log", args.server_option)
                   for i in range(args.servers)]
        try:
            bases = [base for _, base in servers]
            pids = [process.pid for process, _ in servers]

            async def warm() -> None:
                # The first session of a fresh server is served the legacy way (see the reference notes),
                # and the content cache fills on first use: one untimed page load per server first.
                for base, (_, cookie) in zip(bases, warmers):
                    from bench.load.stclient import StreamlitSession
                    async with StreamlitSession(base, cookies={"netral_session": cookie}) as session:
                        await session.open("kuis")
                        await session.open("kuis")

            asyncio.run(warm())
            time.sleep(1.0)
            base_rss = {pid: rss_mb(pid) for pid in pids}
            cpu_before = {pid: cpu_seconds(pid) for pid in pids}
            busy_before = machine_busy()
            pg_before = postgres_cpu_seconds()
            client_before = resource.getrusage(resource.RUSAGE_SELF)
            load_before = os.getloadavg()[0]
            started = time.monotonic()
            results, extra = asyncio.run(drive(bases, accounts, args, pids, start_key))
            extra["started"] = started
            wall = time.monotonic() - started
            cpu = {pid: cpu_seconds(pid) - cpu_before[pid] for pid in pids}
            busy_after = machine_busy()
            client_after = resource.getrusage(resource.RUSAGE_SELF)
            client = (client_after.ru_utime + client_after.ru_stime
                      - client_before.ru_utime - client_before.ru_stime)
            postgres = max(0.0, postgres_cpu_seconds() - pg_before)
            busy = (busy_after[0] - busy_before[0]) / wall
            extra["machine_busy_cores"] = round(busy, 2)
            extra["client_cores"] = round(client / wall, 2)
            extra["postgres_cores"] = round(postgres / wall, 2)
            extra["other_processes_cores"] = round(max(0.0, busy - sum(cpu.values()) / wall - (client + postgres) / wall), 2)
            extra["loadavg_before_after"] = [load_before, os.getloadavg()[0]]
            extra["machine_cores"] = os.cpu_count()
        finally:
            for process, _ in servers:
                process.terminate()
            for process, _ in servers:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        summary = summarise(results, extra, args, pids, cpu, wall, stored_answers(url), base_rss)
        summary["in_session"] = args.in_session
        summary["summaries_agree"] = summaries_agree(url)
    (workdir / "results.json").write_text(json.dumps({"summary": summary,
                                                      "trainees": [asdict(r) for r in results]}, indent=1))
    return summary


def line(summary: dict) -> str:
    save = summary["save_latency_s"]

    def f(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    rss = ", ".join(f"{s['rss_base_mb']:.0f}->{s['rss_peak_mb']:.0f}" for s in summary["server"])
    cpu = ", ".join(f"{s['cpu_share']:.2f}" for s in summary["server"])
    cpu += (f" (machine {summary['machine_busy_cores']:.2f}/{summary['machine_cores']}, "
            f"other jobs {summary['other_processes_cores']:.2f})")
    return (f"| {summary['servers']} | {summary['database']} | {summary['trainees']} | {summary['think_s']:g} | "
            f"{save['n']} | {summary['saves_per_s']:.1f} | {f(save['p50'])} | {f(save['p95'])} | "
            f"{f(save['p99'])} | {f(save['max'])} | {f(summary['start_latency_s']['p95'])} | "
            f"{summary['errors']} | {summary['finished']}/{summary['trainees']} | "
            f"{summary['answers_stored']}/{summary['answers_reported']} | {rss} | {cpu} | "
            f"{'yes' if summary['summaries_agree'] else 'NO'} |")


HEADER = ("| servers | db | trainees | think s | saves | saves/s | p50 s | p95 s | p99 s | max s | start p95 s | "
          "errors | finished | answers stored/reported | RSS MB base->peak | server CPU, cores (machine busy, other jobs) | "
          "summaries = rebuild |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def _interrupted(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # so that the servers are stopped and the database dropped on the way out


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _interrupted)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=1, help="app processes sharing the database (default 1)")
    parser.add_argument("--trainees", default="50",
                        help="simulated trainees; a comma list (50,100,200) runs one step each, fresh servers")
    parser.add_argument("--think", type=float, default=20.0,
                        help="mean think time before each answer, s (uniform 0.5x..1.5x; default 20)")
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds over which trainees arrive (default 30)")
    parser.add_argument("--quiz", default="lanjutan-pejabat", help="quiz id (default lanjutan-pejabat, 10 questions)")
    parser.add_argument("--in-session", action="store_true",
                        help="take the quiz in a training session all trainees are enrolled in (eight units)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres",
                        help="a fresh SQLite file or a fresh PostgreSQL database on 127.0.0.1:5432 (default)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one run may take before an error")
    parser.add_argument("--max-seconds", type=float, default=600.0,
                        help="time bound of a step: no answer is started after it (default 600)")
    parser.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit option for the app processes, e.g. server.fileWatcherType=none")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--workdir", default="/tmp/netral-load", help="logs and results.json per step")
    args = parser.parse_args(argv)
    counts = [int(n) for n in str(args.trainees).split(",")]
    if args.servers < 1 or args.servers > 8 or max(counts) > MAX_TRAINEES or args.max_seconds > MAX_SECONDS:
        parser.error(f"at most 8 servers, {MAX_TRAINEES} trainees and {MAX_SECONDS} s a step")
    if args.servers > 1 and args.database == "sqlite":
        parser.error("several app processes need PostgreSQL (--database postgres)")
    print(HEADER, flush=True)
    for count in counts:
        summary = run_once(args, count)
        print(line(summary), flush=True)
        print(json.dumps(summary), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
