"""Certificates: the PDF carries the participant's details in either language, any name prints, the
verification code is unambiguous and forgiving to type, and the predicate follows its scale."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from pathlib import Path

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from netral import certificate
from netral.certificate import (
    CODE_ALPHABET,
    DEFAULT_PREDICATE_SCALE,
    PREDICATE_KEYS,
    CertificateData,
    format_date,
    format_date_range,
    new_verification_code,
    normalise_code,
    predicate,
    render_certificate,
    terbilang,
    to_latin1,
)
from netral.i18n import t
from netral.nip import NipFormatError

DATA = CertificateData(
    participant_name="Dr. Siti Aminah, S.Sos., M.Si.",
    nip="198609262015051001",
    unit="Bagian Umum Sekretariat Daerah",
    agency="Pemerintah Kabupaten Pandeglang",
    training_name="Pelatihan Netralitas ASN Menjelang Pilkada 2026",
    start_date=date(2026, 11, 26),
    end_date=date(2026, 11, 28),
    score=0.875,
    number="800.1.2/19/BKPSDM/2026",
    verification_code="NTRL-7K2M-Q9XD-4HCP",
    verification_url="https://bkpsdm.example.go.id/verifikasi/NTRL-7K2M-Q9XD-4HCP",
    issuer="BKPSDM Kabupaten Pandeglang",
    jp_hours=20,
    issue_place="Pandeglang",
    signer_name="Min Usihen, S.H., M.H.",
    signer_title="Kepala BKPSDM Kabupaten Pandeglang",
    signer_nip="196903091994032001",
)


def _text(pdf: bytes) -> str:
    """The page's text with line breaks and runs of spaces folded to one space (wrapping is layout's business)."""
    return re.sub(r"\s+", " ", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


# --- the PDF ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_pdf_carries_every_field(lang: str) -> None:
    pdf = render_certificate(DATA, lang)
    assert pdf.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)  # A4 landscape
    text = _text(pdf)
    for expected in (DATA.participant_name, "19860926 201505 1 001", DATA.unit, DATA.agency, DATA.training_name,
                     DATA.number, DATA.verification_code, DATA.verification_url, DATA.issuer, DATA.signer_name,
                     "NIP. 19690309 199403 2 001", t(lang, "certificate.predicate.memuaskan")):
        assert expected in text, expected
    assert ("87,50" if lang == "id" else "87.50") in text
    assert "26–28 November 2026" in text and "Pandeglang, 28 November 2026" in text


def test_indonesian_and_english_labels_differ() -> None:
    indonesian, english = _text(render_certificate(DATA, "id")), _text(render_certificate(DATA, "en"))
    assert "SERTIFIKAT" in indonesian and "TELAH MENGIKUTI" in indonesian
    assert "20 (dua puluh) jam pelajaran" in indonesian
    assert "CERTIFICATE" in english and "HAS COMPLETED" in english and "20 lesson hours" in english
    assert "TELAH MENGIKUTI" not in english and "Unit Kerja" not in english
    assert render_certificate(DATA, "en-US") == render_certificate(DATA, "en")


def test_the_same_data_gives_the_same_bytes() -> None:
    assert render_certificate(DATA, "id") == render_certificate(DATA, "id")


@pytest.mark.parametrize("name", [
    "Ni Luh Putu Ayu Ṡ.",
    "Đặng Thị Ngọc Hân",
    "H. Ma’ruf Amin, S.H.",
    "Nguyễn “Ṣ” – İlkay Gündoğan, M.Sc.",
    "Prof. Dr. Ir. H. Raden Mas Bambang Soetrisno Wiryo Atmodjo Hadiningrat Kusumonegoro, S.E., M.Sc., M.B.A., Ph.D.",
])
def test_names_beyond_latin_1_print_as_written(name: str) -> None:
    pdf = render_certificate(dataclasses.replace(DATA, participant_name=name), "id")
    assert name in _text(pdf)


def test_long_texts_shrink_to_fit_and_still_print_whole() -> None:
    long = dataclasses.replace(
        DATA,
        participant_name="Prof. Dr. Ir. H. Raden Mas Bambang Soetrisno Wiryo Atmodjo Hadiningrat Kusumonegoro "
                         "Sastrowardoyo Prawirodirdjo, S.E., M.Sc., M.B.A., Ph.D.",
        unit="Subbagian Perencanaan, Evaluasi dan Pelaporan pada Sekretariat Dinas Pendidikan dan Kebudayaan",
        training_name="Pelatihan Netralitas Aparatur Sipil Negara dalam Penyelenggaraan Pemilihan Umum dan "
                      "Pemilihan Kepala Daerah Serentak Tahun 2026 Angkatan XII bagi Pejabat Administrator",
        issuer="Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kabupaten Pandeglang Provinsi Banten",
        jp_hours=120)
    pdf = render_certificate(long, "id")
    text = _text(pdf)
    for expected in (long.participant_name, long.unit, long.training_name, long.issuer,
                     "120 (seratus dua puluh) jam pelajaran", long.verification_code):
        assert expected in text, expected


def test_a_glyph_the_font_lacks_does_not_stop_the_certificate() -> None:
    pdf = render_certificate(dataclasses.replace(DATA, participant_name="Wang 王 Xiu"), "en")
    assert pdf.startswith(b"%PDF-")


def test_without_the_vendored_font_helvetica_prints_a_transliteration(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(certificate, "FONT_DIRS", (tmp_path,))
    pdf = render_certificate(dataclasses.replace(DATA, participant_name="Đặng Ṡ. Ma’ruf"), "id")
    assert "Dang S. Ma'ruf" in _text(pdf)
    assert to_latin1("José “Ṣ” – Łukasz ə 王") == 'José "S" - Lukasz e ?'


def test_optional_fields_may_be_left_out() -> None:
    bare = CertificateData(participant_name="Budi", nip=None, unit="Dinas Pendidikan", training_name="Netralitas",
                           start_date=date(2026, 12, 30), end_date=date(2027, 1, 2), score=1.0, number="N-1",
                           verification_code="NTRL-0000-0000-0000", verification_url="https://x.example/v",
                           issuer="Netral")
    text = _text(render_certificate(bare, "id"))
    assert "NIP" not in text and "Instansi" not in text
    assert "30 Desember 2026 – 2 Januari 2027" in text and "100,00" in text and "Sangat Memuaskan" in text


def test_a_pppk_nip_is_grouped_as_ni_pppk_and_a_bad_nip_is_refused() -> None:
    pppk = dataclasses.replace(DATA, nip="199009132025242014", nip_kind="pppk")
    assert "19900913 2025 24 2 014" in _text(render_certificate(pppk, "id"))
    with pytest.raises(NipFormatError):
        render_certificate(dataclasses.replace(DATA, nip="1.99E+17"), "id")
    with pytest.raises(ValueError):
        render_certificate(dataclasses.replace(DATA, nip="1986092620150510"), "id")


@pytest.mark.parametrize("change", [
    {"score": 1.2}, {"score": -0.01}, {"score": float("nan")}, {"end_date": date(2026, 11, 1)},
    {"jp_hours": 0}, {"participant_name": "  "}, {"verification_url": ""},
    {"predicate_scale": ((50.0, "memuaskan"),)}, {"predicate_scale": ((0.0, "luar_biasa"),)},
])
def test_inconsistent_data_is_refused(change: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        dataclasses.replace(DATA, **change)


class _RecordingPdf:
    """Stands in for FPDF and keeps the filled squares `_qr` draws."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []

    def set_fill_color(self, *_: int) -> None:
        pass

    def rect(self, x: float, y: float, w: float, h: float, style: str) -> None:
        self.rects.append((x, y, w, h))


