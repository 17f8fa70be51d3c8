"""Timeline and chart frames → interactive HTML pages (Plotly), offline, with no CDN ever.

plotly.js comes from the installed plotly package through ``kg.render.assets``: inlined for a
standalone file (``kg timeline --format html``), ``/static/vendor/plotly.min.js`` inside the
web app. The figure is built with plotly's Python objects (which validate every attribute) and
handed to our few lines of script, which draw it and turn a click into a visit of the entity's
page. Pure: frames in, a string out; no store, no files written.

Timeline page: one lane per kind (``TIMELINE_KINDS`` order, top to bottom), events as points
at their first day, labels packed into sub-rows so that they do not overlap at the first zoom,
era spans shaded behind everything, hover with the date as printed, kind, vendor and sources.
Drag pans, the wheel zooms the time axis, the buttons jump to the last years.
"""

from __future__ import annotations

import html
import json
import math
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go

from kg.charts import Chart, bar_labels, display_scale
from kg.render.assets import STATIC_PREFIX, asset_text, static_text
from kg.timeline import TIMELINE_KINDS, ReportDate, entity_path

__all__ = [
    "KIND_STYLES",
    "PLOTLY_URL",
    "render_chart_html",
    "render_timeline_html",
    "timeline_figure",
]

#: Where the web app serves plotly.js (kg.render.assets' name under /static/vendor/).
PLOTLY_URL = f"{STATIC_PREFIX}/vendor/plotly.min.js"

#: Colour and marker per kind (the lineage page's hues), told apart by shape too.
KIND_STYLES: dict[str, dict[str, str]] = {
    "era": {"label": "Era", "color": "#b279a2", "symbol": "star"},
    "architecture": {"label": "Architecture", "color": "#e45756", "symbol": "square"},
    "paper": {"label": "Paper", "color": "#9d755d", "symbol": "diamond"},
    "model": {"label": "Model", "color": "#4c78a8", "symbol": "circle"},
    "product": {"label": "Product", "color": "#f58518", "symbol": "triangle-up"},
    "leaderboard": {"label": "Leaderboard", "color": "#72b7b2", "symbol": "hexagon"},
    "benchmark": {"label": "Benchmark", "color": "#54a24b", "symbol": "hexagon-open"},
}
_OTHER_STYLE = {"label": "Other", "color": "#6b6b6b", "symbol": "circle-open"}
#: The report's date mark: dashed, apart from the eras' fills.
_REPORT_COLOR = "#c0392b"
_ERA_FILLS = ("#b279a2", "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2")
_SERIES_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2")

#: Label packing: the chart's assumed drawing width, a character's width, at most this many
#: sub-rows per lane (further labels are hidden until hover), and labels cut to this length.
_PLOT_PX, _CHAR_PX, _MAX_SUBROWS, _LABEL_CHARS = 1150, 6.0, 10, 26
_ROW_PX, _LANE_GAP = 22, 0.9
_LABEL_LIMIT = 600
_MAX_PERIOD_TICKS = 12


def _style(kind: str) -> dict[str, str]:
    return KIND_STYLES.get(kind, _OTHER_STYLE | {"label": kind.capitalize()})


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1].rstrip() + "…"


def _short_labels(labels: list[str]) -> list[str]:
    """Labels cut to ``_LABEL_CHARS``, told apart: where two long labels would cut to the same
    text ("Artificial Analysis Video…" twice), both keep their start and the end that differs
    ("Artificial Analysis…text-to-video")."""
    cut = [_short(label) for label in labels]
    groups: dict[str, set[str]] = {}
    for label, short in zip(labels, cut, strict=True):
        groups.setdefault(short, set()).add(label)
    clashes = {short for short, full in groups.items() if len(full) > 1}
    for index, (label, short) in enumerate(zip(labels, cut, strict=True)):
        if short in clashes and len(label) > _LABEL_CHARS:
            cut[index] = _distinct(label, groups[short] - {label})
    return cut


