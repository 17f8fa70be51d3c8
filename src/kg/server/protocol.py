"""The SPARQL 1.1 Protocol's request side: read the operation, choose the response format.

Formats come from pyoxigraph (``QueryResultsFormat``/``RdfFormat.from_media_type`` and
``from_extension``), so every alias it knows (``application/json``, ``application/x-turtle``...)
works; only the ``format=`` names that are not file extensions ("turtle", "json-ld") are ours.
The query form (SELECT, CONSTRUCT...) is read with kg.sparql_text's lexer before the store
parses the query, so that a ``format=csv`` CONSTRUCT is refused with a 406 instead of failing
half-way, and an update is refused as such rather than reported as a syntax error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import Request

from kg.errors import BadParameterError
from kg.namespaces import COMMON_PREFIXES as PREFIX_IRIS
from kg.server.errors import NotAcceptableError, ReadOnlyError, UnsupportedMediaTypeError
from kg.sparql_text import tokens
from kg.views.pages import GRAPH_MEDIA, RESULTS_MEDIA

__all__ = [
    "FORMAT_NAMES",
    "GRAPH_MEDIA",
    "RESULTS_MEDIA",
    "SD_PREFIXES",
    "Operation",
    "choose_formats",
    "graph_format",
    "negotiate",
    "parse_accept",
    "query_form",
    "read_operation",
    "service_description",
]

#: ``format=`` names that are not file extensions pyoxigraph knows.
_FORMAT_ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "rdf",
    "rdf+xml": "rdf",
}
FORMAT_NAMES = "json, xml, csv, tsv, turtle (ttl), jsonld, nt, rdfxml, n3, or a media type"
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class Operation:
    """A protocol request: the query text (None when absent) and the ``format=`` values."""

    query: str | None
    formats: tuple[str, ...] = ()


def _pairs(request: Request, body: bytes) -> list[tuple[str, str]]:
    form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if body else []
    return list(request.query_params.multi_items()) + form


async def read_operation(request: Request) -> Operation:
    """Read a query from GET ``?query=``, a form POST or an ``application/sparql-query`` POST.

    Raises:
        ReadOnlyError: the request carries a SPARQL Update.
        UnsupportedMediaTypeError: a POST body in another media type.
        BadParameterError: more than one query, or a protocol dataset (default-graph-uri).
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = b""
    if request.method == "POST":
        if media == "application/sparql-update":
            raise _read_only("an application/sparql-update request")
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise UnsupportedMediaTypeError(
                f"cannot read a {media or 'body without a content type'}: POST the query as "
                "application/sparql-query or as application/x-www-form-urlencoded (query=...)"
            )
        body = await request.body()
    pairs = _pairs(request, body if media == "application/x-www-form-urlencoded" else b"")
    names = {name for name, _ in pairs}
    if "update" in names:
        raise _read_only("an update= parameter")
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in names:
            raise BadParameterError(
                f"{name} is not supported: the default graph is the union of all source graphs; "
                "use FROM / FROM NAMED or GRAPH in the query to choose graphs"
            )
    queries = [value for name, value in pairs if name == "query"]
    if media == "application/sparql-query":
        queries.append(body.decode("utf-8", "replace"))
    if len(queries) > 1:
        raise BadParameterError("send one query per request (found several query parameters)")
    formats = tuple(value for name, value in pairs if name == "format" and value)
    return Operation(queries[0] if queries else None, formats)


def _read_only(what: str) -> ReadOnlyError:
    return ReadOnlyError(
        f"this endpoint is read-only: {what} (SPARQL Update) is not accepted. "
        "Change the data in data/ and run `kg build`, or load files with `kg import`."
    )


