"""Item analysis reproduces Moodle's quiz statistics: its own test vectors, small cases by hand, edge cases."""

from __future__ import annotations

import csv
import math
import re
from dataclasses import fields, replace
from pathlib import Path

import pytest

from netral.i18n import LANGUAGES, catalogue
from netral.itemanalysis import (
    QUESTION_COLUMN_KEYS,
    TEST_STATISTIC_KEYS,
    WHICH_ATTEMPTS,
    WHICH_ATTEMPTS_KEYS,
    QuestionStatistics,
    QuizAnalysis,
    ScoredAttempt,
    TestStatistics,
    analyse_quiz,
    flag_question,
    select_attempts,
)

ROOT = Path(__file__).resolve().parents[1]
MOODLE = Path(__file__).resolve().parent / "fixtures" / "moodle"
TOLERANCE = 1e-6


# --- Moodle's test vectors (tests/fixtures/moodle/README.md) ---------------------------------------------------

def _read_csv(name: str) -> list[dict[str, str]]:
    with (MOODLE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


RESULTS = _read_csv("results00.csv")
EXPECTED_QUESTIONS = _read_csv("qstats00.csv")
SLOTS = [column.split(".")[1] for column in RESULTS[0] if column.startswith("slots.")]
MAX_MARKS = {slot: 1.0 for slot in SLOTS}  # every slot of Moodle's quiz 00 is worth 1 mark

# qstats00.csv column -> QuestionStatistics field.
QUESTION_FIELDS = {
    "facility": "facility",
    "sd": "sd",  # Moodle stores the SD in marks; with max mark 1 it equals our fraction of the max mark
    "effectiveweight": "effective_weight",
    "covariance": "covariance",
    "markvariance": "mark_variance",
    "othermarkvariance": "rest_variance",
    "discriminationindex": "discrimination_index",
    "covariancemax": "max_covariance",
    "discriminativeefficiency": "discriminative_efficiency",
}

# check_quiz_stats_for_quiz_00 in Moodle's stats_from_steps_walkthrough_test.php.
EXPECTED_TEST = {
    "median": 4.5,
    "mean": 4.617333332,
    "sd": 0.8117265554,
    "skewness": -0.092502502,
    "kurtosis": -0.7073968557,
    "cic": -87.2230935542,
    "error_ratio": 136.8294900795,
    "standard_error": 1.1106813066,
}


def _moodle_attempts() -> list[ScoredAttempt]:
    # Each of the 25 attempts is a different user's first attempt, as in Moodle's walkthrough.
    return [
        ScoredAttempt(attempt_id=int(row["quizattempt"]), user_id=int(row["quizattempt"]), number=1,
                      marks={slot: float(row[f"slots.{slot}.mark"]) for slot in SLOTS})
        for row in RESULTS
    ]


@pytest.fixture(scope="module")
def moodle_analysis() -> QuizAnalysis:
    return analyse_quiz(_moodle_attempts(), MAX_MARKS)


def test_fixture_is_read_whole() -> None:
    assert len(RESULTS) == 25 and SLOTS == [str(n) for n in range(1, 8)]
    assert [row["slot"] for row in EXPECTED_QUESTIONS] == SLOTS
    assert set(EXPECTED_QUESTIONS[0]) - {"slot"} == set(QUESTION_FIELDS)
    # The file's totals are rounded to 5 decimals; our totals are the exact sums of the marks.
    for attempt, row in zip(_moodle_attempts(), RESULTS, strict=True):
        assert attempt.total == pytest.approx(float(row["summarks"]), abs=1e-5)


@pytest.mark.parametrize(("slot", "column"), [
    (row["slot"], column) for row in EXPECTED_QUESTIONS for column in QUESTION_FIELDS
])
def test_question_statistics_match_moodle(moodle_analysis: QuizAnalysis, slot: str, column: str) -> None:
    expected = float(next(row for row in EXPECTED_QUESTIONS if row["slot"] == slot)[column])
    actual = getattr(moodle_analysis.question(slot), QUESTION_FIELDS[column])
    assert actual is not None and abs(actual - expected) <= TOLERANCE, (slot, column, actual, expected)


@pytest.mark.parametrize(("statistic", "expected"), EXPECTED_TEST.items())
def test_test_statistics_match_moodle(moodle_analysis: QuizAnalysis, statistic: str, expected: float) -> None:
    actual = getattr(moodle_analysis.test, statistic)
    assert actual is not None and abs(actual - expected) <= TOLERANCE, (statistic, actual, expected)


def test_moodle_counts_and_order(moodle_analysis: QuizAnalysis) -> None:
    assert moodle_analysis.test.attempt_count == 25 and moodle_analysis.test.question_count == 7
    assert moodle_analysis.test.max_total == 7.0
    assert [q.question_id for q in moodle_analysis.questions] == SLOTS
    assert all(q.intended_weight == pytest.approx(100 / 7) for q in moodle_analysis.questions)
    # Moodle's "first attempts" and "all attempts" agree here: every user made one attempt.
    first = analyse_quiz(select_attempts(_moodle_attempts(), "first"), MAX_MARKS).test
    assert first.attempt_count == 25 and first.mean == pytest.approx(EXPECTED_TEST["mean"], abs=TOLERANCE)


# --- small cases computed by hand ------------------------------------------------------------------------------

def _attempts(*rows: dict[str, float]) -> list[ScoredAttempt]:
    return [ScoredAttempt(attempt_id=i, user_id=i, number=1, marks=row) for i, row in enumerate(rows, start=1)]


def test_three_attempts_two_questions_by_hand() -> None:
    # q1 (max 1) marks 1, 1, 0; q2 (max 2) marks 2, 1, 0; totals 3, 2, 0.
    # q1: mean 2/3, Var = ((1/3)^2 + (1/3)^2 + (2/3)^2) / 2 = 1/3.  q2: mean 1, Var = (1 + 0 + 1) / 2 = 1.
    # The rest of the test of q1 is q2 and vice versa: Cov(q1, q2) = (1/3*1 + 1/3*0 + 2/3*1) / 2 = 1/2,
    # so the discrimination index of both is 100 * (1/2) / sqrt(1/3 * 1) = 50 * sqrt(3).
    # Sorted pairs are already in the same order, so Cov_max = Cov and the efficiency is 100%.
    # Cov(q1, total) = 1/3 + 1/2 = 5/6, Cov(q2, total) = 1 + 1/2 = 3/2, so the effective weight of q1 is
    # sqrt(5/6) / (sqrt(5/6) + sqrt(3/2)) = sqrt(5) / (sqrt(5) + 3).
    analysis = analyse_quiz(_attempts({"q1": 1, "q2": 2}, {"q1": 1, "q2": 1}, {"q1": 0, "q2": 0}),
                            {"q1": 1.0, "q2": 2.0})
    q1, q2 = analysis.questions
    assert q1.facility == pytest.approx(2 / 3) and q2.facility == pytest.approx(1 / 2)
    assert q1.sd == pytest.approx(math.sqrt(1 / 3))
    assert q2.sd == pytest.approx(1 / 2)  # SD 1 mark out of a maximum of 2
    assert q1.intended_weight == pytest.approx(100 / 3) and q2.intended_weight == pytest.approx(200 / 3)
    assert q1.discrimination_index == pytest.approx(50 * math.sqrt(3))
    assert q2.discrimination_index == pytest.approx(50 * math.sqrt(3))
    assert q1.discriminative_efficiency == pytest.approx(100) and q2.discriminative_efficiency == pytest.approx(100)
    assert q1.effective_weight == pytest.approx(100 * math.sqrt(5) / (math.sqrt(5) + 3))
    assert q1.effective_weight + q2.effective_weight == pytest.approx(100)

    # Totals 3, 2, 0: mean 5/3, median 2, deviations 4/3, 1/3, -5/3; sum of squares 14/3, Var = k2 = 7/3.
    # k3 = n^2 m3 / ((n-1)(n-2)) with m3 = (64 + 1 - 125) / 27 / 3 = -20/27, so k3 = -10/3 and the skewness is
    # k3 / k2^1.5 = -10 sqrt(3) / (7 sqrt(7)). Kurtosis needs 4 attempts.
    # CIC = 100 * 2/1 * (1 - (1/3 + 1) / (7/3)) = 600/7; error ratio = 100 sqrt(1/7); SE = ER * SD / 100 = 1/sqrt(3).
    test = analysis.test
    assert (test.attempt_count, test.question_count, test.max_total) == (3, 2, 3.0)
    assert test.mean == pytest.approx(5 / 3) and test.median == 2
    assert test.sd == pytest.approx(math.sqrt(7 / 3))
    assert test.skewness == pytest.approx(-10 * math.sqrt(3) / (7 * math.sqrt(7)))
    assert test.kurtosis is None
    assert test.cic == pytest.approx(600 / 7)
    assert test.error_ratio == pytest.approx(100 / math.sqrt(7))
    assert test.standard_error == pytest.approx(1 / math.sqrt(3))


def test_discriminative_efficiency_by_hand() -> None:
    # q1 marks 1, 0, 1; rest (q2) 0, 1, 1. Cov = ((1/3)(-2/3) + (-2/3)(1/3) + (1/3)(1/3)) / 2 = -1/6.
    # Sorted: q1 0, 1, 1 against rest 0, 1, 1: Cov_max = Var = 1/3, so the efficiency is 100 * (-1/6) / (1/3) = -50;
    # the discrimination index is 100 * (-1/6) / sqrt(1/3 * 1/3) = -50 too.
    q1 = analyse_quiz(_attempts({"q1": 1, "q2": 0}, {"q1": 0, "q2": 1}, {"q1": 1, "q2": 1}),
                      {"q1": 1.0, "q2": 1.0}).question("q1")
    assert q1.max_covariance == pytest.approx(1 / 3)
    assert q1.discriminative_efficiency == pytest.approx(-50)
    assert q1.discrimination_index == pytest.approx(-50)


def test_question_against_the_total_has_no_effective_weight() -> None:
    # "bad" is 1 exactly when the two good questions are 0, so the total is good + 1 and
    # Cov(bad, total) = Cov(1 - good, good + 1) = -Var(good) < 0: Moodle shows no effective weight for it and
    # shares the 100% between the other two, each Cov = Var(good) = 1/3, so 50% each.
    analysis = analyse_quiz(_attempts(*[{"g1": g, "g2": g, "bad": 1 - g} for g in (1, 0, 1, 0)]),
                            {"g1": 1.0, "g2": 1.0, "bad": 1.0})
    assert analysis.question("bad").covariance_with_total == pytest.approx(-1 / 3)
    assert analysis.question("bad").effective_weight is None
    assert analysis.question("g1").effective_weight == pytest.approx(50)
    assert analysis.question("g2").effective_weight == pytest.approx(50)


def test_kurtosis_of_an_evenly_spread_quiz() -> None:
    # Totals 0, 1, 2, 3: deviations +-1.5, +-0.5, m2 = 5/4, m4 = 41/16, k2 = 5/3,
    # k4 = 16 (5 m4 - 9 m2^2) / 6 = -10/3, so the kurtosis is k4 / k2^2 = -1.2; the skewness is 0.
    analysis = analyse_quiz(_attempts({"q": 0}, {"q": 1}, {"q": 2}, {"q": 3}), {"q": 3.0})
    assert analysis.test.kurtosis == pytest.approx(-1.2)
    assert analysis.test.skewness == pytest.approx(0, abs=1e-12)
    assert analysis.test.median == 1.5
    assert analysis.test.cic is None  # internal consistency needs two questions or more


# --- degenerate inputs -----------------------------------------------------------------------------------------

def _assert_no_nan(analysis: QuizAnalysis) -> None:
    values = [getattr(analysis.test, f.name) for f in fields(analysis.test)]
    values += [getattr(q, f.name) for q in analysis.questions for f in fields(q)]
    assert not any(isinstance(value, float) and not math.isfinite(value) for value in values)


def test_no_attempts() -> None:
    analysis = analyse_quiz([], {"q1": 1.0, "q2": 1.0})
    _assert_no_nan(analysis)
    assert analysis.test.attempt_count == 0
    assert (analysis.test.mean, analysis.test.median, analysis.test.sd, analysis.test.cic) == (None,) * 4
    assert [q.facility for q in analysis.questions] == [None, None]
    assert flag_question(analysis.questions[0]) == ["itemanalysis.flag.too_few_attempts"]


def test_one_attempt() -> None:
    analysis = analyse_quiz(_attempts({"q1": 1, "q2": 0.5}), {"q1": 1.0, "q2": 1.0})
    _assert_no_nan(analysis)
    assert analysis.test.mean == 1.5 and analysis.test.median == 1.5
    assert (analysis.test.sd, analysis.test.skewness, analysis.test.cic, analysis.test.standard_error) == (None,) * 4
    q1 = analysis.question("q1")
    assert q1.facility == 1.0
    assert (q1.sd, q1.discrimination_index, q1.discriminative_efficiency, q1.effective_weight) == (None,) * 4


def test_two_attempts_give_sd_but_no_higher_moments() -> None:
    # Moodle computes skewness and the CIC only from 3 attempts, kurtosis from 4.
    test = analyse_quiz(_attempts({"q1": 1, "q2": 1}, {"q1": 0, "q2": 1}), {"q1": 1.0, "q2": 1.0}).test
    assert test.sd == pytest.approx(math.sqrt(0.5))
    assert (test.skewness, test.kurtosis, test.cic, test.error_ratio) == (None,) * 4


def test_question_everyone_got_right() -> None:
    analysis = analyse_quiz(_attempts({"easy": 1, "q": 1}, {"easy": 1, "q": 0}, {"easy": 1, "q": 0.5}),
                            {"easy": 1.0, "q": 1.0})
    _assert_no_nan(analysis)
    easy = analysis.question("easy")
    assert easy.facility == 1.0 and easy.sd == 0.0
    assert easy.discrimination_index is None and easy.discriminative_efficiency is None
    assert easy.effective_weight == 0.0  # no share in the spread of totals
    assert analysis.question("q").effective_weight == pytest.approx(100)
    assert flag_question(easy) == ["itemanalysis.flag.no_spread", "itemanalysis.flag.very_easy"]


def test_fractional_constant_marks_are_no_spread() -> None:
    # 0.1 three times has a rounded mean; the deviations must still be exactly 0, not rounding noise.
    analysis = analyse_quiz(_attempts({"q": 0.1, "r": 0}, {"q": 0.1, "r": 1}, {"q": 0.1, "r": 0.5}),
                            {"q": 1.0, "r": 1.0})
    assert analysis.question("q").sd == 0.0 and analysis.question("q").discrimination_index is None


def test_all_totals_equal() -> None:
    # Totals 1, 1, 1: no spread, so skewness, kurtosis and CIC are undefined (k2 = 0), and nobody's mark
    # covaries with the total, so there are no effective weights.
    analysis = analyse_quiz(_attempts({"a": 1, "b": 0}, {"a": 0, "b": 1}, {"a": 1, "b": 0}, {"a": 0, "b": 1}),
                            {"a": 1.0, "b": 1.0})
    _assert_no_nan(analysis)
    test = analysis.test
    assert test.sd == 0.0 and test.mean == 1.0
    assert (test.skewness, test.kurtosis, test.cic, test.error_ratio, test.standard_error) == (None,) * 5
    assert [q.effective_weight for q in analysis.questions] == [None, None]
    assert analysis.question("a").discrimination_index == pytest.approx(-100)


def test_missing_question_counts_as_zero_and_unknown_marks_are_ignored() -> None:
    max_marks = {"q1": 1.0, "q2": 1.0}
    explicit = analyse_quiz(_attempts({"q1": 1, "q2": 0}, {"q1": 0, "q2": 1}, {"q1": 1, "q2": 1}), max_marks)
    implicit = analyse_quiz(_attempts({"q1": 1, "old": 5}, {"q2": 1}, {"q1": 1, "q2": 1}), max_marks)
    assert implicit == explicit
    assert implicit.test.mean == pytest.approx(4 / 3)


def test_single_question_quiz_has_no_rest_of_test() -> None:
    q = analyse_quiz(_attempts({"q": 1}, {"q": 0}, {"q": 1}), {"q": 1.0}).question("q")
    assert q.rest_variance == 0.0 and q.discrimination_index is None and q.discriminative_efficiency is None
    assert q.intended_weight == 100.0 and q.effective_weight == 100.0


def test_zero_max_mark_has_no_facility() -> None:
    analysis = analyse_quiz(_attempts({"q": 0, "r": 1}, {"q": 0, "r": 0}), {"q": 0.0, "r": 1.0})
    assert analysis.question("q").facility is None and analysis.question("q").sd is None
    assert analysis.question("q").intended_weight == 0.0
    assert analyse_quiz([], {"q": 0.0}).question("q").intended_weight is None  # the quiz is worth nothing


@pytest.mark.parametrize("max_mark", [-1.0, math.nan, math.inf])
def test_invalid_max_mark_is_refused(max_mark: float) -> None:
    with pytest.raises(ValueError, match="maximum mark"):
        analyse_quiz([], {"q": max_mark})


def test_non_numeric_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="attempt 1"):
        analyse_quiz(_attempts({"q": math.nan}), {"q": 1.0})


