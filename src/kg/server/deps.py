"""What route handlers receive: settings, store, query engine and templates (FastAPI Depends).

Tests swap any of them with ``app.dependency_overrides``. Two query engines answer /sparql:
the killable worker pool of kg.executor for a store on disk or a SPARQL server (time limit,
result cap, busy signal), and an in-process one for a store object handed to ``create_app``
(an in-memory store, which worker processes cannot see).
"""

from __future__ import annotations

from typing import Annotated, Protocol

import pyoxigraph as ox
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kg.cache import BuildCache
from kg.config import Settings
from kg.executor import QueryExecutor, QueryRequest
from kg.query import run_query
from kg.safety import check_outside_access
from kg.store import Store

__all__ = [
    "EngineDep",
    "ExecutorEngine",
    "InProcessEngine",
    "QueryEngine",
    "SettingsDep",
    "StoreDep",
    "TemplatesDep",
    "ViewCacheDep",
    "get_engine",
    "get_settings",
    "get_store",
    "get_templates",
    "get_view_cache",
]


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
        outcome = run_query(self.store, request.text)
        if isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
            results = ox.QueryResultsFormat.from_media_type(request.results_media)
            return request.results_media, outcome.serialize(format=results) or b""
        graph = ox.RdfFormat.from_media_type(request.graph_media)
        return request.graph_media, ox.serialize(outcome, format=graph) or b""

    def close(self) -> None:
        pass


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_store(request: Request) -> Store:
    """The store the pages and the JSON API read (in process; our own bounded queries)."""
    return request.app.state.store


def get_engine(request: Request) -> QueryEngine:
    """The engine that runs users' queries on /sparql."""
    return request.app.state.engine


def get_templates(request: Request) -> Jinja2Templates:
    """The page templates of web/templates."""
    return request.app.state.templates


def get_view_cache(request: Request) -> BuildCache[str, str]:
    """Rendered lineage and timeline pages (their path and query → HTML) per published build.

    They are the app's costliest pages (the lineage page takes about 0.3 s) and the same for
    every reader until `kg build` publishes a new build.
    """
    return request.app.state.view_cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
EngineDep = Annotated[QueryEngine, Depends(get_engine)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
ViewCacheDep = Annotated[BuildCache[str, str], Depends(get_view_cache)]
