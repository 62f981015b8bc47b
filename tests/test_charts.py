"""The chart builders (netral/charts.py) as specs: every chart fits a 360 px phone. Category labels stop at
LABEL_LIMIT px (wrapped onto lines, the full text in the tooltip), legends sit under the plot, no chart has a
fixed width or is two panels wide, and the unit x category view grows with rows, not columns."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import altair as alt
import pytest

from netral import charts
from netral.charts import LABEL_LIMIT, LABEL_LINES, wrap_label
from netral.content import load_content
from netral.i18n import t

CONTENT, _ = load_content()
LANGS = ("id", "en")


def walk(node: object, key: str) -> Iterator[dict]:
    """Every dict found under `key` anywhere in a Vega-Lite spec."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, dict):
                yield value
            yield from walk(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value, key)


def mastery_rows(lang: str) -> list[tuple[str, int, float | None, int | None]]:
    names = [c.name.get(lang) for c in CONTENT.categories.values()][:12]
    return [(name, 10, None if i == 3 else 0.3 + i * 0.05, 100 - i * 8) for i, name in enumerate(names)]


def unit_cells(lang: str, units: int = 26) -> tuple[list[tuple[str, str, float, int]], list[tuple[str, float]]]:
    names = [c.name.get(lang) for c in CONTENT.categories.values()]
    cells = [(f"Dinas Pendidikan dan Kebudayaan Kabupaten {u}", name, ((u * 7 + i * 3) % 10) / 10, 3)
             for u in range(units) for i, name in enumerate(names)]
    cohort = sorted(((name, sum(c[2] for c in cells if c[1] == name) / units) for name in names), key=lambda x: x[1])
    return cells, cohort


def every_chart(lang: str) -> list[tuple[str, alt.TopLevelMixin]]:
    built: list[tuple[str, alt.TopLevelMixin]] = [
        (dataset_id, charts.chart_for(dataset, lang)) for dataset_id, dataset in CONTENT.datasets.items()]
    frame = charts.progress_frame([("1. 01-01-2026", "Kuis", 0.5, False), ("2. 02-01-2026", "Kuis", 0.8, True)], lang)
    built.append(("progress", charts.progress_chart(frame, 70, lang)))
    mastery, reality = charts.mastery_charts(charts.mastery_frame(mastery_rows(lang), lang), lang)
    built += [("mastery", mastery), ("reality", reality)]
    built.append(("units", charts.unit_mastery_chart(*unit_cells(lang), lang)))
    built.append(("distribution", charts.distribution_chart([(i / 10, (i + 1) / 10, i) for i in range(10)], lang)))
    return built


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_limit_is_at_most_140_px(lang: str) -> None:
    for name, chart in every_chart(lang):
        spec = chart.to_dict()
        limits = [axis["labelLimit"] for axis in walk(spec, "axis") if "labelLimit" in axis]
        assert all(limit <= LABEL_LIMIT for limit in limits), (name, limits)
        # A nominal axis without a limit would take Vega's default of 180 px.
        for encoding in walk(spec, "encoding"):
            for channel in ("x", "y"):
                field = encoding.get(channel)
                if isinstance(field, dict) and field.get("type") == "nominal" and isinstance(field.get("axis"), dict):
                    assert field["axis"].get("labelLimit", 999) <= LABEL_LIMIT, (name, channel, field)


@pytest.mark.parametrize("lang", LANGS)
def test_every_legend_is_under_the_plot(lang: str) -> None:
    legends = 0
    for name, chart in every_chart(lang):
        for legend in walk(chart.to_dict(), "legend"):
            legends += 1
            assert legend.get("orient") == "bottom", (name, legend)
    assert legends >= 4  # vulnerability, Banten handling, later figures, progress


@pytest.mark.parametrize("lang", LANGS)
def test_no_chart_has_a_fixed_width_or_two_panels(lang: str) -> None:
    for name, chart in every_chart(lang):
        spec = chart.to_dict()
        assert not {"hconcat", "concat", "facet", "repeat"} & set(spec), name
        # A number would be a fixed width; the pages stretch every chart to its container.
        widths = [d["width"] for d in dicts(spec) if "width" in d and "$schema" in spec]
        assert not [w for w in widths if isinstance(w, int | float)], (name, widths)


