"""Netral on a phone: Chromium as a 360 x 800 touch screen (device scale 2, mobile user agent). Every page
is opened: signed out, the login, set-up and verification pages; a trainee registers, practises, takes a
quiz to its result and opens progress, data, smart and extra practice, certificates and the account page;
HR opens the cohort dashboard of a demo cohort, the sessions, item analysis and question bank; an
administrator the admin page. No page may scroll sideways (neither the document nor Streamlit's own scroll
container), no chart may be left with no room for its bars, no page shows an exception box; each page is
saved as test-artifacts/phone-*.png (the first screen) and phone-*-full.png (the whole page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.serverkit import (
    ARTIFACTS, CHROMIUM_ARGS, PASSWORD, counts, progress_text, register, run_finished, textbox)
from tests.test_browser import server  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 360, "height": 800},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Mobile Safari/537.36"),
    "locale": "id-ID",
}

# The widths that matter, and what sticks out furthest past the screen's right edge (for the failure message):
# each element named by the data-testid of its nearest Streamlit ancestor.
MEASURE = """() => {
    const main = document.querySelector('[data-testid="stMain"]') || document.querySelector('section.main');
    const limit = window.innerWidth + 1;
    const wide = [];
    for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > limit) {
            const owner = el.closest('[data-testid]');
            wide.push([Math.round(box.right), `${el.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : '?'}`]);
        }
    }
    wide.sort((a, b) => b[0] - a[0]);
    return {
        docScroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        mainScroll: main ? main.scrollWidth : null, mainClient: main ? main.clientWidth : null,
        mainHeight: main ? main.scrollHeight : 0,
        wide: [...new Set(wide.map(([right, what]) => `${what} right=${right}`))].slice(0, 6),
    };
}"""


# Charts whose marks (bars, points, cells, lines) are all drawn with no width or height: the axis labels and
# the legend have taken the whole width, so the chart shows labels and nothing else.
EMPTY_CHARTS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].flatMap((chart, index) => {
    const marks = [...chart.querySelectorAll(
        'g.mark-rect.role-mark > *, g.mark-symbol.role-mark > *, g.mark-line.role-mark > *, g.mark-area.role-mark > *')];
    const drawn = marks.filter(el => { const box = el.getBoundingClientRect(); return box.width >= 2 && box.height >= 2; });
    const title = chart.querySelector('.role-title-text')?.textContent || '';
    return marks.length && !drawn.length ? [`chart ${index + 1} (${title.slice(0, 60)}): ${marks.length} marks, none drawn`] : [];
})"""


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A demo cohort (HR login `demo-hr`) and an administrator beside the trainee this test registers."""
    from netral.content import load_content
    from netral.demo import fill_demo
    from netral.store.accounts import Role, create_user, hash_password
    from netral.store.migrate import open_store

    url = f"sqlite:///{tmp_path / 'phone.db'}"
    store = open_store(url)
    content, _ = load_content()
    fill_demo(store, content, trainees=40, seed=5, staff_password_hash=hash_password(PASSWORD))
    create_user(store, login="admin-ponsel", name="Admin Ponsel", password=PASSWORD, role=Role.ADMIN)
    store.dispose()
    return url


@pytest.fixture
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def settle_phone(page: Page) -> None:
    """`settle` for a phone: Streamlit shows no "Running..." widget on a narrow screen, so wait for the end
    of the run by the flag on its root element, and for every placeholder to be filled."""
    page.wait_for_load_state("networkidle")
    run_finished(page)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30000)
    page.wait_for_timeout(300)


def check_phone_page(page: Page, name: str, problems: list[str], *, charts: int = 0) -> None:
    """Screenshots of the first screen and of the whole page; an exception box or a missing chart fails at
    once, sideways scrolling is added to `problems` (the test fails on them at its end, so one run shows
    every page)."""
    settle_phone(page)
    if charts:
        expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(charts, timeout=30000)
        for chart in page.get_by_test_id("stVegaLiteChart").all():
            chart.scroll_into_view_if_needed()
            expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30000)
        page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
        settle_phone(page)
        problems.extend(f"{name}: {empty}" for empty in page.evaluate(EMPTY_CHARTS))
    sizes = page.evaluate(MEASURE)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
    # Streamlit scrolls inside its own container, so a full-page shot holds one screen: make the screen as
    # tall as the page for the whole-page picture (the width, which decides the layout, stays 360).
    height = max(800, min(int(sizes["mainHeight"]) + 60, 8000))
    page.set_viewport_size({"width": 360, "height": height})
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-full.png"))
    page.set_viewport_size(PHONE["viewport"])
    page.wait_for_timeout(200)

    assert page.get_by_test_id("stException").count() == 0, f"{name}: an exception is shown"
    assert sizes["mainClient"] is not None, f"{name}: no Streamlit main container"
    if sizes["docScroll"] > sizes["inner"] + 1:
        problems.append(f"{name}: the page scrolls sideways: {sizes}")
    if sizes["mainScroll"] > sizes["mainClient"] + 1:
        problems.append(f"{name}: the main container scrolls sideways: {sizes}")


def visit(page: Page, server: str, path: str, name: str, problems: list[str], *, charts: int = 0) -> None:
    """Open a page by its address, wait for its title, and check it as `check_phone_page` does."""
    page.goto(f"{server}/{path}")
    expect(page.get_by_test_id("stMain").locator("h1").first).to_be_visible(timeout=30000)
    if charts:
        expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30000)
    check_phone_page(page, name, problems, charts=charts)


def log_in_by_touch(page: Page, server: str, login: str) -> None:
    page.goto(server)
    textbox(page, "NIP atau nama pengguna").fill(login)
    textbox(page, "Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).tap()
    expect(page.get_by_role("heading", name=re.compile("Selamat datang"))).to_be_visible(timeout=30000)


def current_form_key(page: Page) -> str:
    """The CSS class of the question's first widget (`st-key-a<attempt>_<scenario>_verdict`)."""
    classes = page.locator('[class*="_verdict"][class*="st-key-a"]').first.get_attribute("class") or ""
    return next(c for c in classes.split() if c.startswith("st-key-a") and c.endswith("_verdict"))


