"""Item analysis of a quiz, computed exactly as Moodle's quiz statistics report does.

Given the scored attempts at a quiz, this module gives the statistics of the test as a whole (mean, median,
standard deviation, skewness, kurtosis, coefficient of internal consistency, error ratio, standard error) and
of each question (facility, standard deviation, intended and effective weight, discrimination index,
discriminative efficiency). Trainers use them to find questions that do not tell trainees apart.

The formulas follow Moodle (GPL v3+, Moodle HQ and The Open University):
- question statistics: `question/classes/statistics/questions/calculator.php`;
- test statistics: `mod/quiz/report/statistics/classes/calculator.php`;
- displayed values: `mod/quiz/report/statistics/statistics_table.php` (the SD of a question is shown as a
  fraction of its maximum mark; the intended weight is its maximum mark over the quiz's total);
- explanations: https://docs.moodle.org/dev/Quiz_statistics_calculations.
They reproduce Moodle's own test vectors (`tests/fixtures/moodle/`).

Conventions, as in Moodle:
- n is the number of attempts analysed; a question's mark is x, the attempt's total is X (the sum of its
  question marks) and the rest of the test is X - x. Variances and covariances are sample ones (over n - 1).
- Every attempt counts for every question; a question missing from an attempt's marks scores 0.
- Which attempts to analyse (first, last, highest, all) is the caller's choice: see `select_attempts`.
- Fractions (facility, SD, random guess score) are in [0, 1]; weights, discrimination index, discriminative
  efficiency, coefficient of internal consistency and error ratio are percentages, as Moodle stores them.
- A statistic that is undefined for the data (too few attempts, no spread) is None, never NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

WhichAttempts = Literal["first", "all", "highest", "last"]
"""Which attempts of each user to analyse; the same choices as Moodle's "Calculate statistics from"."""

WHICH_ATTEMPTS: tuple[WhichAttempts, ...] = ("first", "all", "highest", "last")

# Where `flag_question` starts warning; its docstring gives the sources.
VERY_HARD_FACILITY = 0.05
VERY_EASY_FACILITY = 0.95
WEAK_DISCRIMINATION_PERCENT = 20.0
GUESSABLE_RANDOM_GUESS_SCORE = 0.40


@dataclass(frozen=True)
class ScoredAttempt:
    """One submitted attempt: who made it, which of their attempts it was, and the mark on each question."""

    attempt_id: int
    user_id: int
    number: int
    """The user's attempt number: 1 for their first attempt at this quiz, 2 for the second, and so on."""
    marks: Mapping[str, float]
    """Question (or slot) id -> mark obtained, in marks out of that question's maximum (not a fraction)."""

    @property
    def total(self) -> float:
        """The attempt's total mark: the sum of its question marks."""
        return math.fsum(self.marks.values())


@dataclass(frozen=True)
class QuestionStatistics:
    """The statistics of one question (Moodle: one slot) over the attempts analysed."""

    question_id: str
    max_mark: float
    attempt_count: int
    mean_mark: float | None
    """Mean mark obtained, in marks."""
    facility: float | None
    """Facility index: the mean mark as a fraction of the maximum mark (0 = nobody scored, 1 = all full)."""
    sd: float | None
    """Standard deviation of the mark as a fraction of the maximum mark (sample SD, over n - 1)."""
    random_guess_score: float | None
    """The fraction a random guess would score, when the caller knows it (from the question type)."""
    intended_weight: float | None
    """The question's maximum mark as a percentage of the quiz's maximum total."""
    effective_weight: float | None
    """The question's share, in percent, of the spread of totals; None when it covaries negatively."""
    discrimination_index: float | None
    """100 x the correlation of the question's mark with the rest of the test, in [-100, 100]."""
    discriminative_efficiency: float | None
    """The covariance with the rest of the test as a percentage of the largest it could be for these marks."""
    mark_variance: float | None
    """Sample variance of the mark, in marks squared."""
    rest_variance: float | None
    """Sample variance of the rest of the test (total minus this question)."""
    covariance: float | None
    """Sample covariance of the mark with the rest of the test."""
    max_covariance: float | None
    """The covariance of the marks and the rests each sorted on its own: the largest covariance possible."""
    covariance_with_total: float | None
    """Sample covariance of the mark with the attempt's total (drives the effective weight)."""


