"""Render the core's feedback for one scored scenario: every point with its citations and sanction."""

from __future__ import annotations

import streamlit as st

from netral.feedback import FacetFeedback
from netral.i18n import t


def render_facets(facets: tuple[FacetFeedback, ...], lang: str) -> None:
    for facet in facets:
        # Text and icon both carry the verdict, so colour is never the only signal.
        if facet.correct:
            verdict, icon = t(lang, "practice.correct"), ":material/check_circle:"
        elif facet.score > 0:
            verdict, icon = t(lang, "practice.partly", score=round(facet.score * 100)), ":material/adjust:"
        else:
            verdict, icon = t(lang, "practice.wrong"), ":material/cancel:"
        with st.expander(f"{t(lang, 'practice.facet.' + facet.facet)}: {verdict}", icon=icon,
                         expanded=not facet.correct):
            for point in facet.points:
                tags = []
                if point.chosen:
                    tags.append(t(lang, "practice.your_choice"))
                if point.in_key:
                    tags.append(t(lang, "practice.key"))
                st.markdown(f"**{point.option_text}** ({', '.join(tags)})")
                st.write(point.explanation)
                for citation in point.citations:
                    badge = f" · **{t(lang, 'practice.contested')}**" if citation.contested else ""
                    st.caption(f"{citation.reference}: {citation.title}{badge}  \n"
                               f"{t(lang, 'practice.sanction')}: {citation.sanction}")
                    if citation.contested and citation.status_note:
                        st.caption(t(lang, "practice.contested_note", note=citation.status_note))
