"""AppTest for every page of the app: it renders without exceptions, in both languages, and does its job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from netral.content import load_content
from netral.scoring import key_answer

ROOT = Path(__file__).resolve().parents[1]
CONTENT, _ = load_content()


def _app(page: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang, heading", [("id", "Netral"), ("en", "Netral")])
def test_home_page_summarises_the_content(lang: str, heading: str) -> None:
    at = _app(lang=lang)
    assert at.title[0].value == heading
    counts = at.info[0].value
    assert str(len(CONTENT.standalone_scenarios())) in counts
    assert ("studi kasus" if lang == "id" else "case studies") in counts
    assert not at.warning  # the shipped content has no problems


def test_practice_scores_the_key_answer_and_cites_provisions() -> None:
    at = _app("pages/latihan.py")
    scenario = CONTENT.scenarios[at.selectbox(key="practice_scenario").value]
    key = key_answer(scenario)
    for question in scenario.questions:
        widget_key = f"q_{scenario.id}_{question.facet.value}"
        if question.multiple:
            at.multiselect(key=widget_key).set_value(list(key[question.facet.value]))
        else:
            at.radio(key=widget_key).set_value(key[question.facet.value][0])
    at.button[0].click().run()
    assert not at.exception
    assert at.metric[0].value == "100%"
    captions = " ".join(c.value for c in at.caption)
    first_cited = scenario.questions[0].options[0].cites[0]
    assert CONTENT.provisions[first_cited].instrument in captions
    assert "Sanksi" in captions


def test_practice_refuses_an_incomplete_answer() -> None:
    at = _app("pages/latihan.py")
    at.button[0].click().run()
    assert at.error and "Jawab semua" in at.error[0].value
    assert not at.metric


def test_practice_shows_contested_provisions_as_contested() -> None:
    contested = next(s for s in CONTENT.standalone_scenarios() if any(
        CONTENT.provisions[p].status.value == "contested" for p in s.cited_provisions
        if p in CONTENT.provisions))
    at = _app("pages/latihan.py")
    at.selectbox(key="practice_category").set_value(contested.category).run()
    at.selectbox(key="practice_scenario").set_value(contested.id).run()
    for question in contested.questions:
        widget_key = f"q_{contested.id}_{question.facet.value}"
        ids = [o.id for o in question.options]
        if question.multiple:
            at.multiselect(key=widget_key).set_value(ids)  # choose everything: every citation shows
        else:
            at.radio(key=widget_key).set_value(ids[0])
    at.button[0].click().run()
    assert not at.exception
    assert "DIPERSELISIHKAN" in " ".join(c.value for c in at.caption)


def test_branching_choice_leads_to_the_follow_up() -> None:
    branching = next(s for s in CONTENT.standalone_scenarios() if s.next_scenarios)
    question, option = next((q, o) for q in branching.questions for o in q.options if o.next)
    at = _app("pages/latihan.py")
    at.selectbox(key="practice_category").set_value(branching.category).run()
    at.selectbox(key="practice_scenario").set_value(branching.id).run()
    for q in branching.questions:
        widget_key = f"q_{branching.id}_{q.facet.value}"
        pick = option.id if q is question else q.options[0].id
        if q.multiple:
            at.multiselect(key=widget_key).set_value([pick])
        else:
            at.radio(key=widget_key).set_value(pick)
    at.button[0].click().run()
    at.button(key="go_followup").click().run()
    assert not at.exception
    assert at.subheader[0].value == CONTENT.scenarios[option.next].title.id


def test_data_page_draws_every_statistics_chart_with_its_source() -> None:
    at = _app("pages/data.py", lang="en")
    charts = at.get("vega_lite_chart")
    assert len(charts) == len(CONTENT.datasets)
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or spec.get("layer", [{}])[0].get("title")
        assert title, spec.keys()
        assert chart.proto.datasets, "chart has no data"
    captions = " ".join(c.value for c in at.caption)
    assert "Source: Bawaslu RI, 2020" in captions
    assert "1,597" in captions  # the disagreement between sources is shown, not hidden


def test_language_switch_changes_the_navigation() -> None:
    at = _app()
    at.radio(key="language_switch").set_value("en").run()
    assert not at.exception
    assert "case studies" in at.info[0].value


def test_bar_charts_list_the_largest_first() -> None:
    from netral.charts import chart_for

    index = CONTENT.datasets["ikn-asn-2024"]
    spec = chart_for(index, "id").to_dict()
    order = spec["layer"][0]["encoding"]["y"]["sort"]
    assert order[:3] == ["Maluku Utara", "Sulawesi Utara", "Banten"]
