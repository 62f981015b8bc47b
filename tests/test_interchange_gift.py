"""Reading GIFT as Moodle reads it: Moodle's own fixture, each question type, escapes, formats and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from netral.interchange import (
    FALSE_TEXT,
    TRUE_TEXT,
    TRUEFALSE,
    PracticeItem,
    PracticeOption,
    Unsupported,
    moodle_round,
    read_bytes,
    read_file,
    read_gift,
    write_gift,
)
from netral.interchange.gift import escape

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "moodle" / "questions.gift.txt"
THIRD = moodle_round(1 / 3)


def opt(text: str, fraction: float, feedback: str = "") -> PracticeOption:
    return PracticeOption(text, fraction, feedback)


# --- Moodle's own fixture ---------------------------------------------------------------------------------


def test_moodles_fixture_gives_every_question_a_place_in_the_report() -> None:
    report = read_file(FIXTURE)
    # Moodle's import test counts 9 questions in this file; none is dropped silently here either.
    assert report.question_count == 9
    assert report.unsupported == (
        Unsupported("Q8", 2, "essay"),
        Unsupported("Moodle activities", 5, "match"),
        Unsupported("Q5", 31, "numerical"),
        Unsupported("Shortanswer", 34, "shortanswer"),
    )
    assert report.problems == ()
    assert [(item.title, item.source_line) for item in report.items] == [
        ("Q2", 14), ("colours", 22), ("Q1", 41), ("2-08 TSL", 46), ("2-08 TSL", 49)]
    assert not report.clean


def test_moodles_fixture_multiple_choice_questions() -> None:
    q2, colours = read_file(FIXTURE).items[:2]
    assert q2 == PracticeItem(
        "Q2", "What's between orange and green in the spectrum?",
        (opt("yellow", 1.0, "right; good!"), opt("red", 0.0, "wrong, it's yellow"),
         opt("blue", 0.0, "wrong, it's yellow")),
        multiple=False, source_line=14)
    # No `=` answer: several answers may be chosen; the weights are percentages.
    assert colours == PracticeItem(
        "colours", "What's between orange and green in the spectrum?",
        (opt("yellow", 0.5, "right; good!"), opt("red", -1.0, "wrong"), opt("off-beige", 0.5, "right; good!"),
         opt("blue", -1.0, "wrong")),
        multiple=True, source_line=22)


def test_moodles_fixture_true_false_questions() -> None:
    q1, tsl, tsl_true = read_file(FIXTURE).items[2:]
    # The answer FALSE, then the feedback for a wrong answer, then for a right one, then general feedback.
    # The `";` left after the closing brace makes it a "missing word" text, exactly as in Moodle.
    assert q1 == PracticeItem(
        "Q1", '42 is the Absolute Answer to everything._____";',
        (opt(TRUE_TEXT, 0.0, "42 is the Ultimate Answer."), opt(FALSE_TEXT, 1.0, "You gave the right answer.")),
        multiple=False, source_line=41, kind=TRUEFALSE,
        general_feedback="This is, of course, a Hitchiker's Guide to the Galaxy reference.")
    for item in (tsl, tsl_true):
        assert item.text == "TSL is blablabla." and item.kind == TRUEFALSE
        assert item.options == (opt(TRUE_TEXT, 1.0), opt(FALSE_TEXT, 0.0))


# --- each construct, one question at a time --------------------------------------------------------------


UNSUPPORTED_CASES = [
    ("::E::Write about neutrality.{}", "essay"),
    ("::D::Read this first.", "description"),
    ("::N::How many months?{#6}", "numerical"),
    ("::R::A number from 1 to 5?{#1..5}", "numerical"),
    ("::N2::Pi?{#3.14:0.01 ~#wrong}", "numerical"),
    ("::M::Match.{=PNS -> ASN =PPPK -> ASN}", "match"),
    ("::S::Which law?{=UU 20/2023 =UU 20 tahun 2023}", "shortanswer"),
    ("::L::True in lower case?{true}", "shortanswer"),  # Moodle's true/false words are upper case only
]


@pytest.mark.parametrize(("gift", "qtype"), UNSUPPORTED_CASES)
def test_each_unsupported_type_is_reported_with_title_and_line(gift: str, qtype: str) -> None:
    report = read_gift("// a comment first\n" + gift + "\n")
    title = gift[2:gift.index("::", 2)]
    assert report.items == () and report.problems == ()
    assert report.unsupported == (Unsupported(title, 2, qtype),)


ITEM_CASES = [
    # true/false: every spelling, the two feedbacks and the general feedback
    ("::T::Q?{T}", [opt(TRUE_TEXT, 1.0), opt(FALSE_TEXT, 0.0)], False, ""),
    ("::T::Q?{TRUE}", [opt(TRUE_TEXT, 1.0), opt(FALSE_TEXT, 0.0)], False, ""),
    ("::T::Q?{F}", [opt(TRUE_TEXT, 0.0), opt(FALSE_TEXT, 1.0)], False, ""),
    ("::T::Q?{TRUE#salah#benar####umum}",
     [opt(TRUE_TEXT, 1.0, "benar"), opt(FALSE_TEXT, 0.0, "salah")], False, "umum"),
    # multiple choice: `=` is 100 %, bare `~` is 0, `~%w%` a weight, `#` the feedback
    ("::M::Q?{=ya#tepat ~tidak#keliru ~%50%mungkin}",
     [opt("ya", 1.0, "tepat"), opt("tidak", 0.0, "keliru"), opt("mungkin", 0.5)], False, ""),
    ("::M::Q?{\n  ~%33.33333%a\n  ~%33.33333%b\n  ~%33.33333%c\n  ~%-100%d\n}",
     [opt("a", THIRD), opt("b", THIRD), opt("c", THIRD), opt("d", -1.0)], True, ""),
    ("::M::Q?{~%100%satu ~%-50%dua}", [opt("satu", 1.0), opt("dua", -0.5)], True, ""),
    ("::M::Q?{=a ~b ####bagus}", [opt("a", 1.0), opt("b", 0.0)], False, "bagus"),
    # `=%50%` is a 100 % answer whose text starts with %50% (Moodle reads `=` first)
    ("::M::Q?{=%50%a ~b}", [opt("%50%a", 1.0), opt("b", 0.0)], False, ""),
    # a blank answer is not saved by Moodle
    ("::M::Q?{=ya ~ ~tidak}", [opt("ya", 1.0), opt("tidak", 0.0)], False, ""),
]


@pytest.mark.parametrize(("gift", "options", "multiple", "general"), ITEM_CASES)
def test_answers_weights_and_feedback(gift: str, options: list[PracticeOption], multiple: bool, general: str) -> None:
    report = read_gift(gift)
    assert report.unsupported == () and report.problems == ()
    (item,) = report.items
    assert item.title == ("T" if "::T::" in gift else "M") and item.text == "Q?"
    assert list(item.options) == options and item.multiple is multiple and item.general_feedback == general


TEXT_CASES = [
    # escapes: \: \= \{ \} \# \~ \\ and \n
    (r"::A\:B::What is 1\=1 \{really\}?{=yes \# sure#fb \~ ok ~no}", "A:B", "What is 1=1 {really}?",
     [opt("yes # sure", 1.0, "fb ~ ok"), opt("no", 0.0)]),
    (r"::P::[plain]one\ntwo and C:\\new{=a~b}", "P", "one\ntwo and C:\\new", [opt("a", 1.0), opt("b", 0.0)]),
    # missing word: the answer block inside the sentence becomes _____
    ("::W::Grant is {~buried =entombed ~living} in Grant's tomb.", "W", "Grant is _____ in Grant's tomb.",
     [opt("buried", 0.0), opt("entombed", 1.0), opt("living", 0.0)]),
    # formats: HTML is reduced to text, entities decoded; a [plain] answer stays as written
    ("::H::[html]<p>Is <b>this</b> &amp; that?</p><p>Second</p>{=<i>ya</i>#[plain]<b>raw</b> ~tidak}", "H",
     "Is this & that?\n\nSecond", [opt("ya", 1.0, "<b>raw</b>"), opt("tidak", 0.0)]),
    ("::S::[html]Hello<script>alert(1)</script> world{=a ~b}", "S", "Hello world", [opt("a", 1.0), opt("b", 0.0)]),
    # a question without a name is named after its text
    ("Siapa mengawasi netralitas ASN?{=Bawaslu ~KPU}", "Siapa mengawasi netralitas ASN?",
     "Siapa mengawasi netralitas ASN?", [opt("Bawaslu", 1.0), opt("KPU", 0.0)]),
    # a question over several lines, answers on their own lines
    ("::ML::Baris satu\nbaris dua{\n=benar\n~salah\n}", "ML", "Baris satu\nbaris dua",
     [opt("benar", 1.0), opt("salah", 0.0)]),
]


@pytest.mark.parametrize(("gift", "title", "text", "options"), TEXT_CASES)
def test_escapes_formats_and_texts(gift: str, title: str, text: str, options: list[PracticeOption]) -> None:
    report = read_gift(gift)
    assert report.problems == ()
    (item,) = report.items
    assert (item.title, item.text, list(item.options)) == (title, text, options)


PROBLEM_CASES = [
    ("::B::Missing brace {=a ~b", "interchange.problem.braces", {}),
    ("::B::Missing brace =a ~b}", "interchange.problem.braces", {}),
    ("::O::Only one{~only}", "interchange.problem.too_few_answers", {}),
    ("::O::One and a blank{=ya ~ }", "interchange.problem.too_few_answers", {}),
    ("::W::Weight{~%--50%a ~b}", "interchange.problem.bad_weight", {"weight": "%--50%"}),
]


@pytest.mark.parametrize(("gift", "key", "values"), PROBLEM_CASES)
def test_broken_questions_are_skipped_with_a_located_problem(gift: str, key: str, values: dict[str, str]) -> None:
    report = read_gift("\n\n// before\n" + gift + "\n\n::Ok::Fine?{=a ~b}\n")
    assert [item.title for item in report.items] == ["Ok"]
    (problem,) = report.problems
    assert (problem.line, problem.key, problem.title, problem.skipped, problem.values) == (
        4, key, gift[2:gift.index("::", 2)], True, values)
    assert problem.message("id").startswith(f"baris 4: \"{problem.title}\"")
    assert problem.message("en").startswith(f"line 4: \"{problem.title}\"")
    assert report.question_count == 2


def test_grades_moodle_would_warn_about_are_kept_with_a_warning() -> None:
    report = read_gift("::Sum::Q?{~%50%a ~%20%b ~c}")
    assert [o.fraction for o in report.items[0].options] == [0.5, 0.2, 0.0]
    (problem,) = report.problems
    assert problem.key == "interchange.problem.fractions_sum" and not problem.skipped
    assert problem.values == {"total": "70"} and "70%" in problem.message("en")


def test_categories_comments_blank_lines_and_line_numbers() -> None:
    gift = (
        "\ufeff// Bank soal\r\n"
        "$CATEGORY: $course$/Netral/Media sosial\r\n"
        "\r\n"
        "// soal pertama\r\n"
        "::A::Pertama?{=ya ~tidak}\r\n"
        "   \r\n"
        "\r\n"
        "$CATEGORY: $course$/top/Lain\r\n"
        "\r\n"
        "::B::\r\n"
        "Kedua?\r\n"
        "{\r\n"
        "// komentar di antara jawaban\r\n"
        "  =ya\r\n"
        "  ~tidak\r\n"
        "}\r\n"
    )
    report = read_gift(gift)
    assert [(i.title, i.source_line, i.category, i.text) for i in report.items] == [
        ("A", 5, "$course$/Netral/Media sosial", "Pertama?"),
        ("B", 10, "$course$/top/Lain", "Kedua?"),
    ]
    assert [len(i.options) for i in report.items] == [2, 2]


def test_bytes_in_another_encoding_are_reported_with_their_line() -> None:
    report = read_bytes("::A::Q?{=ya ~tidak}\n\n::B::Caf\u00e9?{=ya ~tidak}\n".encode("latin-1"), "gift")
    assert report.items == ()
    (problem,) = report.problems
    assert (problem.key, problem.line) == ("interchange.problem.not_utf8", 3)


# --- writing GIFT ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "escaped"), [
    ("a~b=c#d{e}f:g", r"a\~b\=c\#d\{e\}f\:g"),
    ("C:\\new", r"C\:\\new"),
    ("satu\ndua", r"satu\ndua"),
    ("satu\r\ndua", r"satu\ndua"),
    ("biasa saja", "biasa saja"),
])
def test_escape_writes_what_moodles_exporter_writes(text: str, escaped: str) -> None:
    assert escape(text) == escaped


TRICKY = [
    "a ~ b = c # d { e } f : g \\ h",
    "baris satu\nbaris dua",
    "[html]<b>bukan html</b>",
    "%50% diawali persen",
    "diakhiri garis miring terbalik \\",
    "C:\\new\\n bukan baris baru",
    "####pagar",
    "::titik dua::",
    "→ unicode ✓ “kutip” <&>",
    "//bukan komentar",
]


@pytest.mark.parametrize("tricky", TRICKY)
def test_any_text_survives_writing_and_reading_gift(tricky: str) -> None:
    item = PracticeItem(
        " ".join(tricky.split()), tricky,
        (opt(tricky, 1.0, tricky), opt("lain " + tricky, 0.0, ""), opt(tricky + " lagi", 0.5, "umpan balik")),
        multiple=False, category="$course$/Netral/Kategori: satu", general_feedback=tricky)
    several = PracticeItem("banyak", tricky, (opt(tricky, 0.5, tricky), opt("b", 0.5), opt("c", -0.5, tricky)), True,
                           category="$course$/Netral/Kategori: satu")
    text = write_gift([item, several])
    report = read_gift(text)
    assert report.problems == () and report.unsupported == ()
    assert [i.source_line for i in report.items] == [3, 10]
    assert [dataclass_without_line(i) for i in report.items] == [item, several]


def dataclass_without_line(item: PracticeItem) -> PracticeItem:
    import dataclasses

    return dataclasses.replace(item, source_line=None)


def test_true_false_items_survive_writing_and_reading_gift() -> None:
    items = [
        PracticeItem("tf1", "ASN boleh memilih?", (opt(TRUE_TEXT, 1.0, "tepat"), opt(FALSE_TEXT, 0.0, "keliru")),
                     False, kind=TRUEFALSE, general_feedback="Hak pilih tetap ada."),
        PracticeItem("tf2", "ASN boleh berkampanye?", (opt(TRUE_TEXT, 0.0, "keliru"), opt(FALSE_TEXT, 1.0)),
                     False, kind=TRUEFALSE),
        PracticeItem("tf3", "Tanpa umpan balik", (opt(TRUE_TEXT, 0.0), opt(FALSE_TEXT, 1.0)), False, kind=TRUEFALSE),
    ]
    text = write_gift(items)
    assert "{TRUE#keliru#tepat\n\t####Hak pilih tetap ada.\n}" in text
    assert "{FALSE#keliru}" in text and "{FALSE}" in text
    assert [dataclass_without_line(i) for i in read_gift(text).items] == items


def test_comments_and_notes_are_skipped_by_the_reader() -> None:
    item = PracticeItem("a", "Q?", (opt("ya", 1.0), opt("tidak", 0.0)), False, category="$course$/Netral/X")
    text = write_gift([item, item], header=["Kepala berkas", "baris dua\nbaris tiga"], notes={1: ["Ambil 1 soal"]})
    assert text.startswith("// Kepala berkas\n// baris dua\n// baris tiga\n\n$CATEGORY: $course$/Netral/X\n")
    assert "// Ambil 1 soal\n$CATEGORY: $course$/Netral/X\n" in text
    report = read_gift(text)
    assert report.problems == () and len(report.items) == 2
