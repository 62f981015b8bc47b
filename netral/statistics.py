"""The real violation statistics: the invariants each published table must satisfy.

The seed paper's tables are reproduced exactly; these checks catch a typo that would make a table disagree
with itself (Table 2.1 must sum to the 366 cases of Figure 1, Table 2.2's intake must equal its outcomes).
"""

from __future__ import annotations

from collections.abc import Callable

from netral.content.models import Dataset

# Dataset ids the app draws charts from; the checks below refer to them.
VULNERABILITY_INDEX = "ikn-asn-2024"
PILKADA2020_TYPES = "pilkada2020-jenis"
PILKADA2020_HANDLING = "pilkada2020-penanganan"
BANTEN2024_HANDLING = "banten2024-penanganan"
BANTEN_REPORTS = "banten-laporan"
BKN_2020_2021 = "bkn-2020-2021"
LATER_FIGURES = "angka-resmi-lanjutan"

REQUIRED_DATASETS = (
    VULNERABILITY_INDEX,
    PILKADA2020_TYPES,
    PILKADA2020_HANDLING,
    BANTEN2024_HANDLING,
    BANTEN_REPORTS,
    BKN_2020_2021,
    LATER_FIGURES,
)

Located = tuple[tuple[str | int, ...], str]


def _by_status(dataset: Dataset) -> dict[str, int]:
    return {row["status"]: row["count"] for row in dataset.rows}


def _check_handling(datasets: dict[str, Dataset]) -> list[Located]:
    stages = _by_status(datasets[PILKADA2020_HANDLING])
    needed = ("dugaan", "direkomendasikan", "dihentikan", "dalam-proses")
    missing = [name for name in needed if name not in stages]
    if missing:
        return [(("rows",), f"missing status rows: {', '.join(missing)}")]
    closed = stages["direkomendasikan"] + stages["dihentikan"] + stages["dalam-proses"]
    if closed != stages["dugaan"]:
        return [(("rows",), f"recommended + stopped + in process = {closed}, but alleged = {stages['dugaan']}")]
    return []


def _check_types(datasets: dict[str, Dataset]) -> list[Located]:
    total = sum(datasets[PILKADA2020_TYPES].column_values("count"))
    handling = datasets.get(PILKADA2020_HANDLING)
    expected = _by_status(handling).get("direkomendasikan") if handling else None
    if expected is not None and total != expected:
        return [(("rows",), f"the counts sum to {total}, but {expected} cases were recommended (Figure 1)")]
    return []


def _check_banten(datasets: dict[str, Dataset]) -> list[Located]:
    problems: list[Located] = []
    for index, row in enumerate(datasets[BANTEN2024_HANDLING].rows):
        intake = row["findings_registered"] + row["reports_registered"]
        outcome = row["violations"] + row["non_violations"]
        if intake != outcome:
            problems.append(
                (("rows", index), f"{row['region']}: registered findings + reports = {intake}, "
                 f"but violations + non-violations = {outcome}")
            )
    return problems


def _check_index(datasets: dict[str, Dataset]) -> list[Located]:
    scores = datasets[VULNERABILITY_INDEX].column_values("score")
    problems: list[Located] = [
        (("rows", i, "score"), "a score lies outside 0-100") for i, s in enumerate(scores) if not 0 <= s <= 100
    ]
    if scores != sorted(scores, reverse=True):
        problems.append((("rows",), "rows are not in the published order (highest score first)"))
    return problems


def _check_bkn(datasets: dict[str, Dataset]) -> list[Located]:
    counts = _by_status(datasets[BKN_2020_2021])
    if counts.get("terbukti", 0) > counts.get("dugaan", 0):
        return [(("rows",), "more proven than alleged cases")]
    return []


INVARIANTS: dict[str, Callable[[dict[str, Dataset]], list[Located]]] = {
    PILKADA2020_HANDLING: _check_handling,
    PILKADA2020_TYPES: _check_types,
    BANTEN2024_HANDLING: _check_banten,
    VULNERABILITY_INDEX: _check_index,
    BKN_2020_2021: _check_bkn,
}


def invariant_problems(datasets: dict[str, Dataset]) -> dict[str, list[Located]]:
    """For each dataset id, the located problems of its invariant (missing datasets are reported too)."""
    problems: dict[str, list[Located]] = {}
    for dataset_id in REQUIRED_DATASETS:
        if dataset_id not in datasets:
            problems[dataset_id] = [((), "required statistics dataset is missing")]
    for dataset_id, check in INVARIANTS.items():
        if dataset_id in datasets:
            try:
                found = check(datasets)
            except (KeyError, TypeError) as exc:
                found = [(("rows",), f"rows lack the fields this table needs ({exc})")]
            if found:
                problems[dataset_id] = found
    return problems