def test_random_guess_score_is_passed_through() -> None:
    analysis = analyse_quiz(_attempts({"q": 1}), {"q": 1.0, "r": 1.0}, random_guess_scores={"q": 0.5})
    assert analysis.question("q").random_guess_score == 0.5 and analysis.question("r").random_guess_score is None


def test_unknown_question_id_raises() -> None:
    with pytest.raises(KeyError):
        analyse_quiz([], {"q": 1.0}).question("nope")


# --- choosing attempts -----------------------------------------------------------------------------------------

def _attempt(attempt_id: int, user_id: int, number: int, mark: float) -> ScoredAttempt:
    return ScoredAttempt(attempt_id=attempt_id, user_id=user_id, number=number, marks={"q": mark})


# User 1: 0.5, 1.0, 1.0 (best reached twice); user 2: one attempt; user 3's attempts arrive out of order.
ATTEMPTS = [
    _attempt(10, 1, 1, 0.5), _attempt(11, 1, 2, 1.0), _attempt(12, 1, 3, 1.0),
    _attempt(20, 2, 1, 0.0),
    _attempt(31, 3, 2, 0.2), _attempt(30, 3, 1, 0.8),
]


@pytest.mark.parametrize(("which", "expected_ids"), [
    ("all", [10, 11, 12, 20, 31, 30]),
    ("first", [10, 20, 30]),
    ("last", [12, 20, 31]),
    ("highest", [11, 20, 30]),  # on a tie Moodle keeps the earlier attempt (11, not 12)
])
def test_select_attempts(which: str, expected_ids: list[int]) -> None:
    selected = select_attempts(ATTEMPTS, which)  # type: ignore[arg-type]
    assert [attempt.attempt_id for attempt in selected] == expected_ids


