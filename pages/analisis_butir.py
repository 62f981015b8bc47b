"""Analisis butir soal (trainers, HR): Moodle's quiz statistics for each quiz, with plain-language flags."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.itemanalysis import QUESTION_COLUMN_KEYS, TEST_STATISTIC_KEYS, WHICH_ATTEMPTS, WHICH_ATTEMPTS_KEYS, flag_question
from netral.store.trainings import TrainingError, list_trainings
from ui import analytics_cache
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language
from ui.downloads import download_table

ensure_entrypoint()
lang = language()
user = require_page(PageId.ITEM_ANALYSIS, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.item_analysis"))
st.caption(t(lang, "items.intro"))

trainings = {training.id: training for training in list_trainings(store, user)}
if not trainings:
    st.info(t(lang, "dashboard.no_sessions"))
    st.stop()
session_id = st.selectbox(t(lang, "items.session"), [None, *trainings], key="items_session",
                          format_func=lambda i: t(lang, "items.all_sessions") if i is None else trainings[i].name)
quiz_ids = sorted({q for tr in trainings.values() for q in tr.quiz_ids} if session_id is None
                  else set(trainings[session_id].quiz_ids))
quiz_id = st.selectbox(t(lang, "sessions.quizzes"), quiz_ids, key="items_quiz",
                       format_func=lambda q: content.quizzes[q].title.get(lang) if q in content.quizzes else q)
which = st.radio(t(lang, "dashboard.which"), list(WHICH_ATTEMPTS), horizontal=True, key="items_which",
                 format_func=lambda w: t(lang, WHICH_ATTEMPTS_KEYS[w]))
if quiz_id is None:
    st.stop()
try:
    result = analytics_cache.item_analysis(store, user, content, quiz_id, session_id, which)
except TrainingError as refusal:
    st.error(t(lang, "training." + refusal.code, **refusal.values))
    st.stop()

test = result.analysis.test
if not test.attempt_count:
    st.info(t(lang, "dashboard.no_attempts"))
    st.stop()


def shown(value: object) -> object:
    return "-" if value is None else (round(value, 2) if isinstance(value, float) else value)


test_rows = [{t(lang, "items.statistic"): t(lang, key), t(lang, "items.value"): shown(getattr(test, field))}
             for field, key in TEST_STATISTIC_KEYS.items()]
st.subheader(t(lang, "items.test"))
st.dataframe(test_rows, hide_index=True)


def slot_name(slot_id: str) -> str:
    if result.slots.kind == "category" and slot_id in content.categories:
        return content.categories[slot_id].name.get(lang)
    scenario = content.scenarios.get(slot_id)
    return scenario.title.get(lang) if scenario else slot_id


st.subheader(t(lang, "items.questions"))
question_rows = []
for question in result.analysis.questions:
    row: dict[str, object] = {key: shown(getattr(question, field)) for field, key in QUESTION_COLUMN_KEYS.items()}
    row[QUESTION_COLUMN_KEYS["question_id"]] = slot_name(question.question_id)
    row["items.flags"] = " ".join(t(lang, key) for key in flag_question(question)) or "-"
    question_rows.append(row)
st.dataframe([{t(lang, k): v for k, v in row.items()} for row in question_rows], hide_index=True)
flagged = [(row[QUESTION_COLUMN_KEYS["question_id"]], row["items.flags"]) for row in question_rows
           if row["items.flags"] != "-"]
for name, flags in flagged:
    st.warning(f"**{name}**: {flags}", icon=":material/flag:")
download_table(f"analisis-butir-{quiz_id}", t(lang, "nav.item_analysis"), question_rows, lang, "items")
