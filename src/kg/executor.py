"""Run queries in worker processes that can be stopped, with limits a public endpoint needs.

pyoxigraph has no query timeout (oxigraph issue #1926) and a running query holds its thread, so
a thread cannot be cancelled. Queries therefore run in a few worker processes; one that passes
the time limit is killed and replaced, and the caller gets QueryTimeoutError. Results are
serialized inside the worker into a capped buffer, so an enormous result stops early with a
message on how to page instead of filling memory. Past ``workers + max_waiting`` queries at
once, callers get BusyError (HTTP 429) rather than an ever-growing line, and a query that finds
no free worker within ``max_wait`` seconds gets WaitTimeoutError (HTTP 503) rather than
waiting behind slow queries for minutes: at worst a caller waits ``max_wait`` and then runs
for ``timeout``.

Results are cached by (store version, query, bindings, media types): a published build never
changes, so a cached answer is exact until the next build moves ``current``. The cache is
bounded in bytes as well as entries, least recently used first out.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import math
import multiprocessing
import queue
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.cache import BuildCache
from kg.errors import (
    BadParameterError,
    BusyError,
    KgError,
    QueryEvaluationError,
    QuerySyntaxError,
    QueryTimeoutError,
    RemoteServiceError,
    ResultTooLargeError,
    WaitTimeoutError,
)
from kg.query import run_query
from kg.store import is_remote, open_store

__all__ = ["Limits", "QueryExecutor", "QueryRequest"]

_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_SERVICE_URL = re.compile(r"returned by (?:service )?<?(https?://[^\s<>]+)")


@dataclass(frozen=True)
class Limits:
    """How much one query may take, and how many may run or wait at once."""

    timeout: float = 30.0
    max_result_bytes: int = 64 * 1024 * 1024
    workers: int = 2
    max_waiting: int = 32
    max_wait: float = 5.0
    cache_entries: int = 256
    cache_bytes: int = 128 * 1024 * 1024


@dataclass(frozen=True)
class QueryRequest:
    """A query with IRIs to bind and the media types wanted for rows and for graphs."""

    text: str
    results_media: str = "application/sparql-results+json"
    graph_media: str = "application/n-triples"
    bindings: tuple[tuple[str, str], ...] = ()


class _CappedBuffer(io.RawIOBase):
    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLargeError(
                f"the result is larger than {self.limit / 2**20:.3g} MB; page through it "
                "with ORDER BY, LIMIT and OFFSET (e.g. LIMIT 10000 OFFSET 0, then OFFSET 10000)"
            )
        self.parts.append(bytes(data))
        return len(data)


def _answer_size(answer: tuple[str, bytes]) -> int:
    return len(answer[1])


def _execute(store, request: QueryRequest, limit: int) -> tuple[str, bytes]:
    bindings = {name: ox.NamedNode(iri) for name, iri in request.bindings}
    outcome = run_query(store, request.text, bindings)
    buffer = _CappedBuffer(limit)
    if isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
        media = request.results_media
        outcome.serialize(buffer, format=ox.QueryResultsFormat.from_media_type(media))
    else:
        media = request.graph_media
        ox.serialize(outcome, buffer, format=ox.RdfFormat.from_media_type(media))
    return media, b"".join(buffer.parts)


def _serve(conn: Connection, location: str, limit: int) -> None:
    """The worker loop: one store handle, one query at a time, errors sent back as data."""
    store = open_store(location)
    embedded = not is_remote(location)
    conn.send(("ready",))
    while True:
        request = conn.recv()
        if request is None:
            return
        try:
            conn.send(("ok", *_execute(store, request, limit)))
        except QuerySyntaxError as error:
            conn.send(("syntax", error.detail, error.line, error.column))
        except ResultTooLargeError as error:
            conn.send(("too_large", str(error)))
        except (QueryEvaluationError, ValueError, OSError, RuntimeError) as error:
            conn.send(_failure(request.text, error, embedded))
        except KgError as error:
            conn.send(("error", str(error)))


def _failure(text: str, error: Exception, embedded: bool) -> tuple[str, str]:
    """A failed evaluation as a reply: a SERVICE's fault when the query has one (on an embedded
    store nothing else in a query reaches a server), the engine's otherwise.

    pyoxigraph names the service's URL when its answer is an HTTP error or not SPARQL results
    ("... returned by service <URL>: text/html"), not when it cannot connect.
    """
    detail = str(error).removeprefix("query failed: ")
    if embedded and _SERVICE.search(text):
        named = _SERVICE_URL.search(detail)
        where = f"the SERVICE at {named[1]}" if named else "a SERVICE of the query"
        return "service", f"{where} failed: {detail} (the remote server's fault, not the query's)"
    return "error", f"query failed: {detail}"


class _Worker:
    def __init__(self, context, location: str, limit: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, location, limit), daemon=True)
        self.process.start()
        child.close()
        self.started = False

    def wait_started(self, seconds: float = 60.0) -> None:
        """Wait for the worker's "ready", so that its start-up never counts as query time."""
        if not self.started:
            if not self.conn.poll(seconds):
                raise OSError("the query worker did not start")
            self.conn.recv()
            self.started = True

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryExecutor:
    """A pool of killable query workers over the store at ``location`` (a folder or a URL)."""

    def __init__(self, location: str, limits: Limits | None = None) -> None:
        if location == "memory":
            raise BadParameterError(
                "queries run in worker processes, which cannot see an in-memory store: "
                "serve a store folder or a SPARQL server URL"
            )
        self.location = location
        self.limits = limits or Limits()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self.limits.workers):
            self._idle.put(self._spawn())
        self._slots = threading.BoundedSemaphore(self.limits.workers + self.limits.max_waiting)
        self._threads = ThreadPoolExecutor(self.limits.workers + self.limits.max_waiting)
        self._answers: BuildCache[QueryRequest, tuple[str, bytes]] = BuildCache(
            location, self.limits.cache_entries, self.limits.cache_bytes, _answer_size
        )
        self.stats = {"timeouts": 0, "busy": 0, "wait_timeouts": 0, "cache_hits": 0}

    def _spawn(self) -> _Worker:
        return _Worker(self._context, self.location, self.limits.max_result_bytes)

    def run(self, request: QueryRequest) -> tuple[str, bytes]:
        """Run a query in a worker; blocking, safe from many threads.

        Raises:
            BusyError: every worker is busy and the waiting line is full.
            WaitTimeoutError: no worker came free within ``limits.max_wait``.
            QueryTimeoutError: it ran past ``limits.timeout``; the worker was replaced.
            QuerySyntaxError, QueryEvaluationError, ResultTooLargeError, RemoteServiceError:
                as the worker reports.
        """
        version = self._answers.version()
        if (answer := self._cached(version, request)) is None:
            with self._slot():
                answer = self._dispatch(request)
            self._answers.put(version, request, answer)
        return answer

    async def run_async(self, request: QueryRequest) -> tuple[str, bytes]:
        """Run a query without blocking the event loop, as ``run`` does.

        The slot is taken here, before the query waits for a thread: a request past the
        waiting line is told at once (429), not after the queries ahead of it have run.
        """
        version = self._answers.version()
        if (answer := self._cached(version, request)) is None:
            with self._slot():
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(self._threads, self._dispatch, request)
            self._answers.put(version, request, answer)
        return answer

    @contextlib.contextmanager
    def _slot(self) -> Iterator[None]:
        """A place among the running and waiting queries, or BusyError at once."""
        if not self._slots.acquire(blocking=False):
            self.stats["busy"] += 1
            raise BusyError(
                f"too many queries at once ({self.limits.workers} running, "
                f"{self.limits.max_waiting} waiting); try again in a moment"
            )
        try:
            yield
        finally:
            self._slots.release()

    def _cached(self, version: str, request: QueryRequest) -> tuple[str, bytes] | None:
        """The answer of the same query on the same published build (never on an unknown one)."""
        answer = self._answers.get(version, request)
        if answer is not None:
            self.stats["cache_hits"] += 1
        return answer

    def _dispatch(self, request: QueryRequest) -> tuple[str, bytes]:
        worker = self._free_worker()
        try:
            worker.wait_started()
            worker.conn.send(request)
            if not worker.conn.poll(self.limits.timeout):
                worker.stop()
                worker = self._spawn()
                self.stats["timeouts"] += 1
                raise QueryTimeoutError(
                    f"the query ran longer than {self.limits.timeout:g} s and was stopped; "
                    "narrow it (more specific patterns, LIMIT) or ask the operator for a "
                    "longer --query-timeout"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError):
            worker.stop()
            worker = self._spawn()
            raise QueryEvaluationError("the query worker stopped unexpectedly") from None
        finally:
            self._idle.put(worker)
        status, *rest = reply
        if status == "ok":
            return rest[0], rest[1]
        if status == "syntax":
            raise QuerySyntaxError(*rest)
        if status == "too_large":
            raise ResultTooLargeError(rest[0])
        if status == "service":
            raise RemoteServiceError(rest[0])
        raise QueryEvaluationError(rest[0])

    def _free_worker(self) -> _Worker:
        """The next worker to come free, or WaitTimeoutError past ``limits.max_wait``."""
        try:
            return self._idle.get(timeout=self.limits.max_wait)
        except queue.Empty:
            self.stats["wait_timeouts"] += 1
            raise WaitTimeoutError(
                f"no query worker came free within {self.limits.max_wait:g} s (all "
                f"{self.limits.workers} are busy with longer queries); try again in a moment",
                retry_after=max(1, math.ceil(self.limits.max_wait)),
            ) from None

    def close(self) -> None:
        """Stop every worker."""
        self._threads.shutdown(wait=False, cancel_futures=True)
        while not self._idle.empty():
            worker = self._idle.get_nowait()
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.stop()
