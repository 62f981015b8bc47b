"""A report table on screen: rows keyed by message ids, shown with translated headers and display-ready cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from netral.i18n import t
from ui.downloads import localised_table

PAGE_SIZE = 100


def show_table(rows: Sequence[dict[str, object]], lang: str, *,
               cells: Callable[[list[object]], list[object]] | None = None) -> None:
    """`rows` (as the core's `to_rows()` give them) as a dataframe without an index; `cells`, when given,
    rewrites each row's display cells (for example a category id into its name)."""
    headers, table = localised_table(rows, lang)
    st.dataframe([dict(zip(headers, cells(row) if cells else row, strict=False)) for row in table], hide_index=True)


def show_paged_table(rows: Sequence[dict[str, object]], lang: str, *, key: str, page_size: int = PAGE_SIZE) -> None:
    """`show_table` a page at a time: a session of 10,000 people would otherwise send all of them to the
    browser on every run (the full list is in the downloads)."""
    pages = max(1, -(-len(rows) // page_size))
    number = 1
    if pages > 1:
        number = int(st.number_input(t(lang, "dashboard.page"), min_value=1, max_value=pages, value=1, key=key))
        st.caption(t(lang, "table.page_of", first=(number - 1) * page_size + 1,
                     last=min(number * page_size, len(rows)), total=len(rows)))
    show_table(rows[(number - 1) * page_size:number * page_size], lang)
