"""The login routes beside Streamlit: tickets become signed HttpOnly cookies; logout clears them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from netral.store.accounts import (
    cookie_secret,
    create_user,
    issue_login_ticket,
    redeem_login_ticket,
    resolve_login_session,
    unsign_cookie,
)
from netral.store.schema import utcnow
from netral.web import SESSION_COOKIE, auth_routes, safe_next, setup_link


@pytest.fixture
def client(engine: Engine) -> TestClient:
    return TestClient(Starlette(routes=auth_routes(lambda: engine)), follow_redirects=False)


@pytest.fixture
def user_id(engine: Engine) -> int:
    return create_user(engine, login="199001012015031001", nip="199001012015031001", name="Siti",
                       password="rahasia-123").id


def test_a_ticket_becomes_a_signed_httponly_samesite_cookie(engine: Engine, client: TestClient, user_id: int) -> None:
    ticket = issue_login_ticket(engine, user_id)
    response = client.get("/auth/complete", params={"ticket": ticket, "next": "/kuis?attempt=3"})
    assert response.status_code == 303
    assert response.headers["location"] == "/kuis?attempt=3"
    header = response.headers["set-cookie"]
    assert header.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert "Secure" not in header  # plain http on localhost; behind TLS the flag is set (next test)
    token = unsign_cookie(response.cookies[SESSION_COOKIE], cookie_secret(engine))
    user = resolve_login_session(engine, token)
    assert user is not None and user.id == user_id


def test_the_cookie_is_secure_behind_a_tls_proxy(engine: Engine, client: TestClient, user_id: int) -> None:
    ticket = issue_login_ticket(engine, user_id)
    response = client.get("/auth/complete", params={"ticket": ticket}, headers={"x-forwarded-proto": "https"})
    assert "Secure" in response.headers["set-cookie"]


def test_a_ticket_works_once_and_not_after_two_minutes(engine: Engine, client: TestClient, user_id: int) -> None:
    ticket = issue_login_ticket(engine, user_id)
    assert client.get("/auth/complete", params={"ticket": ticket}).status_code == 303
    replay = client.get("/auth/complete", params={"ticket": ticket})
    assert replay.headers["location"] == "/?login=expired"
    assert "set-cookie" not in replay.headers
    old = issue_login_ticket(engine, user_id, now=utcnow() - timedelta(minutes=3))
    assert redeem_login_ticket(engine, old) is None
    assert redeem_login_ticket(engine, "made-up") is None
    assert redeem_login_ticket(engine, None) is None


def test_a_forged_or_foreign_cookie_is_not_a_login(engine: Engine, user_id: int) -> None:
    ticket = issue_login_ticket(engine, user_id)
    token = redeem_login_ticket(engine, ticket)
    assert token is not None
    secret = cookie_secret(engine)
    from netral.store.accounts import sign_cookie
    good = sign_cookie(token, secret)
    assert unsign_cookie(good, secret) == token
    assert unsign_cookie(good, "another-deployment") is None
    assert unsign_cookie(good[:-1] + ("0" if good[-1] != "0" else "1"), secret) is None
    assert unsign_cookie("no-signature", secret) is None


def test_logout_clears_the_cookie_and_only_goes_to_this_site(client: TestClient) -> None:
    response = client.get("/auth/logout", params={"next": "/?notice=password_changed"})
    assert response.headers["location"] == "/?notice=password_changed"
    header = response.headers["set-cookie"]
    assert header.startswith(f'{SESSION_COOKIE}=""') and "Max-Age=0" in header
    assert client.get("/auth/logout", params={"next": "https://evil.example/"}).headers["location"] == "/"


@pytest.mark.parametrize("target, expected", [
    (None, "/"), ("", "/"), ("/kuis", "/kuis"), ("/hasil?attempt=2", "/hasil?attempt=2"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
    ("kuis", "/"),
])
def test_safe_next_keeps_redirects_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_the_cookie_secret_is_shared_through_the_database_unless_configured(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("NETRAL_COOKIE_SECRET", raising=False)
    first = cookie_secret(engine)
    assert len(first) == 64 and cookie_secret(engine) == first  # generated once, the same for every replica
    monkeypatch.setenv("NETRAL_COOKIE_SECRET", "configured-secret")
    assert cookie_secret(engine) == "configured-secret"


def test_setup_link_is_printed_only_while_there_is_no_administrator(engine: Engine) -> None:
    from urllib.parse import parse_qs, urlsplit

    from netral.store.accounts import create_first_admin

    link = setup_link(engine, "http://localhost:8501/")
    assert link is not None and link.startswith("http://localhost:8501/pengaturan-awal?token=")
    token = parse_qs(urlsplit(link).query)["token"][0]
    create_first_admin(engine, token, login="admin", name="Admin", password="rahasia-123")
    assert setup_link(engine, "http://localhost:8501") is None


def test_the_server_prints_the_setup_link_on_start(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from ui import server

    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")

    async def start_and_stop() -> None:
        async with server.lifespan(None):
            pass

    asyncio.run(start_and_stop())
    out = capsys.readouterr().out
    assert "/pengaturan-awal?token=" in out and "administrator" in out


def test_single_sign_on_matches_by_nip_then_email(engine: Engine) -> None:
    from netral.store.accounts import find_user_for_single_sign_on

    by_nip = create_user(engine, login="199001012015031001", nip="199001012015031001", name="A", password=None)
    by_mail = create_user(engine, login="pelatih", name="B", password=None, email="Pelatih@BKPSDM.go.id")
    assert find_user_for_single_sign_on(engine, email=None, nip="199001012015031001").id == by_nip.id  # type: ignore[union-attr]
    assert find_user_for_single_sign_on(engine, email="pelatih@bkpsdm.go.id", nip=None).id == by_mail.id  # type: ignore[union-attr]
    assert find_user_for_single_sign_on(engine, email="nobody@example.org", nip="199202022016041002") is None


def test_a_ticket_bound_to_one_browser_cannot_log_in_another(engine: Engine, client: TestClient,
                                                              user_id: int) -> None:
    """Login CSRF: a ticket link sent to someone else does not log them into the sender's account."""
    from netral.web import BROWSER_COOKIE

    ticket = issue_login_ticket(engine, user_id, browser="victim-does-not-have-this")
    client.cookies.set(BROWSER_COOKIE, "someone-else")
    refused = client.get("/auth/complete", params={"ticket": ticket})
    assert refused.headers["location"] == "/?login=expired" and "set-cookie" not in refused.headers
    ticket = issue_login_ticket(engine, user_id, browser="the-same-browser")
    client.cookies.set(BROWSER_COOKIE, "the-same-browser")
    assert client.get("/auth/complete", params={"ticket": ticket}).headers["set-cookie"].startswith(SESSION_COOKIE)


def test_a_second_tab_does_not_break_the_login_of_the_first(engine: Engine, client: TestClient, user_id: int) -> None:
    """Streamlit re-masks its XSRF cookie (same token, new mask) whenever any tab connects; the ticket is
    bound to the token inside, so the first tab's login still completes."""
    from netral.web import BROWSER_COOKIE, browser_key

    token = bytes(range(32))
    masks = (bytes([7] * 4), bytes([200, 3, 9, 77]))
    cookies = [f"2|{mask.hex()}|{bytes(b ^ mask[i % 4] for i, b in enumerate(token)).hex()}|1764300000"
               for mask in masks]
    assert cookies[0] != cookies[1] and browser_key(cookies[0]) == browser_key(cookies[1]) == token.hex()
    ticket = issue_login_ticket(engine, user_id, browser=browser_key(cookies[0]))
    client.cookies.set(BROWSER_COOKIE, cookies[1])  # the second tab's health check re-masked it
    assert client.get("/auth/complete", params={"ticket": ticket}).headers["set-cookie"].startswith(SESSION_COOKIE)
    assert browser_key(None) is None and browser_key("not-a-streamlit-cookie") == "not-a-streamlit-cookie"
