"""The widgets that ask a scenario's five questions; used by practice, smart practice and quizzes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import streamlit as st

from netral.content.models import Scenario
from netral.i18n import t


def render_situation(scenario: Scenario, lang: str) -> None:
    st.subheader(scenario.title.get(lang))
    st.caption(t(lang, "practice.actor", role=scenario.actor.role.get(lang), place=scenario.actor.place)
               + " · " + t(lang, f"practice.election.{scenario.election}"))
    st.write(scenario.situation.get(lang))


def _escape(text: str) -> str:
    """Markdown-safe text: a prompt is shown as written, never as formatting."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$])", r"\\\1", text)


def choice_key(key: str, option_id: str) -> str:
    """The widget key of one option's checkbox in a question that takes several answers."""
    return f"{key}__{option_id}"


def answer_widgets(scenario: Scenario, lang: str, key_prefix: str, *,
                   option_order: Mapping[str, Sequence[str]] | None = None,
                   saved: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """One radio (single answer) or a group of checkboxes (several) per facet, in `option_order` when
    given, showing `saved` picks; returns the answer as the scoring expects it.

    Several answers are checkboxes, not a multiselect: the options are long provision texts, which a
    multiselect cuts to one line (on a phone, to a few words) in its list and its chips. A checkbox label
    wraps, every option is on screen at once, and one tap picks it, as with the radios.
    """
    answer: dict[str, list[str]] = {}
    for question in scenario.questions:
        facet = question.facet.value
        texts = {option.id: option.text.get(lang) for option in question.options}
        ids = list(option_order.get(facet, texts)) if option_order else list(texts)
        label = f"{t(lang, 'practice.facet.' + facet)}: {question.prompt.get(lang)}"
        key = f"{key_prefix}_{scenario.id}_{facet}"
        previous = list((saved or {}).get(facet, []))
        if question.multiple:
            # A keyed container groups the checkboxes (class `st-key-<key>`), as one widget would be.
            with st.container(key=key, gap="xsmall"):
                st.markdown(f":small[{_escape(label)}]")
                answer[facet] = [option_id for option_id in ids
                                 if st.checkbox(texts[option_id], value=option_id in previous,
                                                key=choice_key(key, option_id), wrap=True)]
        else:
            index = ids.index(previous[0]) if previous and previous[0] in ids else None
            picked = st.radio(label, ids, format_func=texts.__getitem__, index=index, key=key)
            answer[facet] = [picked] if picked else []
    return answer
