"""The widgets that ask a scenario's five questions; used by practice, smart practice and quizzes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from netral.content.models import Scenario
from netral.i18n import t


def render_situation(scenario: Scenario, lang: str) -> None:
    st.subheader(scenario.title.get(lang))
    st.caption(t(lang, "practice.actor", role=scenario.actor.role.get(lang), place=scenario.actor.place)
               + " · " + t(lang, f"practice.election.{scenario.election}"))
    st.write(scenario.situation.get(lang))


def answer_widgets(scenario: Scenario, lang: str, key_prefix: str, *,
                   option_order: Mapping[str, Sequence[str]] | None = None,
                   saved: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """One radio (single answer) or multiselect (several) per facet, in `option_order` when given, showing
    `saved` picks; returns the answer as the scoring expects it."""
    answer: dict[str, list[str]] = {}
    for question in scenario.questions:
        facet = question.facet.value
        texts = {option.id: option.text.get(lang) for option in question.options}
        ids = list(option_order.get(facet, texts)) if option_order else list(texts)
        label = f"{t(lang, 'practice.facet.' + facet)}: {question.prompt.get(lang)}"
        key = f"{key_prefix}_{scenario.id}_{facet}"
        previous = list((saved or {}).get(facet, []))
        if question.multiple:
            picked = st.multiselect(label, ids, default=[i for i in previous if i in ids], format_func=texts.__getitem__,
                                    key=key, select_all=False, placeholder=t(lang, "practice.pick_multiple"))
            answer[facet] = list(picked)
        else:
            index = ids.index(previous[0]) if previous and previous[0] in ids else None
            picked = st.radio(label, ids, format_func=texts.__getitem__, index=index, key=key)
            answer[facet] = [picked] if picked else []
    return answer
