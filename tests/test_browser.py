"""Real-browser tests: Debian's Chromium through Playwright against a freshly started server on its own
database. Screenshots go to test-artifacts/; every page is checked for error boxes and empty charts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.serverkit import (
    ARTIFACTS,
    NIP,
    PASSWORD,
    answer_current_question,
    app_server,
    chromium_page,
    progress_text,
    register,
    save_and_next,
    settle,
    textbox,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'browser.db'}"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new Streamlit server for each test, so the first request really is the server's first."""
    with app_server(database_url, tmp_path / "server") as app:
        yield app.url


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium_page() as opened:
        yield opened


def check_and_shoot(page: Page, name: str, *, charts: int = 0, show=None,  # type: ignore[no-untyped-def]
                    heading: str | None = None) -> None:
    """Fail on a missing page heading, an exception box or an empty chart; then save a screenshot (scrolled
    to `show`, a locator, since Streamlit scrolls inside its own container and a full-page shot only holds
    the viewport)."""
    if heading is not None:
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible(timeout=30000)
    settle(page)
    assert page.get_by_test_id("stException").count() == 0, f"{name}: an exception is shown"
    if charts:
        found = page.locator('[data-testid="stVegaLiteChart"]')
        expect(found).to_have_count(charts, timeout=30000)
        for index in range(charts):
            # A drawn chart has marks: vega renders into a canvas or svg with a non-zero size.
            found.nth(index).scroll_into_view_if_needed()
            expect(found.nth(index).locator("canvas, svg").first).to_be_visible(timeout=30000)
            box = found.nth(index).locator("canvas, svg").first.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50, f"{name}: chart {index} is empty"
    if show is not None:
        expect(show).to_be_visible(timeout=30000)
        show.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def choose(page: Page, box, option: re.Pattern[str]) -> None:  # type: ignore[no-untyped-def]
    """Pick `option` in a selectbox: open it with the keyboard (retrying while a rerun redraws it)."""
    for _ in range(5):
        settle(page)
        box.locator("input").focus()
        page.keyboard.press("ArrowDown")
        try:
            expect(page.get_by_role("listbox")).to_be_visible(timeout=5000)
        except AssertionError:
            continue
        page.get_by_role("option", name=option).first.click()
        settle(page)
        return
    raise AssertionError(f"the selectbox never opened to choose {option.pattern}")


def test_trainee_registers_takes_a_quiz_survives_a_refresh_and_gets_a_certificate(server: str, page: Page) -> None:
    register(page, server)
    check_and_shoot(page, "01-beranda", heading="Selamat datang, Dr. Siti Aminah, S.H., M.H.")
    cookie = next(c for c in page.context.cookies() if c["name"] == "netral_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Kuis").click()
    settle(page)
    check_and_shoot(page, "02-kuis-pilih", heading="Kuis")
    page.locator(".st-key-start_free_lanjutan-pejabat button").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    expect(page.locator("#netral-countdown")).to_contain_text("Sisa waktu")
    check_and_shoot(page, "03-kuis-soal-1")

    for _ in range(3):
        answer_current_question(page)
        save_and_next(page)
    settle(page)
    progress_before_refresh = progress_text(page)
    assert progress_before_refresh.startswith("3 dari ")
    mid_quiz = page.url

    # A refresh is a new Streamlit session: the cookie keeps the login, the database keeps the attempt.
    page.reload()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    assert page.url == mid_quiz
    assert progress_text(page) == progress_before_refresh
    check_and_shoot(page, "04-kuis-setelah-refresh")

    # Ten planned questions, plus a follow-up wherever a chosen option branches (options are shuffled).
    for _ in range(20):
        answered, total = map(int, re.findall(r"\d+", progress_text(page))[:2])
        if answered == total:
            break
        before = progress_text(page)
        answer_current_question(page)
        if answered + 1 == total:  # the last question stays on screen after saving, unless it branches
            page.get_by_role("button", name="Simpan & berikutnya").click()
            expect(page.get_by_test_id("stProgress")).not_to_have_text(before, timeout=30000)
            settle(page)
        else:
            save_and_next(page)
    answered, total = map(int, re.findall(r"\d+", progress_text(page))[:2])
    assert answered == total >= 10
    page.get_by_text("Saya yakin ingin mengumpulkan kuis ini").click()
    page.get_by_role("button", name="Kumpulkan kuis").click()
    expect(page.get_by_role("heading", name="Hasil", exact=True)).to_be_visible(timeout=30000)
    check_and_shoot(page, "05-hasil", heading="Hasil", show=page.get_by_test_id("stMetric").first)

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Progres saya").click()
    check_and_shoot(page, "06-progres", heading="Progres saya", charts=3)
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Latihan kasus").click()
    check_and_shoot(page, "07-latihan", heading="Latihan kasus", show=page.get_by_test_id("stForm").first)
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Latihan cerdas").click()
    check_and_shoot(page, "08-latihan-cerdas", heading="Latihan cerdas", show=page.get_by_test_id("stForm").first)
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Data pelanggaran").click()
    check_and_shoot(page, "09-data", heading="Data pelanggaran netralitas ASN", charts=7)
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Akun saya").click()
    check_and_shoot(page, "10-akun", heading="Akun saya", show=page.get_by_role("button", name="Keluar"))
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Masuk ke Netral")).to_be_visible(timeout=30000)
    settle(page)
    assert not [c for c in page.context.cookies() if c["name"] == "netral_session"]
    check_and_shoot(page, "11-keluar", heading="Masuk ke Netral")


