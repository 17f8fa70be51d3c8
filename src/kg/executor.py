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

Each worker is confined where the OS allows it (Linux): its data memory is capped
(RLIMIT_DATA, so a query that would exhaust it ends as QueryMemoryError, not by the host's
OOM killer), and unless the network is allowed it runs in network namespaces of its own with
no interface up, so no SERVICE can reach any host even if the query guard (kg.safety) were
fooled.

Results are cached by (store version, query, bindings, media types): a published build never
changes, so a cached answer is exact until the next build moves ``current``. The cache is
bounded in bytes as well as entries, least recently used first out.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import io
import itertools
import logging
import math
import multiprocessing
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.cache import BuildCache
from kg.config import resource_dir
from kg.errors import (
    BadParameterError,
    BusyError,
    KgError,
    QueryEvaluationError,
    QueryMemoryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    RemoteServiceError,
    ResultTooLargeError,
    StoreError,
    WaitTimeoutError,
)
from kg.query import run_query
from kg.scope import scoped
from kg.store import is_remote, open_store

__all__ = ["Limits", "QueryExecutor", "QueryRequest"]

_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_SERVICE_URL = re.compile(r"returned by (?:service )?<?(https?://[^\s<>]+)")
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
#: What Rust's standard library prints when an allocation fails (then it aborts the process).
_OUT_OF_MEMORY = b"memory allocation of"
_PANIC = re.compile(rb"panicked at [^\n]*\n([^\n]+)")

logger = logging.getLogger("kg.executor")


@dataclass(frozen=True)
class Limits:
    """How much one query may take, and how many may run or wait at once."""

    timeout: float = 30.0
    max_result_bytes: int = 64 * 1024 * 1024
    workers: int = 2
    max_waiting: int = 32
    max_wait: float = 5.0
    memory_bytes: int = 1024 * 1024 * 1024
    cache_entries: int = 256
    cache_bytes: int = 128 * 1024 * 1024


@dataclass(frozen=True)
class QueryRequest:
    """A query with IRIs to bind and the media types wanted for rows and for graphs."""

    text: str
    results_media: str = "application/sparql-results+json"
    graph_media: str = "application/n-triples"
    bindings: tuple[tuple[str, str], ...] = ()
    #: ``all``, or ``report``: run over the report's view (kg.scope), not the whole graph.
    sources: str = "all"


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
    store = scoped(store, resource_dir("queries"), request.sources)
    outcome = run_query(store, request.text, bindings)
    buffer = _CappedBuffer(limit)
    if isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
        media = request.results_media
        outcome.serialize(buffer, format=ox.QueryResultsFormat.from_media_type(media))
    else:
        media = request.graph_media
        ox.serialize(outcome, buffer, format=ox.RdfFormat.from_media_type(media))
    return media, b"".join(buffer.parts)


@dataclass(frozen=True)
class _Plan:
    """What a worker process is told at start: its store, caps, confinement and stderr file."""

    location: str
    max_result_bytes: int
    memory_bytes: int
    isolate: bool
    stderr: str


def _serve(conn: Connection, plan: _Plan) -> None:
    """The worker loop: one store handle, one query at a time, errors sent back as data.

    Confined before it opens anything: stderr to the file the pool reads if the worker dies,
    off the network when asked, then the memory cap on top of what the open store takes.
    """
    _redirect_stderr(plan.stderr)
    network = _isolate_network() if plan.isolate else ""
    store = open_store(plan.location)
    where = "offline" if network.startswith("no network") else "embedded"
    where = where if not is_remote(plan.location) else "remote"
    _cap_memory(plan.memory_bytes)
    conn.send(("ready", network))
    while True:
        request = conn.recv()
        if request is None:
            return
        try:
            conn.send(("ok", *_execute(store, request, plan.max_result_bytes)))
        except MemoryError:
            conn.send(("memory",))
        except QuerySyntaxError as error:
            conn.send(("syntax", error.detail, error.line, error.column))
        except ResultTooLargeError as error:
            conn.send(("too_large", str(error)))
        except (QueryEvaluationError, ValueError, OSError, RuntimeError) as error:
            conn.send(_failure(request.text, error, where))
        except KgError as error:
            conn.send(("error", str(error)))


def _failure(text: str, error: Exception, where: str) -> tuple[str, str]:
    """A failed evaluation as a reply: on an embedded store nothing but a SERVICE reaches a
    server, so with one in the query, a refusal in a worker without network (``where`` is
    "offline": the query guard missed it) or the SERVICE's fault; the engine's otherwise.

    pyoxigraph names the service's URL when its answer is an HTTP error or not SPARQL results
    ("... returned by service <URL>: text/html"), not when it cannot connect.
    """
    detail = str(error).removeprefix("query failed: ")
    if where != "remote" and _SERVICE.search(text):
        if where == "offline":
            return "refused", (
                f"SERVICE is refused ({detail}): the query workers have no network unless "
                "the operator allows hosts (kg serve --allow-service HOST)"
            )
        named = _SERVICE_URL.search(detail)
        where = f"the SERVICE at {named[1]}" if named else "a SERVICE of the query"
        return "service", f"{where} failed: {detail} (the remote server's fault, not the query's)"
    return "error", f"query failed: {detail}"


