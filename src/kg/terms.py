"""Conversions between pyoxigraph terms and Python values: the only place that knows both."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

__all__ = ["to_python", "to_text"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    _XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")
}
_FLOATS = {_XSD + "double", _XSD + "float"}


def to_python(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None):
    """A plain Python value for a DataFrame cell.

    IRIs become strings, numbers become int, Decimal or float, booleans bool. Dates stay
    strings ("2014", "2022-12") so that their precision survives; kg.timeline parses them.

    >>> to_python(ox.Literal("3", datatype=ox.NamedNode(_XSD + "integer")))
    3
    >>> to_python(ox.Literal("2014", datatype=ox.NamedNode(_XSD + "gYear")))
    '2014'
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype == _XSD + "decimal":
                return Decimal(term.value)
            if datatype in _FLOATS:
                return float(term.value)
            if datatype == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    return to_text(term)


def to_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    """The term's text as a person reads it: an IRI, a literal's value, ``_:b0``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value
