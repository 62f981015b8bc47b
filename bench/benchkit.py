"""Shared helpers of the benchmarks in bench/: demo databases on SQLite and PostgreSQL, timing, tables.

Nothing here changes the app: the databases are filled with the app's own `python -m netral demo` command
(netral/demo.py) and read with the app's own store functions.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("NETRAL_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
"""Server for the PostgreSQL runs (trust authentication, a user allowed to CREATE DATABASE)."""
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "netral-bench"
PG_PREFIX = "netral_bench_"


# --- timing ------------------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def repeat(fn: Callable[[], object], times: int, warmup: int = 1) -> list[float]:
    """Wall times in seconds of `times` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    return [timed(fn)[0] for _ in range(times)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f}" if seconds >= 0.0095 else f"{seconds * 1000:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table (pasted as is into bench/README.md)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |" for row in cells[1:]]
    return "\n".join(lines)


def machine() -> str:
    """One line about the machine and the versions that matter."""
    import pandas
    import sqlalchemy
    import sqlite3
    import streamlit

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, load {load:.2f}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {pg_version() or 'PostgreSQL n/a'}, SQLAlchemy {sqlalchemy.__version__}, "
            f"pandas {pandas.__version__}, Streamlit {streamlit.__version__}")


# --- databases ------------------------------------------------------------------------------------------------


