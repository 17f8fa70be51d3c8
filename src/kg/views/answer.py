"""A ready answer as every surface shows it: one row per thing, headers in words, sources as
numbered references, notes beside it.

A named query answers in rows of variables, one per combination of what it joins (Sora once
per path to DiT, Seedance 1.0 once per developer). The query's header says how to read them:

    # row: model
    # columns: modelLabel=Model | via=Path | developerLabel=Developers | date=Date

``row`` names the variable that identifies a thing: rows with the same value become one, each
column keeping its distinct values, sorted (engines group rows in any order); a cell that
repeats the one before it in its row is left blank, and a column empty on every row is left
out. ``columns`` lists what is shown,
with headers in words. The sources (``?sources``, labels joined by " | ") become numbered
references, listed once beneath with their documents' links. Grouping happens here, in Python,
so the queries stay plain SPARQL that any engine runs. The CLI (kg.views.terminal), the web
app and the static site (ask.html, /api/ask, ask/NAME.json) and the Python API (kg.api) all
show this shape.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyoxigraph as ox

from kg.answers import Answer
from kg.query import get_named_query, select
from kg.store import Store
from kg.terms import to_text
from kg.views.lookup import entity_url

__all__ = [
    "Item",
    "Reference",
    "Shaped",
    "ShapedRow",
    "answer_context",
    "answer_frame",
    "answer_json",
    "editable_query",
    "shape_answer",
]

_DECLARATION = re.compile(r"^#\s*(row|columns):\s*(.*)$", re.M)
_KG = "https://w3id.org/genvid-kg/ontology#"
_DERIVED_FROM = _KG + "derivedFrom"
ARROW = " → "


@dataclass(frozen=True)
class Item:
    """One value in a cell, with the page of the entity it names (None for plain values)."""

    text: str
    url: str | None = None


@dataclass
class ShapedRow:
    """A thing the answer lists: its cells (each a list of values) and its sources' numbers."""

    cells: list[list[Item]]
    references: list[int]
    sources: list[str]


@dataclass(frozen=True)
class Reference:
    """A numbered source: its label, its page here, its document's URL and where in it."""

    number: int
    iri: str
    label: str
    page: str | None
    url: str | None
    locator: str | None


@dataclass
class Shaped:
    """An answer ready to show: heading, columns, one row per thing, references, notes."""

    heading: str
    columns: list[str]
    rows: list[ShapedRow]
    references: list[Reference]
    notes: list[str] = field(default_factory=list)
    #: How each column joins a cell's several values: paths one per line, others with commas.
    joins: list[str] = field(default_factory=list)

    def texts(self, row: ShapedRow) -> list[str]:
        """A row's cells as text."""
        return [
            join.join(item.text for item in cell)
            for join, cell in zip(self.joins, row.cells, strict=True)
        ]

    def records(self) -> list[dict]:
        """The rows as plain records: a key per column, and ``Sources``, the sources' IRIs."""
        return [
            {
                column: text.replace("\n", "; ")
                for column, text in zip(self.columns, self.texts(row), strict=True)
            }
            | {"Sources": row.sources}
            for row in self.rows
        ]


