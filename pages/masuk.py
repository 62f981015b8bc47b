"""Masuk / Daftar: log in, register with a NIP, or claim an account an HR roster created."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.nip import nip_messages
from netral.store.accounts import LoginOutcome, authenticate, find_user_for_single_sign_on
from netral.store.registration import RegistrationError, claim_account, register_trainee, registration_open
from ui.auth import engine, log_in, pending_notice, require_page, single_sign_on_configured
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
require_page(PageId.LOGIN, lang)
store = engine()

st.title(t(lang, "login.title"))
if pending_notice() == "password_changed":
    st.success(t(lang, "login.password_changed"))
if st.query_params.get("login") == "expired":
    st.warning(t(lang, "login.ticket_expired"))


def show_refusal(refusal: RegistrationError) -> None:
    st.error(t(lang, "registration." + refusal.code, **refusal.values))
    if refusal.nip_check is not None:
        for message in nip_messages(refusal.nip_check, lang):
            st.error(message)


tab_login, tab_register, tab_claim = st.tabs(
    [t(lang, "login.tab_login"), t(lang, "login.tab_register"), t(lang, "login.tab_claim")])

with tab_login:
    with st.form("login_form"):
        login_name = st.text_input(t(lang, "login.login_name"), help=t(lang, "login.login_help"))
        password = st.text_input(t(lang, "login.password"), type="password")
        submitted = st.form_submit_button(t(lang, "login.submit"), type="primary")
    if submitted:
        result = authenticate(store, login_name, password)
        if result.outcome is LoginOutcome.OK and result.user is not None:
            log_in(result.user)
        elif result.outcome is LoginOutcome.LOCKED:
            st.error(t(lang, "account.login_locked"))
        else:
            st.error(t(lang, "account.login_invalid"))

    # Single sign-on, only when an identity provider is configured in .streamlit/secrets.toml.
    if single_sign_on_configured():
        st.divider()
        if not st.user.is_logged_in:
            st.button(t(lang, "login.sso"), on_click=st.login, icon=":material/badge:")
        else:
            matched = find_user_for_single_sign_on(store, email=st.user.get("email"), nip=st.user.get("nip"))
            if matched is None:
                st.error(t(lang, "login.sso_no_account"))
            else:
                log_in(matched)

with tab_register:
    if not registration_open(store):
        st.info(t(lang, "registration.closed_info"))
    with st.form("register_form"):
        nip_kind = st.radio(t(lang, "register.kind"), ["pns", "pppk"], horizontal=True,
                            format_func=lambda kind: t(lang, "register.kind." + kind))
        nip = st.text_input(t(lang, "register.nip"), help=t(lang, "register.nip_help"), max_chars=40)
        name = st.text_input(t(lang, "register.name"), max_chars=200)
        unit = st.text_input(t(lang, "register.unit"), max_chars=200)
        position = st.text_input(t(lang, "register.position"), max_chars=200)
        email = st.text_input(t(lang, "register.email"), max_chars=254)
        join_code = st.text_input(t(lang, "register.join_code"), help=t(lang, "register.join_code_help"),
                                  max_chars=20)
        new_password = st.text_input(t(lang, "register.password"), type="password",
                                     help=t(lang, "register.password_help"))
        repeat = st.text_input(t(lang, "register.password_repeat"), type="password")
        registered = st.form_submit_button(t(lang, "register.submit"), type="primary")
    if registered:
        if new_password != repeat:
            st.error(t(lang, "register.password_mismatch"))
        else:
            try:
                outcome = register_trainee(store, nip=nip, nip_kind=nip_kind, name=name, unit=unit,
                                           position=position, password=new_password, email=email,
                                           join_code=join_code)
            except RegistrationError as refusal:
                show_refusal(refusal)
            else:
                log_in(outcome.user)

with tab_claim:
    st.write(t(lang, "claim.intro"))
    with st.form("claim_form"):
        claim_nip = st.text_input(t(lang, "register.nip"), key="claim_nip", max_chars=40)
        claim_code = st.text_input(t(lang, "register.join_code"), key="claim_code", max_chars=20)
        claim_password = st.text_input(t(lang, "register.password"), type="password", key="claim_password",
                                       help=t(lang, "register.password_help"))
        claim_repeat = st.text_input(t(lang, "register.password_repeat"), type="password", key="claim_repeat")
        claimed = st.form_submit_button(t(lang, "claim.submit"), type="primary")
    if claimed:
        if claim_password != claim_repeat:
            st.error(t(lang, "register.password_mismatch"))
        else:
            try:
                user = claim_account(store, nip=claim_nip, join_code=claim_code, password=claim_password)
            except RegistrationError as refusal:
                show_refusal(refusal)
            else:
                log_in(user)