@dataclass(frozen=True)
class TestStatistics:
    """The statistics of the attempts' totals (Moodle's "Quiz information" table)."""

    __test__ = False  # not a pytest test class, despite its name

    attempt_count: int
    question_count: int
    max_total: float
    """The highest total possible: the sum of the questions' maximum marks."""
    mean: float | None
    median: float | None
    sd: float | None
    """Sample standard deviation of the totals (over n - 1), in marks."""
    skewness: float | None
    kurtosis: float | None
    """Excess kurtosis (0 for a normal distribution), Moodle's sample estimator k4 / k2^2."""
    cic: float | None
    """Coefficient of internal consistency (Cronbach's alpha) in percent; negative when items disagree."""
    error_ratio: float | None
    """Percentage of the totals' spread due to chance: 100 x sqrt(1 - CIC/100)."""
    standard_error: float | None
    """Standard error of measurement, in marks: error ratio x SD / 100."""


@dataclass(frozen=True)
class QuizAnalysis:
    """The statistics of the test and of each of its questions."""

    test: TestStatistics
    questions: tuple[QuestionStatistics, ...]
    """One entry per question, in the order of `max_marks`."""

    def question(self, question_id: str) -> QuestionStatistics:
        """The statistics of one question; KeyError when the quiz has no such question."""
        for statistics in self.questions:
            if statistics.question_id == question_id:
                return statistics
        raise KeyError(question_id)


# Message keys (netral/locales/*/itemanalysis.yaml) naming each statistic, for table headers.
QUESTION_COLUMN_KEYS: dict[str, str] = {
    "question_id": "itemanalysis.col.question",
    "attempt_count": "itemanalysis.col.attempts",
    "facility": "itemanalysis.col.facility",
    "sd": "itemanalysis.col.sd",
    "random_guess_score": "itemanalysis.col.random_guess_score",
    "intended_weight": "itemanalysis.col.intended_weight",
    "effective_weight": "itemanalysis.col.effective_weight",
    "discrimination_index": "itemanalysis.col.discrimination_index",
    "discriminative_efficiency": "itemanalysis.col.discriminative_efficiency",
}
TEST_STATISTIC_KEYS: dict[str, str] = {
    "attempt_count": "itemanalysis.test.attempts",
    "mean": "itemanalysis.test.mean",
    "median": "itemanalysis.test.median",
    "sd": "itemanalysis.test.sd",
    "skewness": "itemanalysis.test.skewness",
    "kurtosis": "itemanalysis.test.kurtosis",
    "cic": "itemanalysis.test.cic",
    "error_ratio": "itemanalysis.test.error_ratio",
    "standard_error": "itemanalysis.test.standard_error",
}
WHICH_ATTEMPTS_KEYS: dict[WhichAttempts, str] = {which: f"itemanalysis.attempts.{which}" for which in WHICH_ATTEMPTS}


def select_attempts(attempts: Iterable[ScoredAttempt], which: WhichAttempts) -> list[ScoredAttempt]:
    """The attempts to analyse, as Moodle picks them for each user (`quiz_report_grade_method_sql`).

    - "all": every attempt;
    - "first": each user's attempt with the lowest number;
    - "last": each user's attempt with the highest number;
    - "highest": each user's attempt with the highest total, the earliest one on a tie.
    Pass only submitted (finished) attempts. The result keeps the input order.
    """
    if which not in WHICH_ATTEMPTS:
        raise ValueError(f"which must be one of {', '.join(WHICH_ATTEMPTS)}, not {which!r}")
    attempts = list(attempts)
    if which == "all":
        return attempts

    def rank(attempt: ScoredAttempt) -> tuple[float, ...]:
        # The attempt to keep ranks lowest; attempt_id makes the choice deterministic on duplicate numbers.
        if which == "first":
            return (attempt.number, attempt.attempt_id)
        if which == "last":
            return (-attempt.number, -attempt.attempt_id)
        return (-attempt.total, attempt.number, attempt.attempt_id)

    chosen: dict[int, ScoredAttempt] = {}
    for attempt in attempts:
        kept = chosen.get(attempt.user_id)
        if kept is None or rank(attempt) < rank(kept):
            chosen[attempt.user_id] = attempt
    kept_ids = {id(attempt) for attempt in chosen.values()}
    return [attempt for attempt in attempts if id(attempt) in kept_ids]


