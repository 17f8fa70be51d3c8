"""Check the parsed data: SHACL shapes (pySHACL) and the provenance rule SHACL cannot see.

Each problem becomes one Violation naming the file and line that define the node, the node,
the property, the rule and what to do, so curators can fix data without reading SHACL reports.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg.build.locations import Locations
from kg.errors import Violation
from kg.namespaces import KG, ONTOLOGY_GRAPH, shorten

__all__ = ["check_provenance", "check_shapes", "to_rdflib"]

_DATE_SHAPE = URIRef("https://w3id.org/genvid-kg/shapes#DateValue")


def to_rdflib(quads: Iterable[ox.Quad]) -> Graph:
    """The union of the quads' graphs as an rdflib Graph, the form pySHACL reads."""
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    graph = Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def check_shapes(data: Graph, shapes: Graph, ontology: Graph, where: Locations) -> list[Violation]:
    """Validate ``data`` against ``shapes`` and return one Violation per SHACL result."""
    _conforms, results, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in results:
            continue  # a nested detail of another result, which already says it
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        value = results.value(result, SH.value)
        file, line = (
            (isinstance(value, URIRef) and where.find_value(str(focus), str(value)))
            or where.find(str(focus))
            or ("(data)", 0)
        )
        violations.append(
            Violation(
                file=file,
                line=line,
                focus=_name(focus),
                path=_name(path) if path is not None else "(node)",
                message=_message(results, result, shapes, component, shape, data),
                component=_name(component),
                shape=_name(_named_shape(shapes, shape)),
            )
        )
    return violations


def _message(results: Graph, result, shapes: Graph, component, shape, data: Graph) -> str:
    value = results.value(result, SH.value)
    if component == SH.ClassConstraintComponent and value is not None:
        expected = shapes.value(shape, SH["class"])
        close = _closest_declared(data, value)
        hint = f"; did you mean {close}?" if close else " (a dangling reference or a typo?)"
        return f"{_name(value)} is not a declared {_name(expected)}{hint}"
    if component == SH.NodeConstraintComponent and shapes.value(shape, SH.node) == _DATE_SHAPE:
        return f"value {_name(value)} is not a valid xsd:gYear, xsd:gYearMonth or xsd:date"
    if component == SH.DatatypeConstraintComponent and value is not None:
        expected = shapes.value(shape, SH.datatype)
        return f"value {_name(value)} is not a valid {_name(expected)}"
    custom = shapes.value(shape, SH.message)
    if custom is not None:
        return str(custom)
    if component == SH.MinCountConstraintComponent:
        return f"is missing: at least {shapes.value(shape, SH.minCount)} value(s) needed"
    if component == SH.MaxCountConstraintComponent:
        return f"has too many values: at most {shapes.value(shape, SH.maxCount)} allowed"
    message = results.value(result, SH.resultMessage)
    if message is None:
        return "breaks the rule"
    return re.sub(r"https?://\S+", lambda m: shorten(m.group()).strip("<>"), str(message))


def _closest_declared(data: Graph, value) -> str | None:
    """The declared entity of the same kind spelled closest to ``value`` (org:kuaishuo →
    org:kuaishou), for "did you mean"."""
    if not isinstance(value, URIRef):
        return None
    kind = str(value).rsplit("/", 1)[0] + "/"
    declared = {_name(s) for s in set(data.subjects(RDF.type, None)) if str(s).startswith(kind)}
    close = difflib.get_close_matches(_name(value), sorted(declared), n=1, cutoff=0.75)
    return close[0] if close else None


def _named_shape(shapes: Graph, shape):
    """The named NodeShape a (possibly blank) property shape belongs to."""
    if isinstance(shape, BNode):
        owner = next(shapes.subjects(SH.property, shape), None)
        if owner is not None:
            return owner
    return shape


def _name(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        short = shorten(str(term))
        if short.startswith("<https://w3id.org/genvid-kg/shapes#"):
            return "kgsh:" + str(term).rsplit("#", 1)[1]
        if short.startswith("<http://www.w3.org/ns/shacl#"):
            return "sh:" + str(term).rsplit("#", 1)[1]
        return short
    if isinstance(term, Literal):
        text = term.n3(namespace_manager=None)
        return text.replace("<http://www.w3.org/2001/XMLSchema#", "xsd:").replace(">", "")
    return "(a blank node)"


def check_provenance(
    files: Iterable[tuple[str, list[ox.Quad], Locations]], declared_sources: set[str]
) -> list[Violation]:
    """Every statement must sit in the graph of a declared kg:Source (or the ontology's graph)."""
    allowed = declared_sources | {ONTOLOGY_GRAPH}
    violations: dict[tuple[str, str], Violation] = {}
    for label, quads, where in files:
        for quad in quads:
            graph = quad.graph_name
            subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
            file, line = where.find(subject) or (label, 0)
            if isinstance(graph, ox.DefaultGraph):
                key = (label, f"default:{subject}")
                message = (
                    "statement has no source: put it inside a source's graph block, "
                    "src:SOURCE { ... }"
                )
                path = shorten(quad.predicate.value)
            elif graph.value not in allowed:
                key = (label, graph.value)
                message = (
                    f"graph {shorten(graph.value)} is not a declared kg:Source; "
                    "declare it in data/sources.trig"
                )
                path = "(graph)"
            else:
                continue
            violations.setdefault(
                key,
                Violation(
                    file,
                    line,
                    shorten(subject) if subject else "(a blank node)",
                    path,
                    message,
                    "kg:ProvenanceRule",
                ),
            )
    return list(violations.values())


def declared_sources(quads: Iterable[ox.Quad]) -> set[str]:
    """The IRIs typed kg:Source anywhere in the data."""
    rdf_type, source = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KG.Source))
    return {q.subject.value for q in quads if q.predicate == rdf_type and q.object == source}
