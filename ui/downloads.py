"""Download buttons for a report table, as CSV and XLSX, with headers in the user's language; the files are
built only when a button is pressed."""

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
    """A CSV and an XLSX button for `rows`. Each file is built when its button is pressed (a callable as
    `data`, Streamlit >= 1.50), not on every run; it holds the rows of the run that drew the button."""
    if not rows or not rows[0]:
        return
    snapshot = list(rows)

    def csv_file() -> bytes:
        columns, cells = localised_table(snapshot, lang)
        return table_to_csv(columns, cells)

    def xlsx_file() -> bytes:
        columns, cells = localised_table(snapshot, lang)
        nip_columns = [c for c in columns if c.upper() == "NIP"]
        return table_to_xlsx({sheet: (columns, cells)}, text_columns=nip_columns)

    left, right = st.columns(2)
    left.download_button(t(lang, "export.csv"), csv_file, file_name=f"{name}.csv",
                         mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
    right.download_button(t(lang, "export.xlsx"), xlsx_file,
                          file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/download:",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          on_click="ignore")