def test_select_attempts_refuses_an_unknown_choice() -> None:
    with pytest.raises(ValueError, match="which"):
        select_attempts(ATTEMPTS, "average")  # type: ignore[arg-type]


def test_select_attempts_of_nobody() -> None:
    assert all(select_attempts([], which) == [] for which in WHICH_ATTEMPTS)


# --- flags -----------------------------------------------------------------------------------------------------

GOOD_QUESTION = QuestionStatistics(
    question_id="q", max_mark=1.0, attempt_count=30, mean_mark=0.6, facility=0.6, sd=0.4,
    random_guess_score=None, intended_weight=10.0, effective_weight=12.0, discrimination_index=45.0,
    discriminative_efficiency=60.0, mark_variance=0.16, rest_variance=4.0, covariance=0.36,
    max_covariance=0.6, covariance_with_total=0.52,
)


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, []),
    ({"facility": 0.05}, ["itemanalysis.flag.very_hard"]),
    ({"facility": 0.06}, []),
    ({"facility": 0.95}, ["itemanalysis.flag.very_easy"]),
    ({"facility": 0.94}, []),
    ({"discrimination_index": -0.1}, ["itemanalysis.flag.negative_discrimination"]),
    ({"discrimination_index": 0.0}, ["itemanalysis.flag.weak_discrimination"]),
    ({"discrimination_index": 19.99}, ["itemanalysis.flag.weak_discrimination"]),
    ({"discrimination_index": 20.0}, []),
    ({"random_guess_score": 0.5}, ["itemanalysis.flag.guessable"]),
    ({"random_guess_score": 0.25}, []),
    ({"sd": 0.0, "facility": 0.0, "discrimination_index": None},
     ["itemanalysis.flag.no_spread", "itemanalysis.flag.very_hard"]),
    ({"attempt_count": 1, "sd": None, "discrimination_index": None}, ["itemanalysis.flag.too_few_attempts"]),
    ({"facility": 0.97, "discrimination_index": -12.0},
     ["itemanalysis.flag.very_easy", "itemanalysis.flag.negative_discrimination"]),
])
def test_flag_question(changes: dict[str, object], expected: list[str]) -> None:
    assert flag_question(replace(GOOD_QUESTION, **changes)) == expected  # type: ignore[arg-type]


