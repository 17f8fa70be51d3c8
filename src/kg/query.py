"""Run SPARQL over a store: ad-hoc text, or named queries from ``queries/`` with bound values.

Values are bound as RDF terms (pyoxigraph substitutions), never pasted into query text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyoxigraph as ox

from kg.errors import BadParameterError, NotFoundError
from kg.safety import check_nesting
from kg.store import QueryOutcome, Store
from kg.terms import to_python

__all__ = [
    "RESULT_FORMATS",
    "NamedQuery",
    "Table",
    "get_named_query",
    "named_queries",
    "run_query",
    "select",
    "serialize_outcome",
]

Binding = ox.NamedNode | ox.Literal

#: Result formats of ``kg query``, with the pyoxigraph format behind each (table is ours).
RESULT_FORMATS: dict[str, ox.QueryResultsFormat | None] = {
    "table": None,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
_HEADER = re.compile(r"^#\s*(title|description):\s*(.*)$", re.M)


@dataclass(frozen=True)
class NamedQuery:
    """A query users start from: ``queries/NAME.rq`` with ``# title:``/``# description:`` lines."""

    name: str
    title: str
    description: str
    text: str


@dataclass(frozen=True)
class Table:
    """A SELECT result held in memory: column names and rows of RDF terms (None when unbound)."""

    columns: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a DataFrame of Python values (dates stay strings with their precision)."""
        return pd.DataFrame(
            [[to_python(term) for term in row] for row in self.rows], columns=self.columns
        )

    def column(self, name: str) -> list:
        """One column's values as Python values."""
        index = self.columns.index(name)
        return [to_python(row[index]) for row in self.rows]


def _read_named(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = dict(_HEADER.findall(text))
    return NamedQuery(
        path.stem, header.get("title", path.stem), header.get("description", ""), text
    )


def named_queries(queries_dir: Path) -> dict[str, NamedQuery]:
    """Every ``.rq`` file of the queries folder, by name."""
    return {path.stem: _read_named(path) for path in sorted(queries_dir.glob("*.rq"))}


def get_named_query(queries_dir: Path, name: str) -> NamedQuery:
    """The named query ``name`` (its one file is read: pages run several per request).

    Raises:
        NotFoundError: no such query; the message suggests close names.
    """
    path = queries_dir / f"{name}.rq"
    if path.parent == queries_dir and path.is_file():
        return _read_named(path)
    close = difflib.get_close_matches(name, named_queries(queries_dir), n=2)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise NotFoundError(f"Unknown query {name!r}.{hint}")


def run_query(store: Store, text: str, bindings: dict[str, Binding] | None = None) -> QueryOutcome:
    """Run a query, binding ``bindings`` (variable name → term) before evaluation.

    Raises:
        QuerySyntaxError: the query does not parse, or nests deeper than the engine's parser
            survives (kg.safety.check_nesting); line and column point into ``text``.
        QueryEvaluationError: it parsed but failed while running.
    """
    check_nesting(text)
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    return store.query(text, substitutions=substitutions or None)


def select(store: Store, text: str, bindings: dict[str, Binding] | None = None) -> Table:
    """Run a SELECT query and hold its rows.

    Raises:
        BadParameterError: the query is an ASK, CONSTRUCT or DESCRIBE.
    """
    outcome = run_query(store, text, bindings)
    if not isinstance(outcome, ox.QuerySolutions):
        raise BadParameterError(
            "this needs a SELECT query; ASK, CONSTRUCT and DESCRIBE have no rows"
        )
    columns = [variable.value for variable in outcome.variables]
    # A solution iterates over its values in the order of ``variables``: list() holds a row
    # without a lookup by name per cell, which was most of the Python time on big results.
    return Table(columns, [list(solution) for solution in outcome])


def serialize_outcome(outcome: QueryOutcome, fmt: str) -> bytes:
    """Serialize a query outcome: SELECT/ASK in a SPARQL results format; CONSTRUCT/DESCRIBE
    graphs as JSON-LD for ``json``, RDF/XML for ``xml`` and N-Triples otherwise.

    Raises:
        BadParameterError: the format name is not one of RESULT_FORMATS.
    """
    if fmt not in RESULT_FORMATS:
        raise BadParameterError(f"unknown format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")
    if not isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
        rdf_format = {"json": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}.get(
            fmt, ox.RdfFormat.N_TRIPLES
        )
        return ox.serialize(outcome, format=rdf_format) or b""
    results_format = RESULT_FORMATS[fmt] or ox.QueryResultsFormat.TSV
    return outcome.serialize(format=results_format) or b""
