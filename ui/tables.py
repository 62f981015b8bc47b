"""A report table on screen: rows keyed by message ids, shown with translated headers and display-ready cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ui.downloads import localised_table


def show_table(rows: Sequence[dict[str, object]], lang: str, *,
               cells: Callable[[list[object]], list[object]] | None = None) -> None:
    """`rows` (as the core's `to_rows()` give them) as a dataframe without an index; `cells`, when given,
    rewrites each row's display cells (for example a category id into its name)."""
    headers, table = localised_table(rows, lang)
    st.dataframe([dict(zip(headers, cells(row) if cells else row, strict=False)) for row in table], hide_index=True)
