"""``/id/{kind}/{slug}``: an entity as HTML for browsers, as RDF for RDF clients (same URL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kg.server.deps import SettingsDep, TemplatesDep, ViewStoreDep, rendered
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
async def entity(
    request: Request,
    kind: str,
    slug: str,
    settings: SettingsDep,
    store: ViewStoreDep,
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

    def render() -> tuple[str, bytes]:
        if media != "text/html":
            quads = entity_quads(store, settings.queries_dir, kind, slug)
            return media, serialize_description(quads, media)
        context = entity_context(describe_entity(store, settings.queries_dir, kind, slug))
        page = templates.get_template("entity.html").render({"request": request, **context})
        return media, page.encode()

    # Keyed on what the page depends on, so that extra URL parameters do not bypass the cache.
    sources = "report" if request.query_params.get("sources") == "report" else "all"
    media, body = await rendered(request, f"{media} {sources} {request.url.path}", render)
    return Response(body, media_type=media, headers=_VARY)
