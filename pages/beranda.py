"""Beranda: my assigned trainings with their deadlines, my last results, and what to do next."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.store.progress import quiz_scores
from netral.store.trainings import my_assignments
from netral.store.schema import utcnow
from ui.assignment_view import assignment_card
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.HOME, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()

st.title(t(lang, "home.greeting", name=user.name))
st.caption(t(lang, "app.tagline"))

assignments = my_assignments(store, user.id)
pending = [a for a in assignments if not a.passed and a.training.is_open()]
st.subheader(t(lang, "home.assigned"))
if not assignments:
    st.caption(t(lang, "home.no_assignments"))
for item in assignments:
    with st.container(border=True):
        if assignment_card(item, content, lang):
            days_left = max((item.training.closes_at - utcnow()).days, 0)
            st.info(t(lang, "home.days_left", days=days_left, attempts=item.attempts_used), icon=":material/schedule:")

st.subheader(t(lang, "home.next_step"))
scores = quiz_scores(store, user.id)
if pending:
    st.page_link("pages/kuis.py", label=t(lang, "home.do_assignment"), icon=":material/assignment:")
elif not scores:
    st.page_link("pages/latihan.py", label=t(lang, "home.start"), icon=":material/arrow_forward:")
else:
    st.page_link("pages/latihan_cerdas.py", label=t(lang, "home.smart"), icon=":material/psychology:")

if scores:
    st.subheader(t(lang, "home.last_results"))
    for item in reversed(scores[-3:]):
        quiz = content.quizzes.get(item.quiz_id)
        st.markdown("- " + t(lang, "home.result_line", title=quiz.title.get(lang) if quiz else item.quiz_id,
                             date=item.submitted_at.strftime("%d-%m-%Y"), score=round(item.score * 100),
                             verdict=t(lang, "results.passed" if item.passed else "results.failed")))
    st.page_link("pages/progres.py", label=t(lang, "nav.progress"), icon=":material/trending_up:")

with st.expander(t(lang, "home.about")):
    st.write(t(lang, "home.intro"))
    st.write(t(lang, "home.counts", scenarios=len(content.standalone_scenarios()), categories=len(content.categories),
               provisions=len(content.provisions), quizzes=len(content.quizzes)))