def _common_prefix(one: str, other: str) -> int:
    """How many first characters two strings share."""
    return next(
        (i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
        min(len(one), len(other)),
    )


def _distinct(label: str, others: set[str]) -> str:
    """``label`` cut to its first word(s), "…" and the words where it parts from ``others``:
    "Artificial…text-to-video…" beside "Artificial…image-to-video…"."""
    shared = max(_common_prefix(label, other) for other in others)
    start = max(label.rfind(" ", 0, shared + 1) + 1, 0)
    rest = label[start:]
    words = rest[: _LABEL_CHARS // 2 + 2]
    if len(words) < len(rest):
        words = (words.rsplit(" ", 1)[0] if " " in words else words).rstrip(",;:. ") + "…"
    room = max(_LABEL_CHARS - len(words) - 1, 6)
    head = label[:room]
    if " " in head and not label[room : room + 1].isspace():
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(",;:. ") + "…" + words


def _is_set(value) -> bool:
    if isinstance(value, list | tuple):
        return bool(value)
    return value is not None and not pd.isna(value) and value != ""


def _hover(row: dict) -> str:
    lines = [
        f"<b>{html.escape(row['label'])}</b>",
        f"{html.escape(row['date'])} · {html.escape(_style(row['kind'])['label'].lower())}",
    ]
    if _is_set(row.get("vendor")):
        lines.append(f"vendor: {html.escape(str(row['vendor']))}")
    sources = row.get("sources")
    if _is_set(sources):
        lines.append("sources: " + "<br>   ".join(html.escape(s) for s in sources))
    if _is_set(row.get("entity")) and entity_path(row["entity"]):
        lines.append("<i>click to open its page</i>")
    return "<br>".join(lines)


def _link(entity, entity_base: str, suffix: str = "") -> str:
    if not _is_set(entity):
        return ""
    path = entity_path(entity)
    return entity_base.rstrip("/") + path + suffix if path else str(entity)


def _pack(
    days: list[int], labels: list[str], span: int
) -> tuple[list[int], list[bool], list[bool]]:
    """Sub-row per event, whether its label shows and whether it sits left of its point.

    ``days`` count from the axis's start, which is ``span`` days long. Greedy, in date order, so
    that no two shown labels overlap at the first zoom; a label that would run past the axis's
    end (the axis is cut at the data) goes left of its point.
    An event that fits nowhere keeps its point in a sub-row where no other point covers it, so
    hover and click still reach it; its label shows once zoomed in (timeline.js re-packs on
    every zoom with the same rules)."""
    per_char = span * _CHAR_PX / _PLOT_PX
    marker = 2 * per_char
    ends: list[float] = []
    points: list[float] = []
    rows, shown, left = [], [], []
    for day, label in zip(days, labels, strict=True):
        width = (len(label) + 3) * per_char
        is_left = day + width > span
        start = day - width if is_left else day
        finish = day + marker if is_left else day + width
        row = next((i for i, taken in enumerate(ends) if taken < start), None)
        if row is None and len(ends) < _MAX_SUBROWS:
            ends.append(-math.inf)
            points.append(-math.inf)
            row = len(ends) - 1
        if row is not None:
            ends[row], points[row] = finish, day + marker
            rows.append(row)
            shown.append(True)
            left.append(is_left)
            continue
        free = [i for i, taken in enumerate(points) if taken < day]
        row = min(free or range(len(ends)), key=lambda i: (ends[i], i))
        ends[row] = max(ends[row], day + marker)
        points[row] = day + marker
        rows.append(row)
        shown.append(False)
        left.append(False)
    return rows, shown, left


def _x_range(frame: pd.DataFrame, eras: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    keys = list(frame["sort_key"]) or list(eras["start_key"]) or [pd.Timestamp("2000-01-01")]
    first, last = min(keys), max(keys)
    pad = max((last - first) / 40, pd.Timedelta(days=45))
    # The axis ends at the data (a margin for the last point); the latest events put their
    # labels on the left instead.
    return first - pad, last + max((last - first) / 100, pd.Timedelta(days=20))


def _lanes(frame: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(frame["kind"]))
    ordered = [kind for kind in TIMELINE_KINDS if kind in present]
    return ordered + sorted(kind for kind in present if kind not in TIMELINE_KINDS)


def _event_traces(
    frame: pd.DataFrame, entity_base: str, suffix: str, axis: tuple[pd.Timestamp, pd.Timestamp]
):
    """One scatter trace per kind; y positions (lane offset + sub-row) and lane tick marks."""
    traces, ticks, labels, top = [], [], [], 0.0
    span = max((axis[1] - axis[0]).days, 1)
    show_labels = len(frame) <= _LABEL_LIMIT
    for kind in _lanes(frame):
        lane = frame[frame["kind"] == kind]
        rows = lane.to_dict(orient="records")
        days = [int((row["sort_key"] - axis[0]).days) for row in rows]
        texts = _short_labels([row["label"] for row in rows])
        sub, shown, left = _pack(days, texts, span)
        height = max(sub, default=0) + 1
        style = _style(kind)
        traces.append(
            go.Scatter(
                x=lane["sort_key"],
                y=[top + s for s in sub],
                mode="markers+text" if show_labels else "markers",
                text=[t if ok else "" for t, ok in zip(texts, shown, strict=True)],
                textposition=["middle left" if is_left else "middle right" for is_left in left],
                textfont={"size": 11, "color": "#333"},
                name=f"{style['label']} ({len(rows)})",
                legendgroup=kind,
                marker={
                    "color": style["color"],
                    "symbol": style["symbol"],
                    "size": 10,
                    "line": {"width": 1, "color": "#ffffff"},
                },
                hovertext=[_hover(row) for row in rows],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[_link(row.get("entity"), entity_base, suffix) for row in rows],
                meta={"kind": kind, "labels": texts, "base": top, "rows": height},
                cliponaxis=False,
            )
        )
        ticks.append(top + (height - 1) / 2)
        labels.append(f"<b>{style['label']}</b>")
        top += height + _LANE_GAP
    return traces, ticks, labels, top


def _era_shapes(
    eras: pd.DataFrame, x_start: pd.Timestamp, x_end: pd.Timestamp
) -> tuple[list[dict], list[dict]]:
    """A shaded span per era behind the events, labelled at its start above the plot; labels
    take turns on three heights, so that eras starting close together stay readable."""
    shapes, notes = [], []
    for index, era in enumerate(eras.to_dict(orient="records")):
        color = _ERA_FILLS[index % len(_ERA_FILLS)]
        ongoing = not _is_set(era.get("end_key"))
        end = x_end if ongoing else era["end_key"] + timedelta(days=1)
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": era["start_key"],
                "x1": end,
                "y0": 0,
                "y1": 1,
                "fillcolor": color,
                "opacity": 0.11,
                "line": {"width": 0},
                "layer": "below",
                "name": era["label"],
            }
        )
        span = f"{era['start']} to {'now' if ongoing else era['end']}"
        # An era starting in the last quarter of the axis is named left of its start, so that
        # its name does not run off the plot (the axis ends at the data).
        late = era["start_key"] > x_end - (x_end - x_start) / 4
        name = html.escape(era["label"])
        sources = "<br>".join(html.escape(s) for s in era.get("sources") or [])
        notes.append(
            {
                "x": era["start_key"],
                "xref": "x",
                "xanchor": "right" if late else "left",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2 + 17 * (2 - index % 3),
                "text": f"{name}▕" if late else f"▏{name}",
                "showarrow": False,
                "font": {"size": 11, "color": color},
                "hovertext": f"<b>{html.escape(era['label'])}</b><br>{span}<br>sources: {sources}",
                "captureevents": True,
            }
        )
    return shapes, notes


def _report_mark(report: ReportDate) -> tuple[dict, dict]:
    """The report's date as a dashed frame over every day it covers (the whole year for a
    year), captioned below the plot with the date as given, never more precise."""
    shape = {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": report.first,
        "x1": report.last + timedelta(days=1),
        "y0": 0,
        "y1": 1,
        "fillcolor": _REPORT_COLOR,
        "opacity": 0.08,
        "line": {"width": 1.5, "dash": "dash", "color": _REPORT_COLOR},
        "layer": "below",
        "name": report.caption,
    }
    note = {
        "x": report.first + (report.last - report.first) / 2,
        "xref": "x",
        "y": 0,
        "yref": "paper",
        "yanchor": "bottom",
        "yshift": 2,
        "text": html.escape(report.caption),
        "showarrow": False,
        "font": {"size": 11, "color": _REPORT_COLOR},
        "hovertext": f"<b>{html.escape(report.label)}</b><br>its date as recorded: "
        f"{html.escape(report.date)} ({report.precision})",
        "captureevents": True,
    }
    return shape, note


def timeline_figure(
    frame: pd.DataFrame,
    eras: pd.DataFrame,
    *,
    entity_base: str = "",
    entity_suffix: str = "",
    title: str = "",
    report: ReportDate | None = None,
) -> go.Figure:
    """The Plotly figure of a timeline: lanes by kind, eras behind, the report's date marked
    (no page around it)."""
    first, last = _x_range(frame, eras)
    if report is not None:  # the whole span the report's date covers stays in view
        first = min(first, report.first - timedelta(days=20))
        last = max(last, report.last + timedelta(days=20))
    traces, ticks, lane_labels, height = _event_traces(
        frame, entity_base, entity_suffix, (first, last)
    )
    shapes, notes = _era_shapes(eras, first, last)
    if report is not None:
        shape, note = _report_mark(report)
        shapes.append(shape)
        notes.append(note)
    figure = go.Figure(traces)
    figure.update_layout(
        title={"text": html.escape(title), "x": 0.01, "y": 0.995, "yanchor": "top"}
        if title
        else None,
        height=int(max(360, 170 + height * _ROW_PX)),
        margin={"l": 110, "r": 30, "t": 30 + 17 * min(len(eras), 3) + 30, "b": 50},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        dragmode="pan",
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -0.04, "yanchor": "top"},
        shapes=shapes,
        annotations=notes,
        font={"family": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
        hoverlabel={"align": "left", "bgcolor": "#ffffff"},
    )
    figure.update_xaxes(type="date", range=[first, last], showgrid=True, gridcolor="#eeeeee")
    figure.update_yaxes(
        tickvals=ticks,
        ticktext=lane_labels,
        range=[height - _LANE_GAP + 0.4, -0.6],
        fixedrange=True,
        showgrid=False,
        zeroline=False,
    )
    return figure


_CONFIG = {
    "scrollZoom": True,
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


def _json_for_script(value: object) -> str:
    """JSON that cannot close the <script> element it sits in, whatever the labels contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(
    title: str,
    status: str,
    figure: go.Figure,
    *,
    standalone: bool,
    kind: str,
    counts: dict[str, int | str],
    body_after: str = "",
    ranges: dict[str, list[str]] | None = None,
    static: str = STATIC_PREFIX,
    banner: str = "",
) -> str:
    # Standalone files inline every script (they load nothing); the app links its own assets,
    # so its content security policy can forbid inline scripts.
    if standalone:
        head = (
            f"<style>{static_text('timeline.css')}</style>\n"
            f"<script>{asset_text('plotly.min.js')}</script>"
        )
        script = f"<script>{static_text('timeline.js')}</script>"
    else:
        head = (
            f'<link rel="stylesheet" href="{static}/timeline.css">\n'
            f'<script src="{static}/vendor/plotly.min.js"></script>'
        )
        script = f'<script src="{static}/timeline.js"></script>'
    spec = {
        "figure": json.loads(figure.to_json()),
        "config": _CONFIG,
        "ranges": ranges or {},
        "charPx": _CHAR_PX,
    }
    buttons = "".join(
        f'<button type="button" data-range="{html.escape(name)}">{html.escape(name)}</button>'
        for name in ranges or {}
    )
    controls = (
        f'<nav class="kg-ranges" aria-label="Time range">Show {buttons}'
        '<span id="kg-label-note" class="kg-label-note" role="status"></span></nav>'
        if buttons
        else ""
    )
    data_attributes = " ".join(f'data-{name}="{value}"' for name, value in counts.items())
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
{head}
</head>
<body class="kg-plot-page kg-{kind}-page">
{banner}<header>
<h1>{html.escape(title)}</h1>
<p class="kg-status" id="kg-status" role="status">{html.escape(status)}</p>
{controls}
</header>
<main>
<div id="kg-plot" class="kg-plot kg-{kind}" style="height: {figure.layout.height}px"
 {data_attributes}></div>
<noscript><p class="kg-empty">This page draws with JavaScript; the list below has the same
content.</p></noscript>
{body_after}
</main>
<script type="application/json" id="kg-plot-data">{_json_for_script(spec)}</script>
{script}
</body>
</html>
"""


def _event_list(frame: pd.DataFrame, entity_base: str, suffix: str) -> str:
    items = []
    for row in frame.to_dict(orient="records"):
        link = _link(row.get("entity"), entity_base, suffix)
        label = html.escape(row["label"])
        name = f'<a href="{html.escape(link)}">{label}</a>' if link else label
        kind = html.escape(_style(row["kind"])["label"].lower())
        items.append(f"<li><time>{html.escape(row['date'])}</time> {name} ({kind})</li>")
    return (
        f"<details><summary>All {len(items)} events as a list</summary><ol>"
        + "".join(items)
        + "</ol></details>"
    )


def render_timeline_html(
    frame: pd.DataFrame,
    eras: pd.DataFrame,
    *,
    standalone: bool,
    entity_base: str = "",
    entity_suffix: str = "",
    title: str = "Timeline of generative video AI",
    static: str = STATIC_PREFIX,
    report: ReportDate | None = None,
    banner: str = "",
) -> str:
    """The interactive timeline page for an event frame and era spans (from ``kg.timeline``),
    with the report's date marked when ``report`` is given.

    ``standalone=True`` inlines plotly.js and our script so the file works offline from anywhere
    (``kg timeline --format html``); otherwise the page links them under ``static``
    (``/static/vendor/plotly.min.js``, ``/static/timeline.js``) as the web app serves them.
    A click on an event opens ``entity_base + /id/{kind}/{slug} + entity_suffix`` (another IRI
    opens itself; the static site's suffix "/" names the folder its host serves).
    Counts sit on the plot element as ``data-events`` and ``data-eras``, the report's date as
    ``data-report``. ``banner`` is markup put above the plot (the web app's sources toggle). An
    empty frame gives a page that says so.
    """
    figure = timeline_figure(
        frame, eras, entity_base=entity_base, entity_suffix=entity_suffix, report=report
    )
    if len(frame):
        first, last = frame["date"].iloc[0], frame["date"].iloc[-1]
        status = f"{len(frame)} events from {first} to {last}"
        if len(eras):
            status += f", {len(eras)} eras behind them"
        if report is not None:
            status += f"; dashed: {report.caption}"
        status += ". Drag to pan, scroll to zoom, hover for sources, click to open."
    else:
        status = "No events match these filters."
    return _page(
        title,
        status,
        figure,
        standalone=standalone,
        kind="timeline",
        counts={"events": len(frame), "eras": len(eras)}
        | ({"report": html.escape(report.date)} if report is not None else {}),
        body_after=_event_list(frame, entity_base, entity_suffix) if len(frame) else "",
        ranges=_range_presets(frame, eras),
        static=static,
        banner=banner,
    )


def _range_presets(frame: pd.DataFrame, eras: pd.DataFrame) -> dict[str, list[str]]:
    """Zoom buttons: everything, and the last years up to the latest event (the padding for
    labels on the right stays, so a "last 2 years" view is not half empty)."""
    if not len(frame):
        return {}
    first, last = _x_range(frame, eras)
    latest = frame["sort_key"].max()
    presets = {"all": [first, last]}
    for years in (5, 2):
        start = latest - pd.DateOffset(years=years)
        if start > first:
            presets[f"last {years} years"] = [start, last]
    return {name: [t.isoformat() for t in span] for name, span in presets.items()}


def _figure_hover(row: dict, divisor: float, unit: str) -> str:
    printed = (
        f" (printed: {html.escape(str(row['printed_value']))})"
        if _is_set(row.get("printed_value"))
        else ""
    )
    forecast = " · forecast" if row["forecast"] else ""
    return "<br>".join(
        [
            f"<b>{html.escape(row['series'])}</b>",
            f"{html.escape(row['period'])}{forecast}",
            f"{row['value'] / divisor:,.4g} {html.escape(unit)}{printed}",
            f"source: {html.escape(str(row['source_label']))}",
        ]
    )


def _time_traces(chart: Chart, divisor: float, unit_text: str) -> list[go.Scatter]:
    traces = []
    for index, (series, rows) in enumerate(chart.frame.groupby("series", sort=False)):
        color = _SERIES_COLORS[index % len(_SERIES_COLORS)]
        records = rows.to_dict(orient="records")
        measured = [r for r in records if not r["forecast"]]
        projected = [r for r in records if r["forecast"]]
        bridge = measured[-1:] if projected else []
        bridge_row = bridge[0] if bridge else None
        for part, dashed in ((measured, False), (bridge + projected, True)):
            if not part:
                continue
            traces.append(
                go.Scatter(
                    x=[r["sort_key"] for r in part],
                    y=[r["value"] / divisor for r in part],
                    mode="lines+markers+text",
                    text=[
                        "" if dashed and r is bridge_row else f"{r['value'] / divisor:,.4g}"
                        for r in part
                    ],
                    textposition="top center",
                    name=f"{series} (forecast)" if dashed else series,
                    legendgroup=series,
                    line={"color": color, "dash": "dash" if dashed else "solid", "width": 2.5},
                    marker={
                        "size": 10,
                        "color": color,
                        "symbol": ["circle-open" if r["forecast"] else "circle" for r in part],
                        "line": {"width": 2, "color": color},
                    },
                    hovertext=[_figure_hover(r, divisor, unit_text) for r in part],
                    hovertemplate="%{hovertext}<extra></extra>",
                    customdata=[_link(r.get("subject"), "") for r in part],
                )
            )
    return traces


def _bar_trace(chart: Chart, divisor: float, unit_text: str) -> go.Bar:
    frame = chart.frame.assign(category=bar_labels(chart)).sort_values("value", ascending=False)
    records = frame.to_dict(orient="records")
    return go.Bar(
        x=[r["value"] / divisor for r in records],
        y=[r["category"] for r in records],
        orientation="h",
        marker={
            "color": ["#9ecae9" if r["forecast"] else "#4c78a8" for r in records],
        },
        text=[
            str(r["printed_value"]) if _is_set(r.get("printed_value")) else f"{r['value']:,.4g}"
            for r in records
        ],
        textposition="outside",
        cliponaxis=False,
        hovertext=[_figure_hover(r, divisor, unit_text) for r in records],
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=[_link(r.get("subject"), "") for r in records],
        name=chart.measure_label,
    )


def chart_figure(chart: Chart) -> go.Figure:
    """The Plotly figure of a chart: lines over time (forecasts dashed) or ranked bars."""
    divisor, suffix = display_scale(chart.frame["value"])
    unit_text = f"{chart.unit}{suffix}"
    if chart.layout == "time":
        figure = go.Figure(_time_traces(chart, divisor, unit_text))
        figure.update_xaxes(type="date", showgrid=True, gridcolor="#eeeeee")
        periods = chart.frame.drop_duplicates("period").sort_values("sort_key")
        if len(periods) <= _MAX_PERIOD_TICKS:
            # One tick per period, printed as the source gives it ("2024-12", "2025").
            figure.update_xaxes(
                tickvals=list(periods["sort_key"]), ticktext=list(periods["period"])
            )
        figure.update_yaxes(title=unit_text, rangemode="tozero", gridcolor="#eeeeee")
        height = 480
    else:
        figure = go.Figure([_bar_trace(chart, divisor, unit_text)])
        figure.update_yaxes(autorange="reversed", automargin=True)
        figure.update_xaxes(title=unit_text, gridcolor="#eeeeee")
        height = max(360, 120 + 28 * len(chart.frame))
    figure.update_layout(
        height=height,
        margin={"l": 60, "r": 60, "t": 30, "b": 50},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        showlegend=chart.layout == "time",
        font={"family": "system-ui, -apple-system, 'Segoe UI', sans-serif"},
        hoverlabel={"align": "left", "bgcolor": "#ffffff"},
    )
    return figure


def _chart_notes(chart: Chart) -> str:
    sources = chart.frame.drop_duplicates("source_label").to_dict(orient="records")
    items = []
    for source in sources:
        label = html.escape(str(source["source_label"]))
        url = source.get("source_url")
        items.append(
            f'<li><a href="{html.escape(str(url))}" rel="noopener">{label}</a></li>'
            if _is_set(url)
            else f"<li>{label}</li>"
        )
    notes = "".join(f"<p>{html.escape(note)}.</p>" for note in chart.notes)
    return f'<div class="kg-notes"><p>Sources:</p><ul>{"".join(items)}</ul>{notes}</div>'


def render_chart_html(series: Chart, *, standalone: bool, static: str = STATIC_PREFIX) -> str:
    """The interactive page of a chart (from ``kg.charts.select_chart``), as one HTML string.

    ``standalone`` works as for ``render_timeline_html``. Hover shows the period as printed,
    the value with its printed form and the source; forecasts are dashed with open markers.
    The sources are listed under the chart. ``data-figures`` on the plot element counts them.
    """
    figure = chart_figure(series)
    periods = series.frame.sort_values("sort_key", kind="stable")["period"]
    span = periods.iloc[0] if periods.nunique() == 1 else f"{periods.iloc[0]} to {periods.iloc[-1]}"
    status = (
        f"{len(series.frame)} figures of {series.measure_label} ({series.unit}), {span}. "
        f"{series.spec.description}"
    ).strip()
    return _page(
        series.spec.title,
        status,
        figure,
        standalone=standalone,
        kind="chart",
        counts={"figures": len(series.frame), "layout": series.layout},
        body_after=_chart_notes(series),
        static=static,
    )
