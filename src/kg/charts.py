"""Figures over time: the report's observations (kg:Observation) → chart-ready pandas series.

It never reads data files and never draws: it runs the named query ``observations-by-measure``
with the measure bound as an RDF term and hands a ``Chart`` to ``kg.render`` (HTML with Plotly,
PNG with matplotlib), the CLI (``kg chart NAME``) and the web app.

A chart is named in ``CHARTS`` (``market-size``, ``message-share``, ``web-visits``, ``arr``,
...), or by any measure's slug. Its frame (``SERIES_COLUMNS``) has one row per figure:

    period, precision, sort_key   the period as printed ("2032", "2024-12", "2025-05-04"), its
                                  precision and first day (x of a time chart)
    value, unit                   the figure (float) and its unit (one unit per chart)
    series                        what a line or a bar stands for: the subject's label with its
                                  variant ("Kling 1.6 (Pro)"), else the name as printed
    forecast                      True for projections (2025E, 2032E)
    printed_value, subject, subject_label, printed_name, rank, confidence,
    source, source_label, source_url, observation

``layout`` is ``time`` (x = period, a line per series; forecasts dashed) or ``ranking`` (one
bar per series, largest first), chosen by the chart or, for ``auto``, by the data: a series
with two periods or more makes a time chart.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd
import pyoxigraph as ox

from kg.config import resource_dir
from kg.dates import parse_date
from kg.errors import NotFoundError
from kg.namespaces import entity_iri
from kg.query import get_named_query, select
from kg.store import Store
from kg.terms import to_python

__all__ = [
    "CHARTS",
    "LAYOUTS",
    "SERIES_COLUMNS",
    "Chart",
    "ChartSpec",
    "bar_labels",
    "display_scale",
    "read_series",
    "select_chart",
]

LAYOUTS: tuple[str, ...] = ("time", "ranking", "auto")
SERIES_COLUMNS: tuple[str, ...] = (
    "period",
    "precision",
    "sort_key",
    "value",
    "unit",
    "series",
    "forecast",
    "printed_value",
    "subject",
    "subject_label",
    "printed_name",
    "rank",
    "confidence",
    "source",
    "source_label",
    "source_url",
    "observation",
)


@dataclass(frozen=True)
class ChartSpec:
    """A chart users ask for by name: which measure, which unit, which layout."""

    name: str
    measure: str
    title: str
    description: str
    layout: str = "auto"
    unit: str | None = None


@dataclass
class Chart:
    """A chart ready to draw: its spec, the figures, the layout and unit chosen, and notes."""

    spec: ChartSpec
    frame: pd.DataFrame
    layout: str
    unit: str
    measure_label: str
    notes: list[str] = field(default_factory=list)


CHARTS: dict[str, ChartSpec] = {
    spec.name: spec
    for spec in (
        ChartSpec(
            "market-size",
            "market-size",
            "Global AI video generation market size",
            "The report's market size in USD (Fortune Business Insights): 2024, then forecasts "
            "for 2025 and 2032.",
            layout="time",
            unit="USD",
        ),
        ChartSpec(
            "message-share",
            "message-share",
            "Poe: share of messages sent to video bots",
            "Share of messages Poe subscribers sent to each video bot, by week (the report "
            "keeps the week of 2025-05-04).",
        ),
        ChartSpec(
            "web-visits",
            "web-visits",
            "AI video products by monthly web visits",
            "The report's ranking of AI video products by web visits (probably May 2025).",
            layout="ranking",
        ),
        ChartSpec(
            "arr",
            "arr",
            "Runway annual recurring revenue",
            "Runway's ARR in USD as the report gives it (citing The Information); 2025 is a "
            "projection.",
            layout="time",
            unit="USD",
        ),
        ChartSpec(
            "video-traffic-share",
            "video-traffic-share",
            "Video share of global IP traffic",
            "Cisco VNI: video's share of global IP traffic, 2017 and the 2022 forecast.",
            layout="time",
        ),
        ChartSpec(
            "api-price",
            "api-price",
            "Video model API prices",
            "Price per second of generated video, as the report and the press give it.",
            layout="ranking",
            unit="USD per second",
        ),
    )
}


def _query(name: str) -> str:
    return get_named_query(resource_dir("queries"), name).text


def _series_name(cells: dict) -> str:
    name = cells["subjectLabel"] or cells["printedName"] or cells["measureLabel"]
    return f"{name} ({cells['variant']})" if cells["variant"] else name


def read_series(store: Store, measure: str) -> pd.DataFrame:
    """Every figure of one measure (its slug, e.g. ``market-size``), oldest period first.

    Built from the SPARQL results of ``observations-by-measure`` with ``?measure`` bound.
    Returns an empty frame (``SERIES_COLUMNS``) when the graph holds no such figure.
    """
    table = select(
        store,
        _query("observations-by-measure"),
        {"measure": ox.NamedNode(entity_iri("measure", measure))},
    )
    records = []
    for row in table.rows:
        cells = {name: to_python(term) for name, term in zip(table.columns, row, strict=True)}
        period = parse_date(str(cells["period"]))
        records.append(
            {
                "period": str(period),
                "precision": period.precision,
                "sort_key": period.first_day(),
                "value": float(cells["value"]),
                "unit": cells["unit"],
                "series": _series_name(cells),
                "forecast": bool(cells["forecast"]),
                "printed_value": cells["printedValue"],
                "subject": cells["subject"],
                "subject_label": cells["subjectLabel"],
                "printed_name": cells["printedName"],
                "rank": cells["rank"],
                "confidence": cells["confidence"],
                "source": cells["source"],
                "source_label": cells["sourceLabel"],
                "source_url": cells["sourceUrl"],
                "observation": cells["observation"],
                "_measure_label": cells["measureLabel"],
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[*SERIES_COLUMNS, "_measure_label"])
    frame["sort_key"] = frame["sort_key"].astype("datetime64[s]")
    frame["value"] = frame["value"].astype(float)
    frame["forecast"] = frame["forecast"].astype(bool)
    frame.attrs["measure_label"] = (
        frame["_measure_label"].iloc[0] if len(frame) else measure.replace("-", " ")
    )
    frame = frame.drop(columns="_measure_label")
    return frame.sort_values(["sort_key", "series"], kind="stable", ignore_index=True)


def _spec_for(store: Store, name: str) -> ChartSpec:
    """The registered chart, or an ad-hoc one for any measure the graph has figures of."""
    if name in CHARTS:
        return CHARTS[name]
    measures = {
        str(to_python(row[0])).rsplit("/", 1)[-1]: to_python(row[1])
        for row in select(store, _query("measures")).rows
    }
    if name in measures:
        return ChartSpec(name, name, str(measures[name]).capitalize(), "")
    close = difflib.get_close_matches(name, list(dict.fromkeys([*CHARTS, *measures])), n=2)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    known = ", ".join(CHARTS)
    raise NotFoundError(
        f"Unknown chart {name!r}.{hint} Charts: {known}; or any measure slug (`kg chart --list`)."
    )


def _choose_unit(frame: pd.DataFrame, wanted: str | None) -> tuple[str, list[str]]:
    """One unit per chart: the spec's, else the most common; notes name the figures left out."""
    counts = frame["unit"].value_counts()
    unit = wanted if wanted in counts.index else str(counts.index[0])
    notes = [
        f"{count} figure{'s' * (count != 1)} in {other} not drawn (one unit per chart)"
        for other, count in counts.items()
        if other != unit
    ]
    return unit, notes


