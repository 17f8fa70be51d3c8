"""A ready answer as the answer page shows it: its rows, and its query made self-contained.

A ready answer's query is a named query run with a bound IRI; to reopen it in the query editor
the binding is written out as a trailing VALUES clause (the IRI serialized by pyoxigraph), so
running it there gives the same rows.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

import pyoxigraph as ox

from kg.answers import Answer
from kg.terms import to_python, to_text

__all__ = ["answer_context", "answer_json", "editable_query"]


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


def answer_context(answer: Answer) -> dict:
    """What ask.html shows for an answer: its rows as (text, term) and its editable query."""
    return {
        "answer": answer,
        "rows": [[(to_text(term), term) for term in row] for row in answer.table.rows],
        "editor_text": editable_query(answer),
    }


def _cell(column: str, term):
    value = to_python(term)
    if column == "sources" and isinstance(value, str):
        return [part for part in value.split(" | ") if part]
    return float(value) if isinstance(value, Decimal) else value


def answer_json(answer: Answer) -> dict:
    """The answer as /api/ask sends it and the static site stores it (ask/NAME.json)."""
    question = answer.question
    columns = answer.table.columns
    rows = [
        {column: _cell(column, term) for column, term in zip(columns, row, strict=True)}
        for row in answer.table.rows
    ]
    return {
        "question": {
            "name": question.name,
            "example": question.example,
            "description": question.description,
            "query": question.query,
        },
        "entity": asdict(answer.entity),
        "columns": columns,
        "rows": rows,
        "notes": answer.notes,
        "query": answer.query,
        "bindings": {question.variable: answer.entity.iri},
    }