def analyse_quiz(
    attempts: Sequence[ScoredAttempt],
    max_marks: Mapping[str, float],
    random_guess_scores: Mapping[str, float] | None = None,
) -> QuizAnalysis:
    """Moodle's quiz statistics for `attempts` at a quiz whose questions have the maximum marks `max_marks`.

    `max_marks` maps each question id to its maximum mark, in the quiz's order; marks an attempt holds for other
    ids are ignored, and a question missing from an attempt scores 0. `random_guess_scores` optionally gives, per
    question, the fraction a random guess scores (it depends on the question type, so the caller supplies it).
    Every attempt in `attempts` is analysed: choose them with `select_attempts`.
    """
    question_ids = list(max_marks)
    # One row per attempt, one column per question: the per-question sums below run over columns at once.
    marks = np.array([[_mark(attempt, q) for q in question_ids] for attempt in attempts], dtype=float)
    return analyse_marks(marks.reshape(len(attempts), len(question_ids)), max_marks, random_guess_scores)


def analyse_marks(
    marks: np.ndarray,
    max_marks: Mapping[str, float],
    random_guess_scores: Mapping[str, float] | None = None,
) -> QuizAnalysis:
    """`analyse_quiz` on a ready matrix: one row per attempt, one column per question in `max_marks`' order,
    each cell the mark obtained (0 for a question the attempt did not have)."""
    for question_id, max_mark in max_marks.items():
        if not math.isfinite(max_mark) or max_mark < 0:
            raise ValueError(f"maximum mark of {question_id!r} must be a finite number >= 0, not {max_mark!r}")
    question_ids = list(max_marks)
    if marks.ndim != 2 or marks.shape[1] != len(question_ids):
        raise ValueError(f"marks must be attempts x {len(question_ids)} questions, not {marks.shape}")
    # The total over the quiz's questions only, as Moodle sums the latest steps of the quiz's slots.
    totals = marks.sum(axis=1)
    max_total = math.fsum(max_marks.values())
    guesses = random_guess_scores or {}
    questions = _question_statistics(question_ids, [max_marks[q] for q in question_ids], marks, totals,
                                     max_total, [guesses.get(q) for q in question_ids])
    questions = _with_effective_weights(questions)
    sum_of_mark_variance = math.fsum(q.mark_variance or 0.0 for q in questions)
    test = _test_statistics(totals.tolist(), len(question_ids), max_total, sum_of_mark_variance)
    return QuizAnalysis(test=test, questions=tuple(questions))


