"""Exports are built when their button is pressed, not on every run: the buttons carry callables
(`st.download_button(data=callable)`), and what they build is the same file as before."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

import ui.downloads
from netral.content import load_content
from netral.store.accounts import Role, authenticate
from netral.store.migrate import open_store
from netral.store.trainings import list_trainings
from tests.appkit import PASSWORD, make_user, new_app, open_page
from tests.conftest import Downloads

CONTENT, _ = load_content()


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")


@pytest.fixture
def builds(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The kind of every table file `ui.downloads` builds ("csv" or "xlsx"), in order."""
    made: list[str] = []
    csv_builder, xlsx_builder = ui.downloads.table_to_csv, ui.downloads.table_to_xlsx

    def counted_csv(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append("csv")
        return csv_builder(*args, **kwargs)

    def counted_xlsx(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append("xlsx")
        return xlsx_builder(*args, **kwargs)

    monkeypatch.setattr(ui.downloads, "table_to_csv", counted_csv)
    monkeypatch.setattr(ui.downloads, "table_to_xlsx", counted_xlsx)
    return made


def test_the_session_page_builds_its_exports_only_when_asked(downloads: Downloads, builds: list[str]) -> None:
    from netral.demo import fill_demo

    _, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    fill_demo(open_store(), CONTENT, trainees=12, seed=5)
    at = open_page(new_app(token=token), "pages/sesi.py")
    at.run()
    assert not at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert len(buttons) >= 3  # the report's CSV and XLSX, and the SIASN file
    assert all(proto.deferred_file_id and not proto.url for proto in buttons.values())  # nothing built yet
    assert builds == []  # two runs, not one table file made

    admin = authenticate(open_store(), "admin", PASSWORD).user
    assert admin is not None
    training = list_trainings(open_store(), admin)[0]
    people_csv = downloads[f"laporan-penyelesaian-{training.id}.csv"]  # "pressing" the button
    assert builds == ["csv"]
    rows = list(csv.reader(io.StringIO(people_csv.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Nama", "NIP"] and len(rows) == 1 + 12
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"laporan-penyelesaian-{training.id}.xlsx"])).active
    assert builds == ["csv", "xlsx"]
    assert [cell.value for cell in sheet[1]][:2] == ["Nama", "NIP"] and sheet.max_row == 1 + 12
    nips = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] not in ("-", None)]
    assert nips and all(isinstance(nip, str) and len(nip) == 18 for nip in nips)  # text, not 1.98E+17
    units = list(csv.reader(io.StringIO(downloads[f"laporan-unit-{training.id}.csv"].decode("utf-8-sig"))))
    assert len(units) > 1

    # The SIASN file too: built on the "press", with its rows and certificate numbers.
    siasn = openpyxl.load_workbook(io.BytesIO(downloads[f"riwayat-kursus-siasn-{training.id}.xlsx"])).worksheets[0]
    shown = next(c.value for c in at.caption if "peserta lulus" in c.value)
    assert siasn.max_row - 1 == int(shown.split()[0]) > 0
    assert all(str(row[6]).startswith("NTRL/") for row in siasn.iter_rows(min_row=2, values_only=True))


def test_an_empty_table_has_no_buttons(downloads: Downloads) -> None:
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        from ui.downloads import download_table

        download_table("kosong", "Sheet", [], "id", "empty")
        download_table("satu", "Sheet", [{"report.col.name": "Ana", "report.col.nip": "198609262015051001"}],
                       "id", "one")

    at = AppTest.from_function(page).run()
    assert not at.exception
    assert sorted(downloads) == ["satu.csv", "satu.xlsx"]
    assert downloads["satu.csv"].decode("utf-8-sig").splitlines() == ["Nama,NIP", "Ana,198609262015051001"]
