"""Altair chart builders for the statistics: pure functions from a dataset to a chart, no streamlit.

Every chart has a title and text labels on its marks, so the numbers are readable without relying on colour.
"""

from __future__ import annotations

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
          color: alt.Color | str = BASE) -> alt.Chart:
    base = alt.Chart(frame, title=title)
    # An explicit order survives layering (a sort by field is dropped when two layers are unioned).
    order = list(frame.sort_values(value, ascending=False, kind="stable")[category])
    mark = base.mark_bar(color=color) if isinstance(color, str) else base.mark_bar()
    # The category names are long: the axis title would overlap them, so the chart title says what they are.
    bars = mark.encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{category}:N", title=cat_title), alt.Tooltip(f"{value}:Q", title=value_title)],
    )
    if not isinstance(color, str):
        bars = bars.encode(color=color)
    text = base.mark_text(align="left", dx=3).encode(
        y=alt.Y(f"{category}:N", sort=order), x=alt.X(f"{value}:Q"), text=alt.Text(f"{value}:Q"))
    return bars + text


def vulnerability_chart(dataset: Dataset, lang: str) -> alt.LayerChart:
    """The index by province; Banten is marked by colour and by name in the legend."""
    frame = _frame(dataset, lang)
    other = "Provinsi lain" if lang == "id" else "Other provinces"
    frame["group"] = ["Banten" if p == "Banten" else other for p in frame["province"]]
    color = alt.Color("group:N", title=None, scale=alt.Scale(domain=["Banten", other], range=[HIGHLIGHT, MUTED]))
    return _bars(frame, "province", "score", dataset.title.get(lang), _label(dataset, "province", lang),
                 _label(dataset, "score", lang), color)


def banten_handling_chart(dataset: Dataset, lang: str) -> alt.Chart:
    """Outcomes per regency or city, violations beside non-violations."""
    frame = _frame(dataset, lang)
    names = {"violations": _label(dataset, "violations", lang), "non_violations": _label(dataset, "non_violations", lang)}
    long = frame.melt(id_vars=["region"], value_vars=list(names), var_name="outcome", value_name="count")
    long["outcome"] = long["outcome"].map(names)
    region = _label(dataset, "region", lang)
    return alt.Chart(long, title=dataset.title.get(lang)).mark_bar().encode(
        y=alt.Y("region:N", title=region, axis=alt.Axis(labelLimit=240)),
        x=alt.X("count:Q", title=t(lang, "stat.cases"), stack="zero"),
        color=alt.Color("outcome:N", title=None, scale=alt.Scale(range=[HIGHLIGHT, MUTED])),
        tooltip=[alt.Tooltip("region:N", title=region), "outcome:N", "count:Q"],
    )


def later_figures_chart(dataset: Dataset, lang: str) -> alt.Chart:
    """Reported, proven and sanctioned per statement; the statements are not additive."""
    frame = _frame(dataset, lang)
    frame["statement"] = frame["election"] + " · " + frame["institution"] + " (" + frame["date"] + ")"
    return alt.Chart(frame, title=dataset.title.get(lang)).mark_bar().encode(
        y=alt.Y("statement:N", title=None, axis=alt.Axis(labelLimit=320)),
        yOffset="measure:N",
        x=alt.X("count:Q", title=_label(dataset, "count", lang)),
        color=alt.Color("measure:N", title=_label(dataset, "measure", lang)),
        tooltip=["statement:N", "measure:N", "count:Q", "source:N"],
    )


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
    base = alt.Chart(frame, title=t(lang, "progress.chart_scores"))
    line = base.mark_line(color=MUTED).encode(
        x=alt.X("date:N", title=t(lang, "progress.date"), sort=None),
        y=alt.Y("score:Q", title=t(lang, "progress.score"), scale=alt.Scale(domain=[0, 100])))
    points = base.mark_point(size=90, filled=True).encode(
        x=alt.X("date:N", sort=None), y="score:Q",
        shape=alt.Shape("result:N", title=None),
        color=alt.Color("result:N", title=None, scale=alt.Scale(range=[HIGHLIGHT, BASE])),
        tooltip=[alt.Tooltip("date:N", title=t(lang, "progress.date")),
                 alt.Tooltip("quiz:N", title=t(lang, "progress.quiz")),
                 alt.Tooltip("score:Q", title=t(lang, "progress.score")), "result:N"])
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


