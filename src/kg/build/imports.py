"""``kg import``: stream RDF files (gzip too) into the store, one named graph per file name.

Files whose names give one graph (``a.nt`` and ``a.ttl``) are loaded into it together: the
graph is replaced once, then every one of them is added, so none clears another's statements.
Each graph is complete or absent: the load goes into a copy of the current build (or,
on a remote server, one Graph Store Protocol request), and a syntax error anywhere, even at
line 1,234,567, discards it with the line named. The graph holds exactly the file's statements,
so queries over it answer as they would over the file; the kg:Source that describes it (title,
file, date) is written to the catalogue graph (``src:catalog``), where every source is declared.
Relative IRIs resolve against the file's ``file://`` URL unless a base IRI is given.
Files over a few MB are streamed: pyoxigraph parses them and the bulk loader writes a batch of
``BULK_BATCH`` statements at a time (``kg.store.bulk_write``), so memory stays flat whatever the
file's size (pyoxigraph's own ``bulk_load`` batches a million and works on up to three at once:
1.8 GB at 4M); smaller ones load in one write batch, much faster for many small files. An
uncompressed file is parsed by path, about 20% faster than a Python stream; progress then
follows the position of pyoxigraph's own file descriptor.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import IO, Any, cast

import httpx
import pyoxigraph as ox

from kg.build.turtle import parse_error
from kg.errors import BadParameterError, ParseError, StoreError
from kg.namespaces import KG, PREFIXES, slugify
from kg.store import (
    CATALOG_GRAPH,
    IMPORT_GRAPH_PREFIX,
    RemoteStore,
    bulk_write,
    extend_contents,
    is_remote,
)

__all__ = [
    "IMPORT_FORMATS",
    "ImportReport",
    "base_for",
    "format_of",
    "graph_for",
    "import_file",
    "import_files",
]

#: File extensions ``kg import`` reads, and the format of each.
IMPORT_FORMATS: dict[str, ox.RdfFormat] = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
#: Formats whose files may name graphs of their own (they are added, not put in one graph).
_DATASET_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
#: Files under these sizes (bytes on disk) are loaded in one write batch, held in memory.
_SMALL_FILE = 4 << 20
_SMALL_GZIP = 1 << 20
#: Quads re-serialized per piece of a remote upload.
_UPLOAD_BATCH = 10_000

#: Starts reporting one file: (description, total bytes) -> a callback given the bytes read so
#: far. A callback, not a stream wrapper, so that a file pyoxigraph reads itself can report too.
ProgressReporter = Callable[[str, int], Callable[[int], None]]
#: Seconds between two looks at how far pyoxigraph has read a file it opened itself.
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ImportReport:
    """What one import loaded into one graph, and from which files (several when their names
    give the same graph). ``quads`` counts that graph; the named graphs of a dataset file
    (``dataset``: one of the files is TriG or N-Quads) keep their names and are not counted."""

    files: tuple[str, ...]
    graph: str
    quads: int
    dataset: bool = False


def format_of(
    path: Path, formats: dict[str, ox.RdfFormat] = IMPORT_FORMATS
) -> tuple[ox.RdfFormat, bool]:
    """The format of ``path`` from its name (one of ``formats``), and whether it is gzipped.

    Raises:
        BadParameterError: the name ends in none of ``formats``, with or without ``.gz``.
    """
    name = path.name.lower()
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3] if compressed else name).suffix
    if suffix not in formats:
        accepted = ", ".join(f"{s}[.gz]" for s in formats)
        raise BadParameterError(f"{path}: cannot tell the RDF format; use one of {accepted}")
    return formats[suffix], compressed


def graph_for(path: Path) -> str:
    """The named graph a file imports into: stable for a file name, so re-imports replace it."""
    name = path.name.lower().removesuffix(".gz")
    return IMPORT_GRAPH_PREFIX + slugify(name.removesuffix(Path(name).suffix))


def base_for(path: Path, base: str | None = None) -> str:
    """The base IRI relative IRIs of ``path`` resolve against: ``base``, or the file's URL.

    Raises:
        BadParameterError: ``base`` is not an absolute IRI.
    """
    if base is None:
        return path.resolve().as_uri()
    try:
        return ox.NamedNode(base).value
    except ValueError as error:
        raise BadParameterError(f"--base {base!r} is not an absolute IRI: {error}") from None


def _source_quads(paths: list[Path], graph: str) -> list[ox.Quad]:
    """The kg:Source describing an import, in the catalogue graph (never in the import's own
    graph, which holds the files' statements and nothing else). Files sharing the graph are
    named in one title, label and locator: one value each, so that a source lists once."""
    node = ox.NamedNode(graph)
    names = ", ".join(path.name for path in paths)
    dcterms, rdfs = PREFIXES["dcterms"], PREFIXES["rdfs"]
    today = ox.Literal(date.today().isoformat(), datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
    facts = [
        (PREFIXES["rdf"] + "type", ox.NamedNode(str(KG.Source))),
        (rdfs + "label", ox.Literal(f"Imported: {names}", language="en")),
        (dcterms + "title", ox.Literal(names)),
        (str(KG.sourceKind), ox.Literal("import")),
        (str(KG.locator), ox.Literal(", ".join(str(path.resolve()) for path in paths))),
        (dcterms + "date", today),
    ]
    catalog = ox.NamedNode(CATALOG_GRAPH)
    return [ox.Quad(node, ox.NamedNode(p), o, catalog) for p, o in facts]


class _CountingReader:
    """A binary stream that reports how many bytes have been read from it: progress for what
    must go through Python (a gzip file, an upload to a server)."""

    def __init__(self, raw: IO[bytes], update: Callable[[int], None]) -> None:
        self._raw = raw
        self._update = update
        self._done = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._done += len(data)
        self._update(self._done)
        return data

    def readable(self) -> bool:
        return True


@contextmanager
def _open(path: Path, compressed: bool, progress: ProgressReporter | None) -> Iterator[IO[bytes]]:
    with path.open("rb") as raw:
        stream: IO[bytes] = raw
        if progress is not None:
            counting = _CountingReader(raw, progress(path.name, path.stat().st_size))
            stream = cast(IO[bytes], counting)
        if compressed:
            with gzip.GzipFile(fileobj=stream) as unpacked:
                yield unpacked
        else:
            yield stream


def _read_position(path: str) -> int | None:
    """How far this process has read ``path``: the offset of the descriptor open on it.

    Linux only (``/proc/self/fdinfo``); None elsewhere or while no descriptor is open.
    """
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for fd in descriptors:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") != path:
                continue
            with open(f"/proc/self/fdinfo/{fd}") as info:
                for line in info:
                    if line.startswith("pos:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return None


@contextmanager
def _watch_reads(path: Path, progress: ProgressReporter | None) -> Iterator[None]:
    """Report progress while pyoxigraph reads ``path`` itself (it offers no progress hook).

    ``bulk_load(path=...)`` releases the GIL, so a thread can poll the position of the file
    descriptor pyoxigraph opened. Where that cannot be seen the bar jumps to full at the end.
    """
    if progress is None:
        yield
        return
    total = path.stat().st_size
    update = progress(path.name, total)
    target = str(path.resolve())
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(_POLL_SECONDS):
            position = _read_position(target)
            if position is not None:
                update(min(position, total))

    watcher = threading.Thread(target=poll, name="kg-import-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
    update(total)


def _load_file(
    store: ox.Store, file: _File, graph: ox.NamedNode, progress: ProgressReporter | None
) -> None:
    """Load one file; by path when uncompressed (pyoxigraph parses a path ~20% faster).

    A small file goes in with one write batch (``load``), a big one in bulk writes of
    ``BULK_BATCH`` statements (``bulk_write``), which keep memory flat but cost a quarter of a
    second each whatever their size (the bulk loader writes and ingests files of its own): 93
    small files took 23 s that way, 0.03 s with ``load``.

    Raises:
        ParseError: the file does not parse (with its line) or cannot be read.
    """
    path, fmt, base = file.path, file.fmt, file.base
    small = path.stat().st_size < (_SMALL_GZIP if file.compressed else _SMALL_FILE)
    try:
        with _source(file, progress) as source:
            if small:
                store.load(**source, format=fmt, to_graph=graph, base_iri=base)
            else:
                # Blank nodes renamed, as load does, so that they cannot meet another file's.
                quads = ox.parse(**source, format=fmt, base_iri=base, rename_blank_nodes=True)
                bulk_write(store, _into_graph(quads, graph))
    except SyntaxError as error:
        raise parse_error(str(path), error) from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ParseError(str(path), None, None, f"cannot read the file: {error}") from None


@contextmanager
def _source(file: _File, progress: ProgressReporter | None) -> Iterator[dict[str, Any]]:
    """Where pyoxigraph reads ``file``: its path when uncompressed (parsed about 20% faster,
    progress from its file descriptor), else a Python stream that unpacks it."""
    if file.compressed:
        with _open(file.path, True, progress) as stream:
            yield {"input": stream}
    else:
        with _watch_reads(file.path, progress):
            yield {"path": str(file.path)}


def _into_graph(quads: Iterable[ox.Quad], graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """Statements of the default graph moved to ``graph``; those of named graphs (TriG,
    N-Quads, JSON-LD) keep their graph, as ``load(to_graph=graph)`` does."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad


@dataclass(frozen=True)
class _File:
    """One file to import, checked before anything is loaded: its format, graph and base."""

    path: Path
    fmt: ox.RdfFormat
    compressed: bool
    graph: str
    base: str


def _plan(path: Path, base: str | None) -> _File:
    if not path.is_file():
        raise ParseError(str(path), None, None, "no such file")
    fmt, compressed = format_of(path)
    return _File(path, fmt, compressed, graph_for(path), base_for(path, base))


def _by_graph(files: list[_File]) -> dict[str, list[_File]]:
    """The files grouped by the graph they go into, graphs and files in the order given; a
    file named twice is loaded once (twice would double its blank nodes' statements)."""
    groups: dict[str, dict[Path, _File]] = {}
    for file in files:
        groups.setdefault(file.graph, {}).setdefault(file.path.resolve(), file)
    return {graph: list(group.values()) for graph, group in groups.items()}


def import_files(
    location: str,
    paths: list[Path],
    progress: ProgressReporter | None = None,
    base: str | None = None,
) -> list[ImportReport]:
    """Load files into the store at ``location``, each file name's into its own named graph.

    Triples of triple formats (and the default graph of TriG/N-Quads) go into the file's graph;
    named graphs inside a dataset file keep their names. Files whose names give one graph
    (``a.nt`` and ``a.ttl``) fill it together, and one report per graph counts it. Relative
    IRIs resolve against ``base``, by default each file's ``file://`` URL.
    An embedded store publishes one new build holding them all (a build per file cost most of
    the time of importing many small files), so a file that fails leaves none of them loaded;
    a remote server is sent nothing before every file has parsed, then requests per graph
    (``_import_remote``).

    Raises:
        BadParameterError: unknown file type, or a ``base`` that is not an absolute IRI.
        ParseError: a file does not parse; names it and the line.
        StoreError: the store cannot be written or reached.
    """
    groups = _by_graph([_plan(path, base) for path in paths])
    if is_remote(location):
        remote = RemoteStore(location)
        for group in groups.values():
            for file in group:
                _check_syntax(file, progress)
        for graph, group in groups.items():
            _import_remote(remote, graph, group, progress)
        return [_report(graph, group, remote.query) for graph, group in groups.items()]
    reports: list[ImportReport] = []

    def change(store: ox.Store) -> None:
        for graph, group in groups.items():
            _load_into(store, graph, group, progress)
        reports.extend(_report(graph, group, store.query) for graph, group in groups.items())

    # A re-imported graph is left out of the copy of the current build, not cleared in it.
    extend_contents(location, change, replacing=list(groups))
    return reports


def import_file(
    location: str,
    path: Path,
    progress: ProgressReporter | None = None,
    base: str | None = None,
) -> ImportReport:
    """Load one file into its own named graph (see import_files)."""
    return import_files(location, [path], progress, base)[0]


def _load_into(
    store: ox.Store, graph: str, files: list[_File], progress: ProgressReporter | None
) -> None:
    """Replace ``graph`` with the statements of ``files``, and its description in the
    catalogue graph: the graph is cleared once, then each file added (a clear per file kept
    only the last file's statements)."""
    node = ox.NamedNode(graph)
    store.clear_graph(node)
    for file in files:
        _load_file(store, file, node, progress)
    for old in list(store.quads_for_pattern(node, None, None, ox.NamedNode(CATALOG_GRAPH))):
        store.remove(old)
    store.extend(_source_quads([file.path for file in files], graph))


def _report(graph: str, files: list[_File], query: Callable[[str], object]) -> ImportReport:
    dataset = any(file.fmt in _DATASET_FORMATS for file in files)
    names = tuple(str(file.path) for file in files)
    return ImportReport(names, graph, _count_graph(query, graph), dataset)


def _count_graph(query: Callable[[str], object], graph: str) -> int:
    """Statements in ``graph``, counted by the store: a million quads as Python objects cost
    seconds. (The IRI is serialized by pyoxigraph: substitutions only bind projected variables.)
    """
    result = query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    )
    assert isinstance(result, ox.QuerySolutions)
    return int(next(iter(result))[0].value)