def flag_question(question: QuestionStatistics) -> list[str]:
    """Message keys (`itemanalysis.flag.*`) of plain-language warnings about one question; [] when none apply.

    Thresholds and their sources:
    - fewer than 2 attempts: Moodle computes no spread or discrimination below 2 attempts;
    - SD 0 (everyone got the same mark): the question cannot tell trainees apart, and Moodle leaves its
      discrimination index empty;
    - facility <= 5%: "extremely difficult or something wrong with the question"; facility >= 95%:
      "extremely easy" (Moodle Docs, Quiz statistics report, facility index table, from the Open
      University's guide to the quiz reports);
    - discrimination index < 0: "question probably invalid", the better trainees do worse on it (Moodle Docs;
      Moodle 2.0's statistics table marked such questions dubious);
    - discrimination index from 0 to under 20%: very weak discrimination (Moodle Docs' 0-19 band);
    - random guess score > 40%: "unsatisfactory", guessing pays too well (the Open University's guide).
    Moodle's own "dubious question" mark, discriminative efficiency < 15%, adds nothing here: when the
    covariance is positive the efficiency is at least the discrimination index, so such a question is
    already flagged for weak or negative discrimination.
    """
    flags: list[str] = []
    if question.attempt_count < 2:
        flags.append("itemanalysis.flag.too_few_attempts")
    elif question.sd == 0:
        flags.append("itemanalysis.flag.no_spread")
    if question.facility is not None:
        if question.facility <= VERY_HARD_FACILITY:
            flags.append("itemanalysis.flag.very_hard")
        elif question.facility >= VERY_EASY_FACILITY:
            flags.append("itemanalysis.flag.very_easy")
    if question.discrimination_index is not None:
        if question.discrimination_index < 0:
            flags.append("itemanalysis.flag.negative_discrimination")
        elif question.discrimination_index < WEAK_DISCRIMINATION_PERCENT:
            flags.append("itemanalysis.flag.weak_discrimination")
    if question.random_guess_score is not None and question.random_guess_score > GUESSABLE_RANDOM_GUESS_SCORE:
        flags.append("itemanalysis.flag.guessable")
    return flags


def _mark(attempt: ScoredAttempt, question_id: str) -> float:
    mark = float(attempt.marks.get(question_id, 0.0))
    if not math.isfinite(mark):
        raise ValueError(f"attempt {attempt.attempt_id}: mark of {question_id!r} is not a number: {mark!r}")
    return mark


def _deviations(values: Sequence[float]) -> list[float]:
    """Each value minus the mean; exactly 0 when all values are equal, so no rounding noise fakes a spread."""
    if not values or min(values) == max(values):
        return [0.0] * len(values)
    mean = math.fsum(values) / len(values)
    return [value - mean for value in values]


def _centred(columns: np.ndarray) -> np.ndarray:
    """Each column minus its mean; exactly 0 in a column whose values are all equal, so no rounding noise
    fakes a spread."""
    centred = columns - columns.mean(axis=0)
    centred[:, columns.min(axis=0) == columns.max(axis=0)] = 0.0
    return centred


def _percent_ratio(numerator: float | None, denominator: float | None) -> float | None:
    """100 x numerator / denominator; None when either is missing or the denominator is 0 (Moodle's test)."""
    if numerator is None or not denominator:
        return None
    return 100 * numerator / denominator


