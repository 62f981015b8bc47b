"""AppTest for every page: each renders in both languages and does its job, on its own database."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader

from netral.content import load_content
from netral.store.accounts import Role, create_user, get_user
from netral.store.attempts import list_attempts
from netral.store.migrate import open_store
from netral.store.registration import set_registration_open
from netral.store.schema import utcnow
from netral.store.trainings import create_training, enrol
from tests.appkit import (
    PASSWORD,
    TRAINEE_NIP,
    answer_on_page,
    choose_several,
    make_user,
    new_app,
    open_page,
    scenario_on_screen,
)

CONTENT, _ = load_content()


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Every test gets a fresh SQLite store, as a new install would."""
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")


def fill_registration(at, nip: str, *, name: str = "Dr. Siti Aminah, S.H.", code: str = "",  # type: ignore[no-untyped-def]
                      password: str = PASSWORD, repeat: str | None = None) -> None:
    inputs = {}
    for widget in at.text_input:  # the first of each label: the registration tab comes before the claim tab
        inputs.setdefault(widget.label, widget)
    inputs["NIP (18 digit)"].input(nip)
    inputs["Nama lengkap (dengan gelar)"].input(name)
    inputs["Unit kerja"].input("BKPSDM Provinsi Banten")
    inputs["Jabatan"].input("Analis SDM Aparatur")
    inputs["Kode sesi pelatihan (jika ada)"].input(code)
    inputs["Kata sandi baru"].input(password)
    inputs["Ulangi kata sandi"].input(repeat if repeat is not None else password)


def click(at, label: str):  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# --- Masuk / Daftar ---------------------------------------------------------------------------------------


def test_a_visitor_sees_the_login_page_and_no_trainee_page() -> None:
    at = new_app()
    assert at.title[0].value == "Masuk ke Netral"
    # A page for logged-in users, opened directly, refuses and offers the login.
    at = open_page(at, "pages/data.py")  # public
    assert at.title[0].value.startswith("Data pelanggaran")


def test_register_with_a_valid_nip_logs_in_and_greets() -> None:
    at = new_app()
    fill_registration(at, "19900101 201503 1 001")
    click(at, "Daftar")
    # Logged in: the navigation now leads to the trainee's home page.
    assert at.title[0].value == "Selamat datang, Dr. Siti Aminah, S.H."
    user = get_user(open_store(), 1)
    assert user is not None and user.nip == TRAINEE_NIP and user.role is Role.TRAINEE


def test_register_with_a_bad_nip_says_which_digits_are_wrong_in_the_users_language() -> None:
    at = new_app()
    fill_registration(at, "199013012015031001")  # month 13
    click(at, "Daftar")
    errors = " ".join(e.value for e in at.error)
    assert "NIP tidak valid" in errors and "Digit 1-8" in errors
    at = new_app(lang="en")
    inputs = [w for w in at.text_input if w.label == "NIP (18 digits)"]
    inputs[0].input("199013012015031001")
    next(w for w in at.text_input if w.label == "Full name (with titles)").input("Siti")
    [w for w in at.text_input if w.label == "New password"][0].input(PASSWORD)
    [w for w in at.text_input if w.label == "Repeat the password"][0].input(PASSWORD)
    click(at, "Register")
    assert "Digits 1-8" in " ".join(e.value for e in at.error)
    assert get_user(open_store(), 1) is None  # nothing was written


def test_register_refuses_mismatched_passwords_and_an_unknown_join_code() -> None:
    at = new_app()
    fill_registration(at, TRAINEE_NIP, repeat="something-else")
    click(at, "Daftar")
    assert at.error[0].value == "Kedua kata sandi tidak sama."
    fill_registration(at, TRAINEE_NIP, code="ZZZZZZ")
    click(at, "Daftar")
    assert "Kode sesi tidak dikenal" in at.error[0].value


