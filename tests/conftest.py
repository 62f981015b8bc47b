"""Shared fixtures: a migrated store on SQLite always, and on PostgreSQL when NETRAL_TEST_DATABASE_URL is set.

Where the variable is set and the server is down, the PostgreSQL tests fail (they never skip).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping

import pytest
from streamlit.runtime.download_data_util import convert_data_to_bytes_and_infer_mime
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from sqlalchemy import Engine, create_engine, make_url, text

from netral.content import Content, load_content
from netral.store.db import make_engine
from netral.store.migrate import upgrade
from netral.store.schema import Base



def worker_database(url: str, worker: str) -> str:
    """A database of its own for one pytest-xdist worker (`<database>_<worker>`, made afresh on the same
    server), so parallel workers never reset each other's tables."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


PG_URL = os.environ.get("NETRAL_TEST_DATABASE_URL", "").strip()
if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # Every test module reads the variable, and app processes the tests start inherit it.
    PG_URL = os.environ["NETRAL_TEST_DATABASE_URL"] = worker_database(PG_URL, os.environ["PYTEST_XDIST_WORKER"])
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def backend_url(backend: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'netral.db'}"
    return PG_URL


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An engine on an empty database of each backend (not migrated)."""
    engine = make_engine(backend_url(request.param, tmp_path))
    if request.param == "postgresql":
        reset_postgres(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated, empty store on each backend."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture(scope="session")
def content() -> Content:
    loaded, _ = load_content()
    return loaded


class Downloads(Mapping[str, bytes]):
    """File name -> the bytes a download button gives. A button whose data is a callable (built on click)
    is read by calling it, as the server does when the button is pressed."""

    def __init__(self) -> None:
        self._files: dict[str, bytes | Callable[[], object]] = {}

    def __getitem__(self, name: str) -> bytes:
        data = self._files[name]
        if callable(data):
            data, _ = convert_data_to_bytes_and_infer_mime(data(), unsupported_error=TypeError(name))
        assert isinstance(data, bytes), name
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


@pytest.fixture
def downloads(monkeypatch) -> Iterator[Downloads]:  # type: ignore[no-untyped-def]
    """The bytes behind every download button, by file name (AppTest keeps no media files after a run)."""
    files = Downloads()
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def keep(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes):
            files._files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):  # type: ignore[no-untyped-def]
        if file_name:
            files._files[file_name] = data_callable
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)
    yield files
