"""A ready answer as the answer page shows it: its rows, and its query made self-contained.

A ready answer's query is a named query run with a bound IRI; to reopen it in the query editor
the binding is written out as a trailing VALUES clause (the IRI serialized by pyoxigraph), so
running it there gives the same rows.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.answers import Answer

__all__ = ["editable_query"]


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
