"""Terminal renderings: result tables, answers and stats as plain text for the CLI."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table as RichTable

from kg.answers import QUESTIONS
from kg.namespaces import shorten
from kg.query import Table
from kg.stats import Stats
from kg.terms import to_text

__all__ = ["render_questions", "render_stats", "render_table"]


def _console_text(*renderables, width: int = 160) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, soft_wrap=False)
    for renderable in renderables:
        console.print(renderable)
    return buffer.getvalue()


def _cell(term) -> str:
    text = to_text(term)
    return shorten(text) if text.startswith(("http://", "https://")) else text


def render_table(table: Table, width: int = 160) -> str:
    """A result table as aligned text; IRIs shortened to CURIEs, empty cells for unbound."""
    grid = RichTable(show_lines=False, header_style="bold", expand=False)
    for column in table.columns:
        grid.add_column(column, overflow="fold")
    for row in table.rows:
        grid.add_row(*(_cell(term) for term in row))
    count = len(table.rows)
    return _console_text(grid, width=width) + f"{count} row{'s' * (count != 1)}\n"


def render_questions() -> str:
    """The questions ``kg ask`` knows, with an example each."""
    lines = ["Questions kg ask knows (names match labels and alternative labels, any case):"]
    for question in QUESTIONS:
        lines.append(f"  {question.example}\n      {question.description}")
    return "\n".join(lines) + "\n"


def render_stats(stats: Stats) -> str:
    """Counts per class, statements and sources."""
    classes = RichTable("class", "entities", header_style="bold")
    for label, count in stats.classes.items():
        classes.add_row(label, str(count))
    sources = RichTable("source", "statements", header_style="bold")
    for label, count in stats.sources.items():
        sources.add_row(label, str(count))
    summary = (
        f"{stats.statements} statements in {stats.graphs} graphs ({len(stats.sources)} sources)"
    )
    return _console_text(classes, summary, sources)