def test_the_qr_code_drawn_is_the_verification_url() -> None:
    recording = _RecordingPdf()
    assert certificate._qr(recording, DATA.verification_url, 0.0, 0.0, 34.0)  # type: ignore[arg-type]
    expected = segno.make_qr(DATA.verification_url, error="m", boost_error=False).matrix
    size = len(expected)
    step = 34.0 / (size + 4)
    drawn = [[False] * size for _ in range(size)]
    for x, y, w, _ in recording.rects:
        row, first = round(y / step) - 2, round(x / step) - 2
        for column in range(first, first + round(w / step)):
            drawn[row][column] = True
    assert drawn == [[bool(cell) for cell in row] for row in expected]


# --- dates and words -----------------------------------------------------------------------------------------


def test_dates_in_both_languages() -> None:
    assert format_date(date(2026, 11, 28), "id") == "28 November 2026"
    assert format_date(date(2026, 8, 5), "id") == "5 Agustus 2026"
    assert format_date(date(2026, 8, 5), "en") == "5 August 2026"
    assert [format_date(date(2026, m, 1), "id").split()[1] for m in (1, 2, 3, 5, 6, 7, 10, 12)] == [
        "Januari", "Februari", "Maret", "Mei", "Juni", "Juli", "Oktober", "Desember"]
    assert format_date_range(date(2026, 11, 28), None, "id") == "28 November 2026"
    assert format_date_range(date(2026, 11, 28), date(2026, 11, 28), "id") == "28 November 2026"
    assert format_date_range(date(2026, 11, 26), date(2026, 11, 28), "id") == "26–28 November 2026"
    assert format_date_range(date(2026, 11, 30), date(2026, 12, 2), "id") == "30 November – 2 Desember 2026"
    assert format_date_range(date(2026, 12, 30), date(2027, 1, 2), "en") == "30 December 2026 – 2 January 2027"