def pg_version() -> str | None:
    try:
        out = subprocess.run(["psql", _psql_dsn("postgres"), "-Atc", "SHOW server_version"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return f"PostgreSQL {out.stdout.strip().split()[0]}" if out.returncode == 0 and out.stdout.strip() else None


def _psql_dsn(database: str) -> str:
    return PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://") + f"/{database}"


def pg_available() -> bool:
    return pg_version() is not None


def _psql(sql: str) -> None:
    subprocess.run(["psql", _psql_dsn("postgres"), "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   capture_output=True, text=True)


def pg_create(name: str) -> str:
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL}/{name}"


def pg_drop(name: str) -> None:
    _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_exists(name: str) -> bool:
    out = subprocess.run(["psql", _psql_dsn("postgres"), "-Atc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True)
    return out.stdout.strip() == "1"


@dataclass
class BenchDB:
    """One benchmark database: its URL and how to throw it away."""

    backend: str
    name: str
    url: str
    path: Path | None = None
    reused: bool = False
    fill_seconds: list[float] = field(default_factory=list)
    fills: list[str] = field(default_factory=list)

    def drop(self) -> None:
        from netral.store.migrate import _open_engines  # the app's per-URL engine cache

        engine = _open_engines.pop(self.url, None)
        if engine is not None:
            engine.dispose()
        if self.backend == "postgresql":
            pg_drop(self.name)
        elif self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)


def new_db(backend: str, name: str, data_dir: Path) -> BenchDB:
    """An empty database (an old one of the same name is removed)."""
    if backend == "postgresql":
        return BenchDB(backend, PG_PREFIX + name, pg_create(PG_PREFIX + name))
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return BenchDB(backend, name, f"sqlite:///{path}", path)


def existing_db(backend: str, name: str, data_dir: Path) -> BenchDB | None:
    """A database kept by an earlier `--keep` run, if it is there."""
    if backend == "postgresql":
        return BenchDB(backend, PG_PREFIX + name, f"{PG_ADMIN_URL}/{PG_PREFIX + name}", reused=True) \
            if pg_exists(PG_PREFIX + name) else None
    path = data_dir / f"{name}.db"
    return BenchDB(backend, name, f"sqlite:///{path}", path, reused=True) if path.exists() else None


def snapshot(db: BenchDB, name: str, data_dir: Path) -> BenchDB:
    """A copy of the database as it is now (SQLite backup API; PostgreSQL CREATE DATABASE ... TEMPLATE)."""
    if db.backend == "postgresql":
        _psql(f'DROP DATABASE IF EXISTS "{PG_PREFIX + name}" WITH (FORCE)')
        _psql(f'CREATE DATABASE "{PG_PREFIX + name}" TEMPLATE "{db.name}"')
        return BenchDB("postgresql", PG_PREFIX + name, f"{PG_ADMIN_URL}/{PG_PREFIX + name}")
    import sqlite3

    copy = new_db("sqlite", name, data_dir)
    assert db.path is not None and copy.path is not None
    source, target = sqlite3.connect(db.path), sqlite3.connect(copy.path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return copy


def run_demo(db: BenchDB, trainees: int, *, seed: int = 0, sessions: int = 1, quiz: str | None = None) -> str:
    """`python -m netral demo` on the database, exactly as documented; returns its summary line. `quiz` is
    session 1's quiz (default: the demo's own choice)."""
    command = [sys.executable, "-m", "netral", "demo", "--trainees", str(trainees), "--seed", str(seed),
               "--sessions", str(sessions), "--database-url", db.url]
    if quiz is not None:
        command += ["--quiz", quiz]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    db.fill_seconds.append(seconds)
    db.fills.append(done.stdout.strip())
    return done.stdout.strip()


def demo_fills(url: str) -> list[dict[str, int]]:
    """The `demo.fill` audit entries (seed, trainees, sessions) of every fill the database has had."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT details FROM audit_log WHERE action = 'demo.fill' ORDER BY id"))
            return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]
    except Exception:  # noqa: BLE001 - a half-made database is simply made again
        return []
    finally:
        engine.dispose()


def table_counts(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {name: connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                    for name in ("users", "enrolments", "attempts", "answers")}
    finally:
        engine.dispose()


def demo_db(backend: str, trainees: int, data_dir: Path, *, keep: bool, fresh: bool, quiz: str | None = None
            ) -> BenchDB:
    """A database holding one demo session of `trainees` trainees (seed 0) at `quiz`, made with
    `python -m netral demo`; with `keep`, one left by an earlier run is reused when its audit log shows exactly
    that fill and it is at the newest schema revision (the quiz is in the database's name)."""
    from netral.store.migrate import head_revision

    name = f"demo_{trainees}" + (f"_{quiz.replace('-', '_')}" if quiz else "")
    if keep and not fresh:
        old = existing_db(backend, name, data_dir)
        if (old is not None and demo_fills(old.url) == [{"seed": 0, "trainees": trainees, "sessions": 1}]
                and schema_revision(old.url) == head_revision()):
            return old
    db = new_db(backend, name, data_dir)
    run_demo(db, trainees, quiz=quiz)
    return db


def schema_revision(url: str) -> str | None:
    from sqlalchemy import create_engine

    from netral.store.migrate import current_revision

    engine = create_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def hr_viewer(engine, login: str = "demo-hr"):  # type: ignore[no-untyped-def]
    """The demo HR owner as the app sees them (a `UserView`)."""
    from sqlalchemy import select

    from netral.store.accounts import get_user
    from netral.store.schema import User

    with engine.connect() as connection:
        user_id = connection.execute(select(User.id).where(User.login == login)).scalar_one()
    return get_user(engine, user_id)


def backends(requested: str) -> list[str]:
    chosen = [b.strip() for b in requested.split(",") if b.strip()]
    if "postgresql" in chosen and not pg_available():
        print("! PostgreSQL is not reachable at", PG_ADMIN_URL, "- running SQLite only", file=sys.stderr)
        chosen = [b for b in chosen if b != "postgresql"]
    return chosen


def clean_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and data_dir != Path(tempfile.gettempdir()):
        shutil.rmtree(data_dir, ignore_errors=True)


def capture_sql(engine, fn: Callable[[], object]) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The (statement, parameters) pairs `fn` sends through `engine`, SELECTs only, in order."""
    from sqlalchemy import event

    captured: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return captured


def explain(engine, statement: str, parameters: object) -> list[str]:  # type: ignore[no-untyped-def]
    """The plan of one captured statement: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (costs off) on PostgreSQL."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (COSTS OFF) "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    if engine.dialect.name == "sqlite":
        return [str(r[-1]) for r in rows]
    return [str(r[0]) for r in rows]


BASE_TABLES = ("users", "enrolments", "attempts", "answers", "training_sessions", "session_trainers")


def scan_summary(plan: Sequence[str], backend: str) -> list[str]:
    """How each base table is read in a plan, one short line per access (derived tables left out)."""
    out = []
    for line in plan:
        text = line.strip().lstrip("->").strip()
        if backend == "sqlite":
            words = text.split()
            if len(words) > 1 and words[0] in ("SCAN", "SEARCH") and words[1] in BASE_TABLES:
                out.append(text.replace(" LEFT-JOIN", ""))
        elif "Scan" in text and " on " in text:
            node = text.split("  (")[0]
            target = node.rsplit(" on ", 1)[1].split()[0]
            if target in BASE_TABLES or target.startswith(("ix_", "uq_", "pk_")):
                out.append(node)
    return out


def full_scans(plan_lines: Sequence[str], backend: str) -> list[str]:
    """The accesses that read a whole big table (users, attempts, answers, enrolments)."""
    big = ("users", "enrolments", "attempts", "answers")
    found = []
    for line in plan_lines:
        words = line.split()
        if backend == "sqlite" and len(words) > 1 and words[0] == "SCAN" and words[1] in big:
            found.append(line)
        if backend == "postgresql" and line.startswith("Seq Scan on ") and words[3] in big:
            found.append(line)
    return found
