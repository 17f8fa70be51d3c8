"""``/sparql``: the SPARQL 1.1 Protocol endpoint (query only) and its service description."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from kg.errors import BadParameterError, QuerySyntaxError
from kg.executor import QueryRequest
from kg.namespaces import PREFIXES
from kg.scope import SOURCES
from kg.server.deps import EngineDep
from kg.server.protocol import (
    FORMAT_NAMES,
    GRAPH_MEDIA,
    SD_PREFIXES,
    choose_formats,
    graph_format,
    query_form,
    read_operation,
    service_description,
)

router = APIRouter(tags=["SPARQL"])

_VARY = {"Vary": "Accept"}
_QUERY_DOC = "A SPARQL 1.1 query; the common and entity prefixes are predeclared."
_FORMAT_DOC = f"Overrides the Accept header: {FORMAT_NAMES}."
_BODY = {
    "requestBody": {
        "content": {
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}, "format": {"type": "string"}},
                    "required": ["query"],
                }
            },
        }
    }
}


async def _answer(request: Request, engine: EngineDep) -> Response:
    operation = await read_operation(request)
    accept = request.headers.get("accept")
    if operation.query is None:
        if request.method == "POST":
            raise BadParameterError("no query: send query=... or an application/sparql-query body")
        return _describe(request, accept, operation.formats)
    form = query_form(operation.query)
    results, graph = choose_formats(accept, operation.formats, form)
    base = _base_declaration(str(request.url_for("sparql_get")))
    try:
        sources = request.query_params.get("sources", "all")
        if sources not in SOURCES:
            raise BadParameterError(f"sources: {sources!r} is not one of {', '.join(SOURCES)}")
        media, body = await engine.run(
            QueryRequest(
                base + operation.query, results.media_type, graph.media_type, sources=sources
            )
        )
    except QuerySyntaxError as error:
        raise _unshifted(error, len(base)) from None
    return Response(body, media_type=media, headers=_VARY)


def _base_declaration(endpoint: str) -> str:
    """``BASE <endpoint> ``: relative IRIs in a query (``<x>``) resolve against the endpoint's
    own URL, as a document's do against its address. Put before the query on its first line
    (a prologue may always start with BASE; the query's own BASE still wins), so line numbers
    stay true. Nothing when the URL (built from the Host header) is not an IRI.
    """
    try:
        return f"BASE {ox.NamedNode(endpoint)} "
    except ValueError:
        return ""


def _unshifted(error: QuerySyntaxError, shift: int) -> QuerySyntaxError:
    """The error with its column counted in the text the client sent, not after the BASE."""
    if error.line != 1 or error.column is None or not shift:
        return error
    return QuerySyntaxError(error.detail, error.line, max(1, error.column - shift))


def _describe(request: Request, accept: str | None, formats: tuple[str, ...]) -> Response:
    media = graph_format(accept, formats, (*GRAPH_MEDIA, "text/html"))
    if media == "text/html":
        # A person opened the endpoint in a browser: the query page is what they are after.
        return RedirectResponse("/query", status_code=303, headers=_VARY)
    triples = service_description(str(request.url_for("sparql_get")), PREFIXES)
    body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media), prefixes=SD_PREFIXES)
    return Response(body, media_type=media, headers=_VARY)


@router.get("/sparql", name="sparql_get", summary="Run a query (GET), or describe the service")
async def sparql_get(
    request: Request,
    engine: EngineDep,
    query: Annotated[str | None, Query(description=_QUERY_DOC)] = None,
    format_: Annotated[list[str] | None, Query(alias="format", description=_FORMAT_DOC)] = None,
) -> Response:
    """SPARQL 1.1 Protocol query via GET. Without ``query``, the SPARQL 1.1 Service
    Description (Turtle by default). Results by content negotiation: SPARQL JSON, XML, CSV,
    TSV for SELECT and ASK; Turtle, JSON-LD, N-Triples, RDF/XML for CONSTRUCT and DESCRIBE."""
    return await _answer(request, engine)


@router.post("/sparql", summary="Run a query (POST)", openapi_extra=_BODY)
async def sparql_post(request: Request, engine: EngineDep) -> Response:
    """SPARQL 1.1 Protocol query via POST, form-encoded (``query=``) or directly
    (``application/sparql-query``). Updates are refused: the endpoint is read-only."""
    return await _answer(request, engine)