def answer_by_touch(page: Page) -> None:
    """Tap the first option of every question on screen: a radio's first label, and in a question that
    takes several answers (checkboxes keyed `<question key>__<option>`) its first box, unless ticked."""
    run_finished(page)
    form = page.get_by_test_id("stForm").first
    for group in form.get_by_test_id("stRadio").all():
        group.get_by_role("radiogroup").locator("label").first.tap()
    seen: set[str] = set()
    for box in form.locator('[class*="st-key-a"][class*="__"]').all():
        key = next(c for c in (box.get_attribute("class") or "").split() if c.startswith("st-key-a") and "__" in c)
        if key.rsplit("__", 1)[0] in seen:
            continue
        seen.add(key.rsplit("__", 1)[0])
        box.scroll_into_view_if_needed()
        if not box.get_by_role("checkbox").is_checked():
            box.locator("label").first.tap()
    page.evaluate("document.activeElement && document.activeElement.blur()")


def save_by_touch(page: Page, last: bool) -> None:
    before_key, before_progress = current_form_key(page), progress_text(page)
    page.get_by_role("button", name="Simpan & berikutnya").tap()
    if last:  # the last question stays on screen after saving, unless it branches
        expect(page.get_by_test_id("stProgress")).not_to_have_text(before_progress, timeout=30000)
    else:
        expect(page.locator(f".{before_key}")).to_have_count(0, timeout=30000)
    settle_phone(page)


def finish_by_touch(page: Page) -> None:
    for _ in range(25):
        answered, total = counts(page)
        if answered == total:
            break
        answer_by_touch(page)
        save_by_touch(page, last=answered + 1 == total)
    answered, total = counts(page)
    assert answered == total > 0, f"{answered}/{total} answered"
    page.get_by_text("Saya yakin ingin mengumpulkan kuis ini").tap()
    page.get_by_role("button", name="Kumpulkan kuis").tap()
    expect(page.get_by_role("heading", name="Hasil", exact=True)).to_be_visible(timeout=30000)


