"""Alembic migrations, run from code: on app start and by `python -m netral db upgrade`."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from netral.store.db import database_url, make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision` (default: the newest)."""
    config = alembic_config()
    with engine.connect() as connection:
        connection.info["netral_write"] = True
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            connection.info.pop("netral_write", None)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


_PG_MIGRATION_LOCK = 7_146_851  # any constant: replicas starting together take turns to migrate


def upgrade_serialised(engine: Engine) -> None:
    """`upgrade`, but on PostgreSQL under an advisory lock, so replicas that start at once never race."""
    if engine.dialect.name != "postgresql":
        upgrade(engine)
        return
    with engine.connect() as lock_connection:
        lock_connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        try:
            upgrade(engine)
        finally:
            lock_connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK})
            lock_connection.commit()


_open_engines: dict[str, Engine] = {}
_open_lock = threading.Lock()


def open_store(url: str | None = None) -> Engine:
    """The process's engine for `url` (default: `database_url()`), migrated to the newest revision once.

    The app and its HTTP routes share it; a fresh database is created and migrated on first use.
    """
    url = url or database_url()
    with _open_lock:
        engine = _open_engines.get(url)
        if engine is None:
            engine = make_engine(url)
            upgrade_serialised(engine)
            _open_engines[url] = engine
        return engine
