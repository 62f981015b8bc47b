"""AppTest for the trainers' and HR pages: sessions, roster import, completion report, dashboard, item
analysis, administration, every export read back; and the gates that keep trainees out."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from netral.content import load_content
from netral.store.accounts import Role, create_user
from netral.store.migrate import open_store
from netral.store.schema import utcnow
from netral.store.trainings import create_training, list_trainings
from tests.appkit import PASSWORD, make_user, new_app, open_page

CONTENT, _ = load_content()
GOOD_ROSTER = ("NIP;Nama;Unit Kerja;Jabatan;Email\r\n"
               "198502142010012003;Dr. Siti Aminah, S.H., M.H.;BKPSDM Kota Serang;Analis SDM;\r\n"
               "199001012015031001;=HYPERLINK(\"http://x\");Dinas Pendidikan;Guru;\r\n").encode("cp1252")
BAD_ROSTER = ("NIP;Nama;Unit Kerja\r\n"
              "198502142010012003;Siti;BKPSDM\r\n"
              "1.98502E+17;Budi;Dinkes\r\n"
              "199013012015031001;;Dinkes\r\n").encode("utf-8")


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'staff.db'}")


def click(at, label: str):  # type: ignore[no-untyped-def]
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def hr_app(page: str):  # type: ignore[no-untyped-def]
    _, token = make_user(Role.HR, nip=None, login="hr.banten", name="HR Banten")
    return open_page(new_app(token=token), page)


def test_hr_creates_a_session_and_sees_its_join_code() -> None:
    at = hr_app("pages/sesi.py")
    assert "Belum ada sesi pelatihan." in at.info[0].value
    at.text_input[0].input("Orientasi CPNS 2026")
    at.multiselect[0].set_value(["pretest-cpns"])
    at.number_input[2].set_value(20)
    click(at, "Buat sesi")
    training = list_trainings(open_store(), _hr())[0]
    assert training.name == "Orientasi CPNS 2026" and training.jp_hours == 20
    assert training.join_code in at.success[0].value
    click(at, "Tutup sesi")
    assert list_trainings(open_store(), _hr())[0].status == "closed"


def test_creating_an_invalid_session_says_why() -> None:
    at = hr_app("pages/sesi.py")
    at.text_input[0].input("Tanpa kuis")
    click(at, "Buat sesi")
    assert at.error[0].value == "Pilih setidaknya satu kuis."


def _hr():  # type: ignore[no-untyped-def]
    from netral.store.accounts import authenticate

    return authenticate(open_store(), "hr.banten", PASSWORD).user


def with_session(page: str):  # type: ignore[no-untyped-def]
    at = hr_app(page)
    create_training(open_store(), CONTENT, _hr(), name="Netralitas Pilkada", quiz_ids=["lanjutan-pejabat"],
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    at.run()
    return at


def test_roster_import_with_errors_then_without_then_again(downloads: dict[str, bytes]) -> None:
    at = with_session("pages/sesi.py")
    at.file_uploader[0].upload("peserta.csv", BAD_ROSTER, "text/csv").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "3" in warning  # rows with problems are counted
    assert next(b for b in at.button if b.label == "Impor semua baris").disabled
    at.file_uploader[0].upload("peserta.csv", GOOD_ROSTER, "text/csv").run()
    click(at, "Impor semua baris")
    assert "2 akun baru" in at.success[-1].value
    click(at, "Impor semua baris")
    assert "0 akun baru, 0 diperbarui, 0 didaftarkan" in at.success[-1].value  # a second import changes nothing

    people = downloads[next(n for n in downloads if n.startswith("laporan-penyelesaian") and n.endswith(".csv"))]
    rows = list(csv.reader(io.StringIO(people.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Nama", "NIP"]
    names = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in names  # neutralised: Excel shows the text, runs nothing
    workbook = openpyxl.load_workbook(io.BytesIO(downloads[next(n for n in downloads if n.startswith(
        "laporan-penyelesaian") and n.endswith(".xlsx"))]))
    sheet = workbook.active
    nips = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "198502142010012003" in nips  # the NIP is text, not 1.98502E+17


def test_dashboard_and_item_analysis_on_a_demo_cohort(downloads: dict[str, bytes]) -> None:
    from netral.demo import fill_demo

    admin, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    fill_demo(open_store(), CONTENT, trainees=40, seed=7)
    at = open_page(new_app(token=token), "pages/dasbor.py")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Terdaftar"]) == 40
    charts = at.get("vega_lite_chart")  # distribution, units by category, the cohort's mastery, real cases
    assert len(charts) == 4 and all(chart.proto.datasets for chart in charts)
    assert at.dataframe, "the trainee table"
    scores = downloads[next(n for n in downloads if n.startswith("nilai-kohort") and n.endswith(".csv"))]
    assert len(list(csv.reader(io.StringIO(scores.decode("utf-8-sig"))))) == 41  # header + 40 trainees
    at.selectbox(key="dash_person").set_value(at.selectbox(key="dash_person").options[1]).run()
    assert at.expander, "the trainee's attempts"

    at = open_page(at, "pages/analisis_butir.py")
    assert not at.exception
    assert len(at.dataframe) == 2  # test statistics and per-item statistics
    analysis = downloads[next(n for n in downloads if n.startswith("analisis-butir") and n.endswith(".xlsx"))]
    sheet = openpyxl.load_workbook(io.BytesIO(analysis)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert "Indeks kemudahan" in header and "Indeks daya beda" in header
    from netral.store.itemdata import quiz_slots

    quiz = CONTENT.quizzes[at.selectbox(key="items_quiz").value]
    assert sheet.max_row == 1 + len(quiz_slots(quiz, CONTENT).max_marks)  # one row per analysed item


def test_admin_closes_registration_and_creates_a_trainer() -> None:
    from netral.store.registration import registration_open

    _, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    at = open_page(new_app(token=token), "pages/admin.py")
    at.toggle[0].set_value(False).run()
    assert not registration_open(open_store())
    at.text_input[0].input("pelatih.serang")
    at.text_input[1].input("Pelatih Serang")
    at.text_input[4].input(PASSWORD)
    click(at, "Buat akun")
    assert at.success[0].value == "Akun Pelatih Serang (Pelatih) dibuat."
    actions = " ".join(str(v) for frame in at.dataframe for v in frame.value.iloc[:, 2])
    assert "Akun dibuat" in actions and "Pengaturan pendaftaran diubah" in actions


@pytest.mark.parametrize("page", ["pages/sesi.py", "pages/dasbor.py", "pages/analisis_butir.py", "pages/admin.py"])
def test_a_trainee_never_sees_a_staff_page(page: str) -> None:
    """Even opened directly (as the first request to a fresh server can), a staff page refuses a trainee."""
    from streamlit.testing.v1 import AppTest

    from tests.appkit import ROOT

    store = open_store()
    hr = create_user(store, login="hr", name="HR", password=PASSWORD, role=Role.HR)
    create_training(store, CONTENT, hr, name="Sesi Rahasia", quiz_ids=["pretest-cpns"],
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    _, token = make_user()
    navigation = new_app(token=token)
    titles = " ".join(m.value for m in navigation.markdown)
    assert "Sesi Rahasia" not in titles
    direct = AppTest.from_file(str(ROOT / page), default_timeout=30)
    direct.session_state["_netral_login_token"] = token
    direct.session_state["_netral_entrypoint_ran"] = True  # as if the legacy first request had skipped app.py
    direct.run()
    assert not direct.exception
    assert direct.error[0].value == "Halaman ini tidak tersedia untuk peran Anda."
    assert "Sesi Rahasia" not in " ".join(str(e.value) for e in direct.main.children.values() if hasattr(e, "value"))


def test_a_trainer_sees_only_the_sessions_assigned_to_them() -> None:
    store = open_store()
    hr = create_user(store, login="hr", name="HR", password=PASSWORD, role=Role.HR)
    trainer, token = make_user(Role.TRAINER, nip=None, login="pelatih", name="Pelatih")
    create_training(store, CONTENT, hr, name="Sesi Saya", quiz_ids=["pretest-cpns"], trainer_ids=(trainer.id,),
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    create_training(store, CONTENT, hr, name="Sesi Orang Lain", quiz_ids=["pretest-cpns"],
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=5))
    at = open_page(new_app(token=token), "pages/dasbor.py")
    assert at.selectbox(key="dash_session").options == ["Sesi Saya"]


@pytest.mark.parametrize("name, data", [
    ("kosong.csv", b""),
    ("acak.xlsx", bytes(range(256)) * 40),
    ("bukan-excel.xlsx", b"NIP;Nama\r\n199001012015031001;Budi\r\n"),
    ("gambar.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300),
    ("lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
], ids=lambda value: value if isinstance(value, str) else "")
def test_hostile_roster_files_get_a_clear_message_and_import_nothing(name: str, data: bytes) -> None:
    from sqlalchemy import func, select

    from netral.store.schema import User

    at = with_session("pages/sesi.py")
    at.file_uploader[0].upload(name, data, "application/octet-stream").run()
    assert not at.exception
    shown = " ".join(m.value for m in [*at.warning, *at.error])
    assert shown, "the user is told what is wrong with the file"
    assert next(b for b in at.button if b.label == "Impor semua baris").disabled
    with open_store().connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == 1  # only the HR account


def test_the_session_page_offers_the_siasn_course_history_of_those_who_passed() -> None:
    from netral.demo import fill_demo

    _, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    fill_demo(open_store(), CONTENT, trainees=12, seed=5)
    at = open_page(new_app(token=token), "pages/sesi.py")
    assert not at.exception
    from netral.store.accounts import authenticate
    from netral.store.siasn import siasn_rows
    from netral.store.trainings import list_trainings

    admin = authenticate(open_store(), "admin", PASSWORD).user
    shown = list_trainings(open_store(), admin)[0]
    passed = len(siasn_rows(open_store(), CONTENT, admin, shown.id, issue_missing=False))
    assert passed > 0 and f"{passed} peserta lulus" in [c.value for c in at.caption]
    assert "Unduh riwayat kursus SIASN (XLSX)" in [b.proto.label for b in at.get("download_button")]


def test_moodle_questions_become_extra_practice_and_unsupported_ones_are_listed() -> None:
    from tests.appkit import ROOT

    gift = (ROOT / "tests" / "fixtures" / "moodle" / "questions.gift.txt").read_bytes()
    at = hr_app("pages/bank_soal.py")
    at.file_uploader[0].upload("questions.gift.txt", gift, "text/plain").run()
    assert not at.exception
    assert "**5** soal dapat dipakai, **4** soal berjenis lain" in at.markdown[0].value
    unsupported = at.dataframe[0].value
    assert list(unsupported.iloc[:, 1]) == [2, 5, 31, 34]  # each with its line in the file
    click(at, "Impor soal yang dapat dipakai")
    assert at.success[0].value == "5 soal ditambahkan ke latihan tambahan."
    click(at, "Impor soal yang dapat dipakai")
    assert at.success[0].value == "0 soal ditambahkan ke latihan tambahan."  # the same file twice: no copies

    _, token = make_user()
    trainee = open_page(new_app(token=token), "pages/latihan_tambahan.py")
    assert trainee.selectbox(key="extra_item").options, "the imported questions are offered"
    item_id = trainee.selectbox(key="extra_item").value
    from netral.store.imported_items import active_items

    item = next(stored.item for stored in active_items(open_store()) if stored.id == item_id)
    if item.multiple:
        for index in item.key:
            trainee.checkbox(key=f"extra_m_{item_id}_{index}").check()
    else:
        trainee.radio(key=f"extra_r_{item_id}").set_value(item.key[0])
    click(trainee, "Periksa jawaban")
    assert trainee.metric[0].value == "100%"


def test_a_trainee_cannot_open_the_question_bank() -> None:
    from streamlit.testing.v1 import AppTest

    from tests.appkit import ROOT

    _, token = make_user()
    direct = AppTest.from_file(str(ROOT / "pages" / "bank_soal.py"), default_timeout=30)
    direct.session_state["_netral_login_token"] = token
    direct.session_state["_netral_entrypoint_ran"] = True
    direct.run()
    assert direct.error[0].value == "Halaman ini tidak tersedia untuk peran Anda."
    assert not direct.file_uploader


def test_the_session_page_shows_its_people_a_page_at_a_time(downloads: dict[str, bytes]) -> None:
    """150 people: the list on screen holds 100 at a time (a session of 10,000 would otherwise be sent whole
    on every run); the next page holds the other 50; the download still has everyone."""
    from netral.demo import fill_demo

    _, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    fill_demo(open_store(), CONTENT, trainees=150, seed=9)
    at = open_page(new_app(token=token), "pages/sesi.py")
    assert not at.exception
    people = at.expander[-1] if at.expander else None
    assert people is not None and "150" in people.label

    def shown() -> int:
        return len(at.expander[-1].dataframe[0].value)

    assert shown() == 100
    page_box = next(box for box in at.number_input if (box.key or "").startswith("people_page_"))
    assert page_box.max == 2
    assert any("Baris 1–100 dari 150" in caption.value for caption in at.caption)
    page_box.set_value(2).run()
    assert shown() == 50
    assert any("Baris 101–150 dari 150" in caption.value for caption in at.caption)
    csv_name = next(name for name in downloads if name.startswith("laporan-penyelesaian-") and name.endswith(".csv"))
    assert len(downloads[csv_name].decode("utf-8-sig").splitlines()) == 1 + 150
