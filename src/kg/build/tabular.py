"""Read ``observations.csv`` (one figure per row) into quads; errors name file, line and column."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.build.locations import Locations
from kg.build.turtle import read_text
from kg.dates import parse_date
from kg.errors import BadParameterError, ParseError
from kg.namespaces import DATA_PREFIXES, KG, PREFIXES, expand_curie

__all__ = ["OBSERVATION_COLUMNS", "read_observations"]

OBSERVATION_COLUMNS = (
    "id",
    "source",
    "measure",
    "about",
    "printed_name",
    "variant",
    "value",
    "printed_value",
    "unit",
    "period",
    "period_end",
    "forecast",
    "rank",
    "leaderboard",
    "confidence",
    "note",
)
_REQUIRED_VALUES = ("id", "source", "measure", "value", "unit", "period", "confidence")
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_RDFS_COMMENT = ox.NamedNode(PREFIXES["rdfs"] + "comment")
_XSD = PREFIXES["xsd"]
_SLUG = re.compile(r"[a-z0-9][a-z0-9.-]*")


def read_observations(path: Path, label: str) -> tuple[list[ox.Quad], Locations]:
    """Turn each CSV row into one kg:Observation in the graph of its ``source`` column.

    Raises:
        ParseError: a missing column, a row of the wrong width, or a value in the wrong form,
            with the file, the line and the column's name.
    """
    text = read_text(path, label)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise ParseError(label, 1, None, f"bad CSV: {error}") from None
    missing = [name for name in OBSERVATION_COLUMNS if name not in header]
    if missing:
        raise ParseError(
            label,
            1,
            None,
            f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}; "
            f"the header must be: {','.join(OBSERVATION_COLUMNS)}",
        )
    quads: list[ox.Quad] = []
    locations = Locations()
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                raise ParseError(
                    label, line, None, f"expected {len(header)} fields, found a different number"
                )
            node, row_quads = _row_quads(row, label, line)
            if (first := seen.setdefault(row["id"], line)) != line:
                message = f"duplicate id {row['id']!r} (first on line {first})"
                raise ParseError(label, line, None, message)
            quads.extend(row_quads)
            locations.add(node.value, label, line, typed=True)
    except csv.Error as error:
        raise ParseError(label, reader.line_num, None, f"bad CSV: {error}") from None
    return quads, locations


def _row_quads(row: dict[str, str], label: str, line: int) -> tuple[ox.NamedNode, list[ox.Quad]]:
    def fail(column: str, problem: str) -> ParseError:
        return ParseError(label, line, None, f"column {column!r}: {problem}")

    for column in _REQUIRED_VALUES:
        if not row[column].strip():
            raise fail(column, "is empty; every observation needs it")
    if not row["about"].strip() and not row["printed_name"].strip():
        raise fail("about", "is empty and so is 'printed_name'; give one of them")

    for column in ("id", "source", "measure"):
        if not _SLUG.fullmatch(row[column].strip()):
            problem = f"{row[column]!r} is not a slug (lowercase letters, digits, - and .)"
            raise fail(column, problem)
    node = ox.NamedNode(DATA_PREFIXES["obs"] + row["id"].strip())
    graph = ox.NamedNode(DATA_PREFIXES["src"] + row["source"].strip())
    triples: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (_RDF_TYPE, ox.NamedNode(str(KG.Observation))),
        (_node(KG.measure), ox.NamedNode(DATA_PREFIXES["measure"] + row["measure"].strip())),
        (ox.NamedNode(str(KG.value)), _decimal(row["value"], fail)),
        (ox.NamedNode(str(KG.unit)), ox.Literal(row["unit"].strip())),
        (ox.NamedNode(str(KG.period)), _date(row["period"], "period", fail)),
        (ox.NamedNode(str(KG.confidence)), ox.Literal(row["confidence"].strip())),
    ]
    optional_text = {
        "printed_name": KG.printedName,
        "variant": KG.variant,
        "printed_value": KG.printedValue,
    }
    for column, prop in optional_text.items():
        if value := row[column].strip():
            triples.append((ox.NamedNode(str(prop)), ox.Literal(value)))
    if note := row["note"].strip():
        triples.append((_RDFS_COMMENT, ox.Literal(note, language="en")))
    for column, prop in (("about", KG.about), ("leaderboard", KG.leaderboard)):
        if value := row[column].strip():
            try:
                triples.append((ox.NamedNode(str(prop)), ox.NamedNode(expand_curie(value))))
            except ValueError as error:
                raise fail(column, str(error)) from None
    if value := row["period_end"].strip():
        triples.append((ox.NamedNode(str(KG.periodEnd)), _date(value, "period_end", fail)))
    if value := row["rank"].strip():
        if not value.isdigit():
            raise fail("rank", f"{value!r} is not a whole number")
        triples.append((_node(KG.rank), ox.Literal(value, datatype=_node(_XSD + "integer"))))
    if value := row["forecast"].strip().lower():
        if value not in ("true", "false"):
            raise fail("forecast", f"{value!r} is not true or false")
        triples.append((_node(KG.isForecast), ox.Literal(value, datatype=_node(_XSD + "boolean"))))
    return node, [ox.Quad(node, p, o, graph) for p, o in triples]


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _decimal(text: str, fail) -> ox.Literal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise fail("value", f"{text!r} is not a number (write 615000000, not 6.15亿)") from None
    if not value.is_finite():
        raise fail("value", f"{text!r} is not a finite number")
    return ox.Literal(format(value, "f"), datatype=ox.NamedNode(_XSD + "decimal"))


def _date(text: str, column: str, fail) -> ox.Literal:
    try:
        parsed = parse_date(text)
    except BadParameterError as error:
        raise fail(column, str(error)) from None
    return ox.Literal(str(parsed), datatype=ox.NamedNode(parsed.datatype))
