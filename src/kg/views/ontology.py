"""The ontology's documentation, read from the ontology graph in the store (never from kg.ttl).

Classes with their entity counts, object and datatype properties with domain, range and
parent, and the ontology's own title, comment and version, for the /ontology page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import COMMON_PREFIXES, ONTOLOGY_GRAPH, shorten
from kg.query import get_named_query, select
from kg.store import Store

__all__ = ["OntologyDoc", "Term", "TermRef", "document_ontology"]

_OWL = COMMON_PREFIXES["owl"]
_KG = COMMON_PREFIXES["kg"]
_SECTIONS = {
    _OWL + "Class": "classes",
    _OWL + "ObjectProperty": "object_properties",
    _OWL + "DatatypeProperty": "datatype_properties",
    _OWL + "AnnotationProperty": "annotation_properties",
}


@dataclass(frozen=True)
class TermRef:
    """A term named in a domain, range or parent: its CURIE and, for our own terms, an anchor."""

    curie: str
    anchor: str | None


@dataclass
class Term:
    """A class or property of the ontology."""

    iri: str
    curie: str
    anchor: str
    label: str
    comment: str
    domains: list[TermRef] = field(default_factory=list)
    ranges: list[TermRef] = field(default_factory=list)
    parents: list[TermRef] = field(default_factory=list)
    count: int | None = None


@dataclass
class OntologyDoc:
    """The documented ontology, section by section."""

    iri: str
    title: str
    comment: str
    version: str
    classes: list[Term] = field(default_factory=list)
    object_properties: list[Term] = field(default_factory=list)
    datatype_properties: list[Term] = field(default_factory=list)
    annotation_properties: list[Term] = field(default_factory=list)


def _ref(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> TermRef | None:
    if not isinstance(term, ox.NamedNode):
        return None
    anchor = term.value[len(_KG) :] if term.value.startswith(_KG) else None
    return TermRef(shorten(term.value).strip("<>"), anchor)


def _add(values: list[TermRef], ref: TermRef | None) -> None:
    if ref is not None and ref not in values:
        values.append(ref)


def document_ontology(store: Store, queries_dir: Path) -> OntologyDoc:
    """Read the ontology's terms and header from the store."""
    header = select(
        store,
        get_named_query(queries_dir, "entity-facts").text,
        {"entity": ox.NamedNode(ONTOLOGY_GRAPH)},
    )
    about = {
        row[1].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: row[3].value for row in header.rows
    }
    doc = OntologyDoc(
        ONTOLOGY_GRAPH,
        about.get("label", "genvid-kg ontology"),
        about.get("comment", ""),
        about.get("versionInfo", ""),
    )
    counts = select(store, get_named_query(queries_dir, "class-counts").text)
    count_of = {row[0].value: int(row[2].value) for row in counts.rows}
    terms: dict[str, Term] = {}
    table = select(store, get_named_query(queries_dir, "ontology-terms").text)
    for iri, kind, label, comment, domain, range_, parent in table.rows:
        term = terms.get(iri.value)
        if term is None:
            term = Term(
                iri.value,
                shorten(iri.value),
                iri.value[len(_KG) :],
                label.value,
                comment.value if comment is not None else "",
                count=count_of.get(iri.value),
            )
            terms[iri.value] = term
            getattr(doc, _SECTIONS[kind.value]).append(term)
        _add(term.domains, _ref(domain))
        _add(term.ranges, _ref(range_))
        _add(term.parents, _ref(parent))
    for section in _SECTIONS.values():
        getattr(doc, section).sort(key=lambda t: t.label.casefold())
    return doc
