"""Altair chart builders for the statistics: pure functions from a dataset to a chart, no streamlit.

Every chart has a title and text labels on its marks, so the numbers are readable without relying on colour.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable

import altair as alt
import pandas as pd

from netral.content.models import Dataset
from netral.i18n import t
from netral.statistics import (
    BANTEN2024_HANDLING,
    LATER_FIGURES,
    VULNERABILITY_INDEX,
)

HIGHLIGHT = "#b5452b"
BASE = "#1f5f8b"
MUTED = "#8fb3cc"

# Phones: a chart gets about 330 px. Category labels stop at LABEL_LIMIT px, wrapped onto up to LABEL_LINES
# lines of about WRAP_AT characters (the tooltip and the data table beside every chart hold the full text),
# and legends sit under the plot, so the bars keep at least half the width. Charts take the container's
# width (the pages pass `width="stretch"`).
LABEL_LIMIT = 140
WRAP_AT = 20
LABEL_LINES = 3
LINE_HEIGHT = 13
TITLE_WRAP = 40


def wrap_label(text: str, width: int = WRAP_AT, lines: int = LABEL_LINES) -> str:
    """`text` broken at spaces into at most `lines` lines of about `width` characters, joined by newlines;
    the rest goes on the last line, which the axis cuts with an ellipsis at LABEL_LIMIT."""
    parts = textwrap.wrap(str(text), width) or [str(text)]
    if len(parts) > lines:
        parts = [*parts[:lines - 1], " ".join(parts[lines - 1:])]
    return "\n".join(parts)


def _label_axis(**extra: object) -> alt.Axis:
    """An axis for wrapped category labels (see `wrap_label`)."""
    return alt.Axis(labelLimit=LABEL_LIMIT, labelExpr="split(datum.label, '\\n')", labelLineHeight=LINE_HEIGHT,
                    **extra)


def _row_step(labels: pd.Series) -> alt.Step:
    """Rows tall enough for the most lines any wrapped label has."""
    lines = max((str(label).count("\n") + 1 for label in labels), default=1)
    return alt.Step(max(22, LINE_HEIGHT * lines + 8))


def _legend(title: str | None = None) -> alt.Legend:
    """Legends go under the plot: beside it they take a phone's width from the bars. One entry a line, as
    the legend starts where the plot does, after the axis labels."""
    return alt.Legend(orient="bottom", direction="vertical", title=title, labelLimit=LABEL_LIMIT * 3 // 2)


def _title(text: str) -> alt.TitleParams:
    """A chart title broken into lines of about TITLE_WRAP characters: a long one would be cut at the edge of
    a phone's screen (Vega does not wrap titles)."""
    return alt.TitleParams(textwrap.wrap(text, TITLE_WRAP) or [text], anchor="start")


def _label(dataset: Dataset, name: str, lang: str) -> str:
    return next(c.label.get(lang) for c in dataset.columns if c.name == name)


def _frame(dataset: Dataset, lang: str) -> pd.DataFrame:
    """Rows as a frame; category codes (like `dugaan`) become words in the user's language."""
    frame = pd.DataFrame(dataset.rows)
    for column in dataset.columns:
        if column.type == "category" and column.name in ("status", "measure"):
            frame[column.name] = [t(lang, f"stat.{column.name}.{value}") for value in frame[column.name]]
    return frame


def _bars(frame: pd.DataFrame, category: str, value: str, title: str, cat_title: str, value_title: str,
          color: alt.Color | str = BASE) -> alt.LayerChart:
    frame = frame.assign(axis_label=[wrap_label(c) for c in frame[category]])
    base = alt.Chart(frame, title=_title(title))
    # An explicit order survives layering (a sort by field is dropped when two layers are unioned).
    order = list(frame.sort_values(value, ascending=False, kind="stable")["axis_label"])
    mark = base.mark_bar(color=color) if isinstance(color, str) else base.mark_bar()
    # The category names are long: the axis title would overlap them, so the chart title says what they are.
    bars = mark.encode(
        y=alt.Y("axis_label:N", sort=order, title=None, axis=_label_axis()),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{category}:N", title=cat_title), alt.Tooltip(f"{value}:Q", title=value_title)],
    )
    if not isinstance(color, str):
        bars = bars.encode(color=color)
    text = base.mark_text(align="left", dx=3).encode(
        y=alt.Y("axis_label:N", sort=order), x=alt.X(f"{value}:Q"), text=alt.Text(f"{value}:Q"))
    return alt.layer(bars, text).properties(height=_row_step(frame["axis_label"]))


