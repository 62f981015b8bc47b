"""Real browser: the export buttons, whose files are now built on the click, still download the right
files (Debian's Chromium through Playwright, against a freshly started server on its own database)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.serverkit import app_server, chromium_page, settle

PASSWORD = "rahasia-123"
TRAINEES = 24

pytestmark = pytest.mark.browser


def _download(page: Page, button, tmp_path: Path) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """Click a download button; the file's suggested name and its bytes."""
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=30000) as info:
        button.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def test_hr_downloads_the_session_exports_built_on_click(tmp_path: Path) -> None:
    from netral.content import load_content
    from netral.demo import fill_demo
    from netral.store.accounts import authenticate, hash_password
    from netral.store.migrate import open_store
    from netral.store.siasn import siasn_count
    from netral.store.trainings import list_trainings

    database_url = f"sqlite:///{tmp_path / 'downloads.db'}"
    store = open_store(database_url)
    content, _ = load_content()
    fill_demo(store, content, trainees=TRAINEES, seed=3, staff_password_hash=hash_password(PASSWORD))
    hr = authenticate(store, "demo-hr", PASSWORD).user
    assert hr is not None
    training = list_trainings(store, hr)[0]  # the session the page shows first
    passed = siasn_count(store, hr, training.id).trainees
    assert passed > 0
    store.dispose()

    with app_server(database_url, tmp_path) as app, chromium_page((1280, 900)) as page:
        page.goto(app.url)
        page.get_by_role("textbox", name="NIP atau nama pengguna", exact=True).first.fill("demo-hr")
        page.get_by_role("textbox", name="Kata sandi", exact=True).first.fill(PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        nav = page.get_by_test_id("stSidebarNavItems")
        expect(nav.get_by_role("link", name="Sesi pelatihan")).to_be_visible(timeout=30000)
        nav.get_by_role("link", name="Sesi pelatihan").click()
        expect(page.get_by_text(f"{passed} peserta lulus")).to_be_visible(timeout=30000)
        settle(page)
        assert page.get_by_test_id("stException").count() == 0

        buttons = page.get_by_test_id("stDownloadButton")
        name, data = _download(page, buttons.filter(has_text="Unduh CSV").first, tmp_path)
        assert name == f"laporan-penyelesaian-{training.id}.csv"
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][:2] == ["Nama", "NIP"] and len(rows) == 1 + TRAINEES

        name, data = _download(page, buttons.filter(has_text="Unduh Excel (XLSX)").first, tmp_path)
        assert name == f"laporan-penyelesaian-{training.id}.xlsx"
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert [cell.value for cell in sheet[1]][:2] == ["Nama", "NIP"] and sheet.max_row == 1 + TRAINEES

        name, data = _download(page, buttons.filter(has_text="Unduh CSV").nth(1), tmp_path)
        assert name == f"laporan-unit-{training.id}.csv"
        assert len(data.decode("utf-8-sig").splitlines()) > 1

        name, data = _download(page, buttons.filter(has_text="Unduh riwayat kursus SIASN (XLSX)"), tmp_path)
        assert name == f"riwayat-kursus-siasn-{training.id}.xlsx"
        siasn = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        assert siasn.max_row == 1 + passed
        assert all(re.fullmatch(r"\d{18}", str(row[0])) for row in siasn.iter_rows(min_row=2, values_only=True))
        settle(page)
        assert page.get_by_test_id("stException").count() == 0
