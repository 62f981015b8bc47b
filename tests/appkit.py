"""Helpers for AppTest: an app on its own database, a logged-in user, and answering scenarios."""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from netral.content import Content
from netral.scoring import key_answer
from netral.store.accounts import Role, UserView, create_user, start_login_session
from netral.store.migrate import open_store

ROOT = Path(__file__).resolve().parents[1]

# AppTest resets `PagesManager.uses_pages_directory` before every run, and a `pages/` folder beside app.py
# then switches that run to legacy multipage mode: after the first run, each rerun executes the page file
# alone, without app.py (no navigation, no language switch, no login handshake). A running server sets the
# flag once, and `st.navigation` clears it for good, so its reruns always go through app.py. This makes
# AppTest rerun the way the server does. (The server's first-request hazard is covered by test_browser.)
_pages_manager_init = PagesManager.__init__


def _init_as_a_running_server(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _pages_manager_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _init_as_a_running_server  # type: ignore[method-assign]
TRAINEE_NIP = "199001012015031001"
PASSWORD = "rahasia-123"


def new_app(lang: str | None = None, token: str | None = None) -> AppTest:
    """A first run of app.py; with `token`, the session is logged in as that login session's user."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    if token:
        at.session_state["_netral_login_token"] = token
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def make_user(role: Role = Role.TRAINEE, *, nip: str | None = TRAINEE_NIP, login: str | None = None,
              name: str = "Siti Aminah, S.H.") -> tuple[UserView, str]:
    """A user in the app's database and a live login token for it."""
    store = open_store()
    user = create_user(store, login=login or nip or "user", nip=nip, name=name, password=PASSWORD, role=role,
                       unit="BKPSDM Provinsi Banten", position="Analis SDM Aparatur")
    return user, start_login_session(store, user.id)


def answer_on_page(at: AppTest, content: Content, prefix: str, scenario_id: str, *, correct: bool = True) -> None:
    """Set the widgets of `scenario_id` (keys `{prefix}_{scenario}_{facet}`) to the key, or to a wrong pick."""
    scenario = content.scenarios[scenario_id]
    key = key_answer(scenario)
    for question in scenario.questions:
        facet = question.facet.value
        widget_key = f"{prefix}_{scenario_id}_{facet}"
        picks = list(key[facet]) if correct else [next(o.id for o in question.options if o.id not in key[facet])]
        if question.multiple:
            choose_several(at, widget_key, [o.id for o in question.options], picks)
        else:
            at.radio(key=widget_key).set_value(picks[0])


def choose_several(at: AppTest, widget_key: str, option_ids: list[str], picks: list[str]) -> None:
    """Tick exactly `picks` among the checkboxes of a question that takes several answers."""
    from ui.scenario_form import choice_key

    for option_id in option_ids:
        at.checkbox(key=choice_key(widget_key, option_id)).set_value(option_id in picks)


def scenario_on_screen(at: AppTest, prefix: str) -> str:
    """The scenario whose answer widgets are on screen (from the radios' keys: every scenario has one)."""
    for widget in at.radio:
        if widget.key and widget.key.startswith(prefix + "_"):
            return widget.key[len(prefix) + 1:].rsplit("_", 1)[0]
    raise AssertionError("no scenario widgets on screen")
