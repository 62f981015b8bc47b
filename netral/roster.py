"""Read an HR roster upload (CSV or XLSX) into a preview of the people it lists, with every problem found.

Pure: bytes in, frozen dataclasses out; no database, no Streamlit, no clock (the caller passes `today`).
The import itself (writing accounts) happens elsewhere and should take only `RosterPreview.valid_rows`.

What real files look like is described in ``shared/reference/hr-formats.md`` section 1:

- SIASN "Export Data ASN" headers (``NIP BARU``, ``NAMA``, ``GELAR DEPAN``, ``GELAR BELAKANG``, ``UNOR NAMA``,
  ``JABATAN NAMA``, ``EMAIL``), the same names snake-cased (``nip_baru``) or camel-cased (``nipBaru``) by other
  tools, and local sheets (``Nama``, ``Unit Kerja``, ``Satker``, ``Jabatan``) or English ones. Headers are
  matched by name, in any order and case, and need not be on row 1 (title rows above them are skipped);
- CSV written by Excel in an Indonesian locale uses ``;``, elsewhere ``,`` or tab; UTF-8 with or without
  BOM, Windows-1252, or UTF-16 ("Unicode Text");
- NIPs that went through a numeric Excel cell have lost their last digits and cannot be repaired: they are
  flagged so the user re-exports with the NIP column as Text (`netral.nip` decides what counts as damaged).

Problems are `RowProblem` values holding an i18n message key (``roster.*``) and its placeholders; render
them with `problem_message`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Literal

from netral.i18n import t
from netral.nip import NIP_LENGTH, NipCheck, NipKind, nip_messages, validate_nip

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest upload accepted. A full SIASN export (69 columns) of 10,000 ASN is about 6 MB as CSV."""
MAX_ROWS = 10_000
"""Most data rows accepted in one file: a whole kabupaten's ASN, more than any training cohort."""
MAX_XLSX_EXPANDED_BYTES = 200 * 1024 * 1024
"""Largest total size of an XLSX file's unzipped parts, so a small 'zip bomb' cannot exhaust memory."""
MAX_COLUMNS = 256
"""Columns read per row; SIASN exports have about 70."""
HEADER_SCAN_ROWS = 10
"""The header row is looked for in this many rows from the top (titles such as "DAFTAR PEGAWAI" come first)."""

MAX_LENGTHS = {"name": 200, "unit": 200, "position": 200, "email": 254}
"""Longest value per field, as the accounts table stores them (netral/store/schema.py)."""

Field = Literal["nip", "name", "unit", "position", "email", "front_title", "back_title", "kind"]
REQUIRED_FIELDS: tuple[Field, ...] = ("nip", "name")

# Header spellings per field, as normalised by `_header_key`, most specific first (the first one present
# wins, so "NIP BARU" beats a plain "NIP" and "EMAIL" beats "EMAIL GOV"). "NIP LAMA" (the old 9-digit number)
# is deliberately absent. Sources: hr-formats.md 1.1-1.3.
HEADER_ALIASES: dict[Field, tuple[str, ...]] = {
    "nip": ("nip baru", "nip", "nip 18 digit", "nip pns", "nip ni pppk", "nip nipppk", "nip pppk", "ni pppk",
            "nipppk", "no nip", "nomor nip", "nomor induk pegawai", "employee number", "employee id",
            "civil servant number", "civil servant id"),
    "name": ("nama", "nama lengkap", "nama pegawai", "nama asn", "nama peserta", "nama pemangku",
             "nama lengkap dengan gelar", "nama dan gelar", "nama gelar", "name", "full name", "employee name",
             "participant name"),
    "unit": ("unit kerja", "unor nama", "unor", "unit organisasi", "unit organisasi nama",
             "satuan kerja kerja nama", "satuan kerja nama", "satuan kerja", "satker", "sub unit kerja",
             "perangkat daerah", "opd", "unit", "work unit", "unit of work", "organisational unit",
             "organizational unit", "organisation unit", "organization unit", "department"),
    "position": ("jabatan", "jabatan nama", "nama jabatan", "jabatan terakhir", "position", "job title",
                 "position title", "job"),
    "email": ("email", "e mail", "alamat email", "alamat e mail", "surel", "alamat surel", "email address",
              "e mail address", "email gov", "email dinas", "surel dinas"),
    # SIASN keeps academic titles apart from the name (hr-formats.md 1.5); they are put back around it.
    "front_title": ("gelar depan", "gelar dpn"),
    "back_title": ("gelar belakang", "gelar blk", "gelar blkg"),
    # Says whether the NIP is a PNS NIP or an NI PPPK, whose digits 13-14 are not a month.
    "kind": ("jenis pegawai nama", "jenis pegawai", "status pegawai", "jenis asn", "status asn",
             "status kepegawaian", "employee type", "employment status"),
}

