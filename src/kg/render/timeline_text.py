"""Timeline event frames as a plain-text table for the terminal (``kg timeline``)."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console
from rich.table import Table as RichTable

from kg.timeline import ReportDate

__all__ = ["render_timeline_text"]


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None or pd.isna(value) else str(value)


def render_timeline_text(
    frame: pd.DataFrame, width: int = 160, report: ReportDate | None = None
) -> str:
    """Events oldest first: date as printed, kind, label, vendor and sources, then a count.

    The report's date, when given, is a ruled row among the events where its date sorts (before
    the events of its first day), in the date's own precision. Rows a user query left out for
    want of a date (``frame.attrs["skipped"]``) are counted.
    """
    grid = RichTable(show_lines=False, header_style="bold", expand=False)
    for column in ("date", "kind", "label", "vendor", "sources"):
        grid.add_column(column, overflow="fold", no_wrap=column in ("date", "kind"))
    marked = report is None
    for row in frame.to_dict(orient="records"):
        if not marked and row["sort_key"] >= report.first:
            _add_report(grid, report)
            marked = True
        grid.add_row(*(_text(row.get(c)) for c in ("date", "kind", "label", "vendor", "sources")))
    if not marked:
        _add_report(grid, report)
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False, soft_wrap=False).print(grid)
    count = len(frame)
    summary = f"{count} event{'s' * (count != 1)}"
    if skipped := frame.attrs.get("skipped"):
        summary += f" ({skipped} row{'s' * (skipped != 1)} without a date left out)"
    return buffer.getvalue() + summary + "\n"


def _add_report(grid: RichTable, report: ReportDate) -> None:
    """The report's own date as a row between rules: date as given, what it marks, its source."""
    grid.add_section()
    grid.add_row(report.date, "report", f"── {report.caption} ──", "", report.label)
    grid.add_section()
