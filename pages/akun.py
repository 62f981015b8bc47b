"""Akun: who I am, change my password, log out."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.nip import format_nip
from netral.store.accounts import AccountError, change_password
from ui.auth import engine, log_out, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.ACCOUNT, lang)
assert user is not None

st.title(t(lang, "account.title"))
st.write(t(lang, "account.who", name=user.name, role=t(lang, "role." + user.role.value)))
if user.nip:
    st.write(t(lang, "account.nip", nip=format_nip(user.nip)))
if user.unit:
    st.write(t(lang, "account.unit", unit=user.unit, position=user.position or "-"))

st.subheader(t(lang, "account.change_password"))
with st.form("password_form"):
    old = st.text_input(t(lang, "account.old_password"), type="password")
    new = st.text_input(t(lang, "register.password"), type="password", help=t(lang, "register.password_help"))
    repeat = st.text_input(t(lang, "register.password_repeat"), type="password")
    changed = st.form_submit_button(t(lang, "account.change_submit"))
if changed:
    if new != repeat:
        st.error(t(lang, "register.password_mismatch"))
    else:
        try:
            change_password(engine(), user.id, old, new)
        except AccountError as refusal:
            st.error(t(lang, "account." + refusal.code, **refusal.values))
        else:
            # Every login of this account was revoked, this one included: log in again with the new password.
            log_out(notice="password_changed")

st.divider()
if st.button(t(lang, "account.logout"), key="logout", type="primary", icon=":material/logout:"):
    log_out()