def _import_remote(
    store: RemoteStore, graph: str, files: list[_File], progress: ProgressReporter | None
) -> None:
    """Stream the files of one graph (each parsed here already: ``_check_syntax``) to the server.

    What is sent is the files parsed here and written back as N-Triples (N-Quads when one is
    TriG or N-Quads): every IRI already resolved against ``base``, as on the embedded store,
    and in a format every server reads (not all read RDF/XML or JSON-LD). Blank nodes get
    fresh names per file, so that two files' ``_:b0`` stay two nodes, as on the embedded store.

    Triple files replace their graph with one Graph Store PUT of all of them: one request is
    one transaction on Oxigraph, so readers see the old graph or the new one; the price is on
    the server, which holds that transaction in memory (about 1.7 GB for a million triples on
    Oxigraph 0.5). Our side stays flat: the files are streamed in batches.
    """
    # Triple files replace their graph with one PUT; dataset files (TriG, N-Quads) add their
    # own graphs, so the graph is dropped first.
    dataset = any(file.fmt in _DATASET_FORMATS for file in files)
    if dataset:
        store.drop_graphs([graph])  # replaced, as on the embedded store; its other graphs grow
    if dataset and store.engine == "virtuoso":
        _upload_graph_by_graph(store, graph, files, progress)
    else:
        sent = ox.RdfFormat.N_QUADS if dataset else ox.RdfFormat.N_TRIPLES
        pieces = (_reserialized(file, sent, graph, progress) for file in files)
        body = _Pieces(chain.from_iterable(pieces))
        target = None if dataset else graph
        _refused(files, store.load_graph(cast(IO[bytes], body), sent.media_type, target))
    store.replace_description(graph, CATALOG_GRAPH, _source_quads([f.path for f in files], graph))


