"""Roster upload preview (netral/roster.py): formats, header variants, row and file problems, line numbers."""

from __future__ import annotations

import io
import random
import re
import string
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from netral import roster
from netral.i18n import LANGUAGES, catalogue
from netral.nip import nip_messages
from netral.roster import (
    RosterPreview,
    RosterRow,
    RowProblem,
    message_keys,
    parse_roster,
    preview_table,
    problem_message,
    summary_message,
)

TODAY = date(2025, 6, 15)
# Valid NIPs built by the rules of netral/nip.py: birth date YYYYMMDD, CPNS appointment YYYYMM, sex, serial.
NIP_SITI = "198502142010012003"  # born 14 Feb 1985, CPNS Jan 2010, female (2), serial 003
NIP_BUDI = "199001012015031001"  # born 1 Jan 1990, CPNS Mar 2015, male (1), serial 001
NIP_RINA = "199207232019022001"  # born 23 Jul 1992, CPNS Feb 2019, female, serial 001
NIP_PPPK = "199009132025242014"  # NI PPPK: born 13 Sep 1990, appointed 2025, "24" marker (not a month)
SITI = "Dr. Siti Aminah, S.H., M.H."



def parse(data: bytes, filename: str = "roster.csv", **limits: int) -> RosterPreview:
    return parse_roster(data, filename, TODAY, **limits)


def problems_of(preview: RosterPreview) -> list[RowProblem]:
    return [*preview.file_problems, *(problem for row in preview.rows for problem in row.problems)]


def summary(preview: RosterPreview) -> list[tuple[object, ...]]:
    """Each row as (line, nip, name, unit, position, email, problem keys)."""
    return [(row.line, row.nip, row.name, row.unit, row.position, row.email, tuple(p.key for p in row.problems))
            for row in preview.rows]


def file_keys(preview: RosterPreview) -> list[str]:
    return [problem.key for problem in preview.file_problems]