def test_register_with_a_join_code_enrols_in_the_session() -> None:
    hr, _ = make_user(Role.HR, nip=None, login="hr.banten", name="HR Banten")
    training = create_training(open_store(), CONTENT, hr, name="Netralitas Pilkada 2026", quiz_ids=["penyegaran-pemilu"],
                               opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=10))
    at = new_app()
    fill_registration(at, TRAINEE_NIP, code=training.join_code.lower())
    click(at, "Daftar")
    assert "Netralitas Pilkada 2026" in " ".join(m.value for m in at.markdown)


def test_closed_registration_leaves_only_rostered_nips_who_claim_their_account() -> None:
    store = open_store()
    admin, _ = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    hr = create_user(store, login="hr", name="HR", password=PASSWORD, role=Role.HR)
    set_registration_open(store, admin, False)
    training = create_training(store, CONTENT, hr, name="Orientasi CPNS", quiz_ids=["pretest-cpns"],
                               opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    rostered = create_user(store, login=TRAINEE_NIP, nip=TRAINEE_NIP, name="Budi", password=None)
    enrol(store, rostered.id, training.id)

    at = new_app()
    assert any("ditutup" in i.value for i in at.info)
    fill_registration(at, "199202022016041002")
    click(at, "Daftar")
    assert "Pendaftaran mandiri sedang ditutup" in at.error[0].value
    fill_registration(at, TRAINEE_NIP)
    click(at, "Daftar")
    assert "Aktifkan akun dari BKPSDM" in at.error[0].value  # told to claim instead

    at = new_app()
    at.text_input(key="claim_nip").input(TRAINEE_NIP)
    at.text_input(key="claim_code").input("WRONG1")
    at.text_input(key="claim_password").input(PASSWORD)
    at.text_input(key="claim_repeat").input(PASSWORD)
    click(at, "Aktifkan akun")
    assert "tidak cocok" in at.error[0].value
    at.text_input(key="claim_code").input(training.join_code)
    click(at, "Aktifkan akun")
    assert not at.error
    assert at.title[0].value == "Selamat datang, Budi"


def test_login_errors_do_not_reveal_the_account_and_five_failures_lock() -> None:
    make_user()
    at = new_app()
    at.text_input[0].input(TRAINEE_NIP)
    at.text_input[1].input("wrong-password")
    click(at, "Masuk")
    assert at.error[0].value == "NIP/nama pengguna atau kata sandi salah."
    at.text_input[0].input("199202022016041002")  # no such account: the same message
    click(at, "Masuk")
    assert at.error[0].value == "NIP/nama pengguna atau kata sandi salah."
    at.text_input[0].input(TRAINEE_NIP)
    for _ in range(4):
        click(at, "Masuk")
    assert "15 menit" in at.error[0].value
    at.text_input[1].input(PASSWORD)  # even the right password waits out the lock
    click(at, "Masuk")
    assert "15 menit" in at.error[0].value


def test_login_with_nip_written_with_spaces() -> None:
    make_user()
    at = new_app()
    at.text_input[0].input("19900101 201503 1 001")
    at.text_input[1].input(PASSWORD)
    click(at, "Masuk")
    assert at.title[0].value == "Selamat datang, Siti Aminah, S.H."


# --- set-up and account -------------------------------------------------------------------------------------


def test_setup_link_creates_the_first_administrator_once() -> None:
    from netral.store.accounts import has_admin, issue_setup_token

    token = issue_setup_token(open_store())
    at = new_app()
    at.query_params["token"] = "not-the-token"
    at.run()
    at = open_page(at, "pages/pengaturan_awal.py")
    inputs = {w.label: w for w in at.text_input}
    inputs["Nama pengguna administrator"].input("admin")
    inputs["Nama lengkap (dengan gelar)"].input("Administrator BKPSDM")
    inputs["Kata sandi baru"].input(PASSWORD)
    inputs["Ulangi kata sandi"].input(PASSWORD)
    click(at, "Buat administrator")
    assert "tidak berlaku" in at.error[0].value and not has_admin(open_store())
    at.query_params["token"] = token
    click(at, "Buat administrator")
    assert has_admin(open_store())


def test_password_change_ends_the_login_and_the_new_password_works() -> None:
    _, token = make_user()
    at = open_page(new_app(token=token), "pages/akun.py")
    at.text_input[0].input(PASSWORD)
    at.text_input[1].input("kata-sandi-baru")
    at.text_input[2].input("kata-sandi-baru")
    click(at, "Ganti kata sandi")
    from netral.store.accounts import resolve_login_session
    assert resolve_login_session(open_store(), token) is None
    assert at.title[0].value == "Masuk ke Netral"
    assert "Kata sandi sudah diganti" in at.success[0].value


def test_logout_revokes_the_login() -> None:
    from netral.store.accounts import resolve_login_session

    _, token = make_user()
    at = open_page(new_app(token=token), "pages/akun.py")
    click(at, "Keluar")
    assert resolve_login_session(open_store(), token) is None
    assert at.title[0].value == "Masuk ke Netral"


def test_language_choice_is_kept_in_the_account() -> None:
    user, token = make_user()
    at = new_app(token=token)
    at.radio(key="language_switch").set_value("en").run()
    assert get_user(open_store(), user.id).language == "en"  # type: ignore[union-attr]
    at = new_app(token=token)  # another device: no ?lang in its address
    assert at.title[0].value.startswith("Welcome")


# --- practice --------------------------------------------------------------------------------------------


def practice_app():  # type: ignore[no-untyped-def]
    _, token = make_user()
    return open_page(new_app(token=token), "pages/latihan.py")


def test_practice_scores_the_key_answer_and_cites_provisions() -> None:
    at = practice_app()
    scenario = CONTENT.scenarios[at.selectbox(key="practice_scenario").value]
    answer_on_page(at, CONTENT, "q", scenario.id)
    click(at, "Periksa jawaban")
    assert at.metric[0].value == "100%"
    captions = " ".join(c.value for c in at.caption)
    first_cited = scenario.questions[0].options[0].cites[0]
    assert CONTENT.provisions[first_cited].instrument in captions
    assert "Sanksi" in captions
    from netral.store.practice import practice_history
    assert [row[0] for row in practice_history(open_store(), 1)] == [scenario.id]


def test_practice_refuses_an_incomplete_answer() -> None:
    at = practice_app()
    click(at, "Periksa jawaban")
    assert at.error and "Jawab semua" in at.error[0].value
    assert not at.metric


def test_practice_shows_contested_provisions_as_contested() -> None:
    contested = next(s for s in CONTENT.standalone_scenarios() if any(
        CONTENT.provisions[p].status.value == "contested" for p in s.cited_provisions if p in CONTENT.provisions))
    at = practice_app()
    at.selectbox(key="practice_category").set_value(contested.category).run()
    at.selectbox(key="practice_scenario").set_value(contested.id).run()
    for question in contested.questions:
        widget_key = f"q_{contested.id}_{question.facet.value}"
        ids = [o.id for o in question.options]
        if question.multiple:
            choose_several(at, widget_key, ids, ids)  # choose everything: every citation shows
        else:
            at.radio(key=widget_key).set_value(ids[0])
    click(at, "Periksa jawaban")
    assert "DIPERSELISIHKAN" in " ".join(c.value for c in at.caption)


def test_branching_choice_leads_to_the_follow_up() -> None:
    branching = next(s for s in CONTENT.standalone_scenarios() if s.next_scenarios)
    question, option = next((q, o) for q in branching.questions for o in q.options if o.next)
    at = practice_app()
    at.selectbox(key="practice_category").set_value(branching.category).run()
    at.selectbox(key="practice_scenario").set_value(branching.id).run()
    for q in branching.questions:
        widget_key = f"q_{branching.id}_{q.facet.value}"
        pick = option.id if q is question else q.options[0].id
        if q.multiple:
            choose_several(at, widget_key, [o.id for o in q.options], [pick])
        else:
            at.radio(key=widget_key).set_value(pick)
    click(at, "Periksa jawaban")
    at.button(key="go_followup").click().run()
    assert not at.exception
    assert at.subheader[0].value == CONTENT.scenarios[option.next].title.id


def test_smart_practice_names_its_reason_and_moves_on_after_an_answer() -> None:
    _, token = make_user()
    at = open_page(new_app(token=token), "pages/latihan_cerdas.py")
    assert "belum pernah Anda latih" in at.info[0].value  # a new trainee: every category is new
    first = scenario_on_screen(at, "s0")
    answer_on_page(at, CONTENT, "s0", first, correct=False)
    click(at, "Periksa jawaban")
    assert at.metric, "feedback after the answer"
    click(at, "Kasus berikutnya")
    assert scenario_on_screen(at, "s1") != first


# --- quiz, result, progress, certificate, verification ------------------------------------------------------


def take_quiz_to_the_end(at, *, correct: bool = True) -> int:  # type: ignore[no-untyped-def]
    """Answer every question on the quiz page, following the sequence, and return the attempt id."""
    attempt_id = int(at.query_params["attempt"][0] if isinstance(at.query_params["attempt"], list)
                     else at.query_params["attempt"])
    prefix = f"a{attempt_id}"
    for _ in range(200):
        scenario_id = scenario_on_screen(at, prefix)
        answer_on_page(at, CONTENT, prefix, scenario_id, correct=correct)
        progress_before = at.get("progress")[0].proto.text
        click(at, "Simpan & berikutnya")
        if at.get("progress")[0].proto.text == progress_before:  # the last question: nothing new to answer
            break
    return attempt_id


def test_quiz_to_the_end_then_result_progress_certificate_and_verification(downloads: dict[str, bytes]) -> None:
    user, token = make_user()
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == "start_free_lanjutan-pejabat").click()
    at.run()
    assert "Sisa waktu" in at.get("html")[0].proto.body if at.get("html") else True
    attempt_id = take_quiz_to_the_end(at)
    progress = at.get("progress")[0].proto
    assert progress.value == 100
    click(at, "Kumpulkan kuis")
    assert "Centang konfirmasi" in at.error[0].value  # no submission without the confirmation
    next(c for c in at.checkbox if c.label.startswith("Saya yakin")).check()  # not an answer checkbox
    click(at, "Kumpulkan kuis")
    assert at.title[0].value == "Hasil"
    assert at.metric[0].value == "100%"
    assert at.metric[2].value == "Lulus"
    assert "Sanksi" in " ".join(c.value for c in at.caption)

    at = open_page(at, "pages/progres.py")
    charts = at.get("vega_lite_chart")  # scores over time; my mastery and the real cases, two charts
    assert len(charts) == 3 and all(chart.proto.datasets for chart in charts)
    assert at.get("arrow_data_frame") or at.dataframe

    at = open_page(at, "pages/sertifikat.py")
    caption = next(c.value for c in at.caption if "kode verifikasi" in c.value)
    code = caption.rsplit(" ", 1)[1]
    pdf = downloads[f"sertifikat-netral-{attempt_id}.pdf"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Siti Aminah" in text and "19900101 201503 1 001" in text and code in text

    visitor = open_page(new_app(), "pages/verifikasi.py")
    visitor.text_input[0].input(code.lower().replace("-", " "))
    click(visitor, "Periksa")
    assert "asli" in visitor.success[0].value
    assert "Siti Aminah" in " ".join(m.value for m in visitor.markdown)
    assert TRAINEE_NIP not in " ".join(m.value for m in visitor.markdown)  # the public page masks the NIP
    visitor.text_input[0].input("NTRL-0000-0000-0000")
    click(visitor, "Periksa")
    assert "tidak dikenal" in visitor.error[0].value.lower()
    assert list_attempts(open_store(), user.id)[0].id == attempt_id


def test_a_quiz_resumes_after_a_refresh_with_its_answers_and_timer() -> None:
    user, token = make_user()
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == "start_free_pretest-cpns").click()
    at.run()
    attempt_id = int(at.query_params["attempt"])
    first = scenario_on_screen(at, f"a{attempt_id}")
    answer_on_page(at, CONTENT, f"a{attempt_id}", first)
    click(at, "Simpan & berikutnya")
    second = scenario_on_screen(at, f"a{attempt_id}")
    deadline = list_attempts(open_store(), user.id)[0].deadline_at

    # A refresh is a new session: log in again (the cookie does that in a browser) and resume.
    from netral.store.accounts import start_login_session
    again = open_page(new_app(token=start_login_session(open_store(), user.id)), "pages/kuis.py")
    resume = next(b for b in again.button if b.key == f"resume_{attempt_id}")
    resume.click()
    again.run()
    # The same plan, opened at the first question still unanswered.
    assert scenario_on_screen(again, f"a{attempt_id}") == second
    assert "1 dari" in again.get("progress")[0].proto.text
    again.selectbox(key=f"jump_{attempt_id}_1").set_value(0).run()
    assert scenario_on_screen(again, f"a{attempt_id}") == first
    scenario = CONTENT.scenarios[first]
    saved = {q.facet.value: again.radio(key=f"a{attempt_id}_{first}_{q.facet.value}").value
             for q in scenario.questions if not q.multiple}
    assert all(saved.values()), "the saved answers are shown again"
    click(again, "Simpan & berikutnya")
    assert scenario_on_screen(again, f"a{attempt_id}") == second
    assert list_attempts(open_store(), user.id)[0].deadline_at == deadline  # the timer kept running


