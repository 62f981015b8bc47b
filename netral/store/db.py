"""Engine set-up for the score store: SQLite under `scores/` by default, PostgreSQL by `NETRAL_DATABASE_URL`.

SQLite runs in WAL mode with a busy timeout, and write transactions start with BEGIN IMMEDIATE so two
writers queue on the lock instead of failing halfway. PostgreSQL connections are checked before use
(pre-ping), so a restarted server costs one retry, not an error page.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

SCORES_DIR = Path(__file__).resolve().parents[2] / "scores"
ENV_URL = "NETRAL_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 5000
_BUSY_TIMEOUT_PRAGMA = f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}"  # a PRAGMA takes no bound parameter

T = TypeVar("T")


def database_url() -> str:
    """`NETRAL_DATABASE_URL`, else a SQLite file under `scores/` (created on first use)."""
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    SCORES_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{SCORES_DIR / 'netral.db'}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy emit BEGIN itself (pysqlite's implicit BEGIN would defeat BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(_BUSY_TIMEOUT_PRAGMA)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("netral_write") else "BEGIN")


def upsert_insert(dialect_name: str):  # type: ignore[no-untyped-def]
    """The dialect's INSERT with ON CONFLICT (PostgreSQL's or SQLite's; the two store backends)."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: `database_url()`), configured for its backend."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                                                  "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction (BEGIN IMMEDIATE on SQLite), or rolls back on error."""
    with engine.connect() as connection:
        connection.info["netral_write"] = True
        try:
            with connection.begin(), Session(bind=connection, expire_on_commit=False) as session:
                yield session
                session.flush()
        finally:
            connection.info.pop("netral_write", None)


def _transient(exc: BaseException) -> bool:
    """Errors worth one more try: a busy SQLite file, a PostgreSQL deadlock/serialization failure, a dropped link."""
    if isinstance(exc, OperationalError):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


def with_retry(work: Callable[[], T], *, attempts: int = 6, base_delay: float = 0.05) -> T:
    """Run `work`, retrying transient database errors with jittered backoff; the last error is re-raised."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not _transient(exc):
                raise
            time.sleep(base_delay * (2 ** (attempt - 1)) * (0.5 + random.random()))
    raise AssertionError("unreachable")