def xlsx(rows: Sequence[Sequence[object]], *, title: str = "Pegawai",
         before: Sequence[tuple[str, Sequence[Sequence[object]]]] = ()) -> bytes:
    """An XLSX file built with openpyxl; `before` adds sheets in front of the roster sheet."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, sheet_rows in [*before, (title, rows)]:
        sheet = workbook.create_sheet(name)
        for row_number, row in enumerate(sheet_rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=row_number, column=column_number, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Formats and encodings -------------------------------------------------------------------------------------

READ_CASES: list[tuple[str, bytes, str, dict[str, str], list[tuple[object, ...]]]] = [
    (
        "comma CSV, UTF-8, quoted name with commas",
        (f"NIP,Nama,Unit Kerja,Jabatan,Email\r\n"
         f"{NIP_SITI},\"{SITI}\",BKPSDM Kota Serang,Analis SDM Aparatur,siti.aminah@serangkota.go.id\r\n"
         f"{NIP_BUDI},Budi Santoso,Dinas Pendidikan,Guru Ahli Pertama,\r\n").encode("utf-8"),
        "roster.csv",
        {"nip": "NIP", "name": "Nama", "unit": "Unit Kerja", "position": "Jabatan", "email": "Email"},
        [(2, NIP_SITI, SITI, "BKPSDM Kota Serang", "Analis SDM Aparatur", "siti.aminah@serangkota.go.id", ()),
         (3, NIP_BUDI, "Budi Santoso", "Dinas Pendidikan", "Guru Ahli Pertama", None, ())],
    ),
    (
        "semicolon CSV from Excel id-ID: Windows-1252, no BOM, en dash and accented letters",
        (f"NIP;Nama;Unit Kerja;Jabatan;Email\r\n"
         f"'{NIP_SITI};{SITI};Bidang Mutasi – BKPSDM;Kepala Subbidang;\r\n"
         f"{NIP_BUDI};André Wijayakusuma;Sekretariat Daerah;Pranata Komputer;andre@bantenprov.go.id\r\n"
         ).encode("cp1252"),
        "daftar pegawai.CSV",
        {"nip": "NIP", "name": "Nama", "unit": "Unit Kerja", "position": "Jabatan", "email": "Email"},
        [(2, NIP_SITI, SITI, "Bidang Mutasi – BKPSDM", "Kepala Subbidang", None, ()),
         (3, NIP_BUDI, "André Wijayakusuma", "Sekretariat Daerah", "Pranata Komputer", "andre@bantenprov.go.id",
          ())],
    ),
    (
        "UTF-8 with BOM: the BOM does not hide the first header",
        f"\ufeffNIP,Nama\n{NIP_RINA},Ni Luh Putu Śrī Dewi\n".encode("utf-8"),
        "roster.csv",
        {"nip": "NIP", "name": "Nama"},
        [(2, NIP_RINA, "Ni Luh Putu Śrī Dewi", "", "", None, ())],
    ),
    (
        "SIASN export headers; titles put back around the name, '-' means no title",
        ("PNS ID,NIP BARU,NIP LAMA,NAMA,GELAR DEPAN,GELAR BELAKANG,EMAIL,EMAIL GOV,JABATAN NAMA,UNOR NAMA\n"
         f"A8ACA7,'{NIP_SITI},'150300001,Siti Aminah,Dr.,\"S.H., M.H.\",siti@gmail.com,siti@bkn.go.id,"
         "Analis Kebijakan,Bagian Hukum\n"
         f"A8ACA8,'{NIP_BUDI},,Budi Santoso,-,-,null,,Pelaksana,Bagian Umum\n").encode("utf-8"),
        "Export Data ASN.csv",
        {"nip": "NIP BARU", "name": "NAMA", "front_title": "GELAR DEPAN", "back_title": "GELAR BELAKANG",
         "email": "EMAIL", "position": "JABATAN NAMA", "unit": "UNOR NAMA"},
        [(2, NIP_SITI, SITI, "Bagian Hukum", "Analis Kebijakan", "siti@gmail.com", ()),
         (3, NIP_BUDI, "Budi Santoso", "Bagian Umum", "Pelaksana", None, ())],
    ),
    (
        "snake_case headers from Laravel-Excel",
        f"nip_baru,nama,unor_nama,jabatan_nama,email\n{NIP_BUDI},Budi,Bagian Umum,Pelaksana,b@x.id\n".encode(),
        "roster.csv",
        {"nip": "nip_baru", "name": "nama", "unit": "unor_nama", "position": "jabatan_nama", "email": "email"},
        [(2, NIP_BUDI, "Budi", "Bagian Umum", "Pelaksana", "b@x.id", ())],
    ),
    (
        "camelCase headers of the SIASN web service",
        f"nipBaru;nama;unorNama;jabatanNama\n{NIP_BUDI};Budi;Bagian Umum;Pelaksana\n".encode(),
        "roster.txt",
        {"nip": "nipBaru", "name": "nama", "unit": "unorNama", "position": "jabatanNama"},
        [(2, NIP_BUDI, "Budi", "Bagian Umum", "Pelaksana", None, ())],
    ),
    (
        "English headers in another order and case, with line breaks and a required-mark in headers",
        (f"EMAIL,Position,\"Work\nUnit\",Full Name*,nip\n"
         f"rina@x.id,Auditor,Inspektorat,Rina Marlina,{NIP_RINA}\n").encode(),
        "roster.csv",
        {"email": "EMAIL", "position": "Position", "unit": "Work\nUnit", "name": "Full Name*", "nip": "nip"},
        [(2, NIP_RINA, "Rina Marlina", "Inspektorat", "Auditor", "rina@x.id", ())],  # one Excel row
    ),
    (
        "tab-delimited UTF-16 (Excel's Unicode Text)",
        f"NIP\tNama\tSatker\r\n{NIP_BUDI}\tBudi\tBKPSDM\r\n".encode("utf-16"),
        "roster.txt",
        {"nip": "NIP", "name": "Nama", "unit": "Satker"},
        [(2, NIP_BUDI, "Budi", "BKPSDM", "", None, ())],
    ),
    (
        "Excel's sep= hint line is obeyed and not counted as a row",
        f"sep=;\r\nNIP;Nama\r\n{NIP_BUDI};Budi, S.Kom.\r\n".encode(),
        "roster.csv",
        {"nip": "NIP", "name": "Nama"},
        [(2, NIP_BUDI, "Budi, S.Kom.", "", "", None, ())],
    ),
    (
        "title rows above the header, blank rows, a cell with a line break: lines as Excel numbers them",
        (f"DAFTAR PESERTA PELATIHAN NETRALITAS ASN\n\nNIP,Nama,Jabatan\n"
         f"{NIP_BUDI},Budi,\"Kepala Seksi\nPengadaan\"\n\n{NIP_RINA},  Rina Marlina  ,Auditor\n").encode(),
        "roster.csv",
        {"nip": "NIP", "name": "Nama", "position": "Jabatan"},
        [(4, NIP_BUDI, "Budi", "", "Kepala Seksi\nPengadaan", None, ()),
         (6, NIP_RINA, "Rina Marlina", "", "Auditor", None, ())],
    ),
]


@pytest.mark.parametrize(("label", "data", "filename", "column_map", "expected"), READ_CASES,
                         ids=[case[0] for case in READ_CASES])
def test_reading_formats_and_headers(label: str, data: bytes, filename: str, column_map: dict[str, str],
                                     expected: list[tuple[object, ...]]) -> None:
    preview = parse(data, filename)
    assert preview.file_problems == ()
    assert preview.column_map == column_map
    assert summary(preview) == expected
    assert not preview.has_problems


def test_nip_lama_is_not_taken_for_the_nip() -> None:
    preview = parse(f"NIP LAMA,Nama\n150300001,Budi\n".encode())
    assert file_keys(preview) == ["roster.missing_nip_column"]
    assert preview.file_problems[0].values == {"headers": "NIP LAMA, Nama"}


def test_xlsx_with_text_and_numeric_nip_cells() -> None:
    data = xlsx([
        ["Daftar peserta pelatihan"],
        [],
        ["No", "NIP", "Nama", "Unit Kerja", "Jabatan", "Email"],
        [1, NIP_SITI, SITI, "BKPSDM", "Analis SDM", "siti@serangkota.go.id"],
        [2, 1.97001012024121e17, "Budi Santoso", "Dinas Kesehatan", "Perawat", None],  # a numeric Excel cell
        [3, "'" + NIP_RINA, "Rina Marlina", None, None, "rina@x.id"],
        [],
        [5, 198609262015051001, "Ahmad Fauzi", "Dinas Sosial", "Penyuluh", None],  # numeric, 18 digits
    ], before=[("Petunjuk", [["Isi satu baris per pegawai."]])])
    preview = parse(data, "peserta.xlsx")
    assert preview.file_problems == ()
    assert preview.sheet_name == "Pegawai"  # the notes sheet in front was skipped
    assert preview.column_map == {"nip": "NIP", "name": "Nama", "unit": "Unit Kerja", "position": "Jabatan",
                                  "email": "Email"}
    assert summary(preview) == [
        (4, NIP_SITI, SITI, "BKPSDM", "Analis SDM", "siti@serangkota.go.id", ()),
        (5, None, "Budi Santoso", "Dinas Kesehatan", "Perawat", None, ("roster.nip_excel_damaged",)),
        (6, NIP_RINA, "Rina Marlina", "", "", "rina@x.id", ()),
        (8, None, "Ahmad Fauzi", "Dinas Sosial", "Penyuluh", None, ("roster.nip_excel_damaged",)),
    ]
    damaged = preview.rows[1]
    assert damaged.nip_as_written == "1.97001012024121E+17"
    assert damaged.problems[0].values == {"value": "1.97001012024121E+17"}
    assert [row.line for row in preview.valid_rows] == [4, 6]


def test_xlsx_renamed_to_csv_is_still_read_as_xlsx() -> None:
    preview = parse(xlsx([["NIP", "Nama"], [NIP_BUDI, "Budi"]]), "roster.csv")
    assert summary(preview) == [(2, NIP_BUDI, "Budi", "", "", None, ())]


# --- Row problems ----------------------------------------------------------------------------------------------

def test_duplicate_nip_names_every_line_it_is_on() -> None:
    preview = parse((f"NIP,Nama\n{NIP_BUDI},Budi\n{NIP_RINA},Rina\n19900101 201503 1 001,Budi S.\n"
                     f"{NIP_SITI},Siti\n").encode())
    assert summary(preview) == [
        (2, NIP_BUDI, "Budi", "", "", None, ("roster.nip_duplicate",)),
        (3, NIP_RINA, "Rina", "", "", None, ()),
        (4, NIP_BUDI, "Budi S.", "", "", None, ("roster.nip_duplicate",)),
        (5, NIP_SITI, "Siti", "", "", None, ()),
    ]
    assert preview.rows[0].problems[0].values == {"nip": NIP_BUDI, "lines": "2, 4"}
    assert preview.rows[2].problems[0].values == {"nip": "19900101 201503 1 001", "lines": "2, 4"}
    assert problem_message(preview.rows[2].problems[0], "en") == \
        "NIP 19900101 201503 1 001 appears more than once, on lines 2, 4."
    assert preview.counts == {"rows": 4, "valid": 2, "invalid": 2}


def test_duplicate_email_ignores_case() -> None:
    preview = parse(f"NIP,Nama,Email\n{NIP_BUDI},Budi,Budi@X.id\n{NIP_RINA},Rina,budi@x.id\n".encode())
    assert [tuple(p.key for p in row.problems) for row in preview.rows] == [("roster.email_duplicate",)] * 2
    assert preview.rows[1].problems[0].values == {"email": "budi@x.id", "lines": "2, 3"}


@pytest.mark.parametrize(("nip", "name", "email", "keys"), [
    (NIP_BUDI, "", None, ("roster.name_missing",)),
    ("", "Budi", None, ("roster.nip_missing",)),
    (NIP_BUDI, "Budi", "budi@", ("roster.email_invalid",)),
    (NIP_BUDI, "Budi", "budi @x.id", ("roster.email_invalid",)),
    (NIP_BUDI, "Budi", "budi@x.id, rina@x.id", ("roster.email_invalid",)),  # two addresses in one cell
    (NIP_BUDI, "Budi", "budi@localhost", ("roster.email_invalid",)),
    (NIP_BUDI, "Budi", "budi.santoso+pelatihan@bkpsdm.serangkota.go.id", ()),
    ("1,97001E+17", "Budi", None, ("roster.nip_excel_damaged",)),  # Indonesian decimal comma
    ("1.97001E+17", "Budi", None, ("roster.nip_excel_damaged",)),
    ("198609262015051000", "Budi", None, ("roster.nip_excel_damaged",)),  # digits 16-18 zeroed by Excel
    ("198613012015051001", "", "x", ("roster.nip_invalid", "roster.name_missing", "roster.email_invalid")),
    (NIP_PPPK, "Pegawai PPPK", None, ()),  # digits 13-14 are no month: read as NI PPPK
    (NIP_BUDI, "B" * 201, None, ("roster.value_too_long",)),
])
def test_row_problems(nip: str, name: str, email: str | None, keys: tuple[str, ...]) -> None:
    preview = parse(f"NIP;Nama;Email\n{nip};{name};{email or ''}\n".encode())
    assert [tuple(p.key for p in row.problems) for row in preview.rows] == [keys]
    row = preview.rows[0]
    assert row.ok == (not keys)
    assert (row.nip is None) == any(key.startswith("roster.nip_") for key in keys)  # only a good NIP is kept


@pytest.mark.parametrize(("nip", "codes", "kind"), [
    ("198613012015051001", ("birth_date",), "pns"),  # month 13 in the birth date
    ("12345", ("length",), "pns"),
    ("1986O926201505I001", ("not_digits",), "pns"),
    ("198609262015053001", ("sex",), "pns"),
    ("199009132026242014", ("appointment",), "pns"),  # PPPK fallback fails too (year 2026), so PNS reasons
])
def test_invalid_nip_carries_the_nip_modules_reason(nip: str, codes: tuple[str, ...], kind: str) -> None:
    preview = parse(f"NIP,Nama\n{nip},Budi\n".encode())
    (problem,) = preview.rows[0].problems
    assert problem.key == "roster.nip_invalid" and problem.values == {"nip": nip}
    assert problem.nip_check is not None
    assert problem.nip_check.codes == codes and problem.nip_check.kind == kind
    for lang in LANGUAGES:
        reason = " ".join(nip_messages(problem.nip_check, lang))
        assert reason and problem_message(problem, lang).endswith(reason)
        assert nip in problem_message(problem, lang)


def test_a_stated_employee_type_decides_the_nip_kind() -> None:
    preview = parse((f"NIP BARU,NAMA,JENIS PEGAWAI NAMA\n{NIP_PPPK},Ani,PPPK\n{NIP_PPPK[:-1]}5,Ana,PNS Daerah\n"
                     f"{NIP_BUDI},Budi,PNS Daerah\n").encode())
    assert [(row.line, row.nip_kind, tuple(p.key for p in row.problems)) for row in preview.rows] == [
        (2, "pppk", ()), (3, None, ("roster.nip_invalid",)), (4, "pns", ())]
    assert preview.rows[1].problems[0].nip_check.codes == ("appointment",)  # type: ignore[union-attr]


def test_names_with_titles_are_kept_as_written() -> None:
    names = [SITI, "dr. Rihimeha A. Praing, Sp.OG", "Paulus Laka, SH", "Prof. Dr. Ir. H. Ahmad, M.Sc.",
             "I Gusti Ayu Made Sri Wahyuni, S.Tr.Keb."]
    nips = [NIP_SITI, NIP_BUDI, NIP_RINA, "198002052005011002", "198803172012122001"]
    body = "".join(f"{nip};{name}\n" for nip, name in zip(nips, names, strict=True))
    preview = parse(f"NIP;Nama\n{body}".encode("cp1252"))
    assert [row.name for row in preview.rows] == names
    assert not preview.has_problems


# --- File problems ---------------------------------------------------------------------------------------------

def _zip_that_is_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


def _workbook_with_a_truncated_sheet() -> bytes:
    """A real XLSX whose sheet XML is cut in half: openpyxl opens it and fails only while reading rows."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["NIP", "Nama"], [NIP_BUDI, "Budi"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            part = source.read(info)
            archive.writestr(info, part[:len(part) // 2] if info.filename.startswith("xl/worksheets/") else part)
    return buffer.getvalue()


FILE_CASES: list[tuple[str, bytes, str, list[str]]] = [
    ("zero bytes", b"", "roster.csv", ["roster.empty"]),
    ("only a BOM", b"\xef\xbb\xbf", "roster.csv", ["roster.empty"]),
    ("only blank lines", b"\r\n  \r\n;;\r\n", "roster.csv", ["roster.empty"]),
    ("empty workbook sheet", xlsx([]), "roster.xlsx", ["roster.empty"]),
    ("header but no rows", b"NIP,Nama\r\n\r\n", "roster.csv", ["roster.no_rows"]),
    ("no NIP column", b"Nama,Unit Kerja\nBudi,BKPSDM\n", "roster.csv", ["roster.missing_nip_column"]),
    ("no name column", f"NIP\n{NIP_BUDI}\n".encode(), "roster.csv", ["roster.missing_name_column"]),
    ("no known column", b"foo;bar\n1;2\n", "roster.csv", ["roster.missing_nip_column", "roster.missing_name_column"]),
    ("NUL bytes", b"NIP,Nama\x00\x00\x01\x02", "roster.csv", ["roster.undecodable"]),
    ("bytes undefined in UTF-8 and cp1252", b"NIP,Nama\n\x81\x8d\x8f\x90\x9d\n", "roster.csv",
     ["roster.undecodable"]),
    ("random garbage", random.Random(7).randbytes(4096), "roster.csv", ["roster.undecodable"]),
    ("legacy .xls (OLE2)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "roster.xls", ["roster.xls_unsupported"]),
    ("text named .xlsx", b"NIP,Nama\n", "roster.xlsx", ["roster.xlsx_unreadable"]),
    ("zip that is no workbook", _zip_that_is_not_a_workbook(), "roster.xlsx", ["roster.xlsx_unreadable"]),
    ("workbook with a truncated sheet", _workbook_with_a_truncated_sheet(), "roster.xlsx", ["roster.xlsx_unreadable"]),
    ("PDF", b"%PDF-1.7\n...", "roster.pdf", ["roster.unknown_format"]),
    ("OpenDocument", _zip_that_is_not_a_workbook(), "roster.ods", ["roster.unknown_format"]),
]


@pytest.mark.parametrize(("label", "data", "filename", "keys"), FILE_CASES, ids=[case[0] for case in FILE_CASES])
def test_file_problems(label: str, data: bytes, filename: str, keys: list[str]) -> None:
    preview = parse(data, filename)
    assert file_keys(preview) == keys
    assert preview.rows == () and preview.has_problems and preview.valid_rows == ()


def test_missing_column_lists_the_headers_that_were_read() -> None:
    preview = parse(b"No;Nama Lengkap;Satker\n1;Budi;BKPSDM\n")
    assert preview.file_problems == (RowProblem("roster.missing_nip_column", {"headers": "No, Nama Lengkap, Satker"}),)
    assert "No, Nama Lengkap, Satker" in problem_message(preview.file_problems[0], "id")


def test_size_and_row_limits() -> None:
    data = f"NIP,Nama\n{NIP_BUDI},Budi\n{NIP_RINA},Rina\n{NIP_SITI},Siti\n".encode()
    too_big = parse(data, max_bytes=len(data) - 1)
    assert file_keys(too_big) == ["roster.too_large"] and too_big.rows == ()
    assert file_keys(parse(data, max_bytes=len(data))) == []
    too_many = parse(data, max_rows=2)
    assert too_many.file_problems == (RowProblem("roster.too_many_rows", {"max_rows": 2}),)
    assert len(parse(data, max_rows=3).rows) == 3


def test_a_cell_beyond_the_csv_field_limit_is_reported_with_its_line() -> None:
    preview = parse(f"NIP,Nama\n{NIP_BUDI},Budi\n{NIP_RINA},{'x' * 200_000}\n".encode())
    assert preview.file_problems == (RowProblem("roster.csv_malformed", {"line": 3}),)


def test_parsing_is_deterministic() -> None:
    data = f"NIP;Nama;Email\n{NIP_BUDI};Budi;b@x.id\n{NIP_BUDI};;b@x.id\n12;Rina;\n".encode()
    assert parse(data) == parse(data)


def test_a_row_built_by_hand_shows_its_nip() -> None:
    row = RosterRow(line=2, nip=NIP_BUDI, name="Budi", unit="", position="", email=None, problems=())
    assert row.ok and row.nip_as_written == NIP_BUDI and row.nip_kind is None


# --- Presentation and catalogue --------------------------------------------------------------------------------

def test_preview_table_and_summary() -> None:
    preview = parse(f"NIP,Nama\n{NIP_BUDI},Budi\n{NIP_RINA},\n".encode())
    labels, rows = preview_table(preview, "id")
    assert labels == ["Baris", "NIP", "Nama", "Unit kerja", "Jabatan", "Email", "Status", "Masalah"]
    assert rows == [[2, NIP_BUDI, "Budi", "", "", "", "Siap diimpor", ""],
                    [3, NIP_RINA, "", "", "", "", "Perlu diperbaiki", "Nama kosong."]]
    assert preview_table(preview, "en")[0][0] == "Line"
    assert summary_message(preview, "en") == "1 of 2 rows are ready to import; 1 rows need fixing."


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_roster_key_is_in_both_catalogues_with_the_same_placeholders() -> None:
    keys = set(message_keys())
    source = (Path(__file__).resolve().parents[1] / "netral" / "roster.py").read_text(encoding="utf-8")
    literal_keys = set(re.findall(r"""["'](roster\.[a-z_.]+[a-z_])["']""", source))
    assert literal_keys and literal_keys <= keys  # message_keys() misses no key written in the code
    for key in keys:
        assert key in catalogue("id") and key in catalogue("en"), key
        assert _placeholders(catalogue("id")[key]) == _placeholders(catalogue("en")[key]), key
    assert {key for key in catalogue("id") if key.startswith("roster.")} == keys  # no stale keys either


def test_xlsx_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster, "MAX_XLSX_EXPANDED_BYTES", 1000)
    preview = parse(xlsx([["NIP", "Nama"], [NIP_BUDI, "Budi"]]), "roster.xlsx")
    assert preview.file_problems == (RowProblem("roster.xlsx_too_large", {"max_mb": "0"}),)


KITCHEN_SINK = (f"NIP;Nama;Email\n{NIP_BUDI};Budi;b@x.id\n{NIP_BUDI};;B@x.id\n12;Rina;rina@\n1,97E+17;Ani;\n"
                f";Ana;\n{NIP_RINA};{'R' * 201};\n").encode()


def test_every_problem_renders_completely_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Produces every problem key roster.py has and renders each with the values it came with."""
    previews = [parse(data, filename) for _, data, filename, _ in FILE_CASES]
    previews += [parse(KITCHEN_SINK), parse(KITCHEN_SINK, max_bytes=10), parse(KITCHEN_SINK, max_rows=1),
                 parse(f"NIP,Nama\n{NIP_BUDI},{'x' * 200_000}\n".encode())]
    monkeypatch.setattr(roster, "MAX_XLSX_EXPANDED_BYTES", 1000)
    previews.append(parse(xlsx([["NIP", "Nama"]]), "roster.xlsx"))
    problems = [problem for preview in previews for problem in problems_of(preview)]

    problem_keys = {key for key in message_keys() if key.count(".") == 1 and key != "roster.summary"}
    assert {problem.key for problem in problems} == problem_keys
    for problem in problems:
        for lang in LANGUAGES:
            placeholders = _placeholders(catalogue(lang)[problem.key])
            provided = set(problem.values) | ({"reason"} if problem.nip_check else set())
            assert placeholders == provided, (problem.key, lang)
            text = problem_message(problem, lang)
            assert "{" not in text and text != problem.key
