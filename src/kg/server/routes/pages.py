"""HTML pages: home (search, ready questions), answers, the query page, the ontology's
documentation, the lineage and timeline views, and the third-party assets they load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from kg.answers import ask
from kg.errors import NotFoundError, UnknownQuestionError
from kg.lineage import select_lineage
from kg.namespaces import PREFIXES
from kg.render.assets import ASSETS, asset_path
from kg.render.lineage_html import render_lineage_parts
from kg.render.timeline_html import render_timeline_html
from kg.server.deps import (
    Rendered,
    SettingsDep,
    StoreDep,
    TemplatesDep,
    ViewStoreDep,
    rendered,
    switch_for,
)
from kg.timeline import parse_range, read_eras, read_report_date, select_timeline
from kg.views.answer import answer_context
from kg.views.lookup import name_hits
from kg.views.ontology import document_ontology
from kg.views.pages import home_context, query_context, scoped_href

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(
    request: Request,
    settings: SettingsDep,
    store: ViewStoreDep,
    templates: TemplatesDep,
    q: str = "",
) -> Response:
    """Search over labels and alternative labels, the ready questions, the views."""
    context = home_context(store, settings.queries_dir, q)
    return templates.TemplateResponse(request, "home.html", context)


@router.get("/ask")
def answer_page(
    request: Request,
    settings: SettingsDep,
    store: ViewStoreDep,
    templates: TemplatesDep,
    q: str = "",
) -> Response:
    """A ready question's answer as a page: the rows with their sources, and the SPARQL; a
    bare name leads to its entity's page, or to the list of what it may name."""
    try:
        answer = ask(store, settings.queries_dir, q)
    except UnknownQuestionError:
        # A bare name ("可灵", "Sora"): its page, or the few things it may name.
        hits = name_hits(store, settings.queries_dir, q)
        if len(hits) == 1:
            sources = request.query_params.get("sources", "all")
            return RedirectResponse(scoped_href(hits[0].url, sources), status_code=303)
        if not hits:
            raise
        context = home_context(store, settings.queries_dir, q) | {"hits": hits}
        return templates.TemplateResponse(request, "home.html", context)
    context = answer_context(store, settings.queries_dir, answer)
    return templates.TemplateResponse(request, "ask.html", context)


@router.get("/query")
def query_page(request: Request, settings: SettingsDep, templates: TemplatesDep) -> Response:
    """The query editor with the example queries and the table, graph and timeline views."""
    return templates.TemplateResponse(request, "query.html", query_context(settings.queries_dir))


@router.get("/ontology")
def ontology_page(
    request: Request, settings: SettingsDep, store: StoreDep, templates: TemplatesDep
) -> Response:
    """The ontology's classes and properties, documented from the ontology graph itself."""
    doc = document_ontology(store, settings.queries_dir)
    return templates.TemplateResponse(request, "ontology.html", {"doc": doc, "prefixes": PREFIXES})


@router.get("/lineage")
@router.get("/lineage/{chunk}.json")
async def lineage_page(
    request: Request,
    store: ViewStoreDep,
    chunk: str | None = None,
    focus: str | None = None,
    depth: Annotated[int, Query(ge=0, le=10)] = 2,
    since: str | None = None,
    kinds: str | None = None,
    vendor: str | None = None,
    layout: str = "time",
    view: str = "auto",
) -> Response:
    """The lineage view with the filters and the view of ``kg lineage`` as URL parameters;
    ``/lineage/{chunk}.json`` with the same parameters: a chunk its overview loads on demand
    (JSON, made with the page and kept as long as the build)."""

    def render() -> dict[str, Rendered]:
        graph = select_lineage(
            store,
            focus=focus or None,
            depth=depth,
            since=since or None,
            kinds=kinds,
            vendor=vendor or None,
        )
        kept = scoped_href("", request.query_params.get("sources", "all"))
        parts = render_lineage_parts(
            graph,
            standalone=False,
            expand_url="/api/lineage/neighbours" + kept,
            entity_suffix=kept,
            layout=layout,
            view=view,
            chunk_url=f"lineage/{{name}}.json?{request.url.query}",
            banner=switch_for(request, "/lineage"),  # made for a chunk's request too
        )
        return {
            name: ("text/html" if name == "page" else "application/json", text.encode())
            for name, text in parts.items()
        }

    media, body = await _lineage_part(request, chunk or "page", render)
    return Response(body, media_type=media)


async def _lineage_part(
    request: Request, name: str, render: Callable[[], dict[str, Rendered]]
) -> Rendered:
    """One part of a lineage page (the page or a chunk): all of them are made at once, for
    the chunks come from the same graph, and kept in the view cache under their own URLs."""
    views = request.app.state.view_cache
    query = request.url.query

    def key(part: str) -> str:
        return f"/lineage?{query}" if part == "page" else f"/lineage/{part}.json?{query}"

    def make() -> Rendered:
        version = views.version()  # before the store is read: no part kept under a later one
        parts = render()
        for part, value in parts.items():
            views.put(version, key(part), value)
        if name not in parts:
            raise NotFoundError(f"the lineage page has no chunk {name!r}")
        return parts[name]

    return await rendered(request, key(name), make)


@router.get("/timeline")
async def timeline_page(
    request: Request,
    store: ViewStoreDep,
    kinds: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    vendor: str | None = None,
) -> HTMLResponse:
    """The timeline with the filters of ``kg timeline`` as URL parameters (from, to, kinds,
    vendor), the report's eras behind the events."""

    def render() -> tuple[str, bytes]:
        frame = select_timeline(
            store, kinds=kinds or None, start=start or None, end=end or None, vendor=vendor or None
        )
        first, last = parse_range(start or None, end or None)
        eras = read_eras(store, start=first, end=last)
        report = read_report_date(store, start=first, end=last)
        page = render_timeline_html(
            frame,
            eras,
            standalone=False,
            entity_suffix=scoped_href("", request.query_params.get("sources", "all")),
            report=report,
            banner=switch_for(request),
        )
        return "text/html", page.encode()

    _media, page = await rendered(request, f"{request.url.path}?{request.url.query}", render)
    return HTMLResponse(page)


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon: an empty answer, so that browsers do not log a 404 on every page."""
    return Response(status_code=204)


@router.get("/static/vendor/{name}")
def vendor_asset(name: str) -> FileResponse:
    """vis-network and plotly.js from the installed Python packages (never from a CDN)."""
    if name not in ASSETS:
        raise NotFoundError(f"no asset {name!r}; served: {', '.join(sorted(ASSETS))}")
    return FileResponse(asset_path(name), headers={"Cache-Control": "public, max-age=86400"})
