"""Progres saya: my quiz scores over time, and my mastery per category beside how often each violation
really occurred (Table 2.1), so the one I get wrong most and the one that happens most stand side by side
(one above the other on a phone)."""

import streamlit as st

from netral.access import PageId
from netral.charts import mastery_charts, mastery_frame, progress_chart, progress_frame
from netral.i18n import t
from netral.progress import category_mastery, weakest_frequent
from netral.store.progress import quiz_scores, scenario_tallies
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.PROGRESS, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.progress"))

scores = quiz_scores(store, user.id)
tallies = scenario_tallies(store, user.id)
if not scores and not tallies:
    st.info(t(lang, "progress.empty"))
    st.page_link("pages/latihan.py", label=t(lang, "home.start"), icon=":material/arrow_forward:")
    st.stop()

if scores:
    rows = []
    for index, item in enumerate(scores, start=1):
        quiz = content.quizzes.get(item.quiz_id)
        rows.append((f"{index}. {item.submitted_at.strftime('%d-%m-%Y')}",
                     quiz.title.get(lang) if quiz else item.quiz_id, item.score, item.passed))
    frame = progress_frame(rows, lang)
    pass_marks = {content.quizzes[s.quiz_id].pass_mark for s in scores if s.quiz_id in content.quizzes}
    st.altair_chart(progress_chart(frame, round(pass_marks.pop() * 100) if len(pass_marks) == 1 else None, lang),
                    width="stretch")
    st.caption(t(lang, "progress.scores_explained"))
    with st.expander(t(lang, "data.table")):
        st.dataframe(frame.rename(columns={"date": t(lang, "progress.date"), "quiz": t(lang, "progress.quiz"),
                                           "score": t(lang, "progress.score"), "result": t(lang, "progress.result")}),
                     hide_index=True)

mastery = category_mastery(content, [(x.scenario_id, x.answers, x.mean_score) for x in tallies])
in_table = [row for row in mastery if row.real_cases is not None]
frame = mastery_frame([(content.categories[row.category_id].name.get(lang), row.answers, row.mastery,
                        row.real_cases) for row in in_table], lang)
# Side by side on a wide screen; Streamlit stacks the columns on a phone.
left, right = st.columns(2)
for column, chart in zip((left, right), mastery_charts(frame, lang), strict=True):
    column.altair_chart(chart, width="stretch")
st.caption(t(lang, "progress.mastery_explained"))
focus = weakest_frequent(mastery)
if focus is not None and focus.mastery is not None:
    st.info(t(lang, "progress.focus", category=content.categories[focus.category_id].name.get(lang),
              mastery=round(focus.mastery * 100), cases=focus.real_cases), icon=":material/target:")
with st.expander(t(lang, "data.table")):
    st.dataframe(frame.rename(columns={"category": t(lang, "progress.category"),
                                       "answers": t(lang, "progress.answers"),
                                       "mastery": t(lang, "progress.mastery"), "cases": t(lang, "progress.cases")}),
                 hide_index=True)