def mastery_chart(frame: pd.DataFrame, lang: str) -> alt.HConcatChart:
    """Mastery per category beside how often that violation occurred in Pilkada 2020 (Table 2.1).

    Two panels share the category axis in the same order (most frequent in reality on top), so the eye
    reads across a row: "I get this one wrong, and it happens a lot".
    """
    order = list(frame["category"])
    y = alt.Y("category:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    mastery = alt.Chart(frame, title=t(lang, "progress.chart_mastery")).mark_bar(color=BASE).encode(
        y=y, x=alt.X("mastery:Q", title=t(lang, "progress.mastery"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("category:N", title=t(lang, "progress.category")),
                 alt.Tooltip("mastery:Q", title=t(lang, "progress.mastery")),
                 alt.Tooltip("answers:Q", title=t(lang, "progress.answers"))])
    mastery_text = alt.Chart(frame).mark_text(align="left", dx=3).encode(y=alt.Y("category:N", sort=order),
                                                                         x="mastery:Q", text="mastery:Q")
    reality = alt.Chart(frame, title=t(lang, "progress.chart_reality")).mark_bar(color=HIGHLIGHT).encode(
        y=alt.Y("category:N", sort=order, axis=None),
        x=alt.X("cases:Q", title=t(lang, "progress.cases")),
        tooltip=[alt.Tooltip("category:N", title=t(lang, "progress.category")),
                 alt.Tooltip("cases:Q", title=t(lang, "progress.cases"))])
    reality_text = alt.Chart(frame).mark_text(align="left", dx=3).encode(y=alt.Y("category:N", sort=order),
                                                                         x="cases:Q", text="cases:Q")
    return alt.hconcat(alt.layer(mastery, mastery_text).properties(width=220),
                       alt.layer(reality, reality_text).properties(width=160))


# --- cohort dashboard ------------------------------------------------------------------------------------


def distribution_chart(bins: list[tuple[float, float, int]], lang: str) -> alt.LayerChart:
    """Score distribution: attempts per 10-point band, with the count written on each bar."""
    frame = pd.DataFrame([{"band": f"{round(lo * 100)}–{round(hi * 100)}", "count": n} for lo, hi, n in bins],
                         columns=["band", "count"])
    base = alt.Chart(frame, title=t(lang, "dashboard.chart_distribution"))
    bars = base.mark_bar(color=BASE).encode(
        x=alt.X("band:N", sort=None, title=t(lang, "dashboard.score_band")),
        y=alt.Y("count:Q", title=t(lang, "dashboard.attempts")),
        tooltip=[alt.Tooltip("band:N", title=t(lang, "dashboard.score_band")),
                 alt.Tooltip("count:Q", title=t(lang, "dashboard.attempts"))])
    text = base.mark_text(dy=-6).encode(x=alt.X("band:N", sort=None), y="count:Q", text="count:Q")
    return alt.layer(bars, text)


def heatmap_chart(cells: list[tuple[str, str, float, int]], lang: str) -> alt.LayerChart:
    """Mastery per unit of work (rows) and category (columns); each cell also prints its percentage, so the
    colour scale is never the only way to read it."""
    frame = pd.DataFrame([{"unit": unit, "category": category, "mastery": round(mastery * 100), "answers": n}
                          for unit, category, mastery, n in cells], columns=["unit", "category", "mastery", "answers"])
    base = alt.Chart(frame, title=t(lang, "dashboard.chart_heatmap"))
    rects = base.mark_rect().encode(
        x=alt.X("category:N", title=None, axis=alt.Axis(labelAngle=-40, labelLimit=180)),
        y=alt.Y("unit:N", title=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color("mastery:Q", title=t(lang, "progress.mastery"),
                        scale=alt.Scale(domain=[0, 100], scheme="redyellowblue")),
        tooltip=[alt.Tooltip("unit:N", title=t(lang, "cohort.col.unit")),
                 alt.Tooltip("category:N", title=t(lang, "cohort.col.category")),
                 alt.Tooltip("mastery:Q", title=t(lang, "progress.mastery")),
                 alt.Tooltip("answers:Q", title=t(lang, "cohort.col.answers"))])
    text = base.mark_text(fontSize=10).encode(x="category:N", y="unit:N", text="mastery:Q")
    # Rows tall enough to read the printed number in each cell.
    return alt.layer(rects, text).properties(height=max(160, 26 * frame["unit"].nunique()))
