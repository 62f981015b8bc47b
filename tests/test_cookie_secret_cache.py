"""The login cookie's key is read from the database once per process and database, not on every page run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, event, select

from netral.store.accounts import (
    Role,
    cookie_secret,
    create_user,
    forget_cookie_secrets,
    issue_login_ticket,
    redeem_login_ticket,
    sign_cookie,
)
from netral.store.db import make_engine, write_session
from netral.store.migrate import open_store, upgrade
from netral.store.schema import Setting
from tests.appkit import PASSWORD, new_app


@contextmanager
def secret_reads(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement on `engine` that reads or writes the stored cookie key, while the block runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "settings" in statement and "cookie_secret" in repr(parameters):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(autouse=True)
def no_configured_secret(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("NETRAL_COOKIE_SECRET", raising=False)


def test_the_stored_key_is_read_once_per_engine(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    forget_cookie_secrets()
    with secret_reads(engine) as first_reads:
        first = cookie_secret(engine)
    assert first_reads, "the first call reads (or creates) the stored key"
    with secret_reads(engine) as later_reads:
        assert all(cookie_secret(engine) == first for _ in range(5))
    assert later_reads == []
    # The environment still wins at once, and stops winning once unset.
    monkeypatch.setenv("NETRAL_COOKIE_SECRET", "configured-secret")
    assert cookie_secret(engine) == "configured-secret"
    monkeypatch.delenv("NETRAL_COOKIE_SECRET")
    assert cookie_secret(engine) == first


def test_another_database_has_its_own_key(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    try:
        with write_session(other) as session:
            session.add(Setting(key="cookie_secret", value="the-other-database-key"))
        assert cookie_secret(other) == "the-other-database-key"
        assert cookie_secret(engine) != "the-other-database-key"
        with write_session(engine) as session:
            stored = session.scalar(select(Setting.value).where(Setting.key == "cookie_secret"))
        assert cookie_secret(engine) == stored
    finally:
        other.dispose()


def test_a_rerun_with_a_login_cookie_does_not_query_the_key(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The real server path: the login comes from the signed cookie (AppTest sends none, so `_cookie` is
    given the cookie `/auth/complete` would have set)."""
    import ui.auth
    from netral.web import SESSION_COOKIE

    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    store = open_store()
    user = create_user(store, login="hr", name="Admin Kepegawaian", password=PASSWORD, role=Role.HR)
    token = redeem_login_ticket(store, issue_login_ticket(store, user.id))
    assert token is not None
    cookie = sign_cookie(token, cookie_secret(store))
    monkeypatch.setattr(ui.auth, "_cookie", lambda name: cookie if name == SESSION_COOKIE else None)
    forget_cookie_secrets()  # as in a freshly started process

    with secret_reads(store) as first_run:
        at = new_app()
    assert ui.auth.SESSION_TOKEN not in at.session_state  # logged in by the cookie alone
    assert "Admin Kepegawaian" in " ".join(str(t.value) for t in at.title)
    assert first_run, "the first run of the process reads the key"
    with secret_reads(store) as reruns:
        for _ in range(3):
            at.run()
            assert not at.exception
    assert reruns == []
    assert "Admin Kepegawaian" in " ".join(str(t.value) for t in at.title)
