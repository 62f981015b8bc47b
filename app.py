"""Netral's entrypoint: navigation only. Each page lives in `pages/` and calls the core in `netral/`."""

import streamlit as st

from netral.i18n import t
from ui.common import language_switch, mark_entrypoint

st.set_page_config(page_title="Netral", page_icon=":material/balance:", layout="centered")
lang = language_switch()

pages = [
    st.Page("pages/beranda.py", title=t(lang, "nav.home"), icon=":material/home:", default=True),
    st.Page("pages/latihan.py", title=t(lang, "nav.practice"), icon=":material/quiz:", url_path="latihan"),
    st.Page("pages/data.py", title=t(lang, "nav.data"), icon=":material/bar_chart:", url_path="data"),
]
mark_entrypoint()
st.navigation(pages).run()
