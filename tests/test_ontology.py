"""The ontology is the contract: every term documented, the fixed names present, code in sync."""

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.namespaces import KG

ONTOLOGY = Path(__file__).parent.parent / "ontology" / "kg.ttl"
NS = str(KG._NS)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


def _terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(NS)}


def test_every_term_has_an_english_label_and_comment(ontology):
    for term in _terms(ontology):
        labels = [o for o in ontology.objects(term, RDFS.label) if isinstance(o, Literal)]
        comments = [o for o in ontology.objects(term, RDFS.comment) if isinstance(o, Literal)]
        assert [label.language for label in labels] == ["en"], term
        assert comments, term
        assert all(len(c) > 20 for c in comments), term


def test_the_data_model_names_are_fixed(ontology):
    fixed = {
        "Architecture",
        "Paper",
        "Model",
        "Organization",
        "Product",
        "Person",
        "Era",
        "derivedFrom",
        "usesArchitecture",
        "introducedIn",
        "developedBy",
        "poweredBy",
        "successorOf",
        "inEra",
        "date",
    }
    assert {URIRef(NS + name) for name in fixed} <= _terms(ontology)


def test_code_namespace_matches_the_ontology(ontology):
    in_code = {URIRef(NS + name) for name in KG.__annotations__}
    assert in_code == _terms(ontology)


def test_specific_dates_are_sub_properties_of_kg_date(ontology):
    for name in ("publicationDate", "announcementDate", "releaseDate"):
        assert (URIRef(NS + name), RDFS.subPropertyOf, KG.date) in ontology


def test_succession_is_not_inheritance(ontology):
    assert (KG.precededBy, RDFS.subPropertyOf, KG.derivedFrom) not in ontology
    assert ontology.value(KG.precededBy, RDFS.domain) == KG.Era


def test_the_data_uses_only_defined_kg_terms(built):
    from kg.query import select

    used = select(built, "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }").column("t")
    undefined = {t for t in used if t.startswith(NS)} - {
        str(t) for t in _terms(Graph().parse(ONTOLOGY))
    }
    assert undefined == set()
