"""Data pelanggaran: the real statistics as charts, each with its source and a one-sentence explanation."""

import streamlit as st

from netral.access import PageId
from netral.charts import chart_for
from netral.i18n import t
from netral.statistics import REQUIRED_DATASETS
from ui.auth import require_page
from ui.common import content_or_stop, ensure_entrypoint, language

ensure_entrypoint()
lang = language()
require_page(PageId.DATA, lang)
content = content_or_stop(lang)
st.title(t(lang, "data.title"))

for dataset_id in REQUIRED_DATASETS:
    dataset = content.datasets.get(dataset_id)
    if dataset is None:
        continue
    st.subheader(dataset.title.get(lang))
    st.write(dataset.caption.get(lang))
    st.altair_chart(chart_for(dataset, lang), width="stretch")
    source = dataset.source.label + (f" · {dataset.source.via}" if dataset.source.via else "")
    st.caption(t(lang, "data.source", source=source))
    for note in dataset.notes:
        st.caption(note.get(lang))
    with st.expander(t(lang, "data.table")):
        st.dataframe(
            [{c.label.get(lang): row[c.name] for c in dataset.columns} for row in dataset.rows],
            hide_index=True,
        )
