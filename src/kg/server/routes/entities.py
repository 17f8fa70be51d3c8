"""``/id/{kind}/{slug}``: an entity as HTML for browsers, as RDF for RDF clients (same URL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kg.server.deps import SettingsDep, StoreDep, TemplatesDep
from kg.server.protocol import graph_format
from kg.views.entity import describe_entity, entity_context, entity_quads, serialize_description

router = APIRouter(tags=["entities"])

#: HTML first: a browser's ``*/*`` gets the page. TriG and N-Quads keep each statement's source.
ENTITY_MEDIA: tuple[str, ...] = (
    "text/html",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
)
_VARY = {"Vary": "Accept"}


@router.get("/id/{kind}/{slug}", summary="An entity: HTML page or RDF description")
def entity(
    request: Request,
    kind: str,
    slug: str,
    settings: SettingsDep,
    store: StoreDep,
    templates: TemplatesDep,
    format_: Annotated[
        list[str] | None,
        Query(alias="format", description="ttl, jsonld, nt, rdfxml, trig, nq or a media type"),
    ] = None,
) -> Response:
    """The entity's page (label, description, facts with sources, links here, figures,
    lineage neighbourhood, place on the timeline), or its statements as Turtle, JSON-LD,
    N-Triples, RDF/XML, or TriG/N-Quads with one named graph per source."""
    media = graph_format(request.headers.get("accept"), tuple(format_ or ()), ENTITY_MEDIA)
    if media != "text/html":
        quads = entity_quads(store, settings.queries_dir, kind, slug)
        return Response(serialize_description(quads, media), media_type=media, headers=_VARY)
    page = describe_entity(store, settings.queries_dir, kind, slug)
    context = entity_context(page)
    return templates.TemplateResponse(request, "entity.html", context, headers=_VARY)
