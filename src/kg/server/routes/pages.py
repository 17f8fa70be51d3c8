"""HTML pages: home (search, ready questions), answers, the query page, the ontology's
documentation, the lineage and timeline views, and the third-party assets they load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from kg.answers import QUESTIONS, Answer, ask
from kg.errors import NotFoundError
from kg.lineage import select_lineage
from kg.namespaces import PREFIXES
from kg.query import get_named_query, named_queries, select
from kg.render.assets import ASSETS, asset_path
from kg.render.lineage_html import KIND_STYLES, RELATION_STYLES, render_lineage_html
from kg.render.timeline_html import render_timeline_html
from kg.server.answer import editable_query
from kg.server.deps import SettingsDep, StoreDep, TemplatesDep, ViewCacheDep
from kg.server.lookup import search, suggest
from kg.server.ontology import document_ontology
from kg.server.protocol import GRAPH_MEDIA, RESULTS_MEDIA
from kg.store import Store
from kg.terms import to_text
from kg.timeline import parse_range, read_eras, select_timeline

router = APIRouter(include_in_schema=False)


def home_context(store: Store, queries_dir: Path, q: str = "") -> dict:
    """What home.html shows: hits for ``q`` (or close spellings), ready questions, counts.

    Shared with kg.site, which renders the same page with no query (its search runs in the
    browser over a prebuilt index).
    """
    hits = search(store, queries_dir, q, 50) if q.strip() else []
    close = suggest(store, queries_dir, q) if q.strip() and not hits else []
    counts = select(store, get_named_query(queries_dir, "class-counts").text)
    return {
        "q": q,
        "hits": hits,
        "suggestions": close,
        "questions": QUESTIONS,
        "counts": [(row[1].value, int(row[2].value)) for row in counts.rows if int(row[2].value)],
    }


def answer_context(answer: Answer) -> dict:
    """What ask.html shows for an answer: its rows as (text, term) and its editable query."""
    return {
        "answer": answer,
        "rows": [[(to_text(term), term) for term in row] for row in answer.table.rows],
        "editor_text": editable_query(answer),
    }


def query_context(queries_dir: Path) -> dict:
    """What query.html needs: the example queries, prefixes, graph styles and result types."""
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "text": q.text}
        for q in named_queries(queries_dir).values()
    ]
    page = {
        "examples": examples,
        "prefixes": PREFIXES,
        "kinds": KIND_STYLES,
        "relations": RELATION_STYLES,
        "resultsMedia": RESULTS_MEDIA,
        "graphMedia": GRAPH_MEDIA,
    }
    return {"page": page, "examples": examples, "prefixes": PREFIXES}


@router.get("/")
def home(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
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
    store: StoreDep,
    templates: TemplatesDep,
    q: str = "",
) -> Response:
    """A ready question's answer as a page: the rows with their sources, and the SPARQL."""
    answer = ask(store, settings.queries_dir, q)
    return templates.TemplateResponse(request, "ask.html", answer_context(answer))


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
def lineage_page(
    request: Request,
    store: StoreDep,
    views: ViewCacheDep,
    focus: str | None = None,
    depth: Annotated[int, Query(ge=0, le=10)] = 2,
    since: str | None = None,
    kinds: str | None = None,
    vendor: str | None = None,
    layout: str = "time",
) -> HTMLResponse:
    """The lineage view with the filters of ``kg lineage`` as URL parameters."""

    def render() -> str:
        graph = select_lineage(
            store,
            focus=focus or None,
            depth=depth,
            since=since or None,
            kinds=kinds,
            vendor=vendor or None,
        )
        return render_lineage_html(
            graph, standalone=False, expand_url="/api/lineage/neighbours", layout=layout
        )

    return HTMLResponse(views.get_or_make(f"{request.url.path}?{request.url.query}", render))


@router.get("/timeline")
def timeline_page(
    request: Request,
    store: StoreDep,
    views: ViewCacheDep,
    kinds: str | None = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    vendor: str | None = None,
) -> HTMLResponse:
    """The timeline with the filters of ``kg timeline`` as URL parameters (from, to, kinds,
    vendor), the report's eras behind the events."""

    def render() -> str:
        frame = select_timeline(
            store, kinds=kinds or None, start=start or None, end=end or None, vendor=vendor or None
        )
        first, last = parse_range(start or None, end or None)
        eras = read_eras(store, start=first, end=last)
        return render_timeline_html(frame, eras, standalone=False)

    return HTMLResponse(views.get_or_make(f"{request.url.path}?{request.url.query}", render))


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
