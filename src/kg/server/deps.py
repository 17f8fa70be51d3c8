"""What route handlers receive: settings, store, query engine and templates (FastAPI Depends),
and the one way pages costlier than a lookup are made (``rendered``).

Tests swap any of them with ``app.dependency_overrides``. Two query engines answer /sparql:
the killable worker pool of kg.executor for a store on disk or a SPARQL server (time limit,
result cap, busy signal), and an in-process one for a store object handed to ``create_app``
(an in-memory store, which worker processes cannot see).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, Protocol
from urllib.parse import urlencode

import anyio
import pyoxigraph as ox
from fastapi import Depends, Query, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kg.cache import BuildCache
from kg.config import Settings, resource_dir
from kg.executor import QueryExecutor, QueryRequest
from kg.query import run_query
from kg.safety import check_outside_access
from kg.scope import scoped
from kg.store import Store
from kg.views.pages import sources_switch

__all__ = [
    "EngineDep",
    "ExecutorEngine",
    "InProcessEngine",
    "QueryEngine",
    "Rendered",
    "SettingsDep",
    "StoreDep",
    "TemplatesDep",
    "ViewStoreDep",
    "get_engine",
    "get_settings",
    "get_store",
    "get_templates",
    "get_view_store",
    "rendered",
    "switch_for",
    "view_cache",
]

#: Threads that make pages not yet cached (entity, lineage, timeline pages). A flood of such
#: pages waits for these, asynchronously, and never takes the threads other routes run on.
RENDER_THREADS = 2
#: Rendered pages kept per published build: every entity page of a large curated graph.
VIEW_CACHE_ENTRIES = 4096
VIEW_CACHE_BYTES = 64 * 1024 * 1024

#: A rendered page: media type and body.
Rendered = tuple[str, bytes]


class QueryEngine(Protocol):
    """Runs a /sparql request and returns (media type, serialized answer)."""

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        """Run one query.

        Raises:
            QueryRefusedError: a SERVICE or FROM reaches outside the dataset and allowed hosts.
            QuerySyntaxError, QueryEvaluationError, BusyError: as the query goes.
        """
        ...

    def close(self) -> None:
        """Release workers, if any."""
        ...


class ExecutorEngine:
    """Queries in kg.executor's worker processes: each can be stopped at the time limit."""

    def __init__(self, executor: QueryExecutor, allowed_hosts: frozenset[str]) -> None:
        self.executor = executor
        self.allowed_hosts = allowed_hosts

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        check_outside_access(request.text, self.allowed_hosts)
        return await self.executor.run_async(request)

    def close(self) -> None:
        self.executor.close()


class InProcessEngine:
    """Queries on a thread of the app's own process, over a store object (no time limit)."""

    def __init__(self, store: Store, allowed_hosts: frozenset[str]) -> None:
        self.store = store
        self.allowed_hosts = allowed_hosts

    async def run(self, request: QueryRequest) -> tuple[str, bytes]:
        check_outside_access(request.text, self.allowed_hosts)
        return await run_in_threadpool(self._run, request)

    def _run(self, request: QueryRequest) -> tuple[str, bytes]:
        store = scoped(self.store, resource_dir("queries"), request.sources)
        outcome = run_query(store, request.text)
        if isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
            results = ox.QueryResultsFormat.from_media_type(request.results_media)
            return request.results_media, outcome.serialize(format=results) or b""
        graph = ox.RdfFormat.from_media_type(request.graph_media)
        return request.graph_media, ox.serialize(outcome, format=graph) or b""

    def close(self) -> None:
        pass


# The getters only read app.state: async, so that FastAPI calls them on the event loop rather
# than on a worker thread each (threads that a flood of requests would make them wait for).


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    """The store the pages and the JSON API read (in process; our own bounded queries)."""
    return request.app.state.store


Sources = Literal["all", "report"]


async def get_view_store(
    request: Request,
    sources: Annotated[
        Sources,
        Query(description="report: only what the seed report and the papers it cites say"),
    ] = "all",
) -> Store:
    """The store the pages read, or its report view under ``?sources=report`` (kg.scope),
    made on a thread the first time per build."""
    store = request.app.state.store
    if sources == "all":
        return store
    return await run_in_threadpool(scoped, store, request.app.state.settings.queries_dir, sources)


def switch_for(request: Request, path: str | None = None) -> str:
    """The sources toggle for this page (at ``path``, default the request's): the same URL,
    every other parameter kept, under each view (``all`` drops the parameter: it is the
    default). Every page has it, those that read no store data through it (the ontology)
    too: their links keep the filter, and the toggle is the one way out of it."""
    path = path or request.url.path
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "sources"]
    urls = {}
    for name in ("all", "report"):
        params = kept + ([("sources", name)] if name != "all" else [])
        urls[name] = path + (f"?{urlencode(params)}" if params else "")
    current = request.query_params.get("sources", "all")
    return sources_switch(current if current in urls else "all", urls)


async def get_engine(request: Request) -> QueryEngine:
    """The engine that runs users' queries on /sparql."""
    return request.app.state.engine


async def get_templates(request: Request) -> Jinja2Templates:
    """The page templates of web/templates."""
    return request.app.state.templates


def view_cache(store: str | Store) -> BuildCache[str, Rendered]:
    """The cache of rendered pages of a store folder or object, kept per version of its
    contents (kg.cache); a SPARQL server has none: its pages are never kept."""
    return BuildCache(store, VIEW_CACHE_ENTRIES, VIEW_CACHE_BYTES, size=lambda page: len(page[1]))


async def rendered(request: Request, key: str, make: Callable[[], Rendered]) -> Rendered:
    """The page ``key`` of the published build: kept in the app's view cache, else made once
    by ``make`` on one of RENDER_THREADS threads.

    Pages drawn from the graph (an entity's, lineage, timeline) are the same for every reader
    until `kg build` publishes a new build, and cost tens of milliseconds to seconds to make. A
    page already made is answered on the event loop at once; the others queue for the render
    threads without holding any thread, and a page many clients ask for at once is made once
    (those queued behind it find it made).
    """
    views: BuildCache[str, Rendered] = request.app.state.view_cache
    version = views.version()
    page = views.get(version, key)
    if page is not None:
        return page

    state = request.app.state
    if getattr(state, "render_threads", None) is None:
        state.render_threads = anyio.CapacityLimiter(RENDER_THREADS)  # needs the running loop
    return await anyio.to_thread.run_sync(
        views.get_or_make, version, key, make, limiter=state.render_threads
    )


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
ViewStoreDep = Annotated[Store, Depends(get_view_store)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
