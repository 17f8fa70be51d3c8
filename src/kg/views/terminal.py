"""A ready answer in the terminal: fitted to its width, sources as numbered references.

The table takes the terminal's width (``shutil.get_terminal_size``, which reads ``COLUMNS``
first), cells wrap inside their columns, and the references and notes beneath wrap at the
same width, so no line is wider than the terminal; ``width=None`` (``kg ask --wide``) lays
everything out on one line each, as wide as it needs.
"""

from __future__ import annotations

import io
import textwrap

from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from kg.answers import QUESTIONS, Answer
from kg.namespaces import shorten
from kg.views.answer import Shaped
from kg.views.lookup import Hit

__all__ = ["marks", "render_names", "render_shaped"]

_WIDE = 100_000


def marks(numbers: list[int]) -> str:
    """Reference marks as a paper prints them.

    >>> marks([1, 3])
    '[1,3]'
    """
    return f"[{','.join(str(n) for n in numbers)}]" if numbers else ""


def _wrap(text: str, width: int | None, indent: str) -> str:
    if width is None:
        return text
    return textwrap.fill(
        text, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=True
    )


def _table(shaped: Shaped, width: int | None) -> str:
    grid = RichTable(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, expand=False)
    for column in [*shaped.columns, "Sources"]:
        longest = max((len(word) for word in column.split()), default=0)
        grid.add_column(column, overflow="fold", min_width=longest)
    for row in shaped.rows:
        grid.add_row(*shaped.texts(row), marks(row.references))
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or _WIDE, no_color=True, highlight=False, soft_wrap=False
    )
    console.print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines() if line.strip())


def render_shaped(
    shaped: Shaped, answer: Answer, width: int | None = 80, show_query: bool = False
) -> str:
    """The answer as text: heading, the table, its references, notes and (asked) the query."""
    count = len(shaped.rows)
    lines = [
        _wrap(shaped.heading, width, "  "),
        shorten(answer.entity.iri),
    ]
    if shaped.rows:
        lines += [_table(shaped, width), f"{count} row{'s' * (count != 1)}"]
    elif not shaped.notes:
        lines.append("No rows: the graph holds no such statement.")
    if shaped.references:
        lines.append("Sources:")
        for ref in shaped.references:
            where = " ".join(part for part in (ref.label, ref.url) if part)
            lines.append(_wrap(f"  [{ref.number}] {where}", width, "      "))
    lines += [_wrap(f"Note: {note}", width, "  ") for note in shaped.notes]
    text = "\n".join(lines) + "\n"
    if show_query:
        text += (
            f"\nQuery ({answer.question.query}.rq), with ?{answer.question.variable} = "
            f"<{answer.entity.iri}>:\n{answer.query}"
        )
    return text


def _questions_about(hit: Hit) -> list[str]:
    """The ready questions that take an entity of the hit's kind, asked about it."""
    asked = []
    for question in QUESTIONS:
        found = question.match(question.example)
        if hit.kind in question.kinds and found:
            asked.append(found.string[: found.start("name")] + hit.label)
    return asked


def render_names(text: str, hits: list[Hit], width: int | None = 80, lead: str = "") -> str:
    """What a bare name stands for: each entity with its kind and CURIE, and the questions
    ``kg ask`` can answer about it."""
    lead = lead or (f"{text!r} is" if len(hits) == 1 else f"{text!r} could be any of these")
    lines = [_wrap(f"{lead}:", width, "")]
    for hit in hits:
        alias = f" (as {hit.matched})" if hit.matched != hit.label else ""
        entry = f"  {hit.label}{alias}: {hit.kind} {shorten(hit.iri)}"
        lines.append(_wrap(entry, width, "      "))
        lines += [_wrap(f'      kg ask "{q}"', width, "        ") for q in _questions_about(hit)]
    return "\n".join(lines) + "\n"
