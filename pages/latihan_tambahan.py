"""Latihan soal tambahan: plain multiple-choice and true/false questions HR imported from Moodle files.
They are practice only: not scored against the regulations and not part of any quiz or certificate."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.interchange import option_label, score_practice
from netral.store.imported_items import active_items
from ui.auth import engine, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
require_page(PageId.EXTRA_PRACTICE, lang)
st.title(t(lang, "nav.extra_practice"))
st.caption(t(lang, "extra.intro"))

items = {stored.id: stored.item for stored in active_items(engine())}
if not items:
    st.info(t(lang, "extra.none"))
    st.stop()
chosen = st.selectbox(t(lang, "extra.pick"), list(items), format_func=lambda i: items[i].title, key="extra_item")
item = items[chosen]
st.subheader(item.title)
st.write(item.text)
labels = [option_label(lang, item, option) for option in item.options]
with st.form(f"extra_{chosen}"):
    if item.multiple:
        # Checkboxes, not a multiselect: long option texts wrap instead of being cut (on a phone, to a few words).
        st.markdown(f":small[{t(lang, 'extra.answers')}] :small[:gray[({t(lang, 'practice.pick_multiple')})]]")
        picked = [index for index, label in enumerate(labels)
                  if st.checkbox(label, key=f"extra_m_{chosen}_{index}", wrap=True)]
    else:
        single = st.radio(t(lang, "extra.answer"), range(len(labels)), format_func=labels.__getitem__, index=None,
                          key=f"extra_r_{chosen}")
        picked = [] if single is None else [single]
    checked = st.form_submit_button(t(lang, "practice.submit"), type="primary")
if checked:
    if not picked:
        st.error(t(lang, "practice.answer_all"))
    else:
        score = score_practice(item, picked)
        st.metric(t(lang, "extra.score"), f"{round(score * 100)}%")
        for index in sorted(set(picked) | set(item.key)):
            option = item.options[index]
            tags = [t(lang, "practice.your_choice")] if index in picked else []
            if index in item.key:
                tags.append(t(lang, "practice.key"))
            st.markdown(f"**{labels[index]}** ({', '.join(tags)})")
            if option.feedback:
                st.write(option.feedback)
        if item.general_feedback:
            st.info(item.general_feedback)
