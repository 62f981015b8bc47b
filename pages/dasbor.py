"""Dasbor kohort (trainers, HR): counts, score distribution, mastery by unit and category, the weakest
categories beside reality, and each trainee down to each answer. Every number is aggregated in SQL."""

from datetime import UTC, datetime, time

import streamlit as st

from netral.access import PageId
from netral.charts import distribution_chart, mastery_charts, mastery_frame, unit_mastery_chart
from netral.i18n import t
from netral.store.cohort import CohortFilters, attempt_answers, trainee_attempts
from netral.store.trainings import list_trainings
from ui import analytics_cache
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.downloads import download_table
from ui.tables import show_table

ensure_entrypoint()
lang = language()
user = require_page(PageId.DASHBOARD, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.dashboard"))

trainings = list_trainings(store, user)
if not trainings:
    st.info(t(lang, "dashboard.no_sessions"))
    st.stop()
by_id = {training.id: training for training in trainings}
chosen = st.selectbox(t(lang, "sessions.pick"), list(by_id), format_func=lambda i: by_id[i].name, key="dash_session")


def category_name(category_id: str) -> str:
    category = content.categories.get(category_id)
    return category.name.get(lang) if category else category_id


def as_range(day, end: bool) -> datetime | None:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=UTC) if day else None


# One query for the page: the filters come from the widgets' state, which the widgets below then show.
state = st.session_state
filters = CohortFilters(units=tuple(state.get("dash_units", ())), which=state.get("dash_which", "first"),
                        date_from=as_range(state.get("dash_from"), False), date_to=as_range(state.get("dash_to"), True))
fingerprint = analytics_cache.fingerprint(store, user, chosen)  # read once for both cached results
dashboard = analytics_cache.dashboard(store, user, content, chosen, filters, fingerprint=fingerprint)
with st.expander(t(lang, "dashboard.filters"), icon=":material/filter_list:"):
    st.multiselect(t(lang, "cohort.col.unit"), dashboard.units_available, key="dash_units",
                   select_all=False, placeholder=t(lang, "dashboard.all_units"))
    left, right = st.columns(2)
    left.date_input(t(lang, "dashboard.date_from"), value=None, format="DD/MM/YYYY", key="dash_from")
    right.date_input(t(lang, "dashboard.date_to"), value=None, format="DD/MM/YYYY", key="dash_to")
    st.radio(t(lang, "dashboard.which"), ["first", "best", "all"], horizontal=True,
             format_func=lambda w: t(lang, "cohort.which." + w), key="dash_which")

counts = dashboard.counts
a, b, c, d, e = st.columns(5)
a.metric(t(lang, "report.col.enrolled"), counts.enrolled)
b.metric(t(lang, "report.col.started_count"), counts.started)
c.metric(t(lang, "report.col.finished_count"), counts.finished)
d.metric(t(lang, "report.col.passed_count"), counts.passed)
e.metric(t(lang, "report.col.pass_rate"),
         "-" if dashboard.pass_rate is None else f"{round(dashboard.pass_rate * 100)}%")
if not dashboard.attempts_counted:
    st.info(t(lang, "dashboard.no_attempts"))
    st.stop()

st.altair_chart(distribution_chart([(b.lower, b.upper, b.count) for b in dashboard.distribution], lang),
                width="stretch")
st.caption(t(lang, "dashboard.distribution_explained", mean=round((dashboard.mean_score or 0) * 100)))
with st.expander(t(lang, "data.table")):
    show_table(dashboard.to_rows("distribution"), lang)

cells = [(m.unit or "-", category_name(m.category_id), m.mastery, m.answers) for m in dashboard.unit_mastery]
if cells:
    cohort = [(category_name(m.category_id), m.mastery) for m in dashboard.mastery]  # weakest first
    st.altair_chart(unit_mastery_chart(cells, cohort, lang), width="stretch")
    st.caption(t(lang, "dashboard.units_explained"))
    with st.expander(t(lang, "data.table")):
        show_table(dashboard.to_rows("unit_mastery"), lang, cells=lambda r: [r[0], category_name(str(r[1])), *r[2:]])

weakest = [w for w in dashboard.weakest if w.table_2_1_count is not None]
if weakest:
    frame = mastery_frame([(category_name(w.category_id), w.answers, w.mastery, w.table_2_1_count)
                           for w in sorted(weakest, key=lambda w: -(w.table_2_1_count or 0))], lang)
    # Side by side on a wide screen; Streamlit stacks the columns on a phone.
    left, right = st.columns(2)
    for column, chart in zip((left, right), mastery_charts(frame, lang, title_key="dashboard.chart_mastery"),
                             strict=True):
        column.altair_chart(chart, width="stretch")
    st.caption(t(lang, "dashboard.weakest_explained"))
    with st.expander(t(lang, "data.table")):
        show_table(dashboard.to_rows("weakest"), lang, cells=lambda r: [category_name(str(r[0])), *r[1:]])

st.subheader(t(lang, "dashboard.trainees"))
sort = st.radio(t(lang, "dashboard.sort"), ["score", "name", "unit"], horizontal=True,
                format_func=lambda s: t(lang, "cohort.sort." + s), key="dash_sort")
page_size = 50
page_number = st.number_input(t(lang, "dashboard.page"), min_value=1, value=1, key="dash_page")
table = analytics_cache.table(store, user, chosen, filters, sort=sort, limit=page_size,
                              offset=(page_number - 1) * page_size, fingerprint=fingerprint)
st.caption(t(lang, "dashboard.page_of", shown=len(table.rows), total=table.total))
show_table(table.to_rows(), lang)
download_table(f"nilai-kohort-{chosen}", t(lang, "nav.dashboard"), table.to_rows(), lang, "cohort_scores")

people = {row.user_id: f"{row.name} · {row.unit}" for row in table.rows}
if people:
    person = st.selectbox(t(lang, "dashboard.drilldown"), [None, *people], key="dash_person",
                          format_func=lambda p: t(lang, "dashboard.pick_person") if p is None else people[p])
    if person is not None:
        attempts = trainee_attempts(store, user, chosen, person)
        for attempt in attempts:
            quiz = content.quizzes.get(attempt.quiz_id)
            label = t(lang, "dashboard.attempt_line", n=attempt.number,
                      quiz=quiz.title.get(lang) if quiz else attempt.quiz_id,
                      score="-" if attempt.score is None else f"{round(attempt.score * 100)}%",
                      status=t(lang, "dashboard.status." + attempt.status))
            with st.expander(label):
                for answer in attempt_answers(store, user, content, chosen, attempt.id):
                    scenario = content.scenarios.get(answer.scenario_id)
                    title = scenario.title.get(lang) if scenario else answer.scenario_id
                    score = "-" if answer.score is None else f"{round(answer.score * 100)}%"
                    st.markdown(f"**{title}**: {score}")
                    if answer.facet_scores:
                        st.caption(" · ".join(f"{t(lang, 'practice.facet.' + facet)} {round(value * 100)}%"
                                              for facet, value in answer.facet_scores.items()))
