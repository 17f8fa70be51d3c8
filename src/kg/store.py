"""The one module that touches the triple store: open it, query it, replace its contents atomically.

An embedded store on disk is a folder holding immutable builds and a ``current`` symlink::

    STORE/current -> builds/20261126T201500-1234
    STORE/builds/20261126T201500-1234/   (a pyoxigraph RocksDB folder, never written after publish)

A build writes a new folder and then swaps the symlink with one ``os.replace``: readers see the
old graph or the new one, never a mix, and a failed build leaves ``current`` untouched. The
folder is written as ``builds/.partial-NAME`` and renamed once complete, so a build killed
mid-write leaves only a hidden folder, which the next build removes.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Protocol

import httpx
import pyoxigraph as ox

from kg.errors import (
    QueryEvaluationError,
    QuerySyntaxError,
    StoreError,
    UnsupportedFunctionError,
)
from kg.namespaces import ID, PREFIXES
from kg.sparql_text import tokens

__all__ = [
    "CATALOG_GRAPH",
    "IMPORT_GRAPH_PREFIX",
    "EmbeddedStore",
    "MemoryStore",
    "QueryOutcome",
    "RemoteStore",
    "Store",
    "extend_contents",
    "is_remote",
    "open_store",
    "replace_contents",
    "store_version",
]

QueryOutcome = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
_KEEP_BUILDS = 3
#: The folder name prefix of a build being written (or killed while written).
_PARTIAL = ".partial-"
#: Graphs written by ``kg import``: one per imported file, kept across rebuilds.
IMPORT_GRAPH_PREFIX = ID + "source/import-"
#: The catalogue graph (``src:catalog``) that declares every source, imported files included.
CATALOG_GRAPH = ID + "source/catalog"
#: Seconds to open a connection to a SPARQL server: short, so a wrong URL fails fast.
_CONNECT_TIMEOUT = 10.0


class Store(Protocol):
    """What the rest of the product needs from a store, whatever the backend."""

    location: str

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        """Run a SPARQL query over the union of all graphs, with the common prefixes declared."""
        ...

    def version(self) -> str:
        """A token that changes whenever the contents change (for caches)."""
        ...


def _run(
    store: ox.Store,
    text: str,
    substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None,
) -> QueryOutcome:
    try:
        return store.query(
            text,
            prefixes=PREFIXES,
            # pyoxigraph's union flag replaces the dataset a query names: FROM would be ignored.
            use_default_graph_as_union=not _names_dataset(text),
            substitutions=substitutions,
        )
    except SyntaxError as error:
        raise _syntax_error(str(error)) from None
    except RuntimeError as error:
        unsupported = _UNSUPPORTED_FUNCTION.fullmatch(str(error))
        if unsupported:
            raise UnsupportedFunctionError(unsupported[1]) from None
        raise QueryEvaluationError(f"query failed: {error}") from None
    except (OSError, ValueError, TypeError) as error:
        raise QueryEvaluationError(f"query failed: {error}") from None


#: What pyoxigraph (0.5) raises, as a RuntimeError, for a call of a function it does not know.
_UNSUPPORTED_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")


def _names_dataset(text: str) -> bool:
    """Whether a query chooses its dataset (FROM, FROM NAMED): then the union is not used.

    A bare word FROM can only be a dataset clause. A FROM glued to the word before it
    (``ASKFROM<g>``, which Oxigraph also reads) is not seen here: the union is kept, as before.
    """
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in tokens(text))


def _syntax_error(message: str, line_offset: int = 0) -> QuerySyntaxError:
    """Pull line and column out of the parser's "error at L:C: ..." message."""
    match = re.search(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        return QuerySyntaxError(match[3].strip(), int(match[1]) - line_offset, int(match[2]))
    return QuerySyntaxError(message.strip())


class MemoryStore:
    """An in-memory store: for tests, notebooks and ``--store memory``."""

    def __init__(self) -> None:
        self.location = "memory"
        self._store = ox.Store()
        self._version = 0

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        return _run(self._store, text, substitutions)

    def version(self) -> str:
        return str(self._version)

    def replace(self, quads: Iterable[ox.Quad]) -> None:
        """Swap in new contents in one step: a fresh store replaces the old one."""
        fresh = ox.Store()
        fresh.bulk_extend(quads)
        self._store = fresh
        self._version += 1

    def __len__(self) -> int:
        return len(self._store)


class EmbeddedStore:
    """The published build of an on-disk store, reopened when a newer build is published."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self.location = str(location)
        self._root = Path(location)
        self._target: str | None = None
        self._store: ox.Store | None = None
        self._open_current()

    def _open_current(self) -> ox.Store:
        link = self._root / "current"
        try:
            target = os.readlink(link)
        except FileNotFoundError:
            raise StoreError(
                f"{self.location}: no graph has been built here yet. Run `kg build` first."
            ) from None
        except OSError as error:
            raise StoreError(f"{self.location}: cannot open the store: {error}") from None
        if target != self._target or self._store is None:
            try:
                self._store = ox.Store.read_only(str(self._root / target))
            except OSError as error:
                raise StoreError(f"{self.location}: cannot open build {target}: {error}") from None
            self._target = target
        return self._store

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        return _run(self._open_current(), text, substitutions)

    def version(self) -> str:
        self._open_current()
        return self._target or ""

    def __len__(self) -> int:
        return len(self._open_current())


class RemoteStore:
    """Any SPARQL 1.1 server over HTTP (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever...).

    ``location`` is the query endpoint; a bare server URL (no path) means the Oxigraph layout
    ``/query`` and ``/update``. The server should treat its default graph as the union of the
    named graphs (``oxigraph serve --union-default-graph``, Fuseki ``tdb:unionDefaultGraph``)
    so that queries need no GRAPH clause, as on the embedded store.
    """

    def __init__(self, location: str, timeout: float = 600.0) -> None:
        """Point at ``location``; ``timeout`` is how long to wait for an answer, in seconds.

        It is long because an honest query over millions of triples can take minutes on the
        server (the named query ``lineage-graph``, sorted, needs about 75 s at 1M triples on a
        2-core machine) and an upload is answered only once the server has committed it. Connecting
        keeps a short limit, so an unreachable server is still reported at once.
        """
        self.location = location
        self.timeout = timeout
        bare = httpx.URL(location).path in ("", "/")
        self.query_url = location.rstrip("/") + "/query" if bare else location
        self.update_url = (
            location.rstrip("/") + "/update"
            if bare
            else re.sub(r"/(query|sparql)$", "/update", location)
        )
        self.graph_store_url = (
            location.rstrip("/") + "/store"
            if bare
            else re.sub(r"/(query|sparql)$", "/data", location)
        )
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=_CONNECT_TIMEOUT))

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        body = _PREFIX_LINE + "\n" + _bind_values(text, substitutions or {})
        response = self._post(
            self.query_url,
            body,
            "application/sparql-query",
            accept="application/sparql-results+json, application/n-triples;q=0.9",
        )
        if response.status_code == 400:
            raise _syntax_error(response.text, line_offset=1)
        if response.status_code >= 400:
            raise QueryEvaluationError(
                f"{self.query_url} answered HTTP {response.status_code}: {response.text[:500]}"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/n-triples":
            return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if results_format is None:
            raise QueryEvaluationError(f"{self.query_url} answered with unexpected type {media!r}")
        return ox.parse_query_results(response.content, format=results_format)

    def version(self) -> str:
        """Remote contents can change behind our back: no version, so nothing is cached."""
        return ""

    def replace(self, quads: Iterable[ox.Quad]) -> None:
        """Replace the server's whole dataset in one SPARQL Update request.

        One request is one transaction on Oxigraph and most servers, so readers see the old
        dataset or the new one.

        Raises:
            StoreError: the server is unreachable or refuses updates (read-only).
        """
        self._update("DROP ALL ;\n" + _insert_data(quads))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one SPARQL Update request.

        Raises:
            StoreError: the server is unreachable or refuses updates.
        """
        self._update(_insert_data(quads))

    def replace_description(self, subject: str, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace what ``graph`` says about ``subject`` with ``quads``, in one request.

        Raises:
            StoreError: the server is unreachable or refuses updates.
        """
        pattern = f"GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(subject)} ?p ?o }}"
        self._update(f"DELETE WHERE {{ {pattern} }} ;\n" + _insert_data(quads))

    def _update(self, update: str) -> None:
        response = self._post(self.update_url, update, "application/sparql-update")
        if response.status_code >= 400:
            raise StoreError(
                f"{self.update_url} refused the update (HTTP {response.status_code}: "
                f"{response.text.strip()[:300]}). The server may be read-only: give its update "
                "endpoint, or load a dump with the server's own tools (e.g. `oxigraph load "
                "--location DIR --file graph.nq`); `kg --store DIR build` writes a local store."
            )

    def load_graph(self, data: IO[bytes], media_type: str, graph: str | None) -> httpx.Response:
        """Stream a file with the Graph Store Protocol: PUT replaces ``graph``; with no graph,
        POST adds a dataset (TriG, N-Quads) to the store.

        Returns the server's response; the caller turns a 400 into a located parse error.

        Raises:
            StoreError: the server is unreachable or refuses writes.
        """
        try:
            response = self._client.request(
                "PUT" if graph else "POST",
                self.graph_store_url,
                params={"graph": graph} if graph else None,
                content=iter(lambda: data.read(1 << 20), b""),
                headers={"content-type": media_type},
            )
        except httpx.HTTPError as error:
            raise self._transport_error(self.graph_store_url, error) from None
        if response.status_code > 400:
            raise StoreError(
                f"{self.graph_store_url} refused the upload (HTTP {response.status_code}: "
                f"{response.text.strip()[:300]})"
            )
        return response

    def _post(self, url: str, body: str, content_type: str, accept: str = "*/*") -> httpx.Response:
        try:
            return self._client.post(
                url,
                content=body.encode(),
                headers={"content-type": content_type, "accept": accept},
            )
        except httpx.HTTPError as error:
            raise self._transport_error(url, error) from None

    def _transport_error(self, url: str, error: httpx.HTTPError) -> StoreError:
        """One line for a failed exchange; a server that is slow is not called unreachable.

        A read or write timeout means the server took the request and is still working on it
        (a long query, a big upload being committed): saying "cannot reach" there sent the
        last investigation of a failed 1M-triple benchmark down the wrong path.
        """
        if isinstance(error, httpx.TimeoutException) and not isinstance(
            error, httpx.ConnectTimeout
        ):
            return StoreError(
                f"the SPARQL server at {url} did not answer within {self.timeout:g} s: the "
                "request may still be running there (a long query or a big upload) or the "
                "server is stuck"
            )
        return StoreError(f"cannot reach the SPARQL server at {url}: {error}")

    def __len__(self) -> int:
        result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(result))["n"].value)

    def close(self) -> None:
        """Close the pooled HTTP connections."""
        self._client.close()

    def __del__(self) -> None:
        self._client.close()


_PREFIX_LINE = " ".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())


def _bind_values(text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables over HTTP with a VALUES block at the top of the WHERE group.

    The terms are serialized by pyoxigraph (escaped N-Triples syntax), never by string pasting,
    and sit where a local substitution would bind them, so the server can use them early.
    """
    if not substitutions:
        return text
    values = " ".join(f"VALUES {variable} {{ {term} }}" for variable, term in substitutions.items())
    brace = _first_group(text)
    return f"{text[: brace + 1]} {values} {text[brace + 1 :]}"


def _first_group(text: str) -> int:
    """Index of the first ``{`` outside comments, strings and IRIs: the WHERE group's start."""
    for token in tokens(text):
        if token.text == "{":
            return token.start
    raise QuerySyntaxError("the query has no WHERE group to bind values in")


def _insert_data(quads: Iterable[ox.Quad]) -> str:
    """An INSERT DATA request with one GRAPH block per graph; terms serialized by pyoxigraph."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
        by_graph.setdefault(graph, []).append(f"{quad.triple} .")
    blocks = [
        f"GRAPH {graph} {{\n" + "\n".join(triples) + "\n}\n" if graph else "\n".join(triples)
        for graph, triples in by_graph.items()
    ]
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}\n"


def store_version(location: str) -> str:
    """The published build of a store folder, read without opening the store ('' if unknown).

    Cheap enough for every request (one readlink), so caches can key on it.
    """
    if location == "memory" or is_remote(location):
        return ""
    try:
        return os.readlink(os.path.join(location, "current"))
    except OSError:
        return ""


def is_remote(location: str) -> bool:
    """Whether a store location is a SPARQL server URL."""
    return location.startswith(("http://", "https://"))


def open_store(location: str) -> EmbeddedStore | MemoryStore | RemoteStore:
    """Open the store a location names: ``memory``, an ``http(s)://`` SPARQL server, or a folder.

    Raises:
        StoreError: the folder holds no build or cannot be read.
    """
    if location == "memory":
        return MemoryStore()
    if is_remote(location):
        return RemoteStore(location)
    return EmbeddedStore(location)


def replace_contents(location: str, quads: list[ox.Quad]) -> str:
    """Write ``quads`` as a new build of the store at ``location`` and publish it atomically.

    Imported graphs (``kg import``) of the current build are carried over, so a rebuild of the
    curated data keeps what users imported. The new build is complete on disk before the
    ``current`` symlink moves: an error at any step leaves the previous build answering.
    Returns the new build's folder name.

    Raises:
        StoreError: the folder cannot be written.
    """

    def fill(store: ox.Store, current: ox.Store | None) -> None:
        store.bulk_extend(quads)
        for graph in _import_graphs(current):
            store.bulk_extend(current.quads_for_pattern(None, None, None, graph))
        store.bulk_extend(_import_descriptions(current))

    return _derive_build(location, fill, copy_current=False)


def extend_contents(location: str, change: Callable[[ox.Store], None]) -> str:
    """Publish a new build made of the current one plus ``change`` (e.g. an import).

    The copy uses hard links to the current build's immutable files, so it is cheap; if
    ``change`` raises, the copy is discarded and the current build stays published.

    Raises:
        StoreError: the folder cannot be written.
        Whatever ``change`` raises, after cleaning up.
    """
    return _derive_build(location, lambda store, _current: change(store), copy_current=True)


def _import_graphs(current: ox.Store | None) -> list[ox.NamedNode]:
    if current is None:
        return []
    return [
        g
        for g in current.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(IMPORT_GRAPH_PREFIX)
    ]


def _import_descriptions(current: ox.Store | None) -> list[ox.Quad]:
    """What the catalogue graph says about imported graphs (``kg import`` writes it there)."""
    if current is None:
        return []
    catalog = ox.NamedNode(CATALOG_GRAPH)
    return [
        quad
        for quad in current.quads_for_pattern(None, None, None, catalog)
        if isinstance(quad.subject, ox.NamedNode)
        and quad.subject.value.startswith(IMPORT_GRAPH_PREFIX)
    ]


def _derive_build(
    location: str,
    fill: Callable[[ox.Store, ox.Store | None], None],
    copy_current: bool,
) -> str:
    root = Path(location)
    builds = root / "builds"
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    try:
        builds.mkdir(parents=True, exist_ok=True)
        with _writing(root) as lock:
            _write_and_publish(root, name, fill, copy_current)
            _remove_partial_builds(builds, lock)
    except OSError as error:
        raise StoreError(f"{location}: cannot write the store: {error}") from None
    _prune(builds, keep=name)
    return name


def _write_and_publish(
    root: Path,
    name: str,
    fill: Callable[[ox.Store, ox.Store | None], None],
    copy_current: bool,
) -> None:
    """Write build ``name`` and point ``current`` at it; on any error remove what was written.

    The build is written under a hidden `.partial-` name and renamed once complete, so a build
    killed mid-write is never published nor counted among the builds _prune keeps.
    """
    partial = root / "builds" / f"{_PARTIAL}{name}"
    target = root / "builds" / name
    try:
        current = EmbeddedStore(root)._open_current() if (root / "current").exists() else None
        if copy_current and current is not None:
            current.backup(str(partial))
        store = ox.Store(str(partial))
        fill(store, current)
        store.flush()
        del store
        os.rename(partial, target)
        staging = root / f".current-{name}"
        os.symlink(os.path.join("builds", name), staging)
        os.replace(staging, root / "current")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
        raise


@contextmanager
def _writing(root: Path) -> Iterator[int]:
    """Hold a shared lock on ``STORE/.build-lock`` while a build is written (yields its
    descriptor).

    Every writer holds it shared, so a writer that can turn it exclusive knows no other build
    is being written: the `.partial-` folders left then are those of killed builds. The lock
    goes with the process, however it ends.
    """
    descriptor = os.open(root / ".build-lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield descriptor
    finally:
        os.close(descriptor)


def _remove_partial_builds(builds: Path, lock: int) -> None:
    """Remove the `.partial-` folders of killed builds, if no other build is being written."""
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return  # another build is under way; a later build cleans up
    for stale in builds.glob(f"{_PARTIAL}*"):
        shutil.rmtree(stale, ignore_errors=True)


def _prune(builds: Path, keep: str) -> None:
    """Remove old complete builds, keeping a few so that readers still on them can finish."""
    older = sorted(p for p in builds.iterdir() if p.name != keep and not p.name.startswith("."))
    for stale in older[: max(0, len(older) - (_KEEP_BUILDS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
