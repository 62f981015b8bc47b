"""Latihan cerdas: the next scenario chosen from my weakest, most frequent categories, with missed ones
brought back on a spaced-repetition schedule (the choice itself is `netral.adaptive.choose_next`)."""

import streamlit as st

from netral.access import PageId
from netral.adaptive import PracticeRecord, choose_next
from netral.feedback import scenario_feedback
from netral.i18n import t
from netral.scoring import score_scenario
from netral.store.practice import practice_history, record_practice
from netral.store.schema import utcnow
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.feedback_view import render_facets
from ui.scenario_form import answer_widgets, render_situation

ensure_entrypoint()
lang = language()
user = require_page(PageId.SMART_PRACTICE, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.smart_practice"))
st.caption(t(lang, "adaptive.intro"))

history = [PracticeRecord(sid, score, at) for sid, score, at in practice_history(store, user.id)]
# The pick stays put until it is answered; a new one is drawn after each answer (the seed counts answers).
if "smart_pick" not in st.session_state or st.session_state.get("smart_history_len") != len(history):
    picks = choose_next(content, history, utcnow(), count=1, seed=user.id * 100_003 + len(history))
    st.session_state.smart_pick = (picks[0].scenario_id, picks[0].reason) if picks else None
    st.session_state.smart_history_len = len(history)
    st.session_state.pop("smart_result", None)

if st.session_state.smart_pick is None:
    st.success(t(lang, "adaptive.nothing_due"))
    st.stop()
scenario_id, reason = st.session_state.smart_pick
scenario = content.scenarios[scenario_id]
st.info(t(lang, "adaptive.reason." + reason, category=content.categories[scenario.category].name.get(lang)),
        icon=":material/psychology:")
render_situation(scenario, lang)

shown = st.session_state.get("smart_result")
if shown is None:
    with st.form(f"smart_{scenario.id}_{len(history)}"):
        answer = answer_widgets(scenario, lang, f"s{len(history)}")
        submitted = st.form_submit_button(t(lang, "practice.submit"), type="primary")
    if submitted:
        if any(not picks for picks in answer.values()):
            st.error(t(lang, "practice.answer_all"))
        else:
            result = score_scenario(scenario, answer)
            record_practice(store, content, user.id, result, answer)
            st.session_state.smart_result = (scenario.id, answer)
            st.session_state.smart_history_len = len(history) + 1  # keep this pick on screen with its feedback
            st.rerun()
else:
    answered_id, answer = shown
    result = score_scenario(content.scenarios[answered_id], answer)
    st.metric(t(lang, "practice.score", score=round(result.score * 100)), f"{round(result.score * 100)}%")
    render_facets(scenario_feedback(content, result, lang), lang)
    if st.button(t(lang, "practice.next"), type="primary", icon=":material/skip_next:"):
        st.session_state.pop("smart_pick", None)
        st.session_state.pop("smart_result", None)
        st.rerun()
