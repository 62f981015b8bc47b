"""Download buttons for a report table, as CSV and XLSX, with headers in the user's language."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from netral.export import table_to_csv, table_to_xlsx
from netral.i18n import t


def _cell(value: object, lang: str) -> object:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return t(lang, "common.yes" if value else "common.no")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    if isinstance(value, str) and value.startswith(("report.", "cohort.", "itemanalysis.")) and " " not in value:
        return t(lang, value)
    return value


def localised_table(rows: Sequence[dict[str, object]], lang: str) -> tuple[list[str], list[list[object]]]:
    """Rows keyed by message ids become translated headers and display-ready cells."""
    if not rows:
        return [], []
    keys = list(rows[0])
    return [t(lang, key) for key in keys], [[_cell(row[key], lang) for key in keys] for row in rows]


def download_table(name: str, sheet: str, rows: Sequence[dict[str, object]], lang: str, key: str) -> None:
    columns, cells = localised_table(rows, lang)
    if not columns:
        return
    nip_columns = [c for c in columns if c.upper() == "NIP"]
    left, right = st.columns(2)
    left.download_button(t(lang, "export.csv"), table_to_csv(columns, cells), file_name=f"{name}.csv",
                         mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    right.download_button(t(lang, "export.xlsx"), table_to_xlsx({sheet: (columns, cells)}, text_columns=nip_columns),
                          file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          on_click="ignore")
