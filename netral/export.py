"""Tabular exports (CSV and XLSX) that are safe to open in Excel.

Two dangers are handled here so no caller has to remember them:

- **Formula injection.** A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is
  run as a formula by Excel and LibreOffice (``=HYPERLINK(...)`` can leak data or lure a click). Every text cell
  is given a leading apostrophe, as the OWASP "CSV Injection" guidance advises. Numbers are left alone, so a
  negative score stays a number.
- **Long digit strings.** Excel keeps 15 significant digits, so an 18-digit NIP held in a numeric cell becomes
  ``1.97E+17`` and loses its last digits for good (``shared/reference/hr-formats.md`` 1.4). XLSX exports write
  such columns as text with the Text number format ``@``. CSV has no types: prefer XLSX for anything with NIPs.

Pure: values in, bytes out; no Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a text cell as a formula (OWASP CSV Injection)."""

EXCEL_SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"history"}  # Excel reserves "History" for change tracking
MIN_COLUMN_WIDTH = 8
MAX_COLUMN_WIDTH = 60

Cell = object
"""A cell value: str, int, float, Decimal, bool, date, datetime or None; anything else is written as its str()."""


def neutralise_cell(value: Cell) -> Cell:
    """`value` made safe to open in a spreadsheet: text that would start a formula gets a leading ``'``.

    ``"=HYPERLINK(...)"`` becomes ``"'=HYPERLINK(...)"`` and ``"-2"`` becomes ``"'-2"``, while the number
    ``-2``, None, dates and every other non-text value are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: Cell) -> Cell:
    """A value the writers understand: known types as they are, anything else as text."""
    if value is None or isinstance(value, (str, bool, int, float, Decimal, date, datetime, time)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------------------------
# CSV


def _csv_text(value: Cell) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def table_to_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]], *, delimiter: str = ",") -> bytes:
    """A CSV file of `columns` and `rows`: UTF-8 with a BOM, CRLF line ends, every text cell neutralised.

    The BOM makes Excel read the file as UTF-8 (without it, names such as "Ngurah Rai Śūrya" are garbled).
    Use ``delimiter=";"`` for users whose Excel runs in the Indonesian locale, which expects semicolons.
    Dates are written in ISO form, None as an empty cell.
    """
    if len(delimiter) != 1 or delimiter in "\"'\r\n":
        raise ValueError(f"a CSV delimiter is one character other than a quote or line break, not {delimiter!r}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(neutralise_cell(_plain(name))) for name in columns])
    for row in rows:
        writer.writerow([_csv_text(neutralise_cell(_plain(value))) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------------------------------------------
# XLSX


def sanitise_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """`name` made a valid Excel sheet name that is not in `taken` (compared without case, as Excel does).

    Excel forbids ``[ ] : * ? / \\``, a leading or trailing apostrophe, blank names, "History", and names over
    31 characters; forbidden characters become ``-``, a clash gets a suffix such as `` (2)``.
    """
    cleaned = _SHEET_NAME_FORBIDDEN.sub("-", str(name)).strip().strip("'").strip()
    if not cleaned or cleaned.lower() in _RESERVED_SHEET_NAMES:
        cleaned = f"{cleaned} sheet".strip() if cleaned else "Sheet"
    cleaned = cleaned[:EXCEL_SHEET_NAME_MAX].rstrip().rstrip("'")
    used = {existing.lower() for existing in taken}
    candidate, number = cleaned, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = cleaned[:EXCEL_SHEET_NAME_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    return candidate


def _is_digit_string(value: Cell) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _display_length(value: Cell) -> int:
    """Characters of the longest line, which is what a column must be wide enough for."""
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def _put(sheet, widths: dict[int, int], row_number: int,  # type: ignore[no-untyped-def]
         column_number: int, value: Cell, *, force_text: bool) -> None:
    """Write one neutralised cell and widen its column's running width."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = _plain(value)
    if force_text and value is not None and not isinstance(value, str):
        value = _csv_text(value)  # e.g. a NIP passed as int: its digits, as text
    if isinstance(value, str):
        # openpyxl refuses control characters that XML 1.0 cannot hold; they carry no meaning in a table.
        # Removed before neutralising, so "\x01=..." cannot turn into an unguarded "=...".
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    value = neutralise_cell(value)
    cell = sheet.cell(row=row_number, column=column_number, value=value)
    if isinstance(value, str):
        # openpyxl guesses a type from the text ("#N/A" becomes an error cell); text is text.
        cell.data_type = "s"
    if force_text or _is_digit_string(value):
        cell.number_format = "@"
    widths[column_number] = max(widths.get(column_number, 0), _display_length(value))


def table_to_xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Cell]]]], *,
                  text_columns: Iterable[str] = ()) -> bytes:
    """An XLSX workbook with one sheet per entry of `sheets` (name -> (columns, rows)), in that order.

    Every text cell is neutralised, so no formula is ever written. Columns named in `text_columns` (e.g.
    ``"NIP"``) are written as text in the Text format ``@`` whatever the value's type, and so is any text made
    only of digits, so Excel never turns an 18-digit NIP into ``1.97E+17`` (nor drops a leading zero) even
    after the user edits the cell. The header row is bold and frozen, columns are as wide as their longest
    value (within 8-60 characters), and sheet names follow Excel's rules (`sanitise_sheet_name`).
    Raises ValueError when `sheets` is empty, since a workbook needs a sheet.
    """
    from openpyxl import Workbook  # imported here: CSV callers do not need it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not sheets:
        raise ValueError("an XLSX export needs at least one sheet")
    as_text = set(text_columns)
    workbook = Workbook()
    workbook.remove(workbook.active)  # the default empty sheet; ours are created in the caller's order
    taken: list[str] = []
    bold = Font(bold=True)

    for name, (columns, rows) in sheets.items():
        title = sanitise_sheet_name(name, taken)
        taken.append(title)
        sheet = workbook.create_sheet(title)
        text_indexes = {index for index, column in enumerate(columns) if column in as_text}
        widths: dict[int, int] = {}

        for column_number, column in enumerate(columns, start=1):
            _put(sheet, widths, 1, column_number, column, force_text=False)
            sheet.cell(row=1, column=column_number).font = bold
        for row_number, row in enumerate(rows, start=2):
            for index, value in enumerate(row):
                _put(sheet, widths, row_number, index + 1, value, force_text=index in text_indexes)

        for column_number, width in widths.items():
            sheet.column_dimensions[get_column_letter(column_number)].width = \
                min(max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH)
        sheet.freeze_panes = "A2"  # the header stays in view while scrolling

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