def _question_statistics(question_ids: Sequence[str], max_marks: Sequence[float], marks: np.ndarray,
                         totals: np.ndarray, max_total: float, random_guess_scores: Sequence[float | None]
                         ) -> list[QuestionStatistics]:
    """Every question's statistics from the attempts x questions matrix `marks` (sample covariances over
    n - 1, None below 2 attempts, as Moodle)."""
    count = marks.shape[0]
    rests = totals[:, None] - marks
    means = marks.mean(axis=0) if count else None
    covariances: dict[str, np.ndarray] = {}
    if count >= 2:
        centred_marks, centred_rests = _centred(marks), _centred(rests)
        centred_totals = _centred(totals[:, None])
        # Moodle pairs the i-th smallest mark with the i-th smallest rest: the best agreement these values allow.
        sorted_marks, sorted_rests = _centred(np.sort(marks, axis=0)), _centred(np.sort(rests, axis=0))
        for name, first, second in (("mark", centred_marks, centred_marks), ("rest", centred_rests, centred_rests),
                                    ("rest_cov", centred_marks, centred_rests),
                                    ("max", sorted_marks, sorted_rests), ("total", centred_marks, centred_totals)):
            covariances[name] = (first * second).sum(axis=0) / (count - 1)

    def statistic(name: str, column: int) -> float | None:
        return float(covariances[name][column]) if covariances else None

    questions = []
    for column, (question_id, max_mark) in enumerate(zip(question_ids, max_marks, strict=True)):
        mean_mark = float(means[column]) if means is not None else None
        mark_variance, rest_variance = statistic("mark", column), statistic("rest", column)
        covariance, max_covariance = statistic("rest_cov", column), statistic("max", column)
        correlation_denominator = (math.sqrt(mark_variance * rest_variance)
                                   if mark_variance is not None and rest_variance is not None else None)
        questions.append(QuestionStatistics(
            question_id=question_id,
            max_mark=max_mark,
            attempt_count=count,
            mean_mark=mean_mark,
            facility=mean_mark / max_mark if mean_mark is not None and max_mark else None,
            sd=math.sqrt(mark_variance) / max_mark if mark_variance is not None and max_mark else None,
            random_guess_score=random_guess_scores[column],
            intended_weight=_percent_ratio(max_mark, max_total),
            effective_weight=None,  # needs every question's covariance: set by _with_effective_weights
            discrimination_index=_percent_ratio(covariance, correlation_denominator),
            discriminative_efficiency=_percent_ratio(covariance, max_covariance),
            mark_variance=mark_variance,
            rest_variance=rest_variance,
            covariance=covariance,
            max_covariance=max_covariance,
            covariance_with_total=statistic("total", column),
        ))
    return questions


def _with_effective_weights(questions: list[QuestionStatistics]) -> list[QuestionStatistics]:
    """Effective weight = sqrt(Cov(x, X)) over the sum of those roots for the questions with Cov(x, X) >= 0.

    A question that covaries negatively with the total has no effective weight (Moodle's "negcovar").
    """
    roots = [math.sqrt(q.covariance_with_total) for q in questions
             if q.covariance_with_total is not None and q.covariance_with_total >= 0]
    sum_of_roots = math.fsum(roots)
    weighted = []
    for question in questions:
        covariance = question.covariance_with_total
        weight = (100 * math.sqrt(covariance) / sum_of_roots
                  if sum_of_roots and covariance is not None and covariance >= 0 else None)
        weighted.append(replace(question, effective_weight=weight))
    return weighted


def _median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    count = len(ordered)
    if count == 0:
        return None
    middle = count // 2
    return ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _test_statistics(totals: list[float], question_count: int, max_total: float,
                     sum_of_mark_variance: float) -> TestStatistics:
    """Moodle's `quiz_statistics\\calculator::calculate`, step for step, on the attempts' totals."""
    s = len(totals)
    mean = math.fsum(totals) / s if s else None
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    if s > 1:
        deviations = _deviations(totals)
        power2 = math.fsum(d ** 2 for d in deviations)
        power3 = math.fsum(d ** 3 for d in deviations)
        power4 = math.fsum(d ** 4 for d in deviations)
        sd = math.sqrt(power2 / (s - 1))
        if s > 2:
            # Sample moments and the unbiased cumulant estimators k2, k3, k4 (Fisher's k-statistics), as Moodle.
            m2, m3, m4 = power2 / s, power3 / s, power4 / s
            k2 = s * m2 / (s - 1)
            k3 = s * s * m3 / ((s - 1) * (s - 2))
            if k2 != 0:
                skewness = k3 / k2 ** 1.5
                if s > 3:
                    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                    kurtosis = k4 / (k2 * k2)
                if question_count > 1:
                    cic = (100 * question_count / (question_count - 1)) * (1 - sum_of_mark_variance / k2)
                    # CIC cannot exceed 100 in exact arithmetic; the clamp only absorbs rounding.
                    error_ratio = 100 * math.sqrt(max(0.0, 1 - cic / 100))
                    standard_error = error_ratio * sd / 100
    return TestStatistics(
        attempt_count=s,
        question_count=question_count,
        max_total=max_total,
        mean=mean,
        median=_median(totals),
        sd=sd,
        skewness=skewness,
        kurtosis=kurtosis,
        cic=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )
