"""One login, one login-session row: the page's session and the browser's cookie share it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from netral.store.accounts import (
    cookie_secret,
    create_user,
    issue_login_ticket,
    redeem_login_ticket,
    resolve_login_session,
    revoke_login_session,
    start_login,
    unsign_cookie,
)
from netral.store.migrate import open_store
from netral.store.schema import LoginSession, utcnow
from netral.web import SESSION_COOKIE, auth_routes
from tests.appkit import PASSWORD, TRAINEE_NIP, make_user, new_app


def login_sessions(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(LoginSession)) or 0


@pytest.fixture
def user_id(engine: Engine) -> int:
    return create_user(engine, login=TRAINEE_NIP, nip=TRAINEE_NIP, name="Siti", password=PASSWORD).id


def test_a_started_login_and_its_redeemed_ticket_are_one_session(engine: Engine, user_id: int) -> None:
    token, ticket = start_login(engine, user_id, browser="this-browser")
    assert login_sessions(engine) == 1
    assert resolve_login_session(engine, token).id == user_id  # type: ignore[union-attr]
    assert redeem_login_ticket(engine, ticket, browser="another-browser") is None  # the binding holds
    assert redeem_login_ticket(engine, ticket, browser="this-browser") == token  # the same session
    assert redeem_login_ticket(engine, ticket, browser="this-browser") is None  # once only
    assert login_sessions(engine) == 1
    start_login(engine, user_id)
    assert login_sessions(engine) == 2  # two logins, two rows


def test_a_login_ended_before_the_browser_comes_gives_no_cookie(engine: Engine, user_id: int) -> None:
    token, ticket = start_login(engine, user_id)
    revoke_login_session(engine, token)
    assert redeem_login_ticket(engine, ticket) is None
    _, old = start_login(engine, user_id, now=utcnow() - timedelta(minutes=3))
    assert redeem_login_ticket(engine, old) is None  # the ticket's two minutes still apply
    assert login_sessions(engine) == 2


def test_a_ticket_issued_alone_starts_one_session_when_redeemed(engine: Engine, user_id: int) -> None:
    ticket = issue_login_ticket(engine, user_id)
    assert login_sessions(engine) == 0
    token = redeem_login_ticket(engine, ticket)
    assert token is not None and resolve_login_session(engine, token).id == user_id  # type: ignore[union-attr]
    assert login_sessions(engine) == 1


def test_logging_in_on_the_page_then_taking_the_cookie_makes_one_row(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    make_user()
    store = open_store()
    before = login_sessions(store)  # make_user's own token
    at = new_app()
    at.text_input[0].input(TRAINEE_NIP)
    at.text_input[1].input(PASSWORD)
    next(b for b in at.button if b.label == "Masuk").click()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Selamat datang, Siti Aminah, S.H."
    assert login_sessions(store) == before + 1

    # The browser follows the handshake link to /auth/complete and gets the cookie for the same session.
    link = next(b.proto.url for b in at.get("link_button") if b.proto.url.startswith("/auth/complete"))
    ticket = parse_qs(urlsplit(link).query)["ticket"][0]
    client = TestClient(Starlette(routes=auth_routes(open_store)), follow_redirects=False)
    response = client.get("/auth/complete", params={"ticket": ticket, "next": "/"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie_token = unsign_cookie(response.cookies[SESSION_COOKIE], cookie_secret(store))
    assert cookie_token == at.session_state["_netral_login_token"]
    assert login_sessions(store) == before + 1

    # Logging out on the page ends the cookie's login too: it is the same row.
    at.switch_page("pages/akun.py")
    at.run()
    next(b for b in at.button if b.label == "Keluar").click()
    at.run()
    assert resolve_login_session(store, cookie_token) is None