def _refused(files: list[_File], response: httpx.Response) -> None:
    if response.status_code == 400:
        # The files parsed here: the server refuses what was sent (a line of N-Triples, not of
        # a file), so its words are passed on without a line number that would mislead.
        raise ParseError(_named(files), None, None, "the server refused it: " + response.text[:500])


def _named(files: list[_File]) -> str:
    """The files' paths, for a message about all of them."""
    return ", ".join(str(file.path) for file in files)


def _upload_graph_by_graph(
    store: RemoteStore, graph: str, files: list[_File], progress: ProgressReporter | None
) -> None:
    """Send the files of ``graph``, one a dataset, to Virtuoso as one Graph Store POST of
    N-Triples per graph.

    Virtuoso's Graph Store endpoint reads no N-Quads: a POST without a graph answers 200 and
    stores nothing (Virtuoso 7.2.5), and with a graph it answers 500. Each graph's statements
    are spooled to a temporary file first (opened per batch, so a file of thousands of graphs
    holds no more than one open), so memory stays flat whatever the files' size; a file's
    default graph goes into ``graph``, as on the embedded store. Blank nodes shared between
    two graphs of a file become two nodes, one per graph.

    Raises:
        StoreError: a graph holds nothing on the server after its upload.
    """
    with tempfile.TemporaryDirectory(prefix="kg-import-") as folder:
        spools: dict[str, Path] = {}
        for file in files:
            with _open(file.path, file.compressed, progress) as stream:
                for batch in _batches(_parsed(stream, file)):
                    by_graph: dict[str, list[ox.Triple]] = {}
                    for quad in batch:
                        name = quad.graph_name
                        into = graph if isinstance(name, ox.DefaultGraph) else name.value
                        by_graph.setdefault(into, []).append(quad.triple)
                    for into, triples in by_graph.items():
                        spool = spools.setdefault(into, Path(folder) / str(len(spools)))
                        with spool.open("ab") as out:
                            out.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
        for into, spool in spools.items():
            with spool.open("rb") as body:
                response = store.load_graph(body, "application/n-triples", into, add=True)
            _refused(files, response)
    empty = _empty_graphs(store, list(spools))
    if empty:
        raise StoreError(
            f"{store.graph_store_url} answered the upload of {_named(files)} but holds nothing in "
            + ", ".join(f"<{g}>" for g in empty[:5])
        )