def query_form(text: str) -> str | None:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE), read past prefixes and comments.

    >>> query_form("PREFIX ex: <http://example.org/#select>  # a CONSTRUCT comment\\nask {}")
    'ASK'
    >>> query_form("INSERT DATA { <a:b> <a:c> <a:d> }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.server.errors.ReadOnlyError: this endpoint is read-only: an INSERT operation ...

    Returns None when no form keyword comes first: the store's parser then says what is wrong.

    Raises:
        ReadOnlyError: the text is a SPARQL Update.
    """
    for token in tokens(text):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in _FORMS:
            return word
        if word in _UPDATES:
            raise _read_only(f"{'an' if word[0] in 'AEIOU' else 'a'} {word} operation") from None
        if word not in ("PREFIX", "BASE") and not token.text.endswith(":"):
            return None
    return None


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, most wanted first (q, then specificity, then order).

    >>> parse_accept("text/*;q=0.5, text/turtle, */*;q=0.1")
    [('text/turtle', 1.0), ('text/*', 0.5), ('*/*', 0.1)]
    """
    ranges = []
    for index, part in enumerate((header or "").split(",")):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((-q, -specificity, index, media.lower(), q))
    return [(media, q) for *_, media, q in sorted(ranges) if q > 0]


def negotiate(
    accept: str | None,
    offered: Sequence[str],
    alias: Callable[[str], str | None] = lambda media: None,
) -> str:
    """The offered media type the client wants most; ``offered[0]`` when it does not say.

    ``alias`` maps a media type the client names to an offered one (``application/x-turtle``
    → ``text/turtle``).

    >>> negotiate("text/html,application/xml;q=0.9,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'

    Raises:
        NotAcceptableError: nothing offered matches; names what is offered.
    """
    ranges = parse_accept(accept) if accept and accept.strip() else [("*/*", 1.0)]
    for media, _q in ranges:
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            family = media[:-1]
            match = next((m for m in offered if m.startswith(family)), None)
        else:
            match = media if media in offered else alias(media)
        if match in offered:
            return match
    raise NotAcceptableError(
        f"none of the accepted media types ({accept}) can be produced here; "
        f"this resource is available as {', '.join(offered)}"
    )


def _results_alias(media: str) -> str | None:
    found = ox.QueryResultsFormat.from_media_type(media)
    return found.media_type.split(";")[0] if found else None


def _graph_alias(media: str) -> str | None:
    found = ox.RdfFormat.from_media_type(media)
    return found.media_type if found else None


def _from_format_names(
    values: tuple[str, ...],
) -> tuple[ox.QueryResultsFormat | None, ox.RdfFormat | None]:
    for value in values:
        name = value.strip().lower()
        if "/" in name:
            found = ox.QueryResultsFormat.from_media_type(name), ox.RdfFormat.from_media_type(name)
        else:
            extension = _FORMAT_ALIASES.get(name, name)
            found = (
                ox.QueryResultsFormat.from_extension(extension),
                ox.RdfFormat.from_extension(extension),
            )
        if any(found):
            return found
    raise NotAcceptableError(
        f"unknown format {', '.join(repr(v) for v in values)}; use one of {FORMAT_NAMES}"
    )


def choose_formats(
    accept: str | None, formats: tuple[str, ...], form: str | None
) -> tuple[ox.QueryResultsFormat, ox.RdfFormat]:
    """The formats for a query's answer: from ``format=`` when given, else from Accept.

    Both are chosen, since the form is only certain once the store has parsed the query; when
    the form is known, the one that does not apply is not held against the client.

    Raises:
        NotAcceptableError: ``format=`` is unknown or cannot express this form, or nothing in
            the Accept header can; names the accepted formats.
    """
    rows = form in ("SELECT", "ASK", None)
    graphs = form in ("CONSTRUCT", "DESCRIBE", None)
    if formats:
        results, graph = _from_format_names(formats)
        if (form in ("SELECT", "ASK") and results is None) or (
            form in ("CONSTRUCT", "DESCRIBE") and graph is None
        ):
            offered = RESULTS_MEDIA if rows else GRAPH_MEDIA
            raise NotAcceptableError(
                f"format {formats[0]!r} cannot express a {form} result; use one of "
                f"{', '.join(offered)} (or the names {FORMAT_NAMES})"
            )
        return (
            results or ox.QueryResultsFormat.JSON,
            graph or ox.RdfFormat.TURTLE,
        )
    results = ox.QueryResultsFormat.JSON
    graph = ox.RdfFormat.TURTLE
    if rows:
        media = negotiate(accept, RESULTS_MEDIA, _results_alias) if form else None
        results = ox.QueryResultsFormat.from_media_type(media) if media else results
    if graphs:
        media = negotiate(accept, GRAPH_MEDIA, _graph_alias) if form else None
        graph = ox.RdfFormat.from_media_type(media) if media else graph
    return results, graph


def graph_format(accept: str | None, formats: tuple[str, ...], offered: Sequence[str]) -> str:
    """The media type to describe a resource in (entity pages, the service description):
    ``format=`` first, else the Accept header, among ``offered``.

    Raises:
        NotAcceptableError: as for ``choose_formats``.
    """
    if formats:
        graph = _from_format_names(formats)[1]
        if graph is None or graph.media_type not in offered:
            raise NotAcceptableError(
                f"format {formats[0]!r} is not available here; use one of {', '.join(offered)}"
            )
        return graph.media_type
    return negotiate(accept, offered, _graph_alias)


_SD = "http://www.w3.org/ns/sparql-service-description#"
_SH = "http://www.w3.org/ns/shacl#"
_FORMATS = "http://www.w3.org/ns/formats/"
#: Prefixes that make the service description readable.
SD_PREFIXES = {
    "sd": _SD,
    "formats": _FORMATS,
    "sh": _SH,
    "dcterms": PREFIX_IRIS["dcterms"],
    "rdfs": PREFIX_IRIS["rdfs"],
    "xsd": PREFIX_IRIS["xsd"],
}
#: The W3C's IRIs for the formats (https://www.w3.org/ns/formats/), for sd:resultFormat.
_FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
    "application/rdf+xml": "RDF_XML",
    "text/n3": "N3",
}


def service_description(endpoint: str, prefixes: dict[str, str]) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint, as triples.

    Says what clients need to know: SPARQL 1.1 Query only (read-only), the union default graph,
    every result format, and the predeclared prefixes (as SHACL ``sh:declare``, which tools
    such as query editors read).
    """
    rdf_type = ox.NamedNode(PREFIX_IRIS["rdf"] + "type")
    service, dataset, graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + name)

    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, rdf_type, sd("Graph")),
        ox.Triple(
            service,
            ox.NamedNode(PREFIX_IRIS["dcterms"] + "title"),
            ox.Literal("genvid-kg SPARQL endpoint", language="en"),
        ),
        ox.Triple(
            service,
            ox.NamedNode(PREFIX_IRIS["rdfs"] + "comment"),
            ox.Literal(
                "A read-only SPARQL 1.1 Query endpoint over a cited knowledge graph of generative "
                "video AI. The default graph is the union of the named graphs, one per source "
                "(GRAPH ?source { ... } tells where a fact comes from). The prefixes "
                f"{' '.join(prefixes)} are predeclared.",
                language="en",
            ),
        ),
    ]
    triples += [
        ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS + name))
        for name in _FORMAT_IRIS.values()
    ]
    for prefix, namespace in prefixes.items():
        declaration = ox.BlankNode()
        triples += [
            ox.Triple(service, ox.NamedNode(_SH + "declare"), declaration),
            ox.Triple(declaration, ox.NamedNode(_SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(
                declaration,
                ox.NamedNode(_SH + "namespace"),
                ox.Literal(namespace, datatype=ox.NamedNode(PREFIX_IRIS["xsd"] + "anyURI")),
            ),
        ]
    return triples