def declarations(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The ``# row:`` variable and the ``# columns:`` (variable, header) pairs of a query.

    >>> declarations("# row: model\\n# columns: modelLabel=Model | date=Date\\nSELECT")
    ('model', [('modelLabel', 'Model'), ('date', 'Date')])
    """
    found = dict(_DECLARATION.findall(text))
    columns = []
    for part in found.get("columns", "").split("|"):
        variable, _, header = part.partition("=")
        if variable.strip():
            columns.append((variable.strip(), header.strip() or variable.strip()))
    return (found.get("row") or "").strip() or None, columns


def _sources(store: Store, queries_dir: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """Every source by label: (IRI, document URL, locator)."""
    found: dict[str, tuple[str, str | None, str | None]] = {}
    table = select(store, get_named_query(queries_dir, "sources").text)
    for iri, label, url, locator in table.rows:
        place = (iri.value, url.value if url else None, locator.value if locator else None)
        found.setdefault(label.value, place)
    return found


def _paths(store: Store, queries_dir: Path, start: str, goal: str) -> list[str]:
    """The shortest chain of kg:derivedFrom links from ``start`` to ``goal``, as labels."""
    if start == goal:
        return []
    table = select(
        store, get_named_query(queries_dir, "lineage-of").text, {"entity": ox.NamedNode(start)}
    )
    index = {name: i for i, name in enumerate(table.columns)}
    parents: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for row in table.rows:
        if row[index["relation"]].value != _DERIVED_FROM:
            continue
        child, parent = row[index["child"]].value, row[index["parent"]].value
        labels[parent] = row[index["parentLabel"]].value
        parents.setdefault(child, []).append((parent, labels[parent]))
    queue, seen = deque([(start, [])]), {start}
    while queue:
        node, path = queue.popleft()
        for parent, label in parents.get(node, []):
            if parent == goal:
                return [*path, label]
            if parent not in seen:
                seen.add(parent)
                queue.append((parent, [*path, label]))
    return []


def _cell_items(columns: list[str], row: list, variable: str) -> list[Item]:
    """The values a variable contributes to a cell: a label links to its entity's page."""
    term = row[columns.index(variable)]
    if term is None:
        return []
    base = variable[: -len("Label")] if variable.endswith("Label") else None
    url = None
    if base and base in columns and (linked := row[columns.index(base)]) is not None:
        url = entity_url(linked.value)
    elif isinstance(term, ox.NamedNode):
        url = entity_url(term.value)
    if isinstance(term, ox.NamedNode) and url is None:
        return [Item(term.value)]
    return [Item(to_text(term), url)]


def _texts(cell: list[Item]) -> list[str]:
    return [item.text for item in cell]


def shape_answer(store: Store, queries_dir: Path, answer: Answer) -> Shaped:
    """The answer as a list of things, each once, with headers and numbered sources."""
    named = get_named_query(queries_dir, answer.question.query)
    key, declared = declarations(named.text)
    table = answer.table
    columns = table.columns
    shown = [(variable, header) for variable, header in declared if variable in columns]
    catalog = _sources(store, queries_dir)
    numbers: dict[str, int] = {}
    references: list[Reference] = []
    grouped: dict[str, ShapedRow] = {}
    order: list[str] = []
    for position, row in enumerate(table.rows):
        identity = to_text(row[columns.index(key)]) if key in columns else str(position)
        if identity not in grouped:
            grouped[identity] = ShapedRow([[] for _ in shown], [], [])
            order.append(identity)
        thing = grouped[identity]
        for cell, (variable, _header) in zip(thing.cells, shown, strict=True):
            items = (
                _path_items(store, queries_dir, answer, columns, row)
                if variable == "via"
                else _cell_items(columns, row, variable)
            )
            cell.extend(item for item in items if item not in cell)
        labels = to_text(row[columns.index("sources")]) if "sources" in columns else ""
        for label in (part for part in labels.split(" | ") if part):
            iri, url, locator = catalog.get(label, (label, None, None))
            if iri not in numbers:
                numbers[iri] = len(numbers) + 1
                references.append(
                    Reference(numbers[iri], iri, label, entity_url(iri), url, locator)
                )
            if numbers[iri] not in thing.references:
                thing.references.append(numbers[iri])
    rows = [grouped[identity] for identity in order]
    for row in rows:
        row.references.sort()
        row.sources = [references[number - 1].iri for number in row.references]
        for index, cell in enumerate(row.cells):
            if index and _texts(cell) == _texts(row.cells[index - 1]):
                cell.clear()  # the same as the cell before it ("As printed" = "Entry")
            elif shown[index][0] == "via":
                cell.sort(key=lambda item: (len(item.text), item.text))  # shortest path first
            else:
                cell.sort(key=lambda item: item.text)  # engines group rows in any order
    # A column empty on every row says nothing: leave it out.
    keep = [i for i in range(len(shown)) if any(row.cells[i] for row in rows)] if rows else []
    if rows:
        for row in rows:
            row.cells = [row.cells[i] for i in keep]
        shown = [shown[i] for i in keep]
    heading = answer.question.heading.format(label=answer.entity.label)
    joins = ["\n" if variable == "via" else ", " for variable, _ in shown]
    headers = [header for _, header in shown]
    return Shaped(heading, headers, rows, references, list(answer.notes), joins)


def _path_items(
    store: Store, queries_dir: Path, answer: Answer, columns: list[str], row: list
) -> list[Item]:
    """``Model → variant → … → the architecture asked about``, from the row's ``via``."""
    model = to_text(row[columns.index("modelLabel")])
    via = row[columns.index("via")].value
    via_label = to_text(row[columns.index("viaLabel")])
    chain = [model, via_label, *_paths(store, queries_dir, via, answer.entity.iri)]
    return [Item(ARROW.join(chain))]


def editable_query(answer: Answer) -> str:
    """The answer's query with its bound variable written out.

    >>> from kg.answers import QUESTIONS, Entity
    >>> from kg.query import Table
    >>> answer = Answer(QUESTIONS[0], Entity("https://w3id.org/genvid-kg/id/architecture/dit",
    ...                 "DiT"), Table([], []), "SELECT ?model WHERE { ?model ?p ?architecture }")
    >>> print(editable_query(answer))
    SELECT ?model WHERE { ?model ?p ?architecture }
    VALUES ?architecture { <https://w3id.org/genvid-kg/id/architecture/dit> }
    <BLANKLINE>
    """
    term = ox.NamedNode(answer.entity.iri)
    return f"{answer.query.rstrip()}\nVALUES ?{answer.question.variable} {{ {term} }}\n"


def answer_context(store: Store, queries_dir: Path, answer: Answer) -> dict:
    """What ask.html shows for an answer: the shaped answer and its editable query."""
    return {
        "answer": answer,
        "shaped": shape_answer(store, queries_dir, answer),
        "editor_text": editable_query(answer),
    }


def answer_json(store: Store, queries_dir: Path, answer: Answer) -> dict:
    """The answer as /api/ask sends it and the static site stores it (ask/NAME.json)."""
    question = answer.question
    shaped = shape_answer(store, queries_dir, answer)
    return {
        "question": {
            "name": question.name,
            "example": question.example,
            "description": question.description,
            "query": question.query,
        },
        "heading": shaped.heading,
        "entity": asdict(answer.entity),
        "columns": shaped.columns,
        "rows": [
            record | {"references": row.references}
            for record, row in zip(shaped.records(), shaped.rows, strict=True)
        ],
        "references": [asdict(reference) for reference in shaped.references],
        "notes": shaped.notes,
        "query": answer.query,
        "bindings": {question.variable: answer.entity.iri},
    }


def answer_frame(shaped: Shaped) -> pd.DataFrame:
    """The answer as a DataFrame: a column per header and ``Sources`` (each row's source IRIs);
    ``attrs`` keep the heading, the notes and the numbered references."""
    frame = pd.DataFrame(shaped.records(), columns=[*shaped.columns, "Sources"])
    frame.attrs.update(
        heading=shaped.heading,
        notes=list(shaped.notes),
        references=[asdict(reference) for reference in shaped.references],
    )
    return frame
