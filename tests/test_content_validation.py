"""Broken content gets a `path:line: field: message` problem for each fault; valid content gets none.

Table-driven: each case breaks one thing in a small valid tree and names the file, the field and a phrase
the message must contain. The line is checked against the line where the broken node sits in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from netral.cli import main
from netral.content import validate_content
from tests.contentkit import fresh_tree, scenario, write_tree


@dataclass
class Case:
    name: str
    breaks: Callable[[dict[str, Any]], None]
    file: str
    field: str
    phrase: str
    line_marker: str | None = None  # text on the line the problem must point at


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(tree: dict[str, Any]) -> None:
        node = tree
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return apply


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def apply(tree: dict[str, Any]) -> None:
        node = tree
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return apply


SCEN = "scenarios/kat-a.yaml"
REG = "regulations.yaml"


def _add_scenario(**kw: Any) -> Callable[[dict[str, Any]], None]:
    def apply(tree: dict[str, Any]) -> None:
        tree[SCEN]["scenarios"].append(scenario(**kw))
    return apply


def _duplicate_scenario_in_new_file(tree: dict[str, Any]) -> None:
    tree["scenarios/lain.yaml"] = {"scenarios": [scenario("kat-a-01")]}


def _orphan_followup(tree: dict[str, Any]) -> None:
    tree[SCEN]["scenarios"].append(scenario("kat-a-01b", followup_only=True))


def _next_to_standalone(tree: dict[str, Any]) -> None:
    tree[SCEN]["scenarios"][0]["questions"][4]["options"][1]["next"] = "kat-a-02"


CASES = [
    Case("missing English", _delete([SCEN, "scenarios", 0, "title", "en"]), SCEN,
         "scenarios[0].title.en", "Field required"),
    Case("empty Indonesian", _set([SCEN, "scenarios", 1, "situation", "id"], "  "), SCEN,
         "scenarios[1].situation.id", "at least 1 character"),
    Case("unknown field", _set([SCEN, "scenarios", 0, "verdik"], True), SCEN,
         "scenarios[0].verdik", "unknown field", "verdik:"),
    Case("wrong type", _set([SCEN, "scenarios", 0, "questions", 0, "weight"], "berat"), SCEN,
         "scenarios[0].questions[0].weight", "valid number"),
    Case("credit out of range", _set([SCEN, "scenarios", 0, "questions", 4, "options", 1, "credit"], 2), SCEN,
         "scenarios[0].questions[4].options[1].credit", "less than or equal to 1"),
    Case("no key answer", _set([SCEN, "scenarios", 0, "questions", 4, "options", 0, "credit"], 0.5), SCEN,
         "scenarios[0].questions[4]", "no key answer"),
    Case("partial credit in multiple choice",
         _set([SCEN, "scenarios", 0, "questions", 1, "options", 1, "credit"], 0.5), SCEN,
         "scenarios[0].questions[1]", "1.0 (correct) or 0.0"),
    Case("facet missing", _delete([SCEN, "scenarios", 0, "questions", 3]), SCEN,
         "scenarios[0]", "five facets"),
    Case("option without citation", _set([SCEN, "scenarios", 0, "questions", 0, "options", 0, "cites"], []), SCEN,
         "scenarios[0].questions[0].options[0].cites", "at least 1 item"),
    Case("cites unknown provision",
         _set([SCEN, "scenarios", 0, "questions", 2, "options", 1, "cites"], ["p-tidak-ada"]), SCEN,
         "scenarios[0].questions[2].options[1].cites[0]", "unknown provision 'p-tidak-ada'", "p-tidak-ada"),
    Case("unknown category", _set([SCEN, "scenarios", 1, "category"], "kat-x"), SCEN,
         "scenarios[1].category", "unknown category 'kat-x'", "category: kat-x"),
    Case("unknown sanction level on option",
         _set([SCEN, "scenarios", 0, "questions", 3, "options", 0, "level"], "sangat-berat"), SCEN,
         "scenarios[0].questions[3].options[0].level", "unknown sanction level", "sangat-berat"),
    Case("duplicate scenario id across files", _duplicate_scenario_in_new_file, "scenarios/lain.yaml",
         "scenarios[0].id", "duplicate scenario id 'kat-a-01'"),
    Case("duplicate option id", _set([SCEN, "scenarios", 0, "questions", 4, "options", 1, "id"], "menolak"), SCEN,
         "scenarios[0].questions[4]", "option ids repeat"),
    Case("bad id format", _set([SCEN, "scenarios", 0, "id"], "Kat A 01"), SCEN,
         "scenarios[0].id", "should match pattern"),
    Case("follow-up never reached", _orphan_followup, SCEN, "scenarios[2].followup_only", "not reached"),
    Case("branch to a standalone scenario", _next_to_standalone, SCEN,
         "scenarios[0].questions[4].options[1].next", "followup_only: true", "next: kat-a-02"),
    Case("lawful case keyed as breach", _set([SCEN, "scenarios", 1, "lawful"], False), SCEN,
         "scenarios[1].questions[2]", "cannot key the kind `none`"),
    Case("contested without note", _set([REG, "provisions", 0, "status"], "contested"), REG,
         "provisions[0]", "status_note"),
    Case("provision with unknown source", _set([REG, "provisions", 1, "sources"], ["s999"]), REG,
         "provisions[1].sources[0]", "unknown source 's999'", "s999"),
    Case("duplicate provision id", _set([REG, "provisions", 1, "id"], "p-larangan"), REG,
         "provisions[1].id", "duplicate provision id"),
    Case("category cites unknown provision", _set(["categories.yaml", "categories", 0, "provisions"], ["p-x"]),
         "categories.yaml", "categories[0].provisions[0]", "unknown provision 'p-x'", "p-x"),
    Case("too few scenarios in a category", _delete([SCEN, "scenarios", 1]), "categories.yaml",
         "categories[0].id", "at least 2"),
    Case("Table 2.1 count mismatch", _set(["categories.yaml", "categories", 0, "table_2_1", "count"], 4),
         "categories.yaml", "categories[0].table_2_1", "does not match Table 2.1"),
    Case("quiz draws more than exist",
         _set(["quizzes/kuis-a.yaml", "selection", "draw", 0, "count"], 3), "quizzes/kuis-a.yaml",
         "selection.draw[0].count", "has 2", "count: 3"),
    Case("quiz names a missing scenario",
         _set(["quizzes/kuis-a.yaml", "selection"], {"mode": "fixed", "scenarios": ["kat-a-01", "kat-a-09"]}),
         "quizzes/kuis-a.yaml", "selection.scenarios[1]", "unknown scenario 'kat-a-09'", "kat-a-09"),
    Case("quiz mixes modes",
         _set(["quizzes/kuis-a.yaml", "selection", "scenarios"], ["kat-a-01"]), "quizzes/kuis-a.yaml",
         "selection", "random selection"),
    Case("quiz pass mark out of range", _set(["quizzes/kuis-a.yaml", "pass_mark"], 70), "quizzes/kuis-a.yaml",
         "pass_mark", "less than or equal to 1", "pass_mark: 70"),
    Case("statistics row of wrong type",
         _set(["stats/banten-laporan.yaml", "rows", 0, "reports"], "dua"), "stats/banten-laporan.yaml",
         "rows[0].reports", "should be int", "reports: dua"),
    Case("Figure 1 does not add up",
         _set(["stats/pilkada2020-penanganan.yaml", "rows", 2, "count"], 1), "stats/pilkada2020-penanganan.yaml",
         "rows", "alleged = 5"),
    Case("Table 2.2 row does not balance",
         _set(["stats/banten2024-penanganan.yaml", "rows", 0, "violations"], 9), "stats/banten2024-penanganan.yaml",
         "rows[0]", "Kota Cilegon"),
    Case("required dataset missing", lambda tree: tree.pop("stats/bkn-2020-2021.yaml"),
         "stats/bkn-2020-2021.yaml", "(document)", "missing"),
]


def _run(tmp_path: Path, tree: dict[str, Any], raw: dict[str, str] | None = None):
    root = write_tree(tmp_path / "content", tree, raw)
    return root, validate_content(root)[1]


def test_minimal_tree_is_valid(tmp_path: Path) -> None:
    _, problems = _run(tmp_path, fresh_tree())
    assert problems == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_kind_of_error_is_reported_with_file_line_and_field(tmp_path: Path, case: Case) -> None:
    tree = fresh_tree()
    case.breaks(tree)
    root, problems = _run(tmp_path, tree)
    matching = [p for p in problems if p.path == f"content/{case.file}" and p.field == case.field]
    assert matching, f"no problem on {case.file} {case.field}; got:\n" + "\n".join(map(str, problems))
    assert any(case.phrase in p.message for p in matching), [p.message for p in matching]
    if case.line_marker:
        lines = (root / case.file).read_text(encoding="utf-8").splitlines()
        expected = next(i for i, line in enumerate(lines, 1) if case.line_marker in line)
        assert any(p.line == expected for p in matching), (expected, [str(p) for p in matching])
    assert all(p.line >= 1 for p in problems)


def test_yaml_syntax_error_names_the_line_and_does_not_hide_other_files(tmp_path: Path) -> None:
    tree = fresh_tree()
    tree["quizzes/kuis-a.yaml"]["pass_mark"] = 70  # a second, unrelated error in another file
    broken = "scenarios:\n  - id: kat-a-03\n    title: {id: 'a', en: 'b'\n    lawful: false\n"
    root, problems = _run(tmp_path, tree, raw={"scenarios/rusak.yaml": broken})
    rendered = [str(p) for p in problems]
    assert any(r.startswith("content/scenarios/rusak.yaml:4: (document): YAML syntax") for r in rendered), rendered
    assert any(r.startswith("content/quizzes/kuis-a.yaml:") and "pass_mark" in r for r in rendered), rendered
    # The valid scenarios of the other file still loaded.
    content, _ = validate_content(root)
    assert set(content.scenarios) == {"kat-a-01", "kat-a-02"}


def test_one_broken_scenario_keeps_its_neighbours(tmp_path: Path) -> None:
    tree = fresh_tree()
    tree[SCEN]["scenarios"].append(scenario("kat-a-03"))
    del tree[SCEN]["scenarios"][0]["situation"]
    root, problems = _run(tmp_path, tree)
    content, _ = validate_content(root)
    assert set(content.scenarios) == {"kat-a-02", "kat-a-03"}
    assert [p.field for p in problems if p.path.endswith("kat-a.yaml")] == ["scenarios[0].situation"]


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    raw_quiz = "id: kuis-b\nid: kuis-c\n"
    _, problems = _run(tmp_path, fresh_tree(), raw={"quizzes/kuis-b.yaml": raw_quiz})
    assert any(str(p) == "content/quizzes/kuis-b.yaml:2: (document): duplicate key 'id' in the same mapping"
               for p in problems), [str(p) for p in problems]


def test_non_utf8_file_is_reported_not_crashed(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "content", fresh_tree())
    (root / "scenarios" / "latin1.yaml").write_bytes("scenarios:\n  - id: caf\xe9\n".encode("latin-1"))
    problems = validate_content(root)[1]
    assert any(p.path == "content/scenarios/latin1.yaml" and "not UTF-8" in p.message for p in problems)


def test_missing_content_folder(tmp_path: Path) -> None:
    problems = validate_content(tmp_path / "nowhere")[1]
    assert len(problems) == 1 and "not found" in problems[0].message


def test_cli_exit_codes_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_tree(tmp_path / "content", fresh_tree())
    assert main(["validate", str(root)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["OK: 2 regulations, 1 categories, 2 scenarios, 10 questions, 1 quizzes, 7 statistics tables"]

    (root / "quizzes" / "kuis-a.yaml").write_text("id: kuis-a\npass_mark: [\n", encoding="utf-8")
    assert main(["validate", str(root)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("content/quizzes/kuis-a.yaml:3: (document): YAML syntax")
    assert "INVALID: 1 problem(s)" in captured.err
