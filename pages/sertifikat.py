"""Sertifikat: a PDF certificate for each passed attempt, with a code anyone can check on the public page."""

from urllib.parse import urlsplit

import streamlit as st

from netral.access import PageId
from netral.certificate import render_certificate
from netral.i18n import t
from netral.store.attempts import list_attempts
from netral.store.certificates import CertificateError, issue_certificate
from ui.auth import engine, require_page
from ui.common import content_or_stop, ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.CERTIFICATES, lang)
assert user is not None
content = content_or_stop(lang)
store = engine()
st.title(t(lang, "nav.certificates"))


def verification_base() -> str:
    """The address of this app as the browser sees it, so the printed link leads back here."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


passed = [a for a in list_attempts(store, user.id) if a.finished and a.passed]
if not passed:
    st.info(t(lang, "certificates.none"))
    st.page_link("pages/kuis.py", label=t(lang, "nav.quiz"), icon=":material/assignment:")
    st.stop()

for attempt in passed:
    quiz = content.quizzes.get(attempt.quiz_id)
    with st.container(border=True):
        st.markdown(f"**{quiz.title.get(lang) if quiz else attempt.quiz_id}** · {round((attempt.score or 0) * 100)}%")
        try:
            certificate = issue_certificate(store, content, user.id, attempt.id)
        except CertificateError as refusal:
            st.error(t(lang, "certificate_store." + refusal.code))
            continue
        url = f"{verification_base()}/verifikasi?code={certificate.code}"
        st.caption(t(lang, "certificates.code", code=certificate.code, number=certificate.number))
        pdf = render_certificate(certificate.data(url), lang)
        st.download_button(t(lang, "certificates.download"), pdf, file_name=f"sertifikat-netral-{attempt.id}.pdf",
                           mime="application/pdf", key=f"pdf_{attempt.id}", icon=":material/download:",
                           on_click="ignore")