@pytest.mark.parametrize("number, words", [
    (0, "nol"), (1, "satu"), (10, "sepuluh"), (11, "sebelas"), (12, "dua belas"), (19, "sembilan belas"),
    (20, "dua puluh"), (24, "dua puluh empat"), (100, "seratus"), (115, "seratus lima belas"),
    (240, "dua ratus empat puluh"), (1000, "seribu"), (1945, "seribu sembilan ratus empat puluh lima"),
    (20_000, "dua puluh ribu"),
])
def test_terbilang(number: int, words: str) -> None:
    assert terbilang(number) == words


# --- verification codes -----------------------------------------------------------------------------------


def test_new_codes_have_the_format_and_do_not_repeat() -> None:
    codes = {new_verification_code() for _ in range(500)}
    assert len(codes) == 500
    pattern = re.compile(rf"^NTRL(-[{CODE_ALPHABET}]{{4}}){{3}}$")
    assert all(pattern.match(code) for code in codes)
    assert not set("ILOU") & set(CODE_ALPHABET)
    assert all(normalise_code(code) == code for code in codes)


@pytest.mark.parametrize("typed, canonical", [
    ("NTRL-7K2M-Q9XD-4HCP", "NTRL-7K2M-Q9XD-4HCP"),
    ("ntrl-7k2m-q9xd-4hcp", "NTRL-7K2M-Q9XD-4HCP"),
    ("  ntrl 7k2m q9xd 4hcp ", "NTRL-7K2M-Q9XD-4HCP"),
    ("NTRL7K2MQ9XD4HCP", "NTRL-7K2M-Q9XD-4HCP"),
    ("7K2M-Q9XD-4HCP", "NTRL-7K2M-Q9XD-4HCP"),
    ("7k2mq9xd4hcp", "NTRL-7K2M-Q9XD-4HCP"),
    ("NTRL–7K2M—Q9XD.4HCP", "NTRL-7K2M-Q9XD-4HCP"),     # en/em dashes and a dot from a word processor
    ("ＮＴＲＬ-７Ｋ２Ｍ-Ｑ９ＸＤ-４ＨＣＰ", "NTRL-7K2M-Q9XD-4HCP"),  # full-width characters
    ("NTRL-O0IL-oilO-1234", "NTRL-0011-0110-1234"),     # O reads as 0, I and L as 1
    ("NTR1-7K2M-Q9XD-4HCP", "NTRL-7K2M-Q9XD-4HCP"),     # the prefix typed with a one
    ("NTRL-7K2M-Q9XD-4HC", None),                        # too short
    ("NTRL-7K2M-Q9XD-4HCPX", None),                      # too long
    ("NTRL-7K2M-Q9XD-4HCU", None),                       # U is not in the alphabet
    ("NTRL-7K2M-Q9XD-4HC#", None),
    ("ABCD-7K2M-Q9XD-4HCP", None),                       # another prefix
    ("", None), ("   ", None), (None, None),
])
def test_normalise_code(typed: str | None, canonical: str | None) -> None:
    assert normalise_code(typed) == canonical


@given(st.text(max_size=30))
def test_normalise_code_returns_none_or_a_canonical_code(typed: str) -> None:
    result = normalise_code(typed)
    assert result is None or (normalise_code(result) == result and len(result) == 19)


# --- predicate ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score, key", [
    (1.0, "sangat_memuaskan"), (0.9001, "sangat_memuaskan"), (0.90005, "sangat_memuaskan"),
    (0.9, "memuaskan"), (0.90004, "memuaskan"), (0.8001, "memuaskan"),
    (0.8, "cukup_memuaskan"), (0.7001, "cukup_memuaskan"),
    (0.7, "kurang_memuaskan"), (0.6001, "kurang_memuaskan"),
    (0.6, "tidak_memuaskan"), (0.0, "tidak_memuaskan"),
])
def test_predicate_boundaries(score: float, key: str) -> None:
    assert predicate(score) == key


def test_predicate_on_another_scale_and_every_label_exists() -> None:
    pass_fail = ((75.0, "memuaskan"), (0.0, "tidak_memuaskan"))
    assert predicate(0.75, pass_fail) == "memuaskan" and predicate(0.7499, pass_fail) == "tidak_memuaskan"
    assert {key for _, key in DEFAULT_PREDICATE_SCALE} == set(PREDICATE_KEYS)
    for key in PREDICATE_KEYS:
        label = "certificate.predicate." + key
        assert t("id", label) != label and t("en", label) != label and t("id", label) != t("en", label)
    with pytest.raises(ValueError):
        predicate(1.5)
