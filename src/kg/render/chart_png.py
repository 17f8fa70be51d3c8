"""A chart (``kg.charts.Chart``) → PNG bytes with matplotlib, for ``kg chart --format png``.

Why matplotlib and not Plotly's own export: plotly's PNG export (kaleido) downloads a browser
at first use, which fails offline and on locked-down machines, and driving a system Chromium
would make a plain ``pip install`` unable to export. matplotlib is a wheel, draws headless
(the Agg canvas, no pyplot state, safe in threads) and gives the same bytes on every machine.
The picture follows the HTML chart: lines over time with forecasts dashed and hollow, or
ranked bars; the sources go in a footnote. Pure: a chart in, bytes out; no files written.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache

import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from kg.charts import Chart, bar_labels, display_scale

__all__ = ["render_chart_png"]

_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2")
_FONT = "DejaVu Sans"
_DPI = 110
_MAX_PERIOD_TICKS = 12


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """The code points the drawing font has; matplotlib warns and draws boxes for others."""
    return frozenset(FT2Font(font_manager.findfont(_FONT)).get_charmap())


def _drawable(text: str) -> str:
    """Text without the characters the font cannot draw (Chinese names print in English
    labels anyway; a missing glyph would be an empty box)."""
    glyphs = _glyphs()
    kept = "".join(ch for ch in text if ord(ch) in glyphs or ch.isspace())
    return " ".join(kept.split()) or "?"


def _format(value: float) -> str:
    return f"{value:,.4g}"


def _draw_time(axes, chart: Chart, divisor: float) -> None:
    for index, (series, rows) in enumerate(chart.frame.groupby("series", sort=False)):
        color = _COLORS[index % len(_COLORS)]
        measured = rows[~rows["forecast"]]
        projected = rows[rows["forecast"]]
        axes.plot(
            measured["sort_key"],
            measured["value"] / divisor,
            color=color,
            marker="o",
            linewidth=2.2,
            label=_drawable(series),
        )
        if len(projected):
            bridge = measured.tail(1)
            xs = [*bridge["sort_key"], *projected["sort_key"]]
            ys = [*(bridge["value"] / divisor), *(projected["value"] / divisor)]
            axes.plot(xs, ys, color=color, linestyle="--", linewidth=2.2)
            axes.plot(
                projected["sort_key"],
                projected["value"] / divisor,
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor=color,
                markeredgewidth=2,
                label=_drawable(f"{series} (forecast)"),
            )
        for x, value in zip(rows["sort_key"], rows["value"], strict=True):
            axes.annotate(
                _format(value / divisor),
                (x, value / divisor),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                fontsize=8,
                color="#333333",
            )
    axes.set_ylim(bottom=0, top=axes.get_ylim()[1] * 1.18)
    _period_ticks(axes, chart)
    axes.grid(axis="y", color="#e6e6e6")
    axes.legend(frameon=False, fontsize=9, loc="upper left")


def _period_ticks(axes, chart: Chart) -> None:
    """Few periods: one tick per period, printed as the source gives it ("2024-12", "2025");
    many: matplotlib's concise date ticks."""
    periods = chart.frame.drop_duplicates("period").sort_values("sort_key")
    if len(periods) <= _MAX_PERIOD_TICKS:
        axes.set_xticks(list(periods["sort_key"]), list(periods["period"]))
        first, last = periods["sort_key"].min(), periods["sort_key"].max()
        pad = max((last - first) / 12, pd.Timedelta(days=20))
        axes.set_xlim(first - pad, last + pad)
    else:
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _draw_ranking(axes, chart: Chart, divisor: float) -> None:
    frame = chart.frame.assign(category=bar_labels(chart)).sort_values("value")
    colors = ["#9ecae9" if forecast else "#4c78a8" for forecast in frame["forecast"]]
    positions = range(len(frame))
    axes.barh(positions, frame["value"] / divisor, color=colors)
    axes.set_yticks(list(positions), [_drawable(c) for c in frame["category"]], fontsize=9)
    for position, value in zip(positions, frame["value"], strict=True):
        axes.annotate(
            _format(value / divisor),
            (value / divisor, position),
            textcoords="offset points",
            xytext=(4, 0),
            va="center",
            fontsize=8,
        )
    axes.set_xlim(right=axes.get_xlim()[1] * 1.12)
    axes.grid(axis="x", color="#e6e6e6")


def render_chart_png(chart: Chart, *, width: float = 9.0) -> bytes:
    """Draw a chart as a PNG image (``width`` in inches at 110 dpi; height follows the layout).

    The axis is scaled for reading (USD in billions), the footnote names the sources, and
    figures in other units (see ``chart.notes``) are left out as in the HTML chart.
    """
    divisor, suffix = display_scale(chart.frame["value"])
    ranking = chart.layout != "time"
    height = max(3.6, 1.4 + 0.3 * len(chart.frame)) if ranking else 4.8
    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if ranking:
        _draw_ranking(axes, chart, divisor)
        axes.set_xlabel(_drawable(f"{chart.unit}{suffix}"))
    else:
        _draw_time(axes, chart, divisor)
        axes.set_ylabel(_drawable(f"{chart.unit}{suffix}"))
    axes.set_title(_drawable(chart.spec.title), loc="left", fontsize=12, fontweight="bold")
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    sources = "; ".join(dict.fromkeys(str(label) for label in chart.frame["source_label"]))
    notes = "".join(f" {note}." for note in chart.notes)
    # supxlabel, unlike a free text, takes part in the constrained layout: no overlap.
    footnote = textwrap.fill(_drawable(f"Sources: {sources}.{notes}"), width=int(width * 19))
    figure.supxlabel(footnote, x=0.01, ha="left", fontsize=7, color="#555555")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
