"""Exporting the shipped scenarios to Moodle (GIFT and Moodle XML) and reading the export back.

Every facet of every scenario must come back from both formats with the same name, text, options, fractions
and feedback; the fractions must be ones Moodle accepts, and Moodle's way of grading them must give Netral's
score for every possible answer.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from itertools import chain, combinations

import pytest

from netral.content.loader import Content, load_content
from netral.content.models import Question, Scenario, Status
from netral.interchange import (
    Export,
    ExportError,
    ImportReport,
    PracticeItem,
    export_bank,
    grade_problems,
    is_moodle_fraction,
    read_gift,
    read_xml,
    score_practice,
)
from netral.scoring import score_question

FORMATS = ["gift", "xml"]
LANGS = ["id", "en"]


@cache
def content() -> Content:
    loaded, problems = load_content()
    assert problems == []
    return loaded


@cache
def exported(fmt: str, lang: str, quiz: str | None = None) -> tuple[Export, ImportReport]:
    result = export_bank(content(), fmt=fmt, lang=lang, quiz_id=quiz)
    report = read_gift(result.text) if fmt == "gift" else read_xml(result.text.encode("utf-8"))
    return result, report


def _comparable(item: PracticeItem, fmt: str) -> PracticeItem:
    # GIFT cannot carry a default mark: Moodle gives every GIFT question 1.
    item = dataclasses.replace(item, source_line=None)
    return dataclasses.replace(item, default_mark=1.0) if fmt == "gift" else item


def _facets() -> list[tuple[Scenario, Question]]:
    return [(s, q) for s in sorted(content().scenarios.values(), key=lambda s: s.id) for q in s.questions]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_exported_question_reads_back_unchanged(fmt: str, lang: str) -> None:
    result, report = exported(fmt, lang)
    assert report.problems == () and report.unsupported == ()
    assert len(report.items) == len(result.bank.items) == content().question_count
    assert [_comparable(item, fmt) for item in report.items] == [_comparable(i, fmt) for i in result.bank.items]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_facet_is_one_moodle_question_mirroring_the_scenario(fmt: str, lang: str) -> None:
    _, report = exported(fmt, lang)
    by_title = {item.title: item for item in report.items}
    assert len(by_title) == len(report.items)
    for scenario, question in _facets():
        item = by_title[f"{scenario.id}/{question.facet.value}"]
        category = content().categories[scenario.category].name.get(lang)
        assert item.category == f"$course$/Netral/{category}"
        assert item.text == f"{scenario.situation.get(lang)}\n\n{question.prompt.get(lang)}"
        assert item.multiple is question.multiple and item.kind == "multichoice"
        assert [o.text for o in item.options] == [o.text.get(lang) for o in question.options]
        for option, exported_option in zip(question.options, item.options, strict=True):
            if question.multiple:
                share = 1 / len(question.key)
                expected = share if option.id in question.key else -share
            else:
                expected = option.credit
            assert abs(exported_option.fraction - expected) < 5e-8, (item.title, option.id)
            feedback = exported_option.feedback
            assert feedback.startswith(option.feedback.get(lang))
            for pid in option.cites:
                provision = content().provisions[pid]
                assert provision.citation(lang) in feedback and provision.sanction.text.get(lang).strip() in feedback
                if provision.status is Status.CONTESTED:
                    assert provision.status_note.get(lang) in feedback


@pytest.mark.parametrize("fmt", FORMATS)
def test_default_marks_weight_facets_like_netral_in_moodle_xml(fmt: str) -> None:
    _, report = exported(fmt, "id")
    by_title = {item.title: item for item in report.items}
    for scenario, question in _facets():
        mark = by_title[f"{scenario.id}/{question.facet.value}"].default_mark
        if fmt == "gift":
            assert mark == 1.0
        else:
            assert abs(mark - question.weight / sum(q.weight for q in scenario.questions)) < 1e-7
    if fmt == "xml":
        # Each scenario is worth one mark, as each scenario counts equally in a Netral attempt.
        for scenario in content().scenarios.values():
            total = sum(by_title[f"{scenario.id}/{q.facet.value}"].default_mark for q in scenario.questions)
            assert abs(total - 1) < 1e-6


def _subsets(count: int) -> chain[tuple[int, ...]]:
    return chain.from_iterable(combinations(range(count), size) for size in range(count + 1))


@pytest.mark.parametrize("fmt", FORMATS)
def test_moodles_grading_of_the_export_gives_netrals_score_for_every_answer(fmt: str) -> None:
    _, report = exported(fmt, "id")
    by_title = {item.title: item for item in report.items}
    checked = expected = 0
    for scenario, question in _facets():
        item = by_title[f"{scenario.id}/{question.facet.value}"]
        count = len(question.options)
        # Several answers: every subset of the options; one answer: nothing, or each option.
        answers = _subsets(count) if question.multiple else [(), *((i,) for i in range(count))]
        expected += 2 ** count if question.multiple else count + 1
        for picks in answers:
            netral = score_question(question, [question.options[i].id for i in picks]).score
            assert abs(score_practice(item, picks) - netral) < 1e-6, (item.title, picks)
            checked += 1
    assert checked == expected > 5000


@pytest.mark.parametrize("lang", LANGS)
def test_moodle_accepts_every_exported_grade(lang: str) -> None:
    result, _ = exported("xml", lang)
    assert result.bank.warnings == ()
    for item in result.bank.items:
        assert all(is_moodle_fraction(option.fraction) for option in item.options), item.title
        assert grade_problems(item) == [], item.title
        if not item.multiple:
            assert max(option.fraction for option in item.options) == 1.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_lines_of_read_questions_point_at_their_start(fmt: str) -> None:
    result, report = exported(fmt, "id")
    lines = result.text.splitlines()
    for item in report.items:
        line = lines[item.source_line - 1].strip()
        if fmt == "gift":
            assert line.startswith(f"::{item.title}::"), item.title
        else:
            assert line == '<question type="multichoice">' and item.title in lines[item.source_line + 1]


def test_gift_export_writes_single_answers_with_equals_and_weights_as_percentages() -> None:
    result, _ = exported("gift", "id")
    text = result.text
    assert text.count("$CATEGORY: $course$/Netral/") == len({s.category for s in content().scenarios.values()})
    assert "\t~%33.33333%" in text and "\t~%-33.33333%" in text and "\t~%50%" in text
    # A one-answer question needs a `=` answer (that is how Moodle tells it from a several-answer one).
    single_blocks = [block for block in text.split("\n\n") if block.startswith("::") and "/verdict::" in block]
    assert single_blocks and all("\n\t=" in block for block in single_blocks)
    assert all("\n\t=" not in block for block in text.split("\n\n") if "/provisions::" in block)


def test_xml_export_is_well_formed_moodle_xml() -> None:
    result, _ = exported("xml", "en")
    assert result.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert result.text.count('<question type="multichoice">') == content().question_count
    assert "<single>false</single>" in result.text and "<single>true</single>" in result.text
    assert 'fraction="33.33333"' in result.text and 'fraction="-33.33333"' in result.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_deterministic(fmt: str) -> None:
    assert export_bank(content(), fmt=fmt).text == export_bank(content(), fmt=fmt).text


def test_language_changes_every_text_but_not_the_grades() -> None:
    id_items = exported("xml", "id")[0].bank.items
    en_items = exported("xml", "en")[0].bank.items
    assert [i.title for i in id_items] == [i.title for i in en_items]
    assert [[o.fraction for o in i.options] for i in id_items] == [[o.fraction for o in i.options] for i in en_items]
    assert all(a.text != b.text for a, b in zip(id_items, en_items, strict=True))
    assert "Dasar hukum:" in id_items[0].options[0].feedback and "Legal basis:" in en_items[0].options[0].feedback


def _scenario_ids(items: tuple[PracticeItem, ...]) -> list[str]:
    ids: list[str] = []
    for item in items:
        sid = item.title.split("/")[0]
        if not ids or ids[-1] != sid:
            ids.append(sid)
    return ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fixed_quiz_exports_its_list_in_order(fmt: str) -> None:
    quiz = content().quizzes["lanjutan-pejabat"]
    assert quiz.selection.mode == "fixed"
    _, report = exported(fmt, "id", quiz.id)
    assert _scenario_ids(report.items) == list(quiz.selection.scenarios)
    assert len(report.items) == 5 * len(quiz.selection.scenarios)


@pytest.mark.parametrize("quiz_id", ["pretest-cpns", "penyegaran-pemilu"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_random_quiz_exports_the_pools_it_draws_from(fmt: str, quiz_id: str) -> None:
    quiz = content().quizzes[quiz_id]
    assert quiz.selection.mode == "random"
    result, report = exported(fmt, "en", quiz_id)
    pools = [content().standalone_scenarios(draw.category) for draw in quiz.selection.draw]
    assert _scenario_ids(report.items) == [s.id for pool in pools for s in pool]
    assert not any(content().scenarios[sid].followup_only for sid in _scenario_ids(report.items))
    assert [pool.draw for pool in result.bank.pools] == [draw.count for draw in quiz.selection.draw]
    # The draw counts are written before each pool, for the teacher who builds the Moodle quiz.
    for draw, pool in zip(quiz.selection.draw, pools, strict=True):
        assert f"draws {draw.count} random scenario(s) from the {len(pool)} of this category" in result.text
    assert quiz.id in result.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_quiz_is_an_error_with_a_message(fmt: str) -> None:
    with pytest.raises(ExportError) as caught:
        export_bank(content(), fmt=fmt, quiz_id="tidak-ada")
    assert caught.value.message("id") == "Kuis tidak-ada tidak ditemukan."
    assert caught.value.message("en") == "Quiz tidak-ada not found."


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        export_bank(content(), fmt="qti")
