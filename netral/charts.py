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
