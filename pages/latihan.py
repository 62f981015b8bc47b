"""Latihan kasus: practise one scenario at a time with immediate, cited feedback."""

import streamlit as st

from netral.access import PageId
from netral.feedback import scenario_feedback
from netral.i18n import t
from netral.scoring import score_scenario
from netral.store.practice import record_practice
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.auth import engine, require_page
from ui.feedback_view import render_facets
from ui.scenario_form import answer_widgets, render_situation

ensure_entrypoint()
lang = language()
user = require_page(PageId.PRACTICE, lang)
assert user is not None
content = content_or_stop(lang)
st.title(t(lang, "nav.practice"))

categories = sorted(content.categories.values(), key=lambda c: c.name.get(lang))
category_ids = [None] + [c.id for c in categories]
category = st.selectbox(
    t(lang, "practice.category"), category_ids,
    format_func=lambda cid: t(lang, "practice.all") if cid is None else content.categories[cid].name.get(lang),
    key="practice_category",
)
choices = [s.id for s in content.standalone_scenarios(category)]
if "practice_followup" in st.session_state and st.session_state.practice_followup in content.scenarios:
    choices = [st.session_state.practice_followup] + choices
scenario_id = st.selectbox(
    t(lang, "practice.scenario"), choices,
    format_func=lambda sid: content.scenarios[sid].title.get(lang), key="practice_scenario",
)
if scenario_id is None:
    st.stop()
scenario = content.scenarios[scenario_id]

render_situation(scenario, lang)

with st.form(f"answer_{scenario.id}"):
    answer = answer_widgets(scenario, lang, "q")
    submitted = st.form_submit_button(t(lang, "practice.submit"), type="primary")

if submitted:
    if any(not picks for picks in answer.values()):
        st.error(t(lang, "practice.answer_all"))
    else:
        st.session_state[f"practice_answer_{scenario.id}"] = answer
        record_practice(engine(), content, user.id, score_scenario(scenario, answer), answer)

saved = st.session_state.get(f"practice_answer_{scenario.id}")
if saved:
    result = score_scenario(scenario, saved)
    st.metric(t(lang, "practice.score", score=round(result.score * 100)), f"{round(result.score * 100)}%")
    render_facets(scenario_feedback(content, result, lang), lang)
    if result.next_scenario:
        def _open_followup(target: str = result.next_scenario) -> None:
            # A callback runs before the widgets are built, so it may set the scenario picker's value.
            st.session_state.practice_followup = target
            st.session_state.practice_scenario = target

        st.button(t(lang, "practice.followup"), type="primary", key="go_followup", on_click=_open_followup)