def _redirect_stderr(path: str) -> None:
    """Send this process's stderr (fd 2, where Rust reports a failed allocation) to ``path``."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 2)
    os.close(fd)


def _unshare(flags: int) -> None:
    """unshare(2): os.unshare from Python 3.12, libc's before."""
    if hasattr(os, "unshare"):
        os.unshare(flags)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


#: What unshare(2)'s errors mean here, for the start-up line.
_UNSHARE_HINTS = {
    errno.EPERM: " (user namespaces are disabled for unprivileged users, or a policy forbids them)",
    errno.ENOSPC: " (user.max_user_namespaces is 0 or reached)",
    errno.EINVAL: " (the worker has threads; is OPENBLAS_NUM_THREADS above 1?)",
}


def _isolate_network() -> str:
    """Move this process into a network namespace of its own, where no interface is up (not
    even loopback): no connection leaves it, whatever a query asks. Returns what is in force.

    A user namespace comes with it, so that an unprivileged worker may do this where the kernel
    allows user namespaces, and a root worker keeps no capability outside it (it cannot join
    the host's network namespace again). Root where user namespaces are off still gets a
    network namespace alone. The user namespace maps our own ids, so files read the same.
    A user namespace needs a single-threaded process: see QueryExecutor (OPENBLAS_NUM_THREADS).
    """
    if sys.platform != "linux":
        return f"unavailable: network namespaces are Linux's, this is {sys.platform}"
    uid, gid = os.getuid(), os.getgid()
    try:
        _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    except OSError as error:
        try:
            _unshare(_CLONE_NEWNET)
        except OSError:
            why = f"{error.strerror}{_UNSHARE_HINTS.get(error.errno or 0, '')}"
            return f"unavailable: unshare(CLONE_NEWUSER|CLONE_NEWNET) failed: {why}"
        return "no network (Linux network namespace)"
    with open("/proc/self/uid_map", "w") as ids:
        ids.write(f"{uid} {uid} 1")
    with open("/proc/self/setgroups", "w") as groups:
        groups.write("deny")
    with open("/proc/self/gid_map", "w") as ids:
        ids.write(f"{gid} {gid} 1")
    return "no network (Linux user and network namespaces)"


def _cap_memory(extra: int) -> None:
    """Cap this process's data memory at what it uses now plus ``extra`` bytes (0: no cap).

    RLIMIT_DATA, not RLIMIT_AS: Linux counts heap and private writable mappings in it (what a
    query's allocations grow), while the address space also holds reserved but unused regions
    (malloc arenas, thread stacks, RocksDB's files) that are several times larger and vary.
    An allocation past the cap fails: Rust (pyoxigraph) then aborts the process, Python raises
    MemoryError. The worker's own need (about 180 MB: Python, pandas, the open store) is
    measured here, so ``extra`` is what one query may use.
    """
    if not extra or sys.platform != "linux":
        return
    import resource  # POSIX only

    with open("/proc/self/status") as status:
        used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    resource.setrlimit(resource.RLIMIT_DATA, (used + extra, used + extra))


SCRATCH_PREFIX = "kg-workers-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def remove_orphaned_scratch(root: str | None = None) -> list[str]:
    """Remove the worker scratch folders of servers that are gone; return their paths.

    A server killed with SIGKILL runs no cleanup, so its folder (workers' stderr files) would
    stay in /tmp for good. Each folder names its owner's process id; the next server removes
    those whose process no longer exists (a reused id only keeps a folder a while longer).
    """
    removed = []
    for entry in os.scandir(root or tempfile.gettempdir()):
        owner = entry.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if entry.name.startswith(SCRATCH_PREFIX) and owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


class _Worker:
    def __init__(self, context, plan: _Plan) -> None:
        self.conn, child = context.Pipe()
        self.stderr = plan.stderr
        self.process = context.Process(target=_serve, args=(child, plan), daemon=True)
        self.process.start()
        child.close()
        self.network: str | None = None
        self._starting = threading.Lock()

    def wait_started(self, seconds: float = 60.0) -> str:
        """Wait for the worker's "ready", so that its start-up never counts as query time;
        returns how it is kept off the network ('' when it was not asked to be)."""
        with self._starting:
            if self.network is None:
                if not self.conn.poll(seconds):
                    raise OSError("the query worker did not start")
                self.network = self.conn.recv()[1]
            return self.network

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.stderr)

    def last_words(self) -> bytes:
        """The end of what the worker wrote to stderr (why it died, when it did)."""
        with contextlib.suppress(OSError), open(self.stderr, "rb") as file:
            # A Rust backtrace after the panic message takes tens of kilobytes.
            file.seek(max(0, os.fstat(file.fileno()).st_size - 256 * 1024))
            return file.read()
        return b""


class QueryExecutor:
    """A pool of killable query workers over the store at ``location`` (a folder or a URL).

    Workers over a store folder get no network unless ``network`` is true (kg serve
    --allow-service); over a SPARQL server URL they need it to reach the store.
    """

    def __init__(self, location: str, limits: Limits | None = None, network: bool = False) -> None:
        if location == "memory":
            raise BadParameterError(
                "queries run in worker processes, which cannot see an in-memory store: "
                "serve a store folder or a SPARQL server URL"
            )
        self.location = location
        self.limits = limits or Limits()
        self.network = network
        self._isolate = not network and not is_remote(location)
        if self._isolate:
            # numpy's OpenBLAS (pandas, imported with kg) starts a thread pool at import, and a
            # process with threads may not enter a user namespace. Workers do no linear algebra.
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        remove_orphaned_scratch()
        self._scratch = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
        self._numbers = itertools.count(1)  # next() on it is atomic: spawns come from threads
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(self.limits.workers):
            self._idle.put(self._spawn())
        self._slots = threading.BoundedSemaphore(self.limits.workers + self.limits.max_waiting)
        self._threads = ThreadPoolExecutor(self.limits.workers + self.limits.max_waiting)
        self._answers: BuildCache[QueryRequest, tuple[str, bytes]] = BuildCache(
            location, self.limits.cache_entries, self.limits.cache_bytes, _answer_size
        )
        self.stats = {
            "timeouts": 0,
            "busy": 0,
            "wait_timeouts": 0,
            "out_of_memory": 0,
            "cache_hits": 0,
        }

    def _spawn(self) -> _Worker:
        stderr = os.path.join(self._scratch.name, f"worker-{next(self._numbers)}.stderr")
        open(stderr, "wb").close()
        plan = _Plan(
            self.location,
            self.limits.max_result_bytes,
            self.limits.memory_bytes,
            self._isolate,
            stderr,
        )
        return _Worker(self._context, plan)

    def protection(self) -> str:
        """How the workers are kept off the network, as one says once started; for kg serve's
        start-up line."""
        if self.network:
            return "network allowed (--allow-service)"
        if not self._isolate:
            return (
                "network allowed (the store is a SPARQL server they must reach); "
                "SERVICE refused by the query guard only"
            )
        worker = self._idle.get()
        try:
            state = worker.wait_started()
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            lost = self._lost(worker)
            worker = self._replace(worker)
            return f"unknown, {lost}"
        finally:
            self._idle.put(worker)
        if state.startswith("unavailable"):
            return f"network allowed, sandbox {state}; SERVICE refused by the query guard only"
        return state

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
                worker = self._replace(worker)
                self.stats["timeouts"] += 1
                raise QueryTimeoutError(
                    f"the query ran longer than {self.limits.timeout:g} s and was stopped; "
                    "narrow it (more specific patterns, LIMIT) or ask the operator for a "
                    "longer --query-timeout"
                )
            reply = worker.conn.recv()
            if reply[0] == "memory":  # Python's MemoryError: a fresh worker, as after Rust's
                worker = self._replace(worker)
        except (EOFError, OSError):
            worker.process.join(timeout=5)  # let it finish dying: its last words say why
            lost = self._lost(worker)
            worker = self._replace(worker)
            raise lost from None
        finally:
            self._idle.put(worker)
        status, *rest = reply
        if status == "ok":
            return rest[0], rest[1]
        if status == "memory":
            raise self._out_of_memory()
        if status == "syntax":
            raise QuerySyntaxError(*rest)
        if status == "too_large":
            raise ResultTooLargeError(rest[0])
        if status == "service":
            raise RemoteServiceError(rest[0])
        if status == "refused":
            raise QueryRefusedError(rest[0])
        raise QueryEvaluationError(rest[0])

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        return self._spawn()

    def _out_of_memory(self) -> QueryMemoryError:
        self.stats["out_of_memory"] += 1
        return QueryMemoryError(
            f"the query needed more than the {self.limits.memory_bytes / 2**20:g} MB of memory "
            "a query may use and was stopped; narrow it (fewer or shorter values, LIMIT) or ask "
            "the operator for a larger --query-memory-mb"
        )

    def _lost(self, worker: _Worker) -> KgError:
        """Why a worker died: it could not start, or in a query it ran out of memory or the
        engine crashed."""
        last_words = worker.last_words()
        if worker.network is None:
            told = last_words.decode(errors="replace").strip().splitlines() or ["no message"]
            logger.error("a query worker did not start: %s", told[-1])
            return StoreError(f"the query worker did not start: {told[-1]}")
        if self.limits.memory_bytes and _OUT_OF_MEMORY in last_words:
            return self._out_of_memory()
        panic = _PANIC.search(last_words)
        why = panic[1].decode(errors="replace").strip() if panic else ""
        logger.error("a query worker died: %s", why or last_words[-2000:].decode(errors="replace"))
        return QueryEvaluationError(
            f"the query engine crashed{f' ({why})' if why else ''}; its worker was replaced"
        )

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
        self._scratch.cleanup()