def test_a_staff_page_as_the_first_request_shows_no_cohort_data(database_url: str, tmp_path: Path) -> None:
    """The very first request to a fresh server opens the dashboard URL directly, with no login."""
    from netral.content import load_content
    from netral.store.accounts import Role, create_user
    from netral.store.migrate import open_store
    from netral.store.schema import utcnow
    from netral.store.trainings import create_training, enrol

    store = open_store(database_url)
    content, _ = load_content()
    hr = create_user(store, login="hr", name="HR Banten", password=PASSWORD, role=Role.HR)
    training = create_training(store, content, hr, name="Sesi Rahasia Kohort", quiz_ids=["pretest-cpns"],
                               opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=9))
    trainee = create_user(store, login=NIP, nip=NIP, name="Peserta Rahasia", password=PASSWORD)
    enrol(store, trainee.id, training.id)
    store.dispose()

    with app_server(database_url, tmp_path / "server") as app, chromium_page() as page:
        page.goto(f"{app.url}/dasbor")
        expect(page.get_by_role("heading", name="Masuk ke Netral")).to_be_visible(timeout=30000)
        settle(page)
        body = page.inner_text("body")
        assert "Sesi Rahasia Kohort" not in body and "Peserta Rahasia" not in body
        nav = page.get_by_test_id("stSidebarNavItems").inner_text()
        assert "Dasbor" not in nav and "Sesi pelatihan" not in nav
        page.screenshot(path=str(ARTIFACTS / "first-request-dasbor.png"), full_page=True)


def test_hr_and_trainer_flow_sessions_roster_dashboard_item_analysis(database_url: str, tmp_path: Path) -> None:
    """HR creates a session and imports a roster (first with errors), then reads the dashboard and item
    analysis of a demo cohort; every page is screenshotted."""
    from netral.content import load_content
    from netral.demo import fill_demo
    from netral.store.accounts import hash_password
    from netral.store.migrate import open_store

    store = open_store(database_url)
    content, _ = load_content()
    fill_demo(store, content, trainees=60, seed=3, staff_password_hash=hash_password(PASSWORD))
    store.dispose()
    bad = tmp_path / "peserta-salah.csv"
    bad.write_bytes("NIP;Nama\r\n1.98502E+17;Budi\r\n199013012015031001;Rina\r\n".encode("cp1252"))
    good = tmp_path / "peserta.csv"
    good.write_bytes("NIP;Nama;Unit Kerja;Jabatan\r\n198502142010012003;Dr. Siti Aminah, S.H.;BKPSDM;Analis\r\n"
                     "199001012015031001;André Wijaya;Dinkes;Perawat\r\n".encode("cp1252"))

    with app_server(database_url, tmp_path / "server") as app, chromium_page((1280, 900)) as page:
        page.goto(app.url)
        textbox(page, "NIP atau nama pengguna").fill("demo-hr")
        textbox(page, "Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        nav = page.get_by_test_id("stSidebarNavItems")
        expect(nav.get_by_role("link", name="Sesi pelatihan")).to_be_visible(timeout=30000)

        nav.get_by_role("link", name="Sesi pelatihan").click()
        settle(page)
        page.get_by_text("Buat sesi pelatihan baru").click()
        textbox(page, "Nama sesi").fill("Orientasi CPNS Banten 2026")
        quizzes = page.get_by_test_id("stForm").get_by_test_id("stMultiSelect").first
        quizzes.locator("input").focus()
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.click()
        page.keyboard.press("Tab")  # as in the quiz: Escape inside a form can swallow the next click
        expect(page.get_by_role("listbox")).to_have_count(0, timeout=10000)
        page.get_by_role("button", name="Buat sesi").click()
        expect(page.get_by_text("Kode sesi untuk peserta")).to_be_visible(timeout=30000)
        check_and_shoot(page, "staff-01-sesi-dibuat")

        # The new session is not the one shown first: pick it, then upload the rosters.
        choose(page, page.get_by_test_id("stSelectbox").filter(has_text="Sesi pelatihan"),
               re.compile("Orientasi CPNS Banten 2026"))
        expect(page.get_by_role("heading", name="Orientasi CPNS Banten 2026")).to_be_visible(timeout=30000)
        settle(page)
        expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(1, timeout=30000)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
        expect(page.get_by_text(re.compile("perlu diperbaiki"))).to_be_visible(timeout=30000)
        expect(page.get_by_role("button", name="Impor semua baris")).to_be_disabled()
        check_and_shoot(page, "staff-02-roster-bermasalah", show=page.get_by_role("button", name="Impor semua baris"))
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(good))
        expect(page.get_by_role("button", name="Impor semua baris")).to_be_enabled(timeout=30000)
        page.get_by_role("button", name="Impor semua baris").click()
        expect(page.get_by_text(re.compile("Impor selesai: 2 akun baru"))).to_be_visible(timeout=30000)
        check_and_shoot(page, "staff-03-roster-diimpor", show=page.get_by_text(re.compile("Impor selesai")))

        nav.get_by_role("link", name="Dasbor kohort").click()
        settle(page)
        choose(page, page.get_by_test_id("stSelectbox").first, re.compile("Pelatihan Netralitas ASN Banten 1"))
        check_and_shoot(page, "staff-04-dasbor", charts=4)
        assert "60" in page.get_by_test_id("stMetric").first.inner_text()

        nav.get_by_role("link", name="Analisis butir soal").click()
        settle(page)
        choose(page, page.get_by_test_id("stSelectbox").first, re.compile("Pelatihan Netralitas ASN Banten 1"))
        expect(page.get_by_text("Statistik per butir")).to_be_visible(timeout=30000)
        check_and_shoot(page, "staff-05-analisis-butir", show=page.get_by_text("Statistik per butir"))