def vulnerability_chart(dataset: Dataset, lang: str) -> alt.LayerChart:
    """The index by province; Banten is marked by colour and by name in the legend."""
    frame = _frame(dataset, lang)
    other = "Provinsi lain" if lang == "id" else "Other provinces"
    frame["group"] = ["Banten" if p == "Banten" else other for p in frame["province"]]
    color = alt.Color("group:N", legend=_legend(), scale=alt.Scale(domain=["Banten", other], range=[HIGHLIGHT, MUTED]))
    return _bars(frame, "province", "score", dataset.title.get(lang), _label(dataset, "province", lang),
                 _label(dataset, "score", lang), color)


def banten_handling_chart(dataset: Dataset, lang: str) -> alt.Chart:
    """Outcomes per regency or city, violations beside non-violations."""
    frame = _frame(dataset, lang)
    names = {"violations": _label(dataset, "violations", lang), "non_violations": _label(dataset, "non_violations", lang)}
    long = frame.melt(id_vars=["region"], value_vars=list(names), var_name="outcome", value_name="count")
    long["outcome"] = long["outcome"].map(names)
    long["axis_label"] = [wrap_label(r) for r in long["region"]]
    region = _label(dataset, "region", lang)
    return alt.Chart(long, title=_title(dataset.title.get(lang))).mark_bar().encode(
        # The chart title names the regions; an axis title would only take width from the bars on a phone.
        y=alt.Y("axis_label:N", title=None, sort=None, axis=_label_axis()),
        x=alt.X("count:Q", title=t(lang, "stat.cases"), stack="zero"),
        color=alt.Color("outcome:N", legend=_legend(), scale=alt.Scale(range=[HIGHLIGHT, MUTED])),
        tooltip=[alt.Tooltip("region:N", title=region), alt.Tooltip("outcome:N", title=t(lang, "stat.outcome")),
                 alt.Tooltip("count:Q", title=t(lang, "stat.cases"))],
    ).properties(height=_row_step(long["axis_label"]))


def later_figures_chart(dataset: Dataset, lang: str) -> alt.Chart:
    """Reported, proven and sanctioned per statement; the statements are not additive."""
    frame = _frame(dataset, lang)
    frame["statement"] = frame["election"] + " · " + frame["institution"] + " (" + frame["date"] + ")"
    frame["axis_label"] = [wrap_label(s) for s in frame["statement"]]
    measure = _label(dataset, "measure", lang)
    count = _label(dataset, "count", lang)
    measures = list(dict.fromkeys(frame["measure"]))  # reported, proven, sanctioned: the published order
    # The step is each bar's (the offset's): three bars a statement also leave room for a three-line label.
    return alt.Chart(frame, title=_title(dataset.title.get(lang))).mark_bar().encode(
        y=alt.Y("axis_label:N", title=None, sort=None, axis=_label_axis()),
        yOffset=alt.YOffset("measure:N", sort=measures),
        x=alt.X("count:Q", title=count),
        color=alt.Color("measure:N", sort=measures, legend=_legend(measure)),
        tooltip=[alt.Tooltip("statement:N", title=t(lang, "stat.statement")), alt.Tooltip("measure:N", title=measure),
                 alt.Tooltip("count:Q", title=count), alt.Tooltip("source:N", title=_label(dataset, "source", lang))],
    ).properties(height=alt.Step(14))


def default_chart(dataset: Dataset, lang: str) -> alt.LayerChart:
    """A bar per row: the first text-like column against the first count column."""
    frame = _frame(dataset, lang)
    category = next(c.name for c in dataset.columns if c.type in ("str", "category") and c.name != "category")
    value = next(c.name for c in dataset.columns if c.type in ("int", "float"))
    return _bars(frame, category, value, dataset.title.get(lang), _label(dataset, category, lang),
                 _label(dataset, value, lang))


BUILDERS: dict[str, Callable[[Dataset, str], alt.TopLevelMixin]] = {
    VULNERABILITY_INDEX: vulnerability_chart,
    BANTEN2024_HANDLING: banten_handling_chart,
    LATER_FIGURES: later_figures_chart,
}


def chart_for(dataset: Dataset, lang: str) -> alt.TopLevelMixin:
    """The chart that fits `dataset`."""
    return BUILDERS.get(dataset.id, default_chart)(dataset, lang)


# --- a trainee's progress --------------------------------------------------------------------------------


def progress_frame(scores: list[tuple[str, str, float, bool]], lang: str) -> pd.DataFrame:
    """Rows (date label, quiz title, score 0..1, passed) as the frame the chart and its table share."""
    return pd.DataFrame(
        [{"date": day, "quiz": quiz, "score": round(score * 100),
          "result": t(lang, "progress.passed" if passed else "progress.failed")}
         for day, quiz, score, passed in scores],
        columns=["date", "quiz", "score", "result"])


