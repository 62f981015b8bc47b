"""Administrasi: open or close self-registration, create staff accounts, read the audit log."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.store.accounts import AccountError, Role, create_user, recent_audit
from netral.store.registration import registration_open, set_registration_open
from ui.auth import engine, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.ADMIN, lang)
assert user is not None
store = engine()
st.title(t(lang, "nav.admin"))

st.subheader(t(lang, "admin.registration"))
is_open = registration_open(store)
wanted = st.toggle(t(lang, "admin.registration_open"), value=is_open, help=t(lang, "admin.registration_help"))
if wanted != is_open:
    set_registration_open(store, user, wanted)
    st.rerun()

st.subheader(t(lang, "admin.staff"))
with st.form("staff_form"):
    role = st.radio(t(lang, "admin.role"), [Role.TRAINER.value, Role.HR.value, Role.ADMIN.value], horizontal=True,
                    format_func=lambda r: t(lang, "role." + r))
    login = st.text_input(t(lang, "admin.login"), max_chars=120)
    name = st.text_input(t(lang, "register.name"), max_chars=200)
    email = st.text_input(t(lang, "register.email"), max_chars=254)
    unit = st.text_input(t(lang, "register.unit"), max_chars=200)
    password = st.text_input(t(lang, "admin.initial_password"), type="password", help=t(lang, "register.password_help"))
    created = st.form_submit_button(t(lang, "admin.create"), type="primary")
if created:
    try:
        staff = create_user(store, login=login, name=name, password=password, role=Role(role), unit=unit,
                            email=email.strip() or None, actor_id=user.id)
    except AccountError as refusal:
        st.error(t(lang, "account." + refusal.code, **refusal.values))
    else:
        st.success(t(lang, "admin.created", name=staff.name, role=t(lang, "role." + staff.role.value)))

st.subheader(t(lang, "admin.audit"))
entries = recent_audit(store, limit=100)
st.dataframe([{t(lang, "admin.audit_at"): entry.at.strftime("%Y-%m-%d %H:%M"), t(lang, "admin.audit_actor"): entry.actor or "-",
               t(lang, "admin.audit_action"): t(lang, "audit." + entry.action), t(lang, "admin.audit_target"): entry.target}
              for entry in entries], hide_index=True)
