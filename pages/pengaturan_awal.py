"""Pengaturan awal: create the first administrator with the one-time link the server printed at start."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.store.accounts import AccountError, create_first_admin, has_admin
from ui.auth import engine, log_in, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
require_page(PageId.SETUP, lang)
store = engine()

st.title(t(lang, "setup.title"))
if has_admin(store):
    st.info(t(lang, "setup.done"))
    st.stop()
st.write(t(lang, "setup.intro"))
with st.form("setup_form"):
    login_name = st.text_input(t(lang, "setup.login"), max_chars=120)
    name = st.text_input(t(lang, "register.name"), max_chars=200)
    email = st.text_input(t(lang, "register.email"), max_chars=254)
    password = st.text_input(t(lang, "register.password"), type="password", help=t(lang, "register.password_help"))
    repeat = st.text_input(t(lang, "register.password_repeat"), type="password")
    submitted = st.form_submit_button(t(lang, "setup.submit"), type="primary")
if submitted:
    if password != repeat:
        st.error(t(lang, "register.password_mismatch"))
    else:
        try:
            admin = create_first_admin(store, st.query_params.get("token", ""), login=login_name, name=name,
                                       password=password, email=email.strip() or None)
        except AccountError as refusal:
            st.error(t(lang, "account." + refusal.code, **refusal.values))
        else:
            st.query_params.pop("token", None)
            log_in(admin)
