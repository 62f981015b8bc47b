"""Reading Moodle XML written by hand from Moodle's documented format, safely, with located reports."""

from __future__ import annotations

import dataclasses

import pytest

from netral.interchange import (
    FALSE_TEXT,
    TRUE_TEXT,
    TRUEFALSE,
    ImportReport,
    PracticeItem,
    PracticeOption,
    Unsupported,
    read_bytes,
    read_xml,
    write_xml,
)

# Written from docs.moodle.org "Moodle XML format": a category switch (with <text>, and the old form without),
# both multiple-choice variants, true/false, and one question of each type Netral does not use.
MOODLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category>
      <text>$course$/top/Netralitas ASN</text>
    </category>
  </question>
  <!-- question: 1 -->
  <question type="multichoice">
    <name>
      <text>Pengawas netralitas</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p>Lembaga mana yang <strong>mengawasi</strong> netralitas ASN &amp;
        merekomendasikan sanksi?</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Lihat UU 7/2017 Pasal 93.</p>]]></text>
    </generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>Bawaslu</p>]]></text>
      <feedback format="html">
        <text><![CDATA[<p>Tepat.</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>KPU</text>
      <feedback format="html">
        <text>KPU menyelenggarakan pemilu.</text>
      </feedback>
    </answer>
    <answer fraction="50">
      <text>KASN</text>
    </answer>
    <answer fraction="0">
      <text></text>
    </answer>
  </question>
  <question type="multichoice">
    <name>
      <text>Larangan bagi ASN</text>
    </name>
    <questiontext format="moodle_auto_format">
      <text>Mana yang dilarang?
Pilih semua.</text>
    </questiontext>
    <single>false</single>
    <answer fraction="50" format="plain_text">
      <text>Ikut kampanye dengan atribut partai</text>
    </answer>
    <answer fraction="50" format="plain_text">
      <text>Memakai mobil dinas untuk kampanye</text>
    </answer>
    <answer fraction="-100" format="plain_text">
      <text>Memberikan suara di TPS &lt;hari H&gt;</text>
      <feedback format="plain_text">
        <text>Memilih adalah hak.</text>
      </feedback>
    </answer>
  </question>
  <question type="category">
    <category>$course$/Lama</category>
  </question>
  <question type="truefalse">
    <name>
      <text>Hak pilih</text>
    </name>
    <questiontext format="plain_text">
      <text>ASN tetap memiliki hak pilih.</text>
    </questiontext>
    <answer fraction="0">
      <text>false</text>
      <feedback>
        <text>Keliru: hak pilih tetap ada.</text>
      </feedback>
    </answer>
    <answer fraction="100">
      <text>true</text>
      <feedback>
        <text>Benar.</text>
      </feedback>
    </answer>
  </question>
  <question type="truefalse">
    <name>
      <text>Berkas lama</text>
    </name>
    <questiontext>
      <text>ASN boleh menjadi tim kampanye.</text>
    </questiontext>
    <answer fraction="0">
      <text>Benar</text>
    </answer>
    <answer fraction="100">
      <text>Salah</text>
    </answer>
  </question>
  <question type="shortanswer">
    <name>
      <text>Singkatan</text>
    </name>
    <questiontext format="html">
      <text>Singkatan Aparatur Sipil Negara?</text>
    </questiontext>
    <answer fraction="100">
      <text>ASN</text>
    </answer>
  </question>
  <question type="matching">
    <name>
      <text>Jodohkan</text>
    </name>
    <questiontext format="html">
      <text>Jodohkan lembaga dan perannya.</text>
    </questiontext>
    <subquestion format="html">
      <text>Bawaslu</text>
      <answer>
        <text>mengawasi</text>
      </answer>
    </subquestion>
  </question>
  <question type="essay">
    <name>
      <text>Refleksi</text>
    </name>
    <questiontext format="html">
      <text>Tulis pengalaman Anda.</text>
    </questiontext>
  </question>
  <question type="numerical">
    <name>
      <text>Bulan</text>
    </name>
    <questiontext format="html">
      <text>Berapa bulan sebelum penetapan?</text>
    </questiontext>
    <answer fraction="100">
      <text>6</text>
      <tolerance>0</tolerance>
    </answer>
  </question>
  <question type="description">
    <name>
      <text>Petunjuk</text>
    </name>
    <questiontext format="html">
      <text>Bacalah kasus berikut.</text>
    </questiontext>
  </question>
  <question type="cloze">
    <name>
      <text>Isian</text>
    </name>
    <questiontext format="html">
      <text>ASN harus {1:SHORTANSWER:=netral}.</text>
    </questiontext>
  </question>
  <question type="ddwtos">
    <name>
      <text>Seret</text>
    </name>
    <questiontext format="html">
      <text>[[1]] adalah pengawas.</text>
    </questiontext>
  </question>
  <question type="multichoice">
    <name>
      <text>Satu jawaban saja</text>
    </name>
    <questiontext format="html">
      <text>Hanya satu pilihan?</text>
    </questiontext>
    <answer fraction="100">
      <text>Ya</text>
    </answer>
  </question>
  <question type="multichoice">
    <name>
      <text>Nilai rusak</text>
    </name>
    <questiontext format="html">
      <text>Nilai bukan angka.</text>
    </questiontext>
    <answer fraction="banyak">
      <text>A</text>
    </answer>
    <answer fraction="0">
      <text>B</text>
    </answer>
  </question>
  <question type="multichoice">
    <name>
      <text>Tanpa nilai penuh</text>
    </name>
    <questiontext format="html">
      <text>Tidak ada yang 100%.</text>
    </questiontext>
    <single>1</single>
    <answer fraction="50">
      <text>A</text>
    </answer>
    <answer fraction="0">
      <text>B</text>
    </answer>
  </question>
</quiz>
"""


def line_of(marker: str, occurrence: int = 1) -> int:
    """The line of the <question> tag before the `occurrence`-th line containing `marker`."""
    lines = MOODLE_XML.splitlines()
    found = [number for number, line in enumerate(lines, start=1) if marker in line][occurrence - 1]
    return max(number for number in range(1, found + 1) if lines[number - 1].lstrip().startswith("<question "))


def opt(text: str, fraction: float, feedback: str = "") -> PracticeOption:
    return PracticeOption(text, fraction, feedback)


@pytest.fixture(scope="module")
def report() -> ImportReport:
    return read_xml(MOODLE_XML.encode("utf-8"))


def test_multiple_choice_questions_become_practice_items(report: ImportReport) -> None:
    # The blank fourth answer of the first question is not kept, as Moodle does not save it.
    single, several = report.items[:2]
    assert single == PracticeItem(
        "Pengawas netralitas", "Lembaga mana yang mengawasi netralitas ASN & merekomendasikan sanksi?",
        (opt("Bawaslu", 1.0, "Tepat."), opt("KPU", 0.0, "KPU menyelenggarakan pemilu."), opt("KASN", 0.5)),
        multiple=False, category="$course$/top/Netralitas ASN", source_line=line_of("Pengawas netralitas"),
        general_feedback="Lihat UU 7/2017 Pasal 93.", default_mark=2.0)
    assert several == PracticeItem(
        "Larangan bagi ASN", "Mana yang dilarang?\nPilih semua.",
        (opt("Ikut kampanye dengan atribut partai", 0.5), opt("Memakai mobil dinas untuk kampanye", 0.5),
         opt("Memberikan suara di TPS <hari H>", -1.0, "Memilih adalah hak.")),
        multiple=True, category="$course$/top/Netralitas ASN", source_line=line_of("Larangan bagi ASN"))


def test_true_false_questions_become_practice_items_true_first(report: ImportReport) -> None:
    modern, old = report.items[2:4]
    assert modern == PracticeItem(
        "Hak pilih", "ASN tetap memiliki hak pilih.",
        (opt(TRUE_TEXT, 1.0, "Benar."), opt(FALSE_TEXT, 0.0, "Keliru: hak pilih tetap ada.")),
        multiple=False, category="$course$/Lama", source_line=line_of("Hak pilih"), kind=TRUEFALSE)
    # Translated answer words (old Moodle files): the first answer is "true", as Moodle assumes.
    assert old.options == (opt(TRUE_TEXT, 0.0), opt(FALSE_TEXT, 1.0)) and old.kind == TRUEFALSE


def test_every_other_type_is_reported_with_title_line_and_moodles_type_name(report: ImportReport) -> None:
    assert report.unsupported == (
        Unsupported("Singkatan", line_of("Singkatan"), "shortanswer"),
        Unsupported("Jodohkan", line_of("<text>Jodohkan</text>"), "match"),
        Unsupported("Refleksi", line_of("Refleksi"), "essay"),
        Unsupported("Bulan", line_of("<text>Bulan</text>"), "numerical"),
        Unsupported("Petunjuk", line_of("Petunjuk"), "description"),
        Unsupported("Isian", line_of("Isian"), "multianswer"),
        Unsupported("Seret", line_of("Seret"), "ddwtos"),
    )


def test_broken_questions_are_skipped_and_doubtful_ones_kept_with_a_warning(report: ImportReport) -> None:
    problems = [(p.line, p.key, p.title, p.skipped, p.values) for p in report.problems]
    assert problems == [
        (line_of("Berkas lama"), "interchange.problem.truefalse_order", "Berkas lama", False, {}),
        (line_of("Satu jawaban saja"), "interchange.problem.too_few_answers", "Satu jawaban saja", True, {}),
        (line_of("Nilai rusak"), "interchange.problem.bad_fraction", "Nilai rusak", True, {"fraction": "banyak"}),
        (line_of("Tanpa nilai penuh"), "interchange.problem.no_full_marks", "Tanpa nilai penuh", False,
         {"best": "50"}),
    ]
    assert [item.title for item in report.items][-1] == "Tanpa nilai penuh"
    assert report.question_count == 14
    for problem in report.problems:
        assert problem.message("id").startswith(f"baris {problem.line}: \"{problem.title}\"")


UNSAFE_OR_BROKEN = [
    ('<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n<quiz>&b;</quiz>',
     "interchange.problem.xml_forbidden", 1),
    ('<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "file:///etc/passwd">\n<quiz/>',
     "interchange.problem.xml_forbidden", 1),
    ('<?xml version="1.0"?>\n<quiz>\n  <question type="multichoice">\n</quiz>\n', "interchange.problem.xml_syntax", 4),
    ('<?xml version="1.0"?>\n<questions>\n</questions>\n', "interchange.problem.not_moodle_xml", 2),
]


@pytest.mark.parametrize(("xml", "key", "line"), UNSAFE_OR_BROKEN)
def test_unsafe_or_broken_files_give_one_located_problem_and_no_items(xml: str, key: str, line: int) -> None:
    report = read_xml(xml.encode("utf-8"))
    assert report.items == () and report.unsupported == ()
    assert [(p.key, p.line) for p in report.problems] == [(key, line)]
    assert report.problems[0].message("en").startswith(f"line {line}: ")


def test_the_format_is_recognised_from_the_content() -> None:
    assert read_bytes(("\ufeff" + MOODLE_XML).encode("utf-8")).format == "xml"
    assert read_bytes(b"::A::Q?{=a ~b}").format == "gift"


TRICKY = ["<b>tanda</b> & \"kutip\" 'tunggal'", "]]> akhir CDATA", "baris\ndua", "tab\tdi tengah", "→ ✓ “unicode”",
          "--komentar-- -->"]


@pytest.mark.parametrize("tricky", TRICKY)
def test_any_text_survives_writing_and_reading_moodle_xml(tricky: str) -> None:
    items = [
        PracticeItem(" ".join(tricky.split()), tricky, (opt(tricky, 1.0, tricky), opt("b", 0.0)), False,
                     category="$course$/Netral/" + tricky.replace("\n", " "), general_feedback=tricky,
                     default_mark=0.2222222),
        PracticeItem("tf", tricky, (opt(TRUE_TEXT, 0.0, tricky), opt(FALSE_TEXT, 1.0)), False, kind=TRUEFALSE,
                     category="$course$/Netral/" + tricky.replace("\n", " ")),
    ]
    text = write_xml(items, header=[tricky], notes={1: [tricky]})
    report = read_xml(text.encode("utf-8"))
    assert report.problems == () and report.unsupported == ()
    assert [dataclasses.replace(i, source_line=None) for i in report.items] == items


def test_characters_xml_cannot_hold_are_dropped_not_written() -> None:
    item = PracticeItem("kontrol\x01", "teks\x0bdengan\x1fkontrol", (opt("a\x00", 1.0), opt("b", 0.0)), False)
    report = read_xml(write_xml([item]).encode("utf-8"))
    (read,) = report.items
    assert (read.title, read.text, read.options[0].text) == ("kontrol", "teksdengankontrol", "a")
