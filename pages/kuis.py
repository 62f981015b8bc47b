"""Kuis: an attempt with deferred feedback. Answers are saved in the database as they are given, so a
refresh, a closed tab or another device resumes the attempt where it was (`?attempt=ID&q=N`)."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.quizplan import question_sequence, resume_position
from netral.store.attempts import AttemptError, get_attempt, list_attempts, save_answer, start_or_resume, submit_attempt
from netral.store.trainings import TrainingError, join_with_code, my_assignments
from netral.xapi import configured as xapi_configured
from ui.assignment_view import assignment_card
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.countdown import countdown
from ui.scenario_form import answer_widgets, render_situation

ensure_entrypoint()
lang = language()
user = require_page(PageId.QUIZ, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.quiz"))


def open_attempt(attempt_id: int) -> None:
    # No "q": the attempt opens at its first unanswered question (resume_position).
    st.query_params["attempt"] = str(attempt_id)
    st.query_params.pop("q", None)
    st.rerun()


def start(quiz_id: str, **limits: object) -> None:
    try:
        attempt = start_or_resume(store, content, user.id, quiz_id, **limits)  # type: ignore[arg-type]
    except AttemptError as refusal:
        st.error(t(lang, "attempt." + refusal.code))
    else:
        open_attempt(attempt.id)


attempt_param = st.query_params.get("attempt", "")
if not attempt_param.isdigit():
    # Choose: what HR assigned first, then the open quizzes anyone may take.
    in_progress = [a for a in list_attempts(store, user.id) if not a.finished]
    for attempt in in_progress:
        quiz = content.quizzes.get(attempt.quiz_id)
        if quiz and st.button(t(lang, "quiz.resume", title=quiz.title.get(lang)), key=f"resume_{attempt.id}",
                              type="primary", icon=":material/play_arrow:"):
            open_attempt(attempt.id)
    st.subheader(t(lang, "quiz.assigned"))
    assignments = my_assignments(store, user.id)
    if not assignments:
        st.caption(t(lang, "quiz.no_assignments"))
    for item in assignments:
        with st.container(border=True):
            if assignment_card(item, content, lang) and st.button(
                    t(lang, "quiz.start"), key=f"start_{item.training.id}_{item.quiz_id}"):
                start(item.quiz_id, session_id=item.training.id, pass_mark=item.training.pass_mark,
                      attempts_allowed=item.training.attempts_allowed)
    with st.form("join_form"):
        code = st.text_input(t(lang, "register.join_code"), max_chars=20)
        if st.form_submit_button(t(lang, "quiz.join")):
            try:
                training = join_with_code(store, user.id, code)
            except TrainingError as refusal:
                st.error(t(lang, "training." + refusal.code, **refusal.values))
            else:
                st.success(t(lang, "quiz.joined", name=training.name))
                st.rerun()
    st.subheader(t(lang, "quiz.open_quizzes"))
    for quiz in sorted(content.quizzes.values(), key=lambda q: q.id):
        with st.container(border=True):
            st.markdown(f"**{quiz.title.get(lang)}**")
            st.caption(t(lang, "home.quiz_line", title=quiz.title.get(lang), audience=quiz.audience.get(lang),
                         pass_mark=round(quiz.pass_mark * 100), minutes=quiz.time_limit_minutes))
            if st.button(t(lang, "quiz.start"), key=f"start_free_{quiz.id}"):
                start(quiz.id)
    st.stop()

try:
    attempt = get_attempt(store, user.id, int(attempt_param))
except AttemptError as refusal:
    st.error(t(lang, "attempt." + refusal.code))
    st.stop()
quiz = content.quizzes.get(attempt.quiz_id)
if attempt.finished or quiz is None:
    st.info(t(lang, "quiz.finished"))
    st.page_link("pages/hasil.py", label=t(lang, "quiz.see_result"), query_params={"attempt": str(attempt.id)})
    st.stop()

st.subheader(quiz.title.get(lang))
remaining = attempt.remaining_seconds()
countdown(attempt.deadline_at, t(lang, "quiz.time_left"), t(lang, "quiz.time_up"), remaining)
if remaining == 0:
    st.warning(t(lang, "quiz.late_warning"), icon=":material/timer_off:")

sequence = question_sequence(content, attempt.scenario_ids, attempt.answers)


def is_answered(scenario_id: str) -> bool:
    return any(attempt.answers.get(scenario_id, {}).values())


answered = sum(1 for sid in sequence if is_answered(sid))
st.progress(answered / len(sequence), text=t(lang, "quiz.progress", answered=answered, total=len(sequence)))

requested = st.query_params.get("q", "")
position = (min(int(requested), len(sequence) - 1) if requested.isdigit()
            else resume_position(sequence, attempt.answers))


def question_label(index: int) -> str:
    mark = "✓" if is_answered(sequence[index]) else "○"
    return t(lang, "quiz.question_n", n=index + 1, total=len(sequence)) + f" {mark}"


jump = st.selectbox(t(lang, "quiz.go_to"), range(len(sequence)), index=position, format_func=question_label,
                    key=f"jump_{attempt.id}_{position}")
if jump != position:
    st.query_params["q"] = str(jump)
    st.rerun()

scenario = content.scenarios[sequence[position]]
render_situation(scenario, lang)
with st.form(f"quiz_{attempt.id}_{scenario.id}"):
    answer = answer_widgets(scenario, lang, f"a{attempt.id}", option_order=attempt.option_orders.get(scenario.id),
                            saved=attempt.answers.get(scenario.id))
    back, forward = st.columns(2)
    go_back = back.form_submit_button(t(lang, "quiz.save_back"), disabled=position == 0,
                                      icon=":material/arrow_back:")
    go_forward = forward.form_submit_button(t(lang, "quiz.save_next"), type="primary",
                                            icon=":material/arrow_forward:")
if go_back or go_forward:
    given = {facet: picks for facet, picks in answer.items() if picks}
    try:
        if given:
            save_answer(store, content, user.id, attempt.id, scenario.id, given)
    except AttemptError as refusal:
        st.error(t(lang, "attempt." + refusal.code))
    else:
        fresh = get_attempt(store, user.id, attempt.id)
        new_sequence = question_sequence(content, fresh.scenario_ids, fresh.answers)
        step = -1 if go_back else 1
        st.query_params["q"] = str(min(max(position + step, 0), len(new_sequence) - 1))
        st.rerun()

st.divider()
unanswered = len(sequence) - answered
with st.form(f"submit_{attempt.id}"):
    st.markdown(t(lang, "quiz.submit_intro"))
    if unanswered:
        st.warning(t(lang, "quiz.unanswered", count=unanswered))
    confirmed = st.checkbox(t(lang, "quiz.confirm"))
    send = st.form_submit_button(t(lang, "quiz.submit"), icon=":material/send:")
if send:
    if not confirmed:
        st.error(t(lang, "quiz.confirm_needed"))
    else:
        try:
            submit_attempt(store, content, user.id, attempt.id, xapi=xapi_configured())
        except AttemptError as refusal:
            # Submitted from another tab meanwhile: the result is there either way.
            st.info(t(lang, "attempt." + refusal.code))
        st.switch_page("pages/hasil.py", query_params={"attempt": str(attempt.id)})