def test_a_trainee_on_a_phone_never_scrolls_sideways(server: str, browser: Browser) -> None:  # noqa: F811
    problems: list[str] = []
    page = browser.new_context(**PHONE).new_page()
    page.goto(server)
    expect(page.get_by_role("heading", name="Masuk ke Netral")).to_be_visible(timeout=30000)
    check_phone_page(page, "01-masuk", problems)
    visit(page, server, "pengaturan-awal", "01b-pengaturan-awal", problems)
    visit(page, server, "verifikasi", "01c-verifikasi", problems)

    register(page, server)
    check_phone_page(page, "02-beranda", problems)

    page.goto(f"{server}/latihan")
    expect(page.get_by_test_id("stForm").first).to_be_visible(timeout=30000)
    check_phone_page(page, "03-latihan", problems)

    page.goto(f"{server}/kuis")
    start = page.locator(".st-key-start_free_pretest-cpns button")
    expect(start).to_be_visible(timeout=30000)
    check_phone_page(page, "04-kuis-pilih", problems)
    start.tap()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    settle_phone(page)
    # The provisions are checkboxes whose long texts wrap (a multiselect cut them to a few words): every
    # option's whole text is on the screen, inside its width.
    provisions = page.get_by_test_id("stForm").first.locator('[class*="_provisions__"]')
    expect(provisions.first).to_be_visible(timeout=30000)
    provisions.first.scroll_into_view_if_needed()
    texts = provisions.evaluate_all("""boxes => boxes.map(box => {
        const text = box.querySelector('[data-testid="stMarkdownContainer"]') || box;
        return [text.innerText.trim(), text.scrollWidth <= text.clientWidth + 1, box.getBoundingClientRect().right];
    })""")
    assert texts and all(text for text, _, _ in texts), texts
    cut = [text for text, fits, right in texts if not fits or right > 361]
    if cut:
        problems.append(f"05-kuis-pilihan: provision texts cut or wider than the screen: {cut}")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "phone-05-kuis-pilihan.png"))
    answer_by_touch(page)  # a question with its choices made, as a trainee sees it before saving
    check_phone_page(page, "05-kuis-soal", problems)
    finish_by_touch(page)
    check_phone_page(page, "06-hasil", problems)

    page.goto(f"{server}/progres")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30000)
    check_phone_page(page, "07-progres", problems, charts=3)

    page.goto(f"{server}/data")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30000)
    check_phone_page(page, "08-data", problems, charts=7)

    visit(page, server, "latihan-cerdas", "08b-latihan-cerdas", problems)
    visit(page, server, "latihan-tambahan", "08c-latihan-tambahan", problems)
    visit(page, server, "sertifikat", "08d-sertifikat", problems)
    visit(page, server, "akun", "08e-akun", problems)

    # The navigation is behind the menu button on a phone; it must open and list the trainee's pages.
    page.get_by_test_id("stExpandSidebarButton").tap()
    nav = page.get_by_test_id("stSidebarNavItems")
    expect(nav.get_by_role("link", name="Kuis")).to_be_visible(timeout=10000)
    page.screenshot(path=str(ARTIFACTS / "phone-09-menu.png"))
    assert not problems, "\n".join(problems)


def test_hr_and_an_administrator_use_the_staff_pages_on_a_phone(server: str, browser: Browser) -> None:  # noqa: F811
    problems: list[str] = []
    page = browser.new_context(**PHONE).new_page()
    log_in_by_touch(page, server, "demo-hr")

    # The demo cohort has one training session, which the dashboard shows at once.
    page.goto(f"{server}/dasbor")
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30000)
    check_phone_page(page, "10-dasbor", problems, charts=4)
    assert "40" in page.get_by_test_id("stMetric").first.inner_text()

    visit(page, server, "sesi", "11-sesi", problems)
    visit(page, server, "analisis-butir", "12-analisis-butir", problems)
    visit(page, server, "bank-soal", "13-bank-soal", problems)

    admin = browser.new_context(**PHONE).new_page()
    log_in_by_touch(admin, server, "admin-ponsel")
    visit(admin, server, "admin", "14-admin", problems)
    assert not problems, "\n".join(problems)
