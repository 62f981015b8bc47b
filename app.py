"""Netral's entrypoint: `python -m streamlit run app.py`.

This file plays two parts. Imported as a module (Streamlit's `run` finds the `st.App` below, as would
`uvicorn app:app`), it builds the server: Streamlit plus the `/auth/...` routes that set the HttpOnly login
cookie, and a start-up hook that migrates the database and prints the first-administrator link. Run as
the Streamlit script (`__main__`), it is navigation only: the pages the user's role may open.
"""

import streamlit as st

if __name__ != "__main__":
    from ui.server import lifespan, routes

    app = st.App(__file__, routes=routes(), lifespan=lifespan)
else:
    from netral.access import PageId, pages_for
    from netral.i18n import t
    from ui.auth import current_user, finish_cookie_handshake
    from ui.common import database_trouble_shown, language, language_switch, mark_entrypoint

    st.set_page_config(page_title="Netral", page_icon=":material/balance:", layout="centered")
    with database_trouble_shown(language()):
        user = current_user()
    lang = language_switch(user)
    finish_cookie_handshake(lang)

    # section -> page id -> (file, message id of its title, icon); the access policy decides who sees which.
    PAGE_FILES = {
        "nav.section.trainee": {
            PageId.HOME: ("pages/beranda.py", "nav.home", ":material/home:"),
            PageId.PRACTICE: ("pages/latihan.py", "nav.practice", ":material/quiz:"),
            PageId.SMART_PRACTICE: ("pages/latihan_cerdas.py", "nav.smart_practice", ":material/psychology:"),
            PageId.EXTRA_PRACTICE: ("pages/latihan_tambahan.py", "nav.extra_practice", ":material/library_books:"),
            PageId.QUIZ: ("pages/kuis.py", "nav.quiz", ":material/assignment:"),
            PageId.RESULTS: ("pages/hasil.py", "nav.results", ":material/fact_check:"),
            PageId.PROGRESS: ("pages/progres.py", "nav.progress", ":material/trending_up:"),
            PageId.CERTIFICATES: ("pages/sertifikat.py", "nav.certificates", ":material/workspace_premium:"),
        },
        "nav.section.staff": {
            PageId.SESSIONS: ("pages/sesi.py", "nav.sessions", ":material/groups:"),
            PageId.DASHBOARD: ("pages/dasbor.py", "nav.dashboard", ":material/monitoring:"),
            PageId.ITEM_ANALYSIS: ("pages/analisis_butir.py", "nav.item_analysis", ":material/analytics:"),
            PageId.QUESTION_BANK: ("pages/bank_soal.py", "nav.question_bank", ":material/upload_file:"),
            PageId.ADMIN: ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:"),
        },
        "nav.section.general": {
            PageId.LOGIN: ("pages/masuk.py", "nav.login", ":material/login:"),
            PageId.DATA: ("pages/data.py", "nav.data", ":material/bar_chart:"),
            PageId.VERIFY: ("pages/verifikasi.py", "nav.verify", ":material/verified:"),
            PageId.ACCOUNT: ("pages/akun.py", "nav.account", ":material/account_circle:"),
            PageId.SETUP: ("pages/pengaturan_awal.py", "nav.setup", ":material/key:"),
        },
    }
    allowed = set(pages_for(user.role if user else None))
    sections: dict[str, list[st.Page]] = {}
    first = True
    for section, entries in PAGE_FILES.items():
        for page_id, (path, title, icon) in entries.items():
            if page_id in allowed and (page_id is not PageId.SETUP or "token" in st.query_params):
                sections.setdefault(t(lang, section), []).append(
                    st.Page(path, title=t(lang, title), icon=icon, url_path=page_id.value, default=first))
                first = False
    mark_entrypoint()
    with database_trouble_shown(lang):
        # One group needs no heading (a visitor sees only the general pages).
        navigation = sections if len(sections) > 1 else next(iter(sections.values()))
        st.navigation(navigation, expanded=True).run()