def _empty_graphs(store: RemoteStore, graphs: list[str]) -> list[str]:
    """Those of ``graphs`` that hold no statement on the server."""
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs)
    result = store.query(
        f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    held = {row["g"].value for row in cast(ox.QuerySolutions, result)}
    return [g for g in graphs if g not in held]


def _batches(quads: Iterator[ox.Quad]) -> Iterator[list[ox.Quad]]:
    """``quads`` in lists of ``_UPLOAD_BATCH``."""
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= _UPLOAD_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _parsed(stream: IO[bytes], file: _File) -> Iterator[ox.Quad]:
    """The file's statements for an upload, its blank nodes renamed (fresh for each file)."""
    return ox.parse(input=stream, format=file.fmt, base_iri=file.base, rename_blank_nodes=True)


def _reserialized(
    file: _File, sent: ox.RdfFormat, graph: str, progress: ProgressReporter | None
) -> Iterator[bytes]:
    """The file's statements in ``sent`` (a line format, so pieces concatenate), batch by batch.

    In N-Quads, a dataset's default graph goes into ``graph``, as on the embedded store (sent
    as it was, Oxigraph server put it in its own default graph).
    """
    into = ox.NamedNode(graph)
    with _open(file.path, file.compressed, progress) as stream:
        for batch in _batches(_parsed(stream, file)):
            if sent is ox.RdfFormat.N_QUADS:
                batch = [
                    ox.Quad(q.subject, q.predicate, q.object, into)
                    if isinstance(q.graph_name, ox.DefaultGraph)
                    else q
                    for q in batch
                ]
            yield _serialize(batch, sent)


def _serialize(batch: list[ox.Quad], sent: ox.RdfFormat) -> bytes:
    items = batch if sent is ox.RdfFormat.N_QUADS else [quad.triple for quad in batch]
    return ox.serialize(items, format=sent) or b""


class _Pieces:
    """A readable stream over byte pieces: what the upload reads (a piece per ``read``)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces

    def read(self, _size: int = -1) -> bytes:
        return next(self._pieces, b"")


def _check_syntax(file: _File, progress: ProgressReporter | None) -> None:
    """Parse the whole file locally, streaming, before anything is sent to a server.

    Servers word (or omit) the position of a syntax error each in their own way, and not all
    of them load a Graph Store Protocol request in one transaction; checking first gives the
    same located error on every server and sends nothing of a bad file (nor of the files
    given with it: all are checked before any is sent). It costs one more parse (about 2 s
    per million quads) and memory bounded by the parser's buffer.

    Raises:
        ParseError: the file does not parse (with its line) or cannot be read.
    """
    checking = (lambda name, n: progress(f"{name} (checking)", n)) if progress else None
    with _open(file.path, file.compressed, checking) as stream:
        try:
            for _ in ox.parse(input=stream, format=file.fmt, base_iri=file.base):
                pass
        except SyntaxError as error:
            raise parse_error(str(file.path), error) from None
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise ParseError(str(file.path), None, None, f"cannot read the file: {error}") from None