def test_moodle_vectors_are_flagged(moodle_analysis: QuizAnalysis) -> None:
    # The data are random, so every slot discriminates negatively; slot 3 is also very easy (97%).
    flags = {q.question_id: flag_question(q) for q in moodle_analysis.questions}
    assert all("itemanalysis.flag.negative_discrimination" in keys for keys in flags.values())
    assert "itemanalysis.flag.very_easy" in flags["3"]


# --- messages --------------------------------------------------------------------------------------------------

def _keys_named_in_module() -> set[str]:
    source = (ROOT / "netral" / "itemanalysis.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(itemanalysis\.[a-z_.]+[a-z_])"', source)) | set(WHICH_ATTEMPTS_KEYS.values())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_exists_in_both_catalogues(lang: str) -> None:
    keys = _keys_named_in_module()
    assert {*QUESTION_COLUMN_KEYS.values(), *TEST_STATISTIC_KEYS.values()} <= keys
    assert len([key for key in keys if key.startswith("itemanalysis.flag.")]) == 7
    messages = catalogue(lang)
    assert sorted(keys - set(messages)) == []
    # And no message is left over that nothing names.
    assert sorted(key for key in messages if key.startswith("itemanalysis.") and key not in keys) == []


def test_column_keys_name_real_fields() -> None:
    assert set(QUESTION_COLUMN_KEYS) <= {f.name for f in fields(QuestionStatistics)}
    assert set(TEST_STATISTIC_KEYS) <= {f.name for f in fields(TestStatistics)}
