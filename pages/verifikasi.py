"""Verifikasi sertifikat: anyone, without logging in, checks a certificate's code."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.store.certificates import verify_code
from ui.auth import engine, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
require_page(PageId.VERIFY, lang)
st.title(t(lang, "nav.verify"))
st.write(t(lang, "verify.intro"))

with st.form("verify_form"):
    typed = st.text_input(t(lang, "verify.code"), value=st.query_params.get("code", ""), max_chars=40,
                          placeholder="NTRL-XXXX-XXXX-XXXX")
    checked = st.form_submit_button(t(lang, "verify.submit"), type="primary")
if checked or st.query_params.get("code"):
    found = verify_code(engine(), typed)
    if found is None:
        st.error(t(lang, "verify.unknown"), icon=":material/gpp_bad:")
    else:
        st.success(t(lang, "verify.valid"), icon=":material/verified:")
        st.markdown(t(lang, "verify.details", name=found.name, nip=found.nip_masked or "-", training=found.training,
                      date=found.end_date, score=round(found.score * 100), number=found.number))