_EXCEL_DAMAGE = frozenset({"scientific_notation", "float", "excel_precision"})
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and also password-protected .xlsx
_ZIP_MAGIC = b"PK\x03\x04"
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ""}
_DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"^sep=([,;\t|])$", re.IGNORECASE)  # Excel's delimiter hint on the first line
# C0 control characters never found in a text spreadsheet: their presence means the bytes are not text.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# A plain address as people type it: RFC 5322 "atext" local part, dotted domain ending in a 2+ letter TLD.
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_EMPTY_TITLES = {"", "-", "--"}  # SIASN and local sheets write "-" for "no title"


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RowProblem:
    """One problem with a row or with the whole file.

    `key` is the i18n message key (``roster.*``) and `values` its placeholders. For an invalid NIP,
    `nip_check` carries `netral.nip`'s verdict so the message can give its specific reason.
    """

    key: str
    values: dict[str, str | int] = field(default_factory=dict)
    nip_check: NipCheck | None = None


@dataclass(frozen=True)
class RosterRow:
    """One person as read from the file.

    `line` is the row number the user sees in Excel (the header row's own number counts; title rows above it
    too). `nip` is the 18 normalised digits when the NIP is valid, else None; `nip_as_written` is what the
    cell held, for showing. `nip_kind` is ``"pns"`` or ``"pppk"`` for a valid NIP. `name` is as written,
    academic titles included. `email` is None when the cell is empty.
    """

    line: int
    nip: str | None
    name: str
    unit: str
    position: str
    email: str | None
    problems: tuple[RowProblem, ...] = ()
    nip_as_written: str = ""
    nip_kind: NipKind | None = None

    def __post_init__(self) -> None:
        if not self.nip_as_written and self.nip:  # a row built by hand (tests, other importers) shows its NIP
            object.__setattr__(self, "nip_as_written", self.nip)

    @property
    def ok(self) -> bool:
        """True when the row can be imported as it is."""
        return not self.problems


