"""Who is using this session: the login cookie (or this session's own login), checked against the database
on every run, and the page gate every page file calls first."""

from __future__ import annotations

import json
from urllib.parse import quote

import streamlit as st
from sqlalchemy import Engine

from netral.access import PageId, can_open
from netral.i18n import t
from netral.store.accounts import (
    UserView,
    cookie_secret,
    resolve_login_session,
    revoke_login_session,
    start_login,
    unsign_cookie,
)
from netral.store.migrate import open_store
from netral.web import BROWSER_COOKIE, SESSION_COOKIE, browser_key

SESSION_TOKEN = "_netral_login_token"
PENDING_TICKET = "_netral_login_ticket"
LOGOUT_PENDING = "_netral_logout"
NOTICE = "_netral_notice"


def engine() -> Engine:
    """The process's store, migrated on first use (`NETRAL_DATABASE_URL`, else SQLite under `scores/`)."""
    return open_store()


def _cookie(name: str) -> str | None:
    """A cookie the browser sent when this session connected (none in AppTest, which sends no cookies)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None


def _cookie_token() -> str | None:
    value = _cookie(SESSION_COOKIE)
    return unsign_cookie(value, cookie_secret(engine())) if value else None


def current_user() -> UserView | None:
    """The logged-in user, or None. A revoked or expired login is None at once, on every replica."""
    if st.session_state.get(LOGOUT_PENDING):
        return None
    store = engine()
    for token in (st.session_state.get(SESSION_TOKEN), _cookie_token()):
        user = resolve_login_session(store, token)
        if user is not None:
            return user
    return None


def log_in(user: UserView) -> None:
    """Log this session in now, and arrange for the browser to receive the login cookie on the next run."""
    # One login session: this session uses its token now, and the ticket gives the browser's cookie the
    # same session at /auth/complete.
    token, ticket = start_login(engine(), user.id, browser=browser_key(_cookie(BROWSER_COOKIE)))
    st.session_state[SESSION_TOKEN] = token
    st.session_state[PENDING_TICKET] = ticket
    st.session_state.pop(LOGOUT_PENDING, None)
    if "language_switch" not in st.session_state:
        st.session_state.language_switch = user.language
    st.rerun()


def log_out(notice: str | None = None) -> None:
    """Revoke this session's login and the cookie's, then have the browser drop the cookie. `notice` (an
    i18n key under `notice.`) is shown on the login page that follows."""
    store = engine()
    if notice:
        st.session_state[NOTICE] = notice
    for token in (st.session_state.pop(SESSION_TOKEN, None), _cookie_token()):
        if token:
            revoke_login_session(store, token)
    st.session_state[LOGOUT_PENDING] = True
    if single_sign_on_configured() and st.user.is_logged_in:
        st.logout()  # else the identity provider's login would log this browser straight back in
    st.rerun()


def _navigate_browser(url: str, lang: str, link_key: str) -> None:
    # A script cannot set an HttpOnly cookie; the browser must visit the route that does. The link is the
    # fallback where JavaScript is blocked.
    st.html(f"<script>window.location.replace({json.dumps(url)})</script>", unsafe_allow_javascript=True)
    st.link_button(t(lang, link_key), url)


def finish_cookie_handshake(lang: str) -> None:
    """Called by the entrypoint: send the browser to the login or logout route once, when one is pending."""
    ticket = st.session_state.pop(PENDING_TICKET, None)
    if ticket:
        next_path = "/" + quote(st.query_params.get("next", "").lstrip("/")) if st.query_params.get("next") else "/"
        _navigate_browser(f"/auth/complete?ticket={quote(ticket)}&next={quote(next_path)}", lang,
                          "auth.continue")
    elif st.session_state.get(LOGOUT_PENDING) and _cookie(SESSION_COOKIE):
        notice = st.session_state.get(NOTICE)
        next_path = f"/?notice={quote(notice)}" if notice else "/"
        _navigate_browser(f"/auth/logout?next={quote(next_path)}", lang, "auth.continue")


def pending_notice() -> str | None:
    """A notice left for the login page by a logout: in this session, or in the address after a redirect."""
    return st.session_state.pop(NOTICE, None) or st.query_params.get("notice")


def require_page(page: PageId, lang: str) -> UserView | None:
    """The gate at the top of every page file: stop unless the current user may open `page`."""
    user = current_user()
    role = user.role if user else None
    if user is not None and page in (PageId.LOGIN, PageId.SETUP):
        # Just logged in on this page: the browser is on its way to the home page (see the handshake).
        st.success(t(lang, "login.done", name=user.name))
        st.page_link("pages/beranda.py", label=t(lang, "nav.home"), icon=":material/home:")
        st.stop()
    if user is None and st.session_state.get(LOGOUT_PENDING) and page is not PageId.LOGIN:
        st.switch_page("pages/masuk.py")  # just logged out here: the login page, not a refusal
    if not can_open(role, page):
        st.error(t(lang, "auth.login_required" if user is None else "auth.forbidden"))
        if user is None:
            st.page_link("pages/masuk.py", label=t(lang, "nav.login"), icon=":material/login:")
        st.stop()
    return user


def single_sign_on_configured() -> bool:
    """Whether `[auth]` is set in `.streamlit/secrets.toml` (no secrets file at all is the usual case)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # StreamlitSecretNotFoundError derives from it
        return False
