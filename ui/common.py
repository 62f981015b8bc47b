"""What every page needs: the cached content, the user's language, the content-problem banner."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import DBAPIError

from netral.content import Content, Problem, validate_content
from netral.i18n import LANGUAGES, normalise_language, t
from netral.store.accounts import UserView, set_language
from netral.store.migrate import open_store


log = logging.getLogger("netral")


@st.cache_resource(show_spinner=False)
def cached_content() -> tuple[Content, list[Problem]]:
    """The validated content, read once per server process (it is read-only and shared by every session)."""
    return validate_content()


ENTRY_FLAG = "_netral_entrypoint_ran"


def mark_entrypoint() -> None:
    """Called by app.py before it runs a page: this session went through the navigation."""
    st.session_state[ENTRY_FLAG] = True


def ensure_entrypoint() -> None:
    """Send a session that skipped app.py back through it.

    On a freshly started server, the very first request for a page URL can be served the legacy way, without
    the entrypoint (see shared/reference/streamlit-1.67.md), which loses the navigation and language switch.
    """
    if not st.session_state.get(ENTRY_FLAG):
        st.switch_page("app.py")


def language() -> str:
    """The user's language: the switch, else the `lang` query parameter, else Bahasa Indonesia (the default
    for every user, whatever the browser's locale)."""
    return normalise_language(st.session_state.get("language_switch") or st.query_params.get("lang"))


def language_switch(user: UserView | None = None) -> str:
    """A sidebar switch. The choice is kept in the URL (a refresh keeps it) and, for a logged-in user, in
    the account, so it follows the user to another device and the next login."""
    if "language_switch" not in st.session_state:
        preferred = st.query_params.get("lang") or (user.language if user else None)
        st.session_state.language_switch = normalise_language(preferred)
    current = language()
    names = {"id": "Bahasa Indonesia", "en": "English"}
    picked = st.sidebar.radio(t(current, "lang.label"), LANGUAGES, format_func=names.__getitem__,
                              horizontal=True, key="language_switch")
    if st.query_params.get("lang") != picked:
        st.query_params["lang"] = picked
    if user is not None and user.language != picked:
        set_language(open_store(), user.id, picked)
    return picked


def content_or_stop(lang: str) -> Content:
    """The content; problems are announced (not hidden) and the valid part is still served."""
    content, problems = cached_content()
    if problems:
        st.warning(t(lang, "content.problems", count=len(problems)))
    return content


@contextmanager
def database_trouble_shown(lang: str) -> Iterator[None]:
    """A database that stays unreachable after the store's own retries shows a plain message asking the
    user to try again, never a traceback. Saved answers are safe in the database. A pick not yet saved
    survives only when the failure came after its form was drawn (a locked SQLite file during the save); when
    the database is gone, the run stops at the login check, before the form, and the pick is made again."""
    try:
        yield
    except DBAPIError:
        log.exception("database error while running a page")
        st.error(t(lang, "error.database"), icon=":material/cloud_off:")
        st.button(t(lang, "error.retry"), key="_netral_retry", icon=":material/refresh:")
        st.stop()
