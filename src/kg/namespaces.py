"""Namespaces, predeclared prefixes and entity IRIs: the names every other module shares."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

from kg.errors import BadParameterError

__all__ = [
    "BASE",
    "COMMON_PREFIXES",
    "DATA_PREFIXES",
    "ID",
    "KG",
    "KINDS",
    "ONTOLOGY_GRAPH",
    "PREFIXES",
    "entity_iri",
    "expand_curie",
    "parse_entity_iri",
    "parse_kind_list",
    "shorten",
    "slugify",
]

BASE = "https://w3id.org/genvid-kg/"
ID = BASE + "id/"
ONTOLOGY_GRAPH = BASE + "ontology"


class KG(DefinedNamespace):
    """The ontology's terms; a typo is an AttributeError, not a silent new IRI."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    Architecture: URIRef
    Benchmark: URIRef
    Era: URIRef
    Leaderboard: URIRef
    Measure: URIRef
    Model: URIRef
    Observation: URIRef
    Organization: URIRef
    Paper: URIRef
    Person: URIRef
    Product: URIRef
    Source: URIRef
    about: URIRef
    affiliation: URIRef
    announcementDate: URIRef
    architectureDisclosed: URIRef
    architectureNote: URIRef
    arxivId: URIRef
    authorsAsPrinted: URIRef
    comparesModel: URIRef
    componentOf: URIRef
    confidence: URIRef
    country: URIRef
    date: URIRef
    dateUnknown: URIRef
    derivedFrom: URIRef
    developedBy: URIRef
    dimension: URIRef
    doi: URIRef
    endDate: URIRef
    firstAuthor: URIRef
    inEra: URIRef
    introducedIn: URIRef
    isForecast: URIRef
    leaderboard: URIRef
    leadingModel: URIRef
    locator: URIRef
    measure: URIRef
    orgKind: URIRef
    period: URIRef
    periodEnd: URIRef
    poweredBy: URIRef
    precededBy: URIRef
    printedName: URIRef
    printedValue: URIRef
    publicationDate: URIRef
    rank: URIRef
    releaseDate: URIRef
    retrievalDate: URIRef
    sourceKind: URIRef
    startDate: URIRef
    successorOf: URIRef
    task: URIRef
    unit: URIRef
    unreadable: URIRef
    usesArchitecture: URIRef
    value: URIRef
    variant: URIRef
    venue: URIRef


#: The common vocabularies' prefixes.
COMMON_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "kg": str(KG._NS),
}

#: Entity kinds: the IRI path segment and the class it stands for.
KINDS: dict[str, URIRef] = {
    "architecture": KG.Architecture,
    "paper": KG.Paper,
    "model": KG.Model,
    "org": KG.Organization,
    "product": KG.Product,
    "person": KG.Person,
    "era": KG.Era,
    "benchmark": KG.Benchmark,
    "measure": KG.Measure,
    "observation": KG.Observation,
    "source": KG.Source,
}

#: The short prefixes data files use for entity IRIs (see CONTRIBUTING.md).
DATA_PREFIXES: dict[str, str] = {
    short: f"{ID}{kind}/"
    for short, kind in [
        ("arch", "architecture"),
        ("paper", "paper"),
        ("model", "model"),
        ("org", "org"),
        ("product", "product"),
        ("person", "person"),
        ("era", "era"),
        ("bench", "benchmark"),
        ("measure", "measure"),
        ("obs", "observation"),
        ("src", "source"),
    ]
}

#: The prefixes ``kg query``, ``/sparql`` and the browser predeclare, as Wikidata's service does:
#: the common vocabularies plus the entity prefixes the tables print (``model:sora``).
PREFIXES: dict[str, str] = {**COMMON_PREFIXES, **DATA_PREFIXES}

_ENTITY = re.compile(re.escape(ID) + r"(?P<kind>[a-z]+)/(?P<slug>[a-z0-9][a-z0-9.-]*)")


def entity_iri(kind: str, slug: str) -> str:
    """Return the IRI of an entity.

    >>> entity_iri("architecture", "dit")
    'https://w3id.org/genvid-kg/id/architecture/dit'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    return f"{ID}{kind}/{slug}"


def parse_entity_iri(iri: str) -> tuple[str, str] | None:
    """Split an entity IRI into (kind, slug); None for any other IRI.

    >>> parse_entity_iri("https://w3id.org/genvid-kg/id/model/sora")
    ('model', 'sora')
    >>> parse_entity_iri("https://example.org/x") is None
    True
    """
    match = _ENTITY.fullmatch(iri)
    if match is None or match["kind"] not in KINDS:
        return None
    return match["kind"], match["slug"]


def expand_curie(curie: str) -> str:
    """Expand a data-file CURIE such as ``model:sora`` to its full IRI.

    >>> expand_curie("arch:dit")
    'https://w3id.org/genvid-kg/id/architecture/dit'

    Raises:
        ValueError: the prefix is not one of the data prefixes or the common ones.
    """
    prefix, sep, local = curie.partition(":")
    namespace = PREFIXES.get(prefix)
    if not sep or namespace is None:
        known = ", ".join(f"{p}:" for p in DATA_PREFIXES)
        raise ValueError(f"{curie!r} is not a CURIE with a known prefix ({known})")
    return namespace + local


def shorten(iri: str) -> str:
    """Write an IRI as a CURIE when a known prefix covers it, for messages and tables.

    >>> shorten("https://w3id.org/genvid-kg/id/model/sora")
    'model:sora'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def parse_kind_list(
    kinds: str | Iterable[str] | None, allowed: Sequence[str]
) -> tuple[str, ...] | None:
    """Read a kinds filter: a comma-separated string or a list; None or empty means all kinds.

    >>> parse_kind_list("paper, model", ("paper", "model", "era"))
    ('paper', 'model')

    Raises:
        BadParameterError: a name is not one of ``allowed``; suggests the closest.
    """
    if kinds is None:
        return None
    names = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    wanted = tuple(dict.fromkeys(name.strip() for name in names if name.strip()))
    for name in wanted:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise BadParameterError(
                f"unknown kind {name!r}: use {', '.join(allowed)} (comma-separated){hint}"
            )
    return wanted or None


def slugify(name: str) -> str:
    """Turn a name into a slug: lowercase ASCII, digits and hyphens.

    >>> slugify("Łukasz Kaiser")
    'lukasz-kaiser'
    """
    ascii_name = unicodedata.normalize("NFKD", name.replace("Ł", "L").replace("ł", "l"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
