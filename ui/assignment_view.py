"""One assigned training as a card: what, by when, and where the trainee stands."""

from __future__ import annotations

import streamlit as st

from netral.content import Content
from netral.i18n import t
from netral.store.trainings import Assignment


def assignment_card(item: Assignment, content: Content, lang: str) -> bool:
    """Draw the card; returns True when the trainee can still take the quiz (open and not yet passed)."""
    quiz = content.quizzes.get(item.quiz_id)
    title = quiz.title.get(lang) if quiz else item.quiz_id
    st.markdown(f"**{item.training.name}** · {title}")
    st.caption(t(lang, "quiz.deadline", date=item.training.closes_at.strftime("%d-%m-%Y %H:%M UTC")))
    if item.passed:
        st.success(t(lang, "quiz.already_passed", score=round((item.best_score or 0) * 100)),
                   icon=":material/check_circle:")
        return False
    if not item.training.is_open():
        st.warning(t(lang, "quiz.session_closed"), icon=":material/lock:")
        return False
    return quiz is not None
