"""Beranda: what Netral is, what content is available."""

import streamlit as st

from netral.i18n import t
from ui.common import content_or_stop, ensure_entrypoint, language

ensure_entrypoint()
lang = language()
content = content_or_stop(lang)

st.title(t(lang, "app.title"))
st.subheader(t(lang, "app.tagline"))
st.write(t(lang, "home.intro"))
st.info(t(lang, "home.counts", scenarios=len(content.standalone_scenarios()), categories=len(content.categories),
          provisions=len(content.provisions), quizzes=len(content.quizzes)))
st.page_link("pages/latihan.py", label=t(lang, "home.start"), icon=":material/arrow_forward:")

st.subheader(t(lang, "home.quizzes"))
for quiz in sorted(content.quizzes.values(), key=lambda q: q.id):
    st.markdown("- " + t(lang, "home.quiz_line", title=quiz.title.get(lang), audience=quiz.audience.get(lang),
                         pass_mark=round(quiz.pass_mark * 100), minutes=quiz.time_limit_minutes))