def progress_chart(frame: pd.DataFrame, pass_mark_percent: float | None, lang: str) -> alt.LayerChart:
    """Quiz scores over time; passed and failed differ by point shape as well as colour."""
    base = alt.Chart(frame, title=_title(t(lang, "progress.chart_scores")))
    line = base.mark_line(color=MUTED).encode(
        x=alt.X("date:N", title=t(lang, "progress.date"), sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        y=alt.Y("score:Q", title=t(lang, "progress.score"), scale=alt.Scale(domain=[0, 100])))
    points = base.mark_point(size=90, filled=True).encode(
        x=alt.X("date:N", sort=None), y="score:Q",
        shape=alt.Shape("result:N", legend=_legend()),
        color=alt.Color("result:N", legend=_legend(), scale=alt.Scale(range=[HIGHLIGHT, BASE])),
        tooltip=[alt.Tooltip("date:N", title=t(lang, "progress.date")),
                 alt.Tooltip("quiz:N", title=t(lang, "progress.quiz")),
                 alt.Tooltip("score:Q", title=t(lang, "progress.score")),
                 alt.Tooltip("result:N", title=t(lang, "progress.result"))])
    labels = base.mark_text(dy=-12).encode(x=alt.X("date:N", sort=None), y="score:Q", text="score:Q")
    layers = [line, points, labels]
    if pass_mark_percent is not None:
        rule = alt.Chart(pd.DataFrame({"pass": [pass_mark_percent]})).mark_rule(strokeDash=[4, 4]).encode(y="pass:Q")
        layers.append(rule)
    return alt.layer(*layers)


def mastery_frame(rows: list[tuple[str, int, float | None, int | None]], lang: str) -> pd.DataFrame:
    """Rows (category name, answers, mastery 0..1 or None, Table 2.1 cases or None), real frequency first."""
    return pd.DataFrame(
        [{"category": name, "answers": answers,
          "mastery": None if mastery is None else round(mastery * 100),
          "cases": cases}
         for name, answers, mastery, cases in rows],
        columns=["category", "answers", "mastery", "cases"])


def mastery_charts(frame: pd.DataFrame, lang: str, *, title_key: str = "progress.chart_mastery"
                   ) -> tuple[alt.LayerChart, alt.LayerChart]:
    """Mastery per category, and how often that violation occurred in Pilkada 2020 (Table 2.1): two charts
    with the categories in the same order (most frequent in reality on top), so a row reads across both: "I
    get this one wrong, and it happens a lot". The pages set them side by side in two columns, which stack
    on a phone; each chart therefore names its own categories.

    `title_key` names the first chart: a trainee's own mastery, or (`dashboard.chart_mastery`) a cohort's.
    """
    frame = frame.assign(axis_label=[wrap_label(c) for c in frame["category"]])
    order = list(frame["axis_label"])
    y = alt.Y("axis_label:N", sort=order, title=None, axis=_label_axis())
    height = _row_step(frame["axis_label"])
    category = alt.Tooltip("category:N", title=t(lang, "progress.category"))
    mastery = alt.Chart(frame, title=_title(t(lang, title_key))).mark_bar(color=BASE).encode(
        y=y, x=alt.X("mastery:Q", title=t(lang, "progress.mastery"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[category, alt.Tooltip("mastery:Q", title=t(lang, "progress.mastery")),
                 alt.Tooltip("answers:Q", title=t(lang, "progress.answers"))])
    mastery_text = alt.Chart(frame).mark_text(align="left", dx=3).encode(
        y=alt.Y("axis_label:N", sort=order), x="mastery:Q", text="mastery:Q")
    reality = alt.Chart(frame, title=_title(t(lang, "progress.chart_reality"))).mark_bar(color=HIGHLIGHT).encode(
        y=y, x=alt.X("cases:Q", title=t(lang, "progress.cases")),
        tooltip=[category, alt.Tooltip("cases:Q", title=t(lang, "progress.cases"))])
    reality_text = alt.Chart(frame).mark_text(align="left", dx=3).encode(
        y=alt.Y("axis_label:N", sort=order), x="cases:Q", text="cases:Q")
    return (alt.layer(mastery, mastery_text).properties(height=height),
            alt.layer(reality, reality_text).properties(height=height))


# --- cohort dashboard ------------------------------------------------------------------------------------


def distribution_chart(bins: list[tuple[float, float, int]], lang: str) -> alt.LayerChart:
    """Score distribution: attempts per 10-point band, with the count written on each bar."""
    frame = pd.DataFrame([{"band": f"{round(lo * 100)}–{round(hi * 100)}", "count": n} for lo, hi, n in bins],
                         columns=["band", "count"])
    base = alt.Chart(frame, title=_title(t(lang, "dashboard.chart_distribution")))
    bars = base.mark_bar(color=BASE).encode(
        x=alt.X("band:N", sort=None, title=t(lang, "dashboard.score_band")),
        y=alt.Y("count:Q", title=t(lang, "dashboard.attempts")),
        tooltip=[alt.Tooltip("band:N", title=t(lang, "dashboard.score_band")),
                 alt.Tooltip("count:Q", title=t(lang, "dashboard.attempts"))])
    text = base.mark_text(dy=-6).encode(x=alt.X("band:N", sort=None), y="count:Q", text="count:Q")
    return alt.layer(bars, text)


def unit_mastery_chart(cells: list[tuple[str, str, float, int]], cohort: list[tuple[str, float]], lang: str
                       ) -> alt.LayerChart:
    """Mastery per unit of work in each category: a row per category (weakest for the cohort on top), a dot
    per unit along 0-100, and a tick with its number at the cohort's mean.

    It replaces a unit x category heat map, whose fourteen category columns left cells under 2 px wide on a
    phone. Rows grow with the categories, never with the units, and the score is read from a position on a
    0-100 axis, not from a colour. A tap or click on a dot marks that unit's dots in every row; its tooltip
    names the unit.

    `cells` are (unit, category name, mastery 0..1, answers); `cohort` is (category name, mastery 0..1) for
    the whole cohort, in the order of the rows.
    """
    frame = pd.DataFrame([{"unit": unit, "category": category, "mastery": round(mastery * 100), "answers": n}
                          for unit, category, mastery, n in cells], columns=["unit", "category", "mastery", "answers"])
    means = pd.DataFrame([{"category": category, "mean": round(mastery * 100)} for category, mastery in cohort],
                         columns=["category", "mean"])
    order_names = list(means["category"])
    order_names += [c for c in dict.fromkeys(frame["category"]) if c not in set(order_names)]
    labels = {name: wrap_label(name) for name in order_names}
    frame["axis_label"] = frame["category"].map(labels)
    means["axis_label"] = means["category"].map(labels)
    order = [labels[name] for name in order_names]
    mastery_title = t(lang, "progress.mastery")
    y = alt.Y("axis_label:N", sort=order, title=None, axis=_label_axis())
    x = alt.X("mastery:Q", title=mastery_title, scale=alt.Scale(domain=[0, 100]))
    unit = alt.selection_point(fields=["unit"], on="click", clear="dblclick", empty=False, name="unit_pick")
    dots = alt.Chart(frame).mark_circle(size=70).encode(
        y=y, x=x,
        color=alt.condition(unit, alt.value(HIGHLIGHT), alt.value(BASE)),
        opacity=alt.condition(unit, alt.value(1.0), alt.value(0.45)),
        size=alt.condition(unit, alt.value(160), alt.value(70)),
        order=alt.condition(unit, alt.value(1), alt.value(0)),  # the marked unit's dots are drawn on top
        tooltip=[alt.Tooltip("unit:N", title=t(lang, "cohort.col.unit")),
                 alt.Tooltip("category:N", title=t(lang, "cohort.col.category")),
                 alt.Tooltip("mastery:Q", title=mastery_title),
                 alt.Tooltip("answers:Q", title=t(lang, "cohort.col.answers"))],
    ).add_params(unit)
    mean_tooltip = [alt.Tooltip("category:N", title=t(lang, "cohort.col.category")),
                    alt.Tooltip("mean:Q", title=t(lang, "dashboard.cohort_mean"))]
    ticks = alt.Chart(means).mark_tick(color="black", thickness=2, size=LINE_HEIGHT * 2).encode(
        y=alt.Y("axis_label:N", sort=order), x=alt.X("mean:Q"), tooltip=mean_tooltip)
    numbers = alt.Chart(means).mark_text(align="left", baseline="bottom", dx=4, dy=-2, fontWeight="bold").encode(
        y=alt.Y("axis_label:N", sort=order), x=alt.X("mean:Q"), text="mean:Q", tooltip=mean_tooltip)
    # A line over the plot names the marked unit (a phone shows no tooltip for a tap), or says how to mark one.
    named = json.dumps(t(lang, "cohort.col.unit") + ": ")
    picked = f"isValid({unit.name}) && isValid({unit.name}.unit) ? {named} + {unit.name}.unit[0] : " \
             f"{json.dumps(t(lang, 'dashboard.units_pick'))}"
    marked = alt.Chart(means.head(1)).mark_text(
        text=alt.ExprRef(picked), limit=alt.ExprRef(f"width + {LABEL_LIMIT}"), align="left", baseline="bottom",
        fontStyle="italic",
    ).encode(x=alt.value(-LABEL_LIMIT), y=alt.value(-8))  # from under the axis labels' left edge
    title = _title(t(lang, "dashboard.chart_units"))
    title.offset = 22
    return alt.layer(dots, ticks, numbers, marked, title=title).properties(height=_row_step(pd.Series(order)))
