"""Mastery per violation category, set beside how often that violation really occurred (Table 2.1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netral.content import Content


@dataclass(frozen=True)
class CategoryMastery:
    category_id: str
    answers: int
    mastery: float | None          # mean score 0..1; None when never answered
    real_cases: int | None         # Table 2.1 count (Pilkada 2020); None for categories outside the table
    real_share: float | None       # that count as a share of all Table 2.1 cases


def category_mastery(content: Content, tallies: Iterable[tuple[str, int, float]]) -> list[CategoryMastery]:
    """Combine per-scenario tallies (scenario id, answers, mean score) into one row per category.

    The mean is weighted by the number of answers. Rows come most frequent in reality first, so the chart
    reads "the one that happens most" from the top; categories outside Table 2.1 follow, by name.
    """
    totals: dict[str, tuple[int, float]] = {}
    for scenario_id, answers, mean_score in tallies:
        scenario = content.scenarios.get(scenario_id)
        if scenario is None or answers <= 0:
            continue  # content changed since: the answer no longer maps to a category
        count, weighted = totals.get(scenario.category, (0, 0.0))
        totals[scenario.category] = (count + answers, weighted + answers * mean_score)
    all_cases = sum(c.table_2_1.count for c in content.categories.values() if c.table_2_1) or 1
    rows = []
    for category in content.categories.values():
        count, weighted = totals.get(category.id, (0, 0.0))
        real = category.table_2_1.count if category.table_2_1 else None
        rows.append(CategoryMastery(category.id, count, weighted / count if count else None, real,
                                    real / all_cases if real is not None else None))
    return sorted(rows, key=lambda row: (row.real_cases is None, -(row.real_cases or 0), row.category_id))


def weakest_frequent(rows: list[CategoryMastery]) -> CategoryMastery | None:
    """The category to work on first: the answered one with the largest (1 - mastery) x real-world share."""
    answered = [row for row in rows if row.mastery is not None and row.real_share is not None]
    if not answered:
        return None
    return max(answered, key=lambda row: ((1 - (row.mastery or 0.0)) * (row.real_share or 0.0), row.category_id))