def _choose_layout(frame: pd.DataFrame, layout: str) -> str:
    if layout != "auto":
        return layout
    periods = frame.groupby("series")["period"].nunique()
    return "time" if (periods >= 2).any() else "ranking"


def select_chart(store: Store, name: str) -> Chart:
    """The chart a user asks for: a name of ``CHARTS`` or any measure's slug.

    Raises:
        NotFoundError: no such chart or measure, or no figure of it in the graph; suggests
            close names.
    """
    spec = _spec_for(store, name)
    frame = read_series(store, spec.measure)
    if frame.empty:
        raise NotFoundError(
            f"the graph holds no figure of measure {spec.measure!r} for chart {name!r}"
        )
    unit, notes = _choose_unit(frame, spec.unit)
    measure_label = frame.attrs["measure_label"]
    kept = frame[frame["unit"] == unit].reset_index(drop=True)
    kept.attrs["measure_label"] = measure_label
    return Chart(spec, kept, _choose_layout(kept, spec.layout), unit, measure_label, notes)


def bar_labels(chart: Chart) -> list[str]:
    """One category per figure of a ranking: the series, with the period when a series has
    several figures (Veo 2's price in 2025 and in 2025-02), in frame order."""
    frame = chart.frame
    repeated = frame["series"].duplicated(keep=False)
    return [
        f"{series} ({period})" if again else series
        for series, period, again in zip(frame["series"], frame["period"], repeated, strict=True)
    ]


def display_scale(values: pd.Series) -> tuple[float, str]:
    """A divisor and an axis suffix that keep figures readable: 2,563,000,000 USD is drawn as
    2.563 on a "USD (billions)" axis.

    >>> display_scale(pd.Series([615e6, 2563e6]))
    (1000000000.0, ' (billions)')
    >>> display_scale(pd.Series([23.6, 0.7]))
    (1.0, '')
    """
    largest = float(values.abs().max()) if len(values) else 0.0
    for divisor, suffix in ((1e9, " (billions)"), (1e6, " (millions)"), (1e3, " (thousands)")):
        if largest >= divisor:
            return divisor, suffix
    return 1.0, ""
