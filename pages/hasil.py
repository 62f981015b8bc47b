"""Hasil: a finished attempt reviewed question by question, with the reasoning, citations and the verdict."""

import streamlit as st

from netral.access import PageId
from netral.feedback import scenario_feedback
from netral.i18n import t
from netral.quizplan import question_sequence
from netral.scoring import score_scenario
from netral.store.attempts import AttemptError, get_attempt, list_attempts
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.feedback_view import render_facets

ensure_entrypoint()
lang = language()
user = require_page(PageId.RESULTS, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.results"))

finished = [a for a in list_attempts(store, user.id) if a.finished]
if not finished:
    st.info(t(lang, "results.none"))
    st.page_link("pages/kuis.py", label=t(lang, "nav.quiz"), icon=":material/assignment:")
    st.stop()


def attempt_label(attempt_id: int) -> str:
    attempt = next(a for a in finished if a.id == attempt_id)
    quiz = content.quizzes.get(attempt.quiz_id)
    title = quiz.title.get(lang) if quiz else attempt.quiz_id
    when = attempt.submitted_at.strftime("%d-%m-%Y %H:%M") if attempt.submitted_at else ""
    return f"{title} · {when} · {round((attempt.score or 0) * 100)}%"


ids = [a.id for a in finished]
wanted = st.query_params.get("attempt", "")
index = ids.index(int(wanted)) if wanted.isdigit() and int(wanted) in ids else 0
chosen = st.selectbox(t(lang, "results.pick"), ids, index=index, format_func=attempt_label, key="result_pick")
if st.query_params.get("attempt") != str(chosen):
    st.query_params["attempt"] = str(chosen)
try:
    attempt = get_attempt(store, user.id, chosen)
except AttemptError as refusal:
    st.error(t(lang, "attempt." + refusal.code))
    st.stop()

score = round((attempt.score or 0) * 100)
left, middle, right = st.columns(3)
left.metric(t(lang, "results.score"), f"{score}%")
middle.metric(t(lang, "results.pass_mark"), f"{round(attempt.pass_mark * 100)}%")
right.metric(t(lang, "results.status"), t(lang, "results.passed" if attempt.passed else "results.failed"))
if attempt.passed:
    st.success(t(lang, "results.passed_note"), icon=":material/workspace_premium:")
    st.page_link("pages/sertifikat.py", label=t(lang, "results.get_certificate"), icon=":material/download:")
else:
    st.warning(t(lang, "results.failed_note"), icon=":material/school:")
if attempt.status == "late":
    st.caption(t(lang, "results.late"))

reviewed = []
for number, scenario_id in enumerate(question_sequence(content, attempt.scenario_ids, attempt.answers), start=1):
    scenario = content.scenarios.get(scenario_id)
    if scenario is not None:
        reviewed.append((number, scenario, score_scenario(scenario, attempt.answers.get(scenario_id, {}))))
if not reviewed:
    st.stop()

# One question at a time: every question's feedback at once ran past 8,000 px on a phone. The pills list
# every question with its score (they wrap on a narrow screen), so the ones to study stand out; the buttons
# under the feedback step on without scrolling back up.
st.subheader(t(lang, "results.review"))
shown_key = f"result_question_{attempt.id}"
st.session_state.setdefault(shown_key, 0)


def step(by: int) -> None:
    st.session_state[shown_key] = min(max(st.session_state[shown_key] + by, 0), len(reviewed) - 1)


def pill(index: int) -> str:
    number, _, result = reviewed[index]
    return t(lang, "results.pill", n=number, score=round(result.score * 100))


shown = st.pills(t(lang, "results.pick_question"), range(len(reviewed)), required=True, key=shown_key, format_func=pill)
number, scenario, result = reviewed[shown if shown is not None else 0]
heading = t(lang, "results.question", n=number, title=scenario.title.get(lang), score=round(result.score * 100))
st.markdown(f"#### {heading}")
with st.expander(t(lang, "results.situation")):
    st.write(scenario.situation.get(lang))
render_facets(scenario_feedback(content, result, lang), lang)
back, forward = st.columns(2)
back.button(t(lang, "results.previous"), icon=":material/arrow_back:", on_click=step, args=(-1,),
            disabled=shown == 0, key=f"result_back_{attempt.id}", width="stretch")
forward.button(t(lang, "results.next"), icon=":material/arrow_forward:", on_click=step, args=(1,),
               disabled=shown == len(reviewed) - 1, key=f"result_next_{attempt.id}", width="stretch")
