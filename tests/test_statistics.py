"""The shipped statistics reproduce the seed paper exactly and satisfy each table's own invariants."""

from __future__ import annotations

import pytest

from netral.content import load_content
from netral.statistics import (
    BANTEN2024_HANDLING,
    BANTEN_REPORTS,
    BKN_2020_2021,
    LATER_FIGURES,
    PILKADA2020_HANDLING,
    PILKADA2020_TYPES,
    REQUIRED_DATASETS,
    VULNERABILITY_INDEX,
    invariant_problems,
)

CONTENT, _ = load_content()
DATA = CONTENT.datasets

# Transcribed by hand from the seed paper (Dheanty et al. 2025), independently of the YAML files.
PAPER_TABLE_1 = [("Maluku Utara", 100), ("Sulawesi Utara", 55.87), ("Banten", 22.98), ("Sulawesi Selatan", 21.93),
                 ("Nusa Tenggara Timur", 9.40), ("Kalimantan Timur", 6.01), ("Jawa Barat", 5.48),
                 ("Sumatra Barat", 4.96), ("Gorontalo", 3.9), ("Lampung", 3.9)]
PAPER_TABLE_2_1 = [130, 88, 36, 29, 28, 25, 15, 7, 4, 2, 1, 1]
PAPER_TABLE_2_2 = {  # region: (temuan reg, temuan tidak, laporan reg, laporan tidak, pelanggaran, bukan)
    "Kota Cilegon": (2, 0, 3, 0, 1, 4), "Kota Serang": (13, 0, 8, 0, 6, 15), "Kota Tangerang": (1, 0, 6, 1, 0, 7),
    "Kota Tangerang Selatan": (3, 0, 9, 6, 5, 7), "Kabupaten Lebak": (2, 0, 12, 0, 2, 12),
    "Kabupaten Pandeglang": (1, 0, 2, 0, 2, 1), "Kabupaten Serang": (1, 0, 10, 4, 0, 11),
    "Kabupaten Tangerang": (1, 0, 8, 3, 4, 5),
}


def test_every_required_dataset_is_shipped_with_a_source() -> None:
    for dataset_id in REQUIRED_DATASETS:
        dataset = DATA[dataset_id]
        assert dataset.source.label and 2018 <= dataset.source.year <= 2026
        assert dataset.caption.id and dataset.caption.en


def test_shipped_statistics_satisfy_their_invariants() -> None:
    assert invariant_problems(DATA) == {}


def test_table_1_matches_the_paper() -> None:
    rows = [(r["province"], r["score"]) for r in DATA[VULNERABILITY_INDEX].rows]
    assert rows == PAPER_TABLE_1


def test_table_2_1_matches_the_paper_and_sums_to_366() -> None:
    counts = DATA[PILKADA2020_TYPES].column_values("count")
    assert counts == PAPER_TABLE_2_1
    assert sum(counts) == 366


def test_figure_1_pilkada_2020_handling() -> None:
    stages = {r["status"]: r["count"] for r in DATA[PILKADA2020_HANDLING].rows}
    assert stages == {"dugaan": 415, "direkomendasikan": 366, "dihentikan": 46, "dalam-proses": 3}


def test_table_2_2_matches_the_paper_and_balances_in_every_row() -> None:
    table = {r["region"]: (r["findings_registered"], r["findings_unregistered"], r["reports_registered"],
                           r["reports_unregistered"], r["violations"], r["non_violations"])
             for r in DATA[BANTEN2024_HANDLING].rows}
    assert table == PAPER_TABLE_2_2
    for found_reg, _, reported_reg, _, violations, non_violations in table.values():
        assert found_reg + reported_reg == violations + non_violations


def test_banten_reports_and_bkn_figures() -> None:
    assert {r["region"]: r["reports"] for r in DATA[BANTEN_REPORTS].rows} == {
        "Kota Cilegon": 2, "Kabupaten Pandeglang": 2, "Kabupaten Tangerang": 2, "Pemerintah Provinsi Banten": 1}
    bkn = DATA[BKN_2020_2021]
    assert {r["status"]: r["count"] for r in bkn.rows} == {"dugaan": 2034, "terbukti": 1596}
    # The paper's 1,596 is shown, and the KASN figure of 1,597 is noted rather than silently dropped.
    assert any("1.597" in note.id and "1,597" in note.en for note in bkn.notes)


def test_later_figures_carry_their_own_sources() -> None:
    later = DATA[LATER_FIGURES]
    assert all(row["source"] and row["date"] for row in later.rows)
    found = {(r["election"], r["institution"], r["measure"]): r["count"] for r in later.rows}
    assert found[("Pemilu 2024", "KASN", "terbukti")] == 183
    assert found[("Pilkada 2024", "Bawaslu", "terbukti")] == 314


@pytest.mark.parametrize("dataset_id, row, field, value, phrase", [
    (PILKADA2020_TYPES, 0, "count", 131, "sum to 367"),
    (BANTEN2024_HANDLING, 3, "non_violations", 8, "Kota Tangerang Selatan"),
    (PILKADA2020_HANDLING, 3, "count", 4, "alleged = 415"),
    (VULNERABILITY_INDEX, 9, "score", 120, "outside 0-100"),
])
def test_invariants_catch_a_typo(dataset_id: str, row: int, field: str, value: int, phrase: str) -> None:
    data = dict(DATA)
    broken = data[dataset_id].model_dump(mode="json")
    broken["rows"][row][field] = value
    data[dataset_id] = type(data[dataset_id]).model_validate(broken)
    problems = invariant_problems(data)
    assert any(phrase in message for _, message in problems[dataset_id]), problems
