"""Bank soal (HR): questions from a Moodle file (GIFT or Moodle XML) become plain practice items; every
question Netral cannot use is listed with its title and line, never dropped in silence."""

import streamlit as st

from netral.access import PageId
from netral.i18n import t
from netral.interchange import qtype_label, read_bytes
from netral.store.imported_items import ImportedItemError, active_items, store_items, withdraw_source
from ui.auth import engine, require_page
from ui.common import ensure_entrypoint, language

ensure_entrypoint()
lang = language()
user = require_page(PageId.QUESTION_BANK, lang)
assert user is not None
store = engine()
st.title(t(lang, "nav.question_bank"))
st.caption(t(lang, "bank.intro"))

upload = st.file_uploader(t(lang, "bank.file"), type=["txt", "gift", "xml"], key="bank_file")
if upload is not None:
    data = upload.getvalue()
    try:
        report = read_bytes(data, "xml" if upload.name.lower().endswith(".xml") else None)
    except ValueError:
        st.error(t(lang, "bank.unreadable"))
        st.stop()
    st.markdown(t(lang, "bank.summary", items=len(report.items), unsupported=len(report.unsupported),
                  problems=len(report.problems)))
    if report.unsupported:
        st.warning(t(lang, "bank.unsupported_intro"))
        st.dataframe([{t(lang, "bank.col.title"): u.title, t(lang, "bank.col.line"): u.line,
                       t(lang, "bank.col.type"): qtype_label(lang, u.qtype)} for u in report.unsupported],
                     hide_index=True)
    for problem in report.problems:
        st.warning(problem.message(lang))
    if report.items:
        st.dataframe([{t(lang, "bank.col.title"): item.title, t(lang, "bank.col.line"): item.source_line,
                       t(lang, "bank.col.options"): len(item.options)} for item in report.items], hide_index=True)
    if st.button(t(lang, "bank.import"), type="primary", disabled=not report.items, key="bank_import"):
        try:
            added = store_items(store, user, report, upload.name)
        except ImportedItemError as refusal:
            st.error(t(lang, "bank." + refusal.code))
        else:
            st.success(t(lang, "bank.imported", count=added))

st.subheader(t(lang, "bank.current"))
items = active_items(store)
if not items:
    st.info(t(lang, "bank.none"))
for source in sorted({item.source for item in items}):
    count = sum(1 for item in items if item.source == source)
    left, right = st.columns([3, 1])
    left.markdown(t(lang, "bank.source_line", source=source, count=count))
    if right.button(t(lang, "bank.withdraw"), key=f"withdraw_{source}"):
        withdraw_source(store, user, source)
        st.rerun()