def test_results_page_explains_a_failed_attempt() -> None:
    _, token = make_user()
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == "start_free_lanjutan-pejabat").click()
    at.run()
    take_quiz_to_the_end(at, correct=False)
    next(c for c in at.checkbox if c.label.startswith("Saya yakin")).check()  # not an answer checkbox
    click(at, "Kumpulkan kuis")
    assert at.metric[2].value == "Belum lulus"
    assert at.warning
    at = open_page(at, "pages/sertifikat.py")
    assert "Belum ada kuis yang lulus" in at.info[0].value



def test_results_page_reviews_one_question_at_a_time_with_every_score_listed() -> None:
    """The feedback of every question at once ran past 8,000 px on a phone: the page lists each question's
    score and shows one question, with buttons to the next and previous."""
    _, token = make_user()
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == "start_free_lanjutan-pejabat").click()
    at.run()
    attempt_id = take_quiz_to_the_end(at, correct=False)
    next(c for c in at.checkbox if c.label.startswith("Saya yakin")).check()
    click(at, "Kumpulkan kuis")
    at = open_page(at, "pages/hasil.py")  # AppTest reruns the page it opened, not the one switched to
    assert at.title[0].value == "Hasil"
    pills = at.get("button_group")[0].proto
    assert len(pills.options) >= 10 and pills.options[0].content.startswith("1 · ")
    headings = lambda: [m.value for m in at.markdown if m.value.startswith("#### ")]  # noqa: E731
    assert len(headings()) == 1 and headings()[0].startswith("#### Soal 1:")
    assert next(b for b in at.button if b.label == "Soal sebelumnya").disabled
    click(at, "Soal berikutnya")
    assert len(headings()) == 1 and headings()[0].startswith("#### Soal 2:")
    click(at, "Soal sebelumnya")
    assert headings()[0].startswith("#### Soal 1:")
    assert at.session_state[f"result_question_{attempt_id}"] == 0

