"""The one module that touches the triple store: open it, query it, replace its contents atomically.

An embedded store on disk is a folder holding immutable builds and a ``current`` symlink::

    STORE/current -> builds/20261126T201500.123456789-1234
    STORE/builds/20261126T201500.123456789-1234/   (pyoxigraph RocksDB, never written again)

A build writes a new folder and then swaps the symlink with one ``os.replace``: readers see the
old graph or the new one, never a mix, and a failed build leaves ``current`` untouched. The
folder is written as ``builds/.partial-NAME`` and renamed once complete, so a build killed
mid-write leaves only a hidden folder, which the next build removes.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import IO, Protocol, cast

import httpx
import pyoxigraph as ox

from kg.errors import (
    KgError,
    QueryEvaluationError,
    QuerySyntaxError,
    StoreError,
    UnsupportedFunctionError,
)
from kg.namespaces import BASE, ID, PREFIXES
from kg.sparql_text import tokens

__all__ = [
    "CATALOG_GRAPH",
    "IMPORT_GRAPH_PREFIX",
    "MAX_GET_URL",
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
#: Statements per bulk write when kg streams many (a big file, graphs carried into a new build):
#: pyoxigraph's bulk loader holds about 1 KB per statement of a batch, and given more than a
#: million at once works on up to three batches of a million (1.8 GB at 4M statements).
BULK_BATCH = 250_000
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

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write every quad to ``output`` in a dataset format, streamed by pyoxigraph."""
        self._store.dump(output, format=format)

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

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        """Write every quad of the published build (every graph here is kg's: the build's and
        the imported ones) to ``output`` in a dataset format, streamed by pyoxigraph."""
        self._open_current().dump(output, format=format)

    def __len__(self) -> int:
        return len(self._open_current())


