"""Moodle's grade rules as Netral models them: fraction rounding, the list of grades, scoring, categories."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from netral.i18n import catalogue
from netral.interchange import (
    FALSE_TEXT,
    MOODLE_FRACTIONS,
    TRUE_TEXT,
    TRUEFALSE,
    PracticeItem,
    PracticeOption,
    category_names,
    category_path,
    grade_problems,
    is_moodle_fraction,
    moodle_round,
    option_label,
    percent,
    qtype_label,
    score_practice,
)


@pytest.mark.parametrize(("fraction", "written"), [
    (1.0, "100"), (0.0, "0"), (-0.0, "0"), (0.5, "50"), (-1.0, "-100"), (0.25, "25"),
    (moodle_round(1 / 3), "33.33333"), (-moodle_round(1 / 3), "-33.33333"), (moodle_round(2 / 3), "66.66667"),
    (moodle_round(1 / 7), "14.28571"), (0.125, "12.5"),
])
def test_percent_is_written_as_moodle_writes_it(fraction: float, written: str) -> None:
    assert percent(fraction) == written


@pytest.mark.parametrize("key_size", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20])
def test_every_share_one_over_k_that_moodle_lists_is_accepted_after_rounding(key_size: int) -> None:
    share = moodle_round(1 / key_size)
    assert is_moodle_fraction(share) and is_moodle_fraction(-share)
    # Moodle's multiple-answer check: the positive grades add up to 100 % after rounding to 2 decimals.
    assert round(share * key_size, 2) == 1.0


@pytest.mark.parametrize("fraction", [moodle_round(1 / 11), 0.35, moodle_round(1 / 3) + 0.0001, 1.01])
def test_fractions_outside_moodles_list_are_recognised(fraction: float) -> None:
    assert not is_moodle_fraction(fraction)


def test_the_list_of_grades_is_moodles_full_list() -> None:
    assert len(MOODLE_FRACTIONS) == 41 and MOODLE_FRACTIONS[0] == 1.0 and MOODLE_FRACTIONS[-1] == -1.0
    assert 0.8333333 in MOODLE_FRACTIONS and -0.1428571 in MOODLE_FRACTIONS and 0.0 in MOODLE_FRACTIONS


def _item(fractions: list[float], multiple: bool) -> PracticeItem:
    return PracticeItem("q", "text", tuple(PracticeOption(f"o{i}", f, "") for i, f in enumerate(fractions)), multiple)


THIRD = moodle_round(1 / 3)
INTERCHANGE = Path(__file__).resolve().parents[1] / "netral" / "interchange"


@pytest.mark.parametrize(("fractions", "multiple", "chosen", "score"), [
    ([1.0, 0.5, 0.0], False, [], 0.0),
    ([1.0, 0.5, 0.0], False, [1], 0.5),
    ([1.0, 0.5, 0.0], False, [0], 1.0),
    ([1.0, -0.5, 0.0], False, [1], -0.5),            # Moodle does not clamp a one-answer question
    ([0.5, 0.5, -0.5, -0.5], True, [0, 1], 1.0),
    ([0.5, 0.5, -0.5, -0.5], True, [0, 2], 0.0),
    ([0.5, 0.5, -0.5, -0.5], True, [2, 3], 0.0),     # clamped at 0, never negative
    ([0.5, 0.5, -0.5, -0.5], True, [0, 1, 2], 0.5),
    ([THIRD, THIRD, THIRD, -THIRD], True, [0, 1, 2], 3 * THIRD),
    ([1.0, -1.0], True, [0], 1.0),
    ([0.75, 0.75, -1.0], True, [0, 1], 1.0),         # clamped at 1
])
def test_practice_items_score_as_moodle_grades_them(fractions: list[float], multiple: bool, chosen: list[int],
                                                     score: float) -> None:
    assert score_practice(_item(fractions, multiple), chosen) == pytest.approx(score, abs=1e-12)


def test_a_full_key_of_thirds_is_within_a_millionth_of_full_marks() -> None:
    # 3 x 0.3333333 = 0.9999999: Moodle counts a fraction above 0.999999 as right.
    assert 1 - score_practice(_item([THIRD] * 3, True), [0, 1, 2]) < 1e-6


@pytest.mark.parametrize("chosen", [[3], [-1], [0, 1]])
def test_impossible_answers_are_refused(chosen: list[int]) -> None:
    with pytest.raises(ValueError):
        score_practice(_item([1.0, 0.0, 0.0], False), chosen)


@pytest.mark.parametrize(("fractions", "multiple", "key"), [
    ([0.5, 0.5, -1.0, -1.0], True, []),
    ([0.5, 0.2, 0.0], True, ["interchange.problem.fractions_sum"]),
    ([0.5, 0.0], False, ["interchange.problem.no_full_marks"]),
    ([1.0, 0.5, 0.0], False, []),
])
def test_moodles_own_grade_checks_become_warnings(fractions: list[float], multiple: bool, key: list[str]) -> None:
    problems = grade_problems(_item(fractions, multiple))
    assert [p.key for p in problems] == key
    assert all(not p.skipped for p in problems)


@pytest.mark.parametrize(("path", "names"), [
    ("$course$/Netral/Dukungan melalui media sosial", ["$course$", "Netral", "Dukungan melalui media sosial"]),
    ("$course$/top/A//B/C", ["$course$", "top", "A/B", "C"]),
    ("tom/dick/harry", ["tom", "dick", "harry"]),
])
def test_category_paths_split_as_moodle_splits_them(path: str, names: list[str]) -> None:
    assert category_names(path) == names


def test_category_path_doubles_slashes_inside_names() -> None:
    path = category_path("Netral", "Pemilu/Pilkada")
    assert path == "$course$/Netral/Pemilu//Pilkada"
    assert category_names(path) == ["$course$", "Netral", "Pemilu/Pilkada"]


def test_labels_translate_truefalse_options_and_question_types() -> None:
    item = PracticeItem("q", "t", (PracticeOption(TRUE_TEXT, 1.0, ""), PracticeOption(FALSE_TEXT, 0.0, "")),
                        False, kind=TRUEFALSE)
    assert [option_label("id", item, o) for o in item.options] == ["Benar", "Salah"]
    assert [option_label("en", item, o) for o in item.options] == ["True", "False"]
    assert qtype_label("id", "shortanswer") == "jawaban singkat"
    assert qtype_label("en", "match") == "matching"
    assert qtype_label("en", "some-plugin-type") == "some-plugin-type"


def test_interchange_messages_exist_in_both_languages_with_the_same_placeholders() -> None:
    ids = {k for k in catalogue("id") if k.startswith("interchange.")}
    assert ids and ids == {k for k in catalogue("en") if k.startswith("interchange.")}
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for key in ids:
        assert fields(catalogue("id")[key]) == fields(catalogue("en")[key]), key
        # `lang` is t()'s own parameter and cannot be a placeholder.
        assert "lang" not in fields(catalogue("id")[key]), key


def test_every_message_key_named_in_the_interchange_code_exists() -> None:
    named: set[str] = set()
    for path in INTERCHANGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'"(interchange\.[a-z_.]+)"', source))
        # Problems are named by their last part: self.problem(line, "braces", ...).
        named |= {"interchange.problem." + k for k in re.findall(r'self\.problem\([^,]+, "([a-z_]+)"', source)}
    prefixes = {key for key in named if key.endswith(".")}
    assert {"interchange.problem.", "interchange.qtype.", "interchange.kind.", "interchange.truefalse."} <= prefixes
    assert sorted(named - prefixes - set(catalogue("id"))) == []
    assert len(named - prefixes) > 20


@pytest.mark.parametrize(("fractions", "multiple", "key"), [
    ([0.0, 1.0, 0.5], False, (1,)),
    ([0.5, 0.25, 0.0], False, (0,)),            # no 100 % answer: the best one
    ([0.5, -0.5, 0.5, -0.5], True, (0, 2)),
    ([THIRD, THIRD, -THIRD, THIRD], True, (0, 1, 3)),
])
def test_the_key_of_an_item_is_what_earns_marks(fractions: list[float], multiple: bool, key: tuple[int, ...]) -> None:
    assert _item(fractions, multiple).key == key