# --- data and the home page ----------------------------------------------------------------------------


def test_data_page_draws_every_statistics_chart_with_its_source() -> None:
    at = open_page(new_app(lang="en"), "pages/data.py")
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(CONTENT.datasets)
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or spec.get("layer", [{}])[0].get("title")
        assert title, spec.keys()
        assert chart.proto.datasets, "chart has no data"
    captions = " ".join(c.value for c in at.caption)
    assert "Source: Bawaslu RI, 2020" in captions
    assert "1,597" in captions  # the disagreement between sources is shown, not hidden


@pytest.mark.parametrize("lang, greeting", [("id", "Selamat datang"), ("en", "Welcome")])
def test_home_page_lists_assignments_with_deadlines(lang: str, greeting: str) -> None:
    store = open_store()
    hr = create_user(store, login="hr", name="HR", password=PASSWORD, role=Role.HR)
    user, token = make_user()
    training = create_training(store, CONTENT, hr, name="Netralitas Pemilu", quiz_ids=["penyegaran-pemilu"],
                               opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=3))
    enrol(store, user.id, training.id)
    at = new_app(lang=lang, token=token)
    assert at.title[0].value.startswith(greeting)
    assert "Netralitas Pemilu" in " ".join(m.value for m in at.markdown)
    assert any(training.closes_at.strftime("%d-%m-%Y") in c.value for c in at.caption)


