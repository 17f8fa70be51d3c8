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
from kg.sparql_text import tokens
from kg.store import QueryOutcome, Store
from kg.terms import to_python

__all__ = [
    "RESULT_FORMATS",
    "NamedQuery",
    "Table",
    "concatenations",
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
    rows = [list(solution) for solution in outcome]
    for variable, separator in concatenations(text).items():
        if variable in columns:
            index = columns.index(variable)
            for row in rows:
                row[index] = _sorted_list(row[index], separator)
    return Table(columns, rows)


def concatenations(text: str) -> dict[str, str]:
    """The variables a query binds with ``GROUP_CONCAT``, each with its separator.

    SPARQL leaves the order of a concatenation to the engine (Oxigraph and Virtuoso join the
    same sources in different orders), so ``select`` sorts these lists: the same on every
    backend, and the .rq files stay plain SPARQL.

    >>> concatenations('SELECT (GROUP_CONCAT(DISTINCT ?l; separator=" | ") AS ?ls) '
    ...                '(GROUP_CONCAT(?x) AS ?xs) WHERE {}')
    {'ls': ' | ', 'xs': ' '}
    """
    found: dict[str, str] = {}
    words = list(tokens(text))
    for start, token in enumerate(words):
        if token.text.upper() != "GROUP_CONCAT":
            continue
        depth, separator, end = 0, " ", start + 1
        for end in range(start + 1, len(words)):
            depth += {"(": 1, ")": -1}.get(words[end].text, 0)
            if words[end].kind == "string" and words[end - 2].text.lower() == "separator":
                separator = _string_value(words[end].text)
            if depth == 0:
                break
        after = words[end + 1 : end + 3]
        if len(after) == 2 and after[0].text.upper() == "AS" and after[1].kind == "var":
            found[after[1].text[1:]] = separator
    return found


def _string_value(literal: str) -> str:
    """The value of a SPARQL string token (quotes removed, escapes read)."""
    quote = 3 if literal[:3] in ('"""', "'''") else 1
    body = literal[quote:-quote]
    escapes = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}
    return re.sub(
        r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)",
        lambda m: chr(int(m[1][1:], 16)) if len(m[1]) > 1 else escapes.get(m[1], m[1]),
        body,
    )


def _sorted_list(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | None, separator: str
) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A concatenation with its parts in code point order, as a plain string; None if empty.

    Engines differ around the order too: Oxigraph leaves a concatenation of unbound values
    unbound where Virtuoso gives "", and keeps a language tag all parts share, which Virtuoso
    drops (SPARQL 1.1 makes it a simple literal).
    """
    if not isinstance(term, ox.Literal):
        return term
    if not term.value:
        return None
    parts = term.value.split(separator) if separator else [term.value]
    return ox.Literal(separator.join(sorted(parts)))


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