@dataclass(frozen=True)
class RosterPreview:
    """Everything read from one upload: the rows, problems with the file as a whole, and the columns used.

    `column_map` maps each field found (``nip``, ``name``, ``unit``, ``position``, ``email``, and
    ``front_title``, ``back_title``, ``kind`` when present) to its header as written in the file.
    When `file_problems` is not empty, `rows` is empty: nothing in the file can be trusted.
    """

    rows: tuple[RosterRow, ...]
    file_problems: tuple[RowProblem, ...] = ()
    column_map: dict[str, str] = field(default_factory=dict)
    sheet_name: str | None = None

    @property
    def valid_rows(self) -> tuple[RosterRow, ...]:
        """The rows without problems, ready to import."""
        return tuple(row for row in self.rows if row.ok)

    @property
    def invalid_rows(self) -> tuple[RosterRow, ...]:
        """The rows with at least one problem."""
        return tuple(row for row in self.rows if not row.ok)

    @property
    def has_problems(self) -> bool:
        """True when the file, or any row in it, has a problem."""
        return bool(self.file_problems) or any(row.problems for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        """``{"rows": …, "valid": …, "invalid": …}`` for a summary line."""
        valid = len(self.valid_rows)
        return {"rows": len(self.rows), "valid": valid, "invalid": len(self.rows) - valid}


# ---------------------------------------------------------------------------------------------------------------
# Entry point


def parse_roster(data: bytes, filename: str, today: date, *, max_bytes: int = MAX_FILE_BYTES,
                 max_rows: int = MAX_ROWS) -> RosterPreview:
    """Read a roster upload into a preview; never raises for bad input, it reports it.

    `filename` is only used for its extension (the content decides when they disagree: an XLSX renamed
    ``.csv`` is still read as XLSX). `today` is the limit for NIP dates, so the result is reproducible.
    Files over `max_bytes`, or with more than `max_rows` data rows, are rejected as a whole.
    """
    if len(data) > max_bytes:
        return _rejected("roster.too_large", size_mb=_megabytes(len(data)), max_mb=_megabytes(max_bytes))
    if not data.strip():
        return _rejected("roster.empty")

    suffix = PurePath(filename or "").suffix.lower()
    if data.startswith(_OLE2_MAGIC):
        return _rejected("roster.xls_unsupported")
    if data.startswith(_ZIP_MAGIC):
        if suffix == ".ods":  # also a zip, but openpyxl cannot read it
            return _rejected("roster.unknown_format", extension=suffix)
        return _parse_xlsx(data, today, max_rows)
    if suffix in _XLSX_SUFFIXES:
        return _rejected("roster.xlsx_unreadable")
    if suffix not in _TEXT_SUFFIXES:
        return _rejected("roster.unknown_format", extension=suffix)
    return _parse_csv(data, today, max_rows)


def _rejected(key: str, **values: str | int) -> RosterPreview:
    return RosterPreview(rows=(), file_problems=(RowProblem(key, dict(values)),))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------------------------
# Reading CSV

Record = tuple[int, Sequence[object]]
"""A spreadsheet row: its line number as Excel shows it, and its cell values."""


def _decode_text(data: bytes) -> str | None:
    """The text of a CSV upload, or None when the bytes are not text in any encoding Excel writes.

    UTF-16 with a BOM (Excel's "Unicode Text"), UTF-8 with or without a BOM, else Windows-1252 (Excel's
    "CSV" in an Indonesian or English Windows locale). Text holding control characters is binary in disguise.
    """
    data = data.rstrip(b"\x1a")  # the DOS end-of-file marker some old exporters append
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _BINARY_CHARS.search(text) else text
    return None


class _MalformedCsv(Exception):
    """The csv module gave up (e.g. a cell larger than its field limit) at `line`."""

    def __init__(self, line: int) -> None:
        super().__init__(f"malformed CSV at line {line}")
        self.line = line


def _csv_records(text: str, delimiter: str, first_line: int) -> Iterator[Record]:
    # newline="" leaves "\r\n" to the csv module, so a quoted cell may hold a line break and still be one row,
    # which is also how Excel numbers it.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = first_line
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _MalformedCsv(line) from error
        yield line, cells
        line += 1


def _choose_delimiter(text: str) -> str:
    """The delimiter under which the top of the file has the best header row.

    Scored by required columns found, then columns recognised, then cells in the first non-blank row; ties go
    to the earlier of ``,`` ``;`` tab. Judging by the header avoids `csv.Sniffer`'s guesses on names such as
    "Dr. Siti Aminah, S.H., M.H." in a ``;`` file.
    """
    sample = text[:65536]

    def score(delimiter: str) -> tuple[int, int, int]:
        try:
            top = [cells for _, cells in _take(_csv_records(sample, delimiter, 1), HEADER_SCAN_ROWS)]
        except _MalformedCsv:
            return (-1, -1, -1)
        mapped = max((_map_columns(cells) for cells in top), key=_header_score, default={})
        # A row of bare delimiters (";;" is Excel's empty row in the id-ID locale) counts as cells, not text.
        first = next((cells for cells in top if len(cells) > 1 or any(str(c).strip() for c in cells)), [])
        return (*_header_score(mapped), len(first))

    return max(_DELIMITERS, key=lambda d: (score(d), -_DELIMITERS.index(d)))


def _parse_csv(data: bytes, today: date, max_rows: int) -> RosterPreview:
    text = _decode_text(data)
    if text is None:
        return _rejected("roster.undecodable")
    if not text.strip():
        return _rejected("roster.empty")

    first_line, _, rest = text.partition("\n")
    hint = _SEP_LINE.match(first_line.strip())
    if hint:
        # Excel reads "sep=;" as an instruction and does not show it, so the header is still row 1.
        delimiter, text = hint.group(1), rest
    else:
        delimiter = _choose_delimiter(text)
    try:
        return _build_preview(_csv_records(text, delimiter, 1), today, max_rows)
    except _MalformedCsv as error:
        return _rejected("roster.csv_malformed", line=error.line)


def _take(records: Iterator[Record], count: int) -> list[Record]:
    taken = []
    for record in records:
        taken.append(record)
        if len(taken) == count:
            break
    return taken


# ---------------------------------------------------------------------------------------------------------------
# Reading XLSX


def _parse_xlsx(data: bytes, today: date, max_rows: int) -> RosterPreview:
    from openpyxl import load_workbook  # imported here: only XLSX uploads need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return _rejected("roster.xlsx_unreadable")
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        return _rejected("roster.xlsx_too_large", max_mb=_megabytes(MAX_XLSX_EXPANDED_BYTES))

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many unrelated types on a damaged or foreign file
        return _rejected("roster.xlsx_unreadable")
    try:
        sheets = list(workbook.worksheets)
        if not sheets:
            return _rejected("roster.empty")
        # The first sheet with a usable header; an export often puts notes or a cover on other sheets.
        chosen = next((sheet for sheet in sheets if _find_header(_take(_sheet_records(sheet), HEADER_SCAN_ROWS))[1]),
                      sheets[0])
        preview = _build_preview(_sheet_records(chosen), today, max_rows)
        return RosterPreview(preview.rows, preview.file_problems, preview.column_map, sheet_name=chosen.title)
    except _UnreadableSheet:
        return _rejected("roster.xlsx_unreadable")
    finally:
        workbook.close()


class _UnreadableSheet(Exception):
    """openpyxl failed while reading a sheet's rows (a damaged part shows only then)."""


def _sheet_records(sheet) -> Iterator[Record]:  # type: ignore[no-untyped-def]
    # Read-only sheets trust the file's stored dimensions, which some writers get wrong; resetting them makes
    # openpyxl scan the real rows and pad from row 1, so enumeration gives Excel's row numbers.
    sheet.reset_dimensions()
    try:
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            yield line, values
    except Exception as error:  # noqa: BLE001 - openpyxl and the XML parser raise many unrelated types
        raise _UnreadableSheet(str(error)) from error


# ---------------------------------------------------------------------------------------------------------------
# Headers


def _header_key(header: object) -> str:
    """A header reduced for matching: ``"NIP_BARU"``, ``"nipBaru"``, ``"Nip Baru*"`` all become ``"nip baru"``."""
    text = unicodedata.normalize("NFKC", _cell_text(header))
    text = _CAMEL_BOUNDARY.sub(" ", text).lower()
    return _NOT_ALPHANUMERIC.sub(" ", text).strip()


def _map_columns(cells: Sequence[object]) -> dict[Field, int]:
    """Which column index holds each field, by the header spellings in `HEADER_ALIASES`."""
    keys = [_header_key(cell) for cell in cells]
    mapped: dict[Field, int] = {}
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                mapped[name] = keys.index(alias)
                break
    return mapped


def _header_score(mapped: dict[Field, int]) -> tuple[int, int]:
    return (sum(name in mapped for name in REQUIRED_FIELDS), len(mapped))


def _find_header(top: list[Record]) -> tuple[Record | None, dict[Field, int]]:
    """The first of the top rows holding every required column and its mapping, or (None, {})."""
    for record in top:
        mapped = _map_columns(record[1])
        if all(name in mapped for name in REQUIRED_FIELDS):
            return record, mapped
    return None, {}


# ---------------------------------------------------------------------------------------------------------------
# Rows


def _cell_text(value: object) -> str:
    """A cell as trimmed text. Whole floats lose their ".0"; dates are ISO; SIASN's leading ``'`` and literal
    ``null`` are dropped (hr-formats.md 1.1)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return "" if text in ("null", "NULL") else text


def _nip_as_written(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.15G}"  # as Excel shows a damaged NIP: 1.97001012024121E+17
    return _cell_text(value)


def _compose_name(name: str, front: str, back: str) -> str:
    """SIASN's "GELAR DEPAN NAMA, GELAR BELAKANG", leaving out empty or "-" titles and titles the name
    already contains (a sheet that has both a full name and title columns)."""
    if front not in _EMPTY_TITLES and front not in name:
        name = f"{front} {name}"
    if back not in _EMPTY_TITLES and back not in name:
        name = f"{name}, {back}"
    return name


def _nip_kind_from(kind_cell: str | None) -> NipKind | None:
    """The NIP kind a "jenis pegawai" cell states, or None when there is no such cell or it is empty."""
    if not kind_cell:
        return None
    lowered = kind_cell.lower()
    return "pppk" if "pppk" in lowered or "p3k" in lowered else "pns"


def _check_nip(raw: object, stated_kind: NipKind | None, today: date) -> NipCheck:
    """Validate as the kind the file states; without one, as PNS, falling back to PPPK only when digits 13-14
    cannot be a month (an NI PPPK carries a marker such as 21 or 24 there: hr-formats.md 1.4)."""
    check = validate_nip(raw, stated_kind or "pns", today=today)  # type: ignore[arg-type]
    if stated_kind is None and not check.ok and check.nip and len(check.nip) == NIP_LENGTH \
            and not 1 <= int(check.nip[12:14]) <= 12:
        as_pppk = validate_nip(raw, "pppk", today=today)  # type: ignore[arg-type]
        if as_pppk.ok:
            return as_pppk
    return check


def _nip_problems(raw: object, written: str, check: NipCheck) -> list[RowProblem]:
    """What is wrong with the NIP cell; an empty list when the NIP can be imported."""
    if check.codes[:1] == ("empty",):
        return [RowProblem("roster.nip_missing")]
    if check.codes[:1] and check.codes[0] in _EXCEL_DAMAGE or (
            # A text cell of 18 digits ending in 000 is what Excel leaves of a NIP it held as a number (digits
            # 16-18 zeroed, then saved as CSV); serials start at 001, so no real NIP ends that way.
            isinstance(raw, str) and check.nip and len(check.nip) == NIP_LENGTH and check.nip.endswith("000")):
        return [RowProblem("roster.nip_excel_damaged", {"value": written})]
    if not check.ok:
        return [RowProblem("roster.nip_invalid", {"nip": written}, nip_check=check)]
    return []


def _build_preview(records: Iterator[Record], today: date, max_rows: int) -> RosterPreview:
    top = _take(records, HEADER_SCAN_ROWS)
    if not any(_cell_text(cell) for _, cells in top for cell in cells):
        return _rejected("roster.empty")
    header, mapped = _find_header(top)
    if header is None:
        best = max((record for record in top if any(_cell_text(c) for c in record[1])),
                   key=lambda record: _header_score(_map_columns(record[1])))
        found = _map_columns(best[1])
        seen = ", ".join(text for text in (_cell_text(cell) for cell in best[1]) if text)
        return RosterPreview(rows=(), column_map=_headers_as_written(best[1], found), file_problems=tuple(
            RowProblem(f"roster.missing_{name}_column", {"headers": seen})
            for name in REQUIRED_FIELDS if name not in found))

    header_line, header_cells = header
    column_map = _headers_as_written(header_cells, mapped)
    data_records = [record for record in top if record[0] > header_line]

    rows: list[RosterRow] = []
    for line, cells in _chain(data_records, records):
        def cell(name: Field) -> object:
            index = mapped.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        texts = {name: _cell_text(cell(name)) for name in mapped}
        if not any(texts[name] for name in ("nip", "name", "unit", "position", "email") if name in texts):
            continue  # a blank row, or a note beside the table
        if len(rows) == max_rows:
            return _rejected("roster.too_many_rows", max_rows=max_rows)
        rows.append(_read_row(line, cell("nip"), texts, column_map, today))
    if not rows:
        return RosterPreview(rows=(), column_map=column_map, file_problems=(RowProblem("roster.no_rows"),))
    return RosterPreview(rows=_with_duplicates_marked(rows), column_map=column_map)


def _chain(first: list[Record], rest: Iterator[Record]) -> Iterator[Record]:
    yield from first
    yield from rest


def _headers_as_written(cells: Sequence[object], mapped: dict[Field, int]) -> dict[str, str]:
    return {name: _cell_text(cells[index]) for name, index in mapped.items()}


def _read_row(line: int, raw_nip: object, texts: dict[Field, str], column_map: dict[str, str],
              today: date) -> RosterRow:
    problems: list[RowProblem] = []

    nip_raw: object = raw_nip if isinstance(raw_nip, (int, float)) and not isinstance(raw_nip, bool) \
        else texts["nip"]
    written = _nip_as_written(raw_nip)
    check = _check_nip(nip_raw, _nip_kind_from(texts.get("kind")), today)
    nip_problems = _nip_problems(nip_raw, written, check)
    problems += nip_problems

    name = _compose_name(texts["name"], texts.get("front_title", ""), texts.get("back_title", "")) \
        if texts["name"] else ""
    if not name:
        problems.append(RowProblem("roster.name_missing"))

    email = texts.get("email") or None
    if email is not None and not _EMAIL.match(email):
        problems.append(RowProblem("roster.email_invalid", {"email": email}))

    values = {"name": name, "unit": texts.get("unit", ""), "position": texts.get("position", ""),
              "email": email or ""}
    for name_of_field, limit in MAX_LENGTHS.items():
        if len(values[name_of_field]) > limit:
            column = column_map.get(name_of_field) or column_map["name"]  # titles lengthen the name column
            problems.append(RowProblem("roster.value_too_long", {"column": column, "max_length": limit}))

    nip_ok = not nip_problems
    return RosterRow(line=line, nip=check.nip if nip_ok else None, nip_as_written=written,
                     nip_kind=check.kind if nip_ok else None, name=name, unit=values["unit"],
                     position=values["position"], email=email, problems=tuple(problems))


def _with_duplicates_marked(rows: list[RosterRow]) -> tuple[RosterRow, ...]:
    """Add a problem naming every line of a NIP or email that appears more than once (both are unique per
    account). NIPs compare by their digits, emails without regard to case."""
    lines_by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        digits = _digits_of(row)
        if digits:
            lines_by_value[("nip", digits)].append(row.line)
        if row.email:
            lines_by_value[("email", row.email.casefold())].append(row.line)

    marked = []
    for row in rows:
        extra = []
        for kind, value in (("nip", _digits_of(row)), ("email", (row.email or "").casefold())):
            lines = lines_by_value.get((kind, value), []) if value else []
            if len(lines) > 1:
                shown = row.nip_as_written if kind == "nip" else row.email
                extra.append(RowProblem(f"roster.{kind}_duplicate",
                                        {kind: shown or value, "lines": ", ".join(map(str, lines))}))
        marked.append(replace(row, problems=row.problems + tuple(extra)) if extra else row)
    return tuple(marked)


def _digits_of(row: RosterRow) -> str | None:
    """The NIP's digits for comparing, valid or not; None when they could not be read (empty or damaged)."""
    if row.nip:
        return row.nip
    for problem in row.problems:
        if problem.nip_check is not None:
            return problem.nip_check.nip
    return None


# ---------------------------------------------------------------------------------------------------------------
# Presentation

PREVIEW_COLUMNS: tuple[str, ...] = ("line", "nip", "name", "unit", "position", "email", "status", "problems")
"""The preview table's columns; each has the label ``roster.column.<name>``."""


def problem_message(problem: RowProblem, lang: str) -> str:
    """The problem as one plain-language sentence in `lang`; an invalid NIP gets `netral.nip`'s reasons."""
    values: dict[str, object] = dict(problem.values)
    if problem.nip_check is not None:
        values["reason"] = " ".join(nip_messages(problem.nip_check, lang))
    return t(lang, problem.key, **values)


def preview_table(preview: RosterPreview, lang: str) -> tuple[list[str], list[list[object]]]:
    """The preview as column labels and rows in `lang`, for a data frame on screen or a problems export.

    Rows keep the file's order; the NIP is shown as written, the status says whether the row will be imported,
    and the problems column joins the row's messages.
    """
    labels = [t(lang, f"roster.column.{name}") for name in PREVIEW_COLUMNS]
    table: list[list[object]] = []
    for row in preview.rows:
        status = t(lang, "roster.status.ok" if row.ok else "roster.status.problem")
        messages = " ".join(problem_message(problem, lang) for problem in row.problems)
        table.append([row.line, row.nip_as_written, row.name, row.unit, row.position, row.email or "", status,
                      messages])
    return labels, table


def summary_message(preview: RosterPreview, lang: str) -> str:
    """One line such as "8 dari 10 baris siap diimpor; 2 baris perlu diperbaiki."."""
    counts = preview.counts
    return t(lang, "roster.summary", rows=counts["rows"], valid=counts["valid"], invalid=counts["invalid"])


def message_keys() -> Iterable[str]:
    """Every ``roster.*`` key this module can produce, for checking the catalogues."""
    problems = ("too_large", "empty", "xls_unsupported", "unknown_format", "xlsx_unreadable", "xlsx_too_large",
                "undecodable", "csv_malformed", "missing_nip_column", "missing_name_column", "no_rows",
                "too_many_rows", "nip_missing", "nip_invalid", "nip_excel_damaged", "nip_duplicate",
                "name_missing", "email_invalid", "email_duplicate", "value_too_long")
    yield from (f"roster.{name}" for name in problems)
    yield from (f"roster.column.{name}" for name in PREVIEW_COLUMNS)
    yield from ("roster.status.ok", "roster.status.problem", "roster.summary")