def test_bar_charts_list_the_largest_first() -> None:
    from netral.charts import chart_for

    index = CONTENT.datasets["ikn-asn-2024"]
    spec = chart_for(index, "id").to_dict()
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order[:3] == ["Maluku Utara", "Sulawesi Utara", "Banten"]


# --- single sign-on -------------------------------------------------------------------------------------------

SSO_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                        "client_id": "netral", "client_secret": "s",
                        "server_metadata_url": "https://sso.example.go.id/.well-known/openid-configuration"}}


def sso_app(user: dict[str, object]):  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from tests.appkit import ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets = SSO_SECRETS
    at.user = user
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_single_sign_on_is_offered_only_when_configured() -> None:
    assert not [b for b in new_app().button if b.label.startswith("Masuk dengan akun instansi")]
    at = sso_app({"is_logged_in": False})
    assert [b for b in at.button if b.label == "Masuk dengan akun instansi (SSO)"]


def test_single_sign_on_matches_an_account_by_email_or_nip() -> None:
    store = open_store()
    create_user(store, login="pelatih", name="Pelatih Banten", password=None, role=Role.TRAINER,
                email="pelatih@bkpsdm.bantenprov.go.id")
    at = sso_app({"is_logged_in": True, "email": "Pelatih@bkpsdm.bantenprov.go.id"})
    at.run()  # the login leads to the home page on the next run
    assert at.title[0].value == "Selamat datang, Pelatih Banten"
    stranger = sso_app({"is_logged_in": True, "email": "orang.lain@example.org"})
    assert "belum terhubung" in stranger.error[0].value


def test_logging_out_of_a_single_sign_on_login_also_ends_the_provider_login() -> None:
    store = open_store()
    create_user(store, login="pelatih", name="Pelatih Banten", password=None, role=Role.TRAINER,
                email="pelatih@bkpsdm.bantenprov.go.id")
    at = sso_app({"is_logged_in": True, "email": "pelatih@bkpsdm.bantenprov.go.id"})
    at = open_page(at, "pages/akun.py")
    click(at, "Keluar")
    assert at.title[0].value == "Masuk ke Netral"
    assert not at.user.get("is_logged_in")


def test_an_unreachable_database_shows_a_retry_message_not_a_traceback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, token = make_user()
    at = new_app(token=token)
    # The database goes away (the store's own retries are exhausted): every query now fails.
    monkeypatch.setenv("NETRAL_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    at.run()
    assert not at.exception
    assert "tidak dapat dihubungi" in at.error[0].value
    assert at.button(key="_netral_retry").label == "Coba lagi"
