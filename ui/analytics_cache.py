"""The cohort dashboard, trainee table and item analysis, computed once per state of the data.

Each call first reads `analytics_fingerprint` (a few aggregates through indexes, and the viewer's access
check); the full computation runs again only when that fingerprint, the filters or the content changed. So
sorting the trainee table, paging, or opening a trainee does not recount 10,000 attempts, and a trainee's
submission shows up on the next run.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from netral.content import Content
from netral.itemanalysis import WhichAttempts
from netral.store.accounts import UserView
from netral.store.cohort import CohortDashboard, CohortFilters, SortKey, TraineePage, cohort_dashboard, trainee_table
from netral.store.freshness import Fingerprint, analytics_fingerprint
from netral.store.itemdata import QuizItemAnalysis, quiz_item_analysis

# Entries are per viewer, session and filters; an hour bounds what a data change the fingerprint cannot
# see (a trainee's unit edited in place) may leave on screen.
TTL_SECONDS = 3600
MAX_ENTRIES = 200


def _key(engine: Engine, content: Content, fingerprint: tuple[object, ...], *parts: object) -> str:
    # Arguments with a leading underscore are not hashed by st.cache_data: the key says what matters.
    return repr((engine.url.render_as_string(hide_password=True), id(content), fingerprint, *parts))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _dashboard(key: str, _engine: Engine, _viewer: UserView, _content: Content, training_id: int,
               _filters: CohortFilters) -> CohortDashboard:
    return cohort_dashboard(_engine, _viewer, _content, training_id, _filters)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _table(key: str, _engine: Engine, _viewer: UserView, training_id: int, _filters: CohortFilters,
           sort: SortKey, descending: bool, limit: int, offset: int) -> TraineePage:
    return trainee_table(_engine, _viewer, training_id, _filters, sort=sort, descending=descending, limit=limit,
                         offset=offset)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def _items(key: str, _engine: Engine, _viewer: UserView, _content: Content, quiz_id: str,
           session_id: int | None, which: WhichAttempts) -> QuizItemAnalysis:
    return quiz_item_analysis(_engine, _viewer, _content, quiz_id, session_id, which)


def fingerprint(engine: Engine, viewer: UserView, training_id: int) -> Fingerprint:
    """The session's fingerprint (and the viewer's access check), to read once per page run and pass to
    `dashboard` and `table`."""
    return analytics_fingerprint(engine, viewer, training_id)


def dashboard(engine: Engine, viewer: UserView, content: Content, training_id: int,
              filters: CohortFilters = CohortFilters(), *, fingerprint: Fingerprint | None = None
              ) -> CohortDashboard:
    """`cohort_dashboard`, reused while the session's data is unchanged (`fingerprint`: this run's, if read)."""
    fingerprint = fingerprint or analytics_fingerprint(engine, viewer, training_id)
    return _dashboard(_key(engine, content, fingerprint, repr(filters)), engine, viewer, content, training_id,
                      filters)


def table(engine: Engine, viewer: UserView, training_id: int, filters: CohortFilters = CohortFilters(), *,
          sort: SortKey = "score", descending: bool = False, limit: int = 50, offset: int = 0,
          fingerprint: Fingerprint | None = None) -> TraineePage:
    """`trainee_table`, reused while the session's data is unchanged (`fingerprint`: this run's, if read)."""
    fingerprint = fingerprint or analytics_fingerprint(engine, viewer, training_id)
    return _table(_key(engine, None, fingerprint, repr(filters)), engine, viewer, training_id, filters,  # type: ignore[arg-type]
                  sort, descending, limit, offset)


def item_analysis(engine: Engine, viewer: UserView, content: Content, quiz_id: str, session_id: int | None = None,
                  which: WhichAttempts = "first") -> QuizItemAnalysis:
    """`quiz_item_analysis`, reused while the attempts it reads are unchanged."""
    fingerprint = analytics_fingerprint(engine, viewer, session_id, quiz_id)
    return _items(_key(engine, content, fingerprint), engine, viewer, content, quiz_id, session_id, which)