def dicts(node: object) -> Iterator[dict]:
    """Every dict in a spec, the spec itself included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from dicts(value)


def category_labels(spec: dict) -> list[str]:
    """The y-axis categories in their order (the explicit sort of a layer's first y encoding)."""
    first = spec["layer"][0]["encoding"]["y"]
    return first["sort"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_mastery_charts_are_two_charts_with_the_categories_in_the_same_order(lang: str) -> None:
    frame = charts.mastery_frame(mastery_rows(lang), lang)
    mastery, reality = charts.mastery_charts(frame, lang)
    left, right = mastery.to_dict(), reality.to_dict()
    assert category_labels(left) == category_labels(right) == [wrap_label(c) for c in frame["category"]]
    # Each names its own categories: on a phone they stand one above the other.
    assert all(layer["encoding"]["y"].get("axis") is not None for layer in (left["layer"][0], right["layer"][0]))
    assert next(x["text"] for x in walk(left, "title") if "text" in x) == wrap_title("progress.chart_mastery", lang)
    assert next(x["text"] for x in walk(right, "title") if "text" in x) == wrap_title("progress.chart_reality", lang)
    # The full category name is in the tooltip.
    assert any(t.get("field") == "category" for t in left["layer"][0]["encoding"]["tooltip"])


def wrap_title(key: str, lang: str) -> list[str]:
    return textwrap.wrap(t(lang, key), charts.TITLE_WRAP)


@pytest.mark.parametrize("lang", LANGS)
def test_the_cohort_mastery_chart_has_its_own_title_not_the_trainees(lang: str) -> None:
    frame = charts.mastery_frame(mastery_rows(lang), lang)
    cohort, _ = charts.mastery_charts(frame, lang, title_key="dashboard.chart_mastery")
    title = " ".join(next(x["text"] for x in walk(cohort.to_dict(), "title") if "text" in x))
    assert title == t(lang, "dashboard.chart_mastery") != t(lang, "progress.chart_mastery")
    assert "saya" not in title.lower().split() and "my" not in title.lower().split()


@pytest.mark.parametrize("lang", LANGS)
def test_the_unit_chart_has_a_row_per_category_and_a_dot_per_unit(lang: str) -> None:
    cells, cohort = unit_cells(lang)
    spec = charts.unit_mastery_chart(cells, cohort, lang).to_dict()
    dots = spec["layer"][0]
    assert dots["mark"]["type"] == "circle"
    assert dots["encoding"]["y"]["field"] == "axis_label" and dots["encoding"]["x"]["field"] == "mastery"
    # Rows are the categories, weakest for the cohort first; the units are never a column or a row.
    assert category_labels(spec) == [wrap_label(name) for name, _ in cohort]
    assert "step" in spec["height"]
    assert not any(e.get("field") == "unit" for layer in spec["layer"] for channel, e in layer["encoding"].items()
                   if channel in ("x", "y") and isinstance(e, dict))
    assert [p["select"]["fields"] for p in spec["params"]] == [["unit"]]  # a tap marks one unit everywhere
    # The same spec for 3 units as for 26: rows do not grow with units.
    few = charts.unit_mastery_chart(*unit_cells(lang, units=3), lang).to_dict()
    assert few["height"] == spec["height"]


def test_wrapped_labels_keep_every_word_on_at_most_three_lines() -> None:
    long = "Mendampingi bakal calon saat pendaftaran dan uji kelayakan dan kepatutan di kantor partai"
    lines = wrap_label(long).split("\n")
    assert len(lines) == LABEL_LINES
    assert " ".join(lines).split() == long.split()
    assert all(len(line) <= charts.WRAP_AT for line in lines[:-1])
    assert wrap_label("Banten") == "Banten"


@pytest.mark.parametrize("lang", LANGS)
def test_bar_labels_are_wrapped_and_the_tooltip_has_the_full_name(lang: str) -> None:
    spec = charts.chart_for(CONTENT.datasets["pilkada2020-jenis"], lang).to_dict()
    bars = spec["layer"][0]["encoding"]
    assert bars["y"]["axis"]["labelExpr"] == "split(datum.label, '\\n')"
    assert bars["tooltip"][0]["field"] != "axis_label"
    assert any("\n" in label for label in bars["y"]["sort"])
