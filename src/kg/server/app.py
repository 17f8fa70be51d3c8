"""Assemble the web app: store, query engine, templates, routes, error handlers, CORS.

``create_app(settings)`` serves the store the settings name; ``kg serve`` runs it with uvicorn.
Users' queries on /sparql run in kg.executor's killable worker processes, started with the app
and stopped with it; the pages run their own small named queries in process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from kg.build import build
from kg.config import Settings
from kg.executor import Limits, QueryExecutor
from kg.namespaces import shorten
from kg.server.deps import ExecutorEngine, InProcessEngine, switch_for, view_cache
from kg.server.errors import install_error_handlers
from kg.server.guards import DEFAULT_MAX_BODY_BYTES, BodyLimit, HeadAsGet, SecurityHeaders
from kg.server.routes import api, entities, pages, sparql
from kg.store import MemoryStore, Store, open_store
from kg.views.lookup import entity_url
from kg.views.pages import package_version, scoped_fields, scoped_href

__all__ = ["create_app"]


def _sources(context: Context) -> str:
    """The view the page being rendered shows (``?sources=``)."""
    request = context.get("request")
    return request.query_params.get("sources", "all") if request else "all"


@pass_context
def _href(context: Context, url: str) -> str:
    """A link of the page being rendered: under ``?sources=report`` it keeps the filter."""
    return scoped_href(url, _sources(context))


@pass_context
def _hidden_sources(context: Context) -> str:
    """The hidden field that keeps the filter in the page's search forms."""
    return scoped_fields(_sources(context))


@pass_context
def _entity_url(context: Context, iri: str) -> str | None:
    """An entity's page, linked as ``_href`` links (None: not an entity of ours)."""
    url = entity_url(iri)
    return _href(context, url) if url else None


def _templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(settings.web_dir / "templates"))
    templates.env.filters["curie"] = shorten
    templates.env.globals["entity_url"] = _entity_url
    # Templates pass every link through href(): the app serves each path as written (with
    # the page's sources filter), while kg.site renders the same templates with an href()
    # that maps paths into its files.
    templates.env.globals["href"] = _href
    templates.env.globals["hidden_sources"] = _hidden_sources
    templates.env.globals["version"] = package_version()
    # The sources toggle (all / the report's view) above every page the app renders.
    templates.env.globals["sources_switch"] = switch_for
    return templates


def _memory_store(settings: Settings) -> MemoryStore:
    """``--store memory``: build the shipped data into memory, so there is something to serve."""
    store = MemoryStore()
    build(settings, target=store)
    return store


def create_app(
    settings: Settings,
    store: Store | None = None,
    *,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] = (),
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    announce: Callable[[str], None] | None = None,
) -> FastAPI:
    """The web app over ``settings.store``, or over ``store`` when one is given.

    With a store folder or SPARQL server URL, /sparql runs queries in worker processes with
    ``limits`` (time limit, result cap, queue); they start and stop with the app's lifespan.
    A store object given here (tests, an in-memory build) is queried in process instead.
    ``allowed_hosts`` are the hosts a SERVICE clause may reach (none by default); request
    bodies over ``max_body_bytes`` are refused with a 413. Every response carries the security
    headers of kg.server.guards (a content security policy that allows only our own assets).
    Workers get no network unless hosts are allowed; ``announce`` is told which protection is
    in force once they have started (kg serve's start-up line).

    Raises:
        StoreError: the store cannot be opened (nothing built there yet).
    """
    hosts = frozenset(host.lower() for host in allowed_hosts)
    in_process = store is not None or settings.store == "memory"
    if store is None:
        store = (
            _memory_store(settings) if settings.store == "memory" else open_store(settings.store)
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        protection = "none, queries run in process; SERVICE refused by the query guard only"
        if not in_process:
            executor = QueryExecutor(settings.store, limits, network=bool(hosts))
            app.state.engine = ExecutorEngine(executor, hosts)
            protection = executor.protection() if announce else ""
        if announce:
            announce(f"query workers: {protection}")
        try:
            yield
        finally:
            app.state.engine.close()

    app = FastAPI(
        title="genvid-kg",
        summary="A cited knowledge graph of generative video AI: SPARQL, entities, answers.",
        version=package_version(),
        lifespan=lifespan,
        # FastAPI's /docs and /redoc load Swagger UI and ReDoc from a CDN: the OpenAPI
        # description stays at /openapi.json, nothing is fetched from elsewhere.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.templates = _templates(settings)
    # Pages are kept per version of what they are read from: a folder's published build (one
    # readlink per request), or a store object's own version() (it may not be the folder
    # settings name; a memory store counts its replacements; a SPARQL server has none).
    app.state.view_cache = view_cache(store if in_process else settings.store)
    if in_process:
        app.state.engine = InProcessEngine(store, hosts)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    # The endpoint and the data are public and read-only: any site may query them (YASGUI,
    # Sparklis), and no cookie or credential is ever involved. Private-network preflights let
    # a public page (yasgui.triply.cc) reach a `kg serve` on 127.0.0.1 in Chromium.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        allow_private_network=True,
        max_age=86400,
    )
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)  # outermost: CORS preflights and errors get them too
    install_error_handlers(app)
    for module in (sparql, entities, api, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(settings.web_dir / "static")), name="static")
    return app
