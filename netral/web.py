"""HTTP routes beside the Streamlit app: the login cookie and the first-administrator link.

A Streamlit script cannot set a cookie, and a cookie a script could read would not be HttpOnly. So a page
that has checked a password starts a login session with a one-time login ticket and sends the browser to
`/auth/complete`; this route trades the ticket for that same session's token (one login, one login-session
row) and sets a signed, HttpOnly, SameSite cookie carrying it. Every later page reads the cookie (through
`st.context.cookies`) and resolves it in the database, so a login survives a refresh, works on every
replica, and ends the moment it is revoked.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from netral.store.accounts import (
    SESSION_LIFETIME,
    cookie_secret,
    issue_setup_token,
    redeem_login_ticket,
    sign_cookie,
)

SESSION_COOKIE = "netral_session"
BROWSER_COOKIE = "_streamlit_xsrf"  # Streamlit's own per-browser cookie; binds a login ticket to its browser
SETUP_PAGE = "pengaturan-awal"


def safe_next(target: str | None) -> str:
    """A same-site path to go to after login; anything else (another host, a scheme) becomes `/`."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def browser_key(xsrf_cookie: str | None) -> str | None:
    """The token inside Streamlit's XSRF cookie (`2|mask|masked token|timestamp`). Streamlit re-masks the
    cookie, same token with a new random mask, in every /_stcore/health answer, that is whenever any tab
    of the browser connects; the token stays the same for the browser."""
    if not xsrf_cookie:
        return None
    parts = xsrf_cookie.strip("\"'").split("|")
    if len(parts) != 4 or parts[0] != "2":
        return xsrf_cookie
    try:
        mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
    except ValueError:
        return xsrf_cookie
    if not mask:
        return xsrf_cookie
    return bytes(byte ^ mask[index % len(mask)] for index, byte in enumerate(masked)).hex()


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def auth_routes(engine_factory: Callable[[], Engine]) -> list[Route]:
    """The `/auth/...` routes; `engine_factory` returns the process's (migrated) engine."""

    def complete_login(request: Request) -> Response:
        engine = engine_factory()
        token = redeem_login_ticket(engine, request.query_params.get("ticket"),
                                    browser=browser_key(request.cookies.get(BROWSER_COOKIE)))
        destination = safe_next(request.query_params.get("next"))
        if token is None:
            # An expired or replayed ticket: back to the app, which shows the login form again.
            return RedirectResponse("/?login=expired", status_code=303)
        response = RedirectResponse(destination, status_code=303)
        response.set_cookie(SESSION_COOKIE, sign_cookie(token, cookie_secret(engine)),
                            max_age=int(SESSION_LIFETIME.total_seconds()), path="/", httponly=True,
                            samesite="lax", secure=_is_https(request))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"  # the ticket is in this URL
        return response

    def clear_cookie(request: Request) -> Response:
        # The page revoked the login session in the database before sending the browser here; this only
        # removes the now useless cookie, so a forged link can do no more than that.
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=_is_https(request))
        response.headers["Cache-Control"] = "no-store"
        return response

    return [
        Route("/auth/complete", complete_login, methods=["GET"]),
        Route("/auth/logout", clear_cookie, methods=["GET"]),
    ]


def setup_link(engine: Engine, base_url: str) -> str | None:
    """On a database with no administrator, a one-time link to the page that creates one; else None."""
    token = issue_setup_token(engine)
    if token is None:
        return None
    return f"{base_url.rstrip('/')}/{SETUP_PAGE}?token={token}"