class RemoteStore:
    """Any SPARQL 1.1 server over HTTP; tested on Oxigraph server and Virtuoso 7.

    ``location`` is the query endpoint; a bare server URL (no path) means Oxigraph's layout
    (``/query``). The update and Graph Store endpoints are given (``update_url``/``data_url``,
    or ``KG_STORE_UPDATE``/``KG_STORE_DATA``) or inferred from the engine the server names in
    its ``Server`` header. Queries go by GET when short (MAX_GET_URL), else as form-encoded POSTs
    (Virtuoso never answers an ``application/sparql-query`` body); answers are normalised to what
    the embedded store gives (see ``_normalise_virtuoso``). The server should treat its default
    graph as the union of the named graphs (``oxigraph serve --union-default-graph``; Virtuoso
    does), so that queries need no GRAPH clause, as on the embedded store.
    """

    def __init__(
        self,
        location: str,
        timeout: float = 600.0,
        update_url: str | None = None,
        data_url: str | None = None,
    ) -> None:
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
        self._given = {
            "update": update_url or os.environ.get("KG_STORE_UPDATE") or None,
            "data": data_url or os.environ.get("KG_STORE_DATA") or None,
        }
        self._engine: str | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=_CONNECT_TIMEOUT))

    @property
    def engine(self) -> str:
        """``oxigraph``, ``virtuoso`` or ``""``: what the server's ``Server`` header names.

        Asked once per store object with the smallest query (``ASK {}``), and only when needed:
        to infer endpoints, or to normalise a Virtuoso's answers.
        """
        if self._engine is None:
            response = self._send(self.query_url, {"query": "ASK {}"}, "*/*", method="GET")
            server = response.headers.get("server", "").lower()
            self._engine = next((e for e in _KNOWN_ENGINES if server.startswith(e)), "")
        return self._engine

    @property
    def update_url(self) -> str:
        """The SPARQL Update endpoint: given, or inferred from the engine."""
        return self._given["update"] or self._inferred("update")

    @property
    def graph_store_url(self) -> str:
        """The Graph Store Protocol endpoint: given, or inferred from the engine."""
        return self._given["data"] or self._inferred("data")

    def _inferred(self, kind: str) -> str:
        origin = str(httpx.URL(self.query_url).copy_with(path="/", query=None)).rstrip("/")
        if self.engine == "virtuoso":
            return self.query_url if kind == "update" else origin + "/sparql-graph-crud"
        last = {"update": "/update", "data": "/store" if self.engine == "oxigraph" else "/data"}
        return re.sub(r"/(query|sparql)$", last[kind], self.query_url)

    def endpoints(self) -> list[str]:
        """One line per endpoint saying where it is and whether it was given or inferred."""
        engine = self.engine or "an unrecognised engine"
        lines = [f"query endpoint {self.query_url}"]
        for kind, url, option in (
            ("update", self.update_url, "--store-update"),
            ("data", self.graph_store_url, "--store-data"),
        ):
            how = "given" if self._given[kind] else f"inferred for {engine}; else give {option}"
            lines.append(f"{kind} endpoint {url} ({how})")
        return lines

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        bound = _bind_values(text, substitutions or {})
        virtuoso = self.engine == "virtuoso"
        exclude = virtuoso and not _names_a_graph(bound) and not _names_dataset(bound)
        base, bound = _leading_base(bound)
        prelude = (_VIRTUOSO_DEFINES + " " if exclude else "") + base + _prefix_line(bound)
        graph_form = _form(text) in ("CONSTRUCT", "DESCRIBE")
        form = {"query": prelude + "\n" + bound}
        response = self._send(
            self.query_url,
            form,
            "application/n-triples" if graph_form else "application/sparql-results+json",
            method=_query_method(self.query_url, form),
        )
        if response.status_code == 400:
            raise _refused(bound, response.text)
        if response.status_code in (404, 405, 501):
            raise StoreError(
                f"{self.query_url} answered HTTP {response.status_code}: it is not a SPARQL "
                "query endpoint. Give the server's query endpoint with --store URL (KG_STORE)."
            )
        if response.status_code >= 400:
            raise QueryEvaluationError(
                f"{self.query_url} answered HTTP {response.status_code}: {response.text[:500]}"
            )
        cap = response.headers.get("x-sparql-maxrows")
        if cap:
            raise QueryEvaluationError(
                f"{self.query_url} cut the answer at {cap} rows (the server's result cap, "
                "Virtuoso's [SPARQL] ResultSetMaxRows): raise the cap, or add LIMIT/OFFSET"
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/n-triples":
            return [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if results_format is None:
            raise QueryEvaluationError(f"{self.query_url} answered with unexpected type {media!r}")
        content = response.content
        if virtuoso and results_format == ox.QueryResultsFormat.JSON:
            content = _normalise_virtuoso(content)
        return ox.parse_query_results(content, format=results_format)

    def version(self) -> str:
        """Remote contents can change behind our back: no version, so nothing is cached."""
        return ""

    def replace(self, quads: Iterable[ox.Quad]) -> None:
        """Replace kg's own graphs with ``quads``; other graphs (imports, other users') stay.

        kg's graphs are the named graphs under its namespace that are not imports. On Oxigraph
        the whole change is one update request, one transaction: readers see the old graphs or
        the new ones, and a request that fails or is cut changes nothing. Elsewhere (an update
        request of a whole build is over Virtuoso's size limits) see ``_replace_by_staging``.

        Raises:
            StoreError: the server is unreachable, refuses writes, or holds other than was sent.
        """
        by_graph = _by_graph(quads)
        if CATALOG_GRAPH in by_graph:
            kept = self._import_descriptions()
            by_graph[CATALOG_GRAPH] = list(dict.fromkeys(by_graph[CATALOG_GRAPH] + kept))
        stale = sorted(self._kg_graphs() - set(by_graph))
        if self.engine == "oxigraph":
            self._update(_drops([*stale, *by_graph]) + _insert_data(by_graph))
        else:
            self._replace_by_staging(by_graph, stale)
        self.check_graphs({g: len(t) for g, t in by_graph.items()})

    def _replace_by_staging(self, by_graph: dict[str, list[str]], stale: list[str]) -> None:
        """Upload each graph beside its old self (``_staged``), check what the server holds,
        then move all in place with one update request of SPARQL 1.1 ``MOVE``s.

        A failure before the move (a refused upload, a count short, a cut connection) leaves
        kg's graphs as they were and drops what was staged; staging graphs left by a killed
        build are kg graphs no build wrote, dropped as stale by the next one. What readers see
        meanwhile is the engine's (README, Stores): Virtuoso 7.2 shows the staged graphs in its
        union default graph while they load, and runs the moves one by one, not as one
        transaction.
        """
        staged = {graph: _staged(graph) for graph in by_graph}
        try:
            for graph, lines in by_graph.items():
                self.put_graph(staged[graph], lines)
            self.check_graphs({staged[g]: len(lines) for g, lines in by_graph.items()})
        except BaseException:
            with suppress(StoreError):  # cleaning up must not hide the failure
                self.drop_graphs(staged.values())
            raise
        moves = "".join(f"MOVE SILENT GRAPH <{staged[g]}> TO GRAPH <{g}> ;\n" for g in by_graph)
        if moves or stale:
            self._update(moves + _drops(stale))

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        """Drop ``graphs`` (those that do not exist are skipped) in one update request.

        Raises:
            StoreError: the server is unreachable or refuses updates.
        """
        if drops := _drops(graphs):
            self._update(drops)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in batches of update requests small enough for any server.

        Raises:
            StoreError: the server is unreachable or refuses updates.
        """
        by_graph = _by_graph(quads)
        for start in range(0, max(1, sum(len(t) for t in by_graph.values())), _BATCH):
            self._update(_insert_data(_slice(by_graph, start, start + _BATCH)))

    def put_graph(self, graph: str, triples: list[str]) -> None:
        """Replace ``graph`` with N-Triples lines in one Graph Store PUT, length given."""
        body = ("\n".join(triples) + "\n").encode()
        response = self._upload(io.BytesIO(body), "application/n-triples", graph)
        if response.status_code == 400:
            raise StoreError(f"{self.graph_store_url} refused {graph}: {response.text[:300]}")

    def check_graphs(self, expected: dict[str, int]) -> None:
        """Ask the server how many triples each graph holds; raise if any differs from sent.

        Raises:
            StoreError: a graph holds more or fewer triples than were sent (a server that
                answered 2xx but stored nothing, or merged literals it cannot tell apart).
        """
        if not expected:
            return
        values = " ".join(f"<{g}>" for g in expected)
        counted = self.query(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        held = {row["g"].value: int(row["n"].value) for row in counted}
        wrong = [
            f"{g}: sent {n}, holds {held.get(g, 0)}"
            for g, n in expected.items()
            if held.get(g, 0) != n
        ]
        if wrong:
            raise StoreError(
                f"{self.graph_store_url} does not hold what was sent: " + "; ".join(wrong[:5])
            )

    def _import_descriptions(self) -> list[str]:
        """What the catalogue graph says about imported graphs, as N-Triples lines: a rebuild
        replaces the catalogue and keeps these, as on the embedded store."""
        triples = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?s ?p ?o }} "
            f'FILTER(STRSTARTS(STR(?s), "{IMPORT_GRAPH_PREFIX}")) }}'
        )
        return [f"{triple} ." for triple in cast(list[ox.Triple], triples)]

    def _kg_graphs(self) -> set[str]:
        result = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{BASE}") '
            f'&& !STRSTARTS(STR(?g), "{IMPORT_GRAPH_PREFIX}")) }}'
        )
        return {row["g"].value for row in result}

    def replace_description(self, subject: str, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace what ``graph`` says about ``subject`` with ``quads``, in one request.

        Raises:
            StoreError: the server is unreachable or refuses updates.
        """
        pattern = f"GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(subject)} ?p ?o }}"
        self._update(f"DELETE WHERE {{ {pattern} }} ;\n" + _insert_data(_by_graph(quads)))

    def _update(self, update: str) -> None:
        url = self.update_url
        response = self._send(url, {"update": update}, "*/*")
        if response.status_code in (404, 405, 501):
            raise StoreError(
                f"{url} answered HTTP {response.status_code}: it is not the server's SPARQL "
                "update endpoint. Give it with --store-update URL (KG_STORE_UPDATE)."
            )
        if response.status_code >= 400:
            raise StoreError(
                f"{url} refused the update (HTTP {response.status_code}: "
                f"{response.text.strip()[:300]}). If the server is read-only, load the data with "
                "its own bulk loader instead."
            )

    def load_graph(
        self, data: IO[bytes], media_type: str, graph: str | None, add: bool = False
    ) -> httpx.Response:
        """Send a file with the Graph Store Protocol: PUT replaces ``graph`` (POST adds to it
        with ``add``); with no graph, POST adds a dataset (TriG, N-Quads) to the store.

        The request carries a Content-Length (some servers, Virtuoso among them, answer 201 to
        a chunked upload and store nothing): a stream of unknown length is spooled to a
        temporary file first. Returns the server's response; the caller turns a 400 into a
        located parse error.

        Raises:
            StoreError: the server is unreachable or refuses writes.
        """
        return self._upload(data, media_type, graph, add)

    def _upload(
        self, data: IO[bytes], media_type: str, graph: str | None, add: bool = False
    ) -> httpx.Response:
        url = self.graph_store_url
        with _sized(data) as (body, length):
            try:
                response = self._client.request(
                    "PUT" if graph and not add else "POST",
                    url,
                    params={"graph": graph} if graph else None,
                    content=iter(lambda: body.read(1 << 20), b""),
                    headers={"content-type": media_type, "content-length": str(length)},
                )
            except httpx.HTTPError as error:
                raise self._transport_error(url, error) from None
        if response.status_code in (404, 405, 501):
            raise StoreError(
                f"{url} answered HTTP {response.status_code}: it is not the server's Graph Store "
                "endpoint. Give it with --store-data URL (KG_STORE_DATA)."
            )
        if response.status_code > 400:
            raise StoreError(
                f"{url} refused the upload (HTTP {response.status_code}: "
                f"{response.text.strip()[:300]})"
            )
        return response

    def _send(
        self, url: str, form: dict[str, str], accept: str, method: str = "POST"
    ) -> httpx.Response:
        try:
            if method == "GET":
                return self._client.get(url, params=form, headers={"accept": accept})
            return self._client.post(url, data=form, headers={"accept": accept})
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


#: The longest URL a query is sent in with GET (SPARQL 1.1 Protocol, query via GET); a longer
#: one goes as a form-encoded POST. A quarter of the smallest limit measured on the engines
#: tested (Oxigraph server 0.5 refuses a request head over 8 kB; Virtuoso 7.2.5 cuts a URL past
#: 10,017 bytes and compiles what is left), and under the 2,000 characters that some clients
#: and proxies still cut at (RFC 9110 §4.1 asks only for 8,000 octets).
MAX_GET_URL = 2000


def _query_method(url: str, form: dict[str, str]) -> str:
    """GET while the query's URL stays within MAX_GET_URL bytes, else POST."""
    return "GET" if len(str(httpx.URL(url, params=form))) <= MAX_GET_URL else "POST"


def _prefix_line(text: str) -> str:
    """kg's PREFIX declarations that the query uses (a name followed by ``:`` in a word), so
    that short queries stay short enough to go by GET."""
    used = {t.text.split(":", 1)[0] for t in tokens(text) if t.kind == "word" and ":" in t.text}
    return " ".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items() if name in used)


_KNOWN_ENGINES = ("oxigraph", "virtuoso")
#: Triples per INSERT DATA request: Virtuoso compiles an update into code of bounded size, and
#: 5,000 lines already exhaust its SPARQL compiler.
_BATCH = 1000
#: Virtuoso's own graphs (its RDF views, LDP and service description): part of its default
#: graph, never of kg's answers. Left out of both the default and the named graphs, except in
#: a query that names a graph (see ``_names_a_graph``).
_VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
_VIRTUOSO_DEFINES = " ".join(
    f"define input:{kind}-graph-exclude <{graph}>"
    for kind in ("default", "named")
    for graph in _VIRTUOSO_SYSTEM_GRAPHS
)
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def _form(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE): its first keyword outside comments.

    Asked for by name because Virtuoso answers a CONSTRUCT with a results table when the
    Accept header allows one.
    """
    forms = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    return next((t.text.upper() for t in tokens(text) if t.text.upper() in forms), "SELECT")


def _leading_base(text: str) -> tuple[str, str]:
    """A query's leading ``BASE <iri>`` moved ahead of kg's PREFIX line (Virtuoso reads BASE
    only first), and the text with it blanked out so that lines and columns stay put."""
    words = list(tokens(text))[:2]
    if len(words) < 2 or words[0].text.upper() != "BASE" or not words[1].text.startswith("<"):
        return "", text
    end = words[1].start + len(words[1].text)
    blanked = re.sub(r"[^\n]", " ", text[:end])
    return text[words[0].start : end] + " ", blanked + text[end:]


def _names_a_graph(text: str) -> bool:
    """Whether a ``GRAPH`` clause names its graph: Virtuoso finds nothing in a named graph once
    any graph is excluded, so such a query goes without the exclusions (the graph it names is
    what it asks about)."""
    words = [t.text for t in tokens(text)]
    return any(
        w.upper() == "GRAPH" and not nxt.startswith(("?", "$")) for w, nxt in pairwise(words)
    )


def _refused(query: str, message: str) -> KgError:
    """A 400: a syntax error if the query does not parse here either, else the server's refusal.

    The local parser (pyoxigraph, over an empty store) gives line and column on every engine;
    a query it accepts but the server refuses is a form the server cannot evaluate, reported
    as such rather than as the user's syntax error.
    """
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as error:
        return _syntax_error(str(error))
    except (OSError, RuntimeError, ValueError, TypeError):
        pass
    return QueryEvaluationError(f"the server cannot evaluate this query: {message.strip()[:500]}")


def _normalise_virtuoso(content: bytes) -> bytes:
    """Rewrite a Virtuoso JSON answer into the standard form the embedded store's answers take.

    Virtuoso answers ASK as a one-row ``__ASK_RETVAL`` table, writes booleans as ``1``/``0``,
    and names blank nodes ``nodeID://b10000`` (not a valid blank node label).
    """
    answer = json.loads(content)
    variables = answer.get("head", {}).get("vars", [])
    rows = answer.get("results", {}).get("bindings", [])
    if variables == ["__ASK_RETVAL"]:
        value = bool(rows) and rows[0]["__ASK_RETVAL"]["value"] not in ("0", "false")
        return json.dumps({"head": {}, "boolean": value}).encode()
    for row in rows:
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"\W", "_", term["value"])
            elif term.get("datatype") == _XSD_BOOLEAN and term["value"] in ("0", "1"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(answer).encode()


def _drops(graphs: Iterable[str]) -> str:
    return "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs)


def _staged(graph: str) -> str:
    """Where a build uploads ``graph`` before moving it in place: under ``…/staging/``."""
    return BASE + "staging/" + graph.removeprefix(BASE)


def _by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[str]]:
    """N-Triples lines per named graph, duplicates dropped (a graph is a set)."""
    by_graph: dict[str, dict[str, None]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise StoreError("kg writes named graphs only; a quad in the default graph was given")
        by_graph.setdefault(quad.graph_name.value, {})[f"{quad.triple} ."] = None
    return {graph: list(lines) for graph, lines in by_graph.items()}


def _slice(by_graph: dict[str, list[str]], start: int, stop: int) -> dict[str, list[str]]:
    """Lines ``start:stop`` of the graphs taken in order, still grouped by graph."""
    part: dict[str, list[str]] = {}
    offset = 0
    for graph, lines in by_graph.items():
        chosen = lines[max(0, start - offset) : max(0, stop - offset)]
        if chosen:
            part[graph] = chosen
        offset += len(lines)
    return part


@contextmanager
def _sized(data: IO[bytes]) -> Iterator[tuple[IO[bytes], int]]:
    """``data`` with its length in bytes: a regular file's from its size, else spooled."""
    if isinstance(data, io.BufferedReader | io.BufferedRandom | io.FileIO):
        yield data, os.fstat(data.fileno()).st_size - data.tell()
        return
    if isinstance(data, io.BytesIO):
        yield data, len(data.getbuffer()) - data.tell()
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(data, spool, 1 << 20)
        length = spool.tell()
        spool.seek(0)
        yield spool, length


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


def _insert_data(by_graph: dict[str, list[str]]) -> str:
    """An INSERT DATA request with one GRAPH block per graph; terms serialized by pyoxigraph."""
    blocks = [
        f"GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n}\n" for graph, lines in by_graph.items()
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
            bulk_write(store, current.quads_for_pattern(None, None, None, graph))
        store.bulk_extend(_import_descriptions(current))

    return _derive_build(location, fill, copy_current=False)


def extend_contents(
    location: str, change: Callable[[ox.Store], None], replacing: Collection[str] = ()
) -> str:
    """Publish a new build made of the current one plus ``change`` (e.g. an import).

    The copy uses hard links to the current build's immutable files, so it is cheap; if
    ``change`` raises, the copy is discarded and the current build stays published. If the
    current build holds any of the graphs ``change`` is ``replacing``, the other statements are
    copied in bulk writes instead and those graphs left out: clearing a graph of the copy is one
    transaction holding every deletion in memory (1.4 GB and growing to re-import a million
    statements), copying stays within one batch, at a cost in time that grows with the store.

    Raises:
        StoreError: the folder cannot be written.
        Whatever ``change`` raises, after cleaning up.
    """
    current = _published(location)
    dropped = {ox.NamedNode(g) for g in replacing if current is not None and _holds(current, g)}
    if not dropped:
        return _derive_build(location, lambda store, _current: change(store), copy_current=True)

    def fill(store: ox.Store, current: ox.Store | None) -> None:
        if current is not None:
            _copy_except(current, store, dropped)
        change(store)

    return _derive_build(location, fill, copy_current=False)


def bulk_write(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Bulk-load ``quads`` ``BULK_BATCH`` at a time, each batch read straight from the iterable
    (no list of them), so memory stays flat whatever their number."""
    statements = iter(quads)
    while (first := next(statements, None)) is not None:
        store.bulk_extend(chain((first,), islice(statements, BULK_BATCH - 1)))


def _published(location: str | Path) -> ox.Store | None:
    """The build published at ``location``, or None before the first."""
    return (
        EmbeddedStore(location)._open_current() if (Path(location) / "current").exists() else None
    )


def _holds(store: ox.Store, graph: str) -> bool:
    return (
        next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))), None) is not None
    )


def _copy_except(current: ox.Store, store: ox.Store, dropped: set[ox.NamedNode]) -> None:
    """Every statement and graph of ``current`` but those of the ``dropped`` graphs."""
    everything = current.quads_for_pattern(None, None, None, None)
    bulk_write(store, (quad for quad in everything if quad.graph_name not in dropped))
    for graph in current.named_graphs():
        if graph not in dropped and not store.contains_named_graph(graph):
            store.add_graph(graph)  # an empty graph is still declared


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
    name = _build_name()
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
        current = _published(root)
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


def _build_name() -> str:
    """A name that sorts as builds were started, which is how _prune tells old from new: the
    second, its nanoseconds, then the process (two builds in one second used to sort by a
    counter that wrapped every millisecond, so pruning could drop the newer one)."""
    now = time.time_ns()
    second = time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 10**9))
    return f"{second}.{now % 10**9:09d}-{os.getpid()}"


def _prune(builds: Path, keep: str) -> None:
    """Remove old complete builds, keeping a few so that readers still on them can finish."""
    older = sorted(p for p in builds.iterdir() if p.name != keep and not p.name.startswith("."))
    for stale in older[: max(0, len(older) - (_KEEP_BUILDS - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
