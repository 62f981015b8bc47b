"""The content Netral ships: valid, complete, faithful to the fact sheet's catalogue and the seed paper."""

from __future__ import annotations

import re
from pathlib import Path

from netral.content import validate_content
from netral.content.models import Status

CONTENT, PROBLEMS = validate_content()
DOCS = Path(__file__).resolve().parents[1] / "docs" / "content-format.md"

TABLE_2_1_CATEGORIES = {
    "media-sosial": 130, "pendekatan-parpol": 88, "sosialisasi-apk": 36, "mendukung-bakal-calon": 29,
    "menghadiri-kegiatan": 28, "deklarasi-diri": 25, "promosi-diri": 15, "calon-perseorangan": 7,
    "mendampingi-pendaftaran": 4, "mengajak-mengintimidasi": 2, "atribut-kampanye": 1, "penggantian-pejabat": 1,
}
OTHER_FORMS = {"fasilitas-negara", "keputusan-menguntungkan", "foto-simbol", "keanggotaan-parpol"}


def test_shipped_content_validates_cleanly() -> None:
    assert [str(p) for p in PROBLEMS] == []


def test_at_least_forty_case_studies_two_per_category() -> None:
    standalone = CONTENT.standalone_scenarios()
    assert len(standalone) >= 40
    for category in CONTENT.categories:
        assert len(CONTENT.standalone_scenarios(category)) >= 2, category


def test_about_a_quarter_are_lawful() -> None:
    standalone = CONTENT.standalone_scenarios()
    share = sum(s.lawful for s in standalone) / len(standalone)
    assert 0.18 <= share <= 0.35, share


def test_some_scenarios_branch_to_follow_ups() -> None:
    branching = [s for s in CONTENT.scenarios.values() if s.next_scenarios]
    assert len(branching) >= 3
    assert all(CONTENT.scenarios[t].followup_only for s in branching for t in s.next_scenarios)


def test_categories_cover_table_2_1_and_the_other_forms() -> None:
    counts = {c.id: c.table_2_1.count for c in CONTENT.categories.values() if c.table_2_1}
    assert counts == TABLE_2_1_CATEGORIES
    assert OTHER_FORMS <= set(CONTENT.categories)
    assert CONTENT.categories["penggantian-pejabat"].binds is not None  # binds regional heads, not ordinary ASN


def test_every_catalogued_provision_exists() -> None:
    catalogue = set(re.findall(r"^\| ([a-z0-9-]+) \| ", DOCS.read_text(encoding="utf-8"), flags=re.M))
    catalogue -= set(CONTENT.categories) | {"id"}  # the category table and header rows share the format
    assert catalogue, "no provision catalogue found in docs/content-format.md"
    assert sorted(catalogue - set(CONTENT.provisions)) == []


def test_unverified_points_are_taught_as_contested() -> None:
    contested = {p.id for p in CONTENT.provisions.values() if p.status is Status.CONTESTED}
    for must in ("pp94-p5n1", "pp94-p5n1-penj", "pp94-p42", "skb2022-disiplin-8", "uu7-p521"):
        assert must in contested, must
    assert all(CONTENT.provisions[p].status_note for p in contested)


def test_sanction_scale_explains_the_transitional_rule() -> None:
    levels = CONTENT.sanction_levels
    assert {"ringan", "sedang", "berat", "moral", "pidana", "none"} <= set(levels)
    assert "42" in levels["sedang"].description.id and "53/2010" in levels["sedang"].description.id


def test_institutions_and_their_roles() -> None:
    assert {"bawaslu", "kasn", "bkn", "ppk"} <= set(CONTENT.institutions)


def test_three_quizzes_for_the_three_audiences() -> None:
    assert {"pretest-cpns", "penyegaran-pemilu", "lanjutan-pejabat"} <= set(CONTENT.quizzes)
    modes = {q.selection.mode for q in CONTENT.quizzes.values()}
    assert modes == {"fixed", "random"}
