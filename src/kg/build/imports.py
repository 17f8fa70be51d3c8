"""``kg import``: stream RDF files (gzip too) into the store, one named graph per file.

Each file's graph is complete or absent: the load goes into a copy of the current build (or,
on a remote server, one Graph Store Protocol request), and a syntax error anywhere, even at
line 1,234,567, discards it with the line named. The graph describes itself as a kg:Source.
Memory stays bounded by the loader's batch, not the file: files are streamed, never read whole.
An uncompressed file is handed to pyoxigraph by path, which parses it about 20% faster than a
Python stream; progress then follows the position of pyoxigraph's own file descriptor.
"""

from __future__ import annotations

import gzip
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from kg.build.turtle import parse_error
from kg.errors import BadParameterError, ParseError
from kg.namespaces import KG, PREFIXES, slugify
from kg.store import IMPORT_GRAPH_PREFIX, RemoteStore, extend_contents, is_remote

__all__ = ["IMPORT_FORMATS", "ImportReport", "import_file"]

#: File extensions ``kg import`` reads, and the format of each.
IMPORT_FORMATS: dict[str, ox.RdfFormat] = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

#: Starts reporting one file: (description, total bytes) -> a callback given the bytes read so
#: far. A callback, not a stream wrapper, so that a file pyoxigraph reads itself can report too.
ProgressReporter = Callable[[str, int], Callable[[int], None]]
#: Seconds between two looks at how far pyoxigraph has read a file it opened itself.
_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class ImportReport:
    """What one import loaded, and where."""

    file: str
    graph: str
    quads: int | None


def _format_of(path: Path) -> tuple[ox.RdfFormat, bool]:
    name = path.name.lower()
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3] if compressed else name).suffix
    if suffix not in IMPORT_FORMATS:
        accepted = ", ".join(f"{s}[.gz]" for s in IMPORT_FORMATS)
        raise BadParameterError(f"{path}: cannot tell the RDF format; use one of {accepted}")
    return IMPORT_FORMATS[suffix], compressed


def graph_for(path: Path) -> str:
    """The named graph a file imports into: stable for a file name, so re-imports replace it."""
    stem = re.sub(r"\.(nt|ttl|trig|nq|jsonld)(\.gz)?$", "", path.name.lower())
    return IMPORT_GRAPH_PREFIX + slugify(stem)


def _source_quads(path: Path, graph: str) -> list[ox.Quad]:
    node = ox.NamedNode(graph)
    dcterms, rdfs = PREFIXES["dcterms"], PREFIXES["rdfs"]
    today = ox.Literal(date.today().isoformat(), datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
    facts = [
        (PREFIXES["rdf"] + "type", ox.NamedNode(str(KG.Source))),
        (rdfs + "label", ox.Literal(f"Imported: {path.name}", language="en")),
        (dcterms + "title", ox.Literal(path.name)),
        (str(KG.sourceKind), ox.Literal("import")),
        (str(KG.locator), ox.Literal(str(path.resolve()))),
        (dcterms + "date", today),
    ]
    return [ox.Quad(node, ox.NamedNode(p), o, node) for p, o in facts]


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


def _bulk_load(
    store: ox.Store,
    path: Path,
    fmt: ox.RdfFormat,
    compressed: bool,
    graph: ox.NamedNode,
    progress: ProgressReporter | None,
) -> None:
    """Load one file; by path when uncompressed (pyoxigraph parses a path ~20% faster).

    Raises:
        ParseError: the file does not parse (with its line) or cannot be read.
    """
    try:
        if compressed:
            with _open(path, compressed, progress) as stream:
                store.bulk_load(input=stream, format=fmt, to_graph=graph)
        else:
            with _watch_reads(path, progress):
                store.bulk_load(path=str(path), format=fmt, to_graph=graph)
    except SyntaxError as error:
        raise parse_error(str(path), error) from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ParseError(str(path), None, None, f"cannot read the file: {error}") from None


def import_file(
    location: str, path: Path, progress: ProgressReporter | None = None
) -> ImportReport:
    """Load one file into its own named graph of the store at ``location``.

    Triples of triple formats (and the default graph of TriG/N-Quads) go into the file's graph;
    named graphs inside a dataset file keep their names.

    Raises:
        BadParameterError: unknown file type.
        ParseError: the file does not parse; names the line. Nothing of it was loaded.
        StoreError: the store cannot be written or reached.
    """
    if not path.is_file():
        raise ParseError(str(path), None, None, "no such file")
    fmt, compressed = _format_of(path)
    graph = graph_for(path)
    if is_remote(location):
        return _import_remote(RemoteStore(location), path, fmt, compressed, graph, progress)

    counted: dict[str, int] = {}

    def change(store: ox.Store) -> None:
        store.clear_graph(ox.NamedNode(graph))
        _bulk_load(store, path, fmt, compressed, ox.NamedNode(graph), progress)
        store.extend(_source_quads(path, graph))
        # Counted by the store, not by iterating: a million quads as Python objects cost seconds.
        # (The IRI is serialized by pyoxigraph: substitutions only bind projected variables.)
        node = ox.NamedNode(graph)
        result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
        assert isinstance(result, ox.QuerySolutions)
        counted["quads"] = int(next(iter(result))[0].value)

    extend_contents(location, change)
    return ImportReport(str(path), graph, counted.get("quads"))


def _import_remote(
    store: RemoteStore,
    path: Path,
    fmt: ox.RdfFormat,
    compressed: bool,
    graph: str,
    progress: ProgressReporter | None,
) -> ImportReport:
    """Check the file locally, then stream it to the server in one Graph Store request.

    One request is one transaction on Oxigraph, so readers see the old graph or the new one;
    the price is on the server, which holds that transaction in memory (about 1.7 GB for a
    million triples on Oxigraph 0.5). Our side stays flat: the file is read in 1 MB pieces.
    """
    # Triple files replace their graph; dataset files (TriG, N-Quads) add their own graphs.
    target = None if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else graph
    _check_syntax(path, fmt, compressed, target, progress)
    with _open(path, compressed, progress) as stream:
        response = store.load_graph(stream, fmt.media_type, target)
    if response.status_code == 400:
        found = re.search(r"line (\d+)(?: column (\d+))?", response.text)
        line = int(found[1]) if found else None
        column = int(found[2]) if found and found[2] else None
        raise ParseError(str(path), line, column, response.text.strip()[:500])
    store.add_quads(_source_quads(path, graph))
    return ImportReport(str(path), graph, None)


def _check_syntax(
    path: Path,
    fmt: ox.RdfFormat,
    compressed: bool,
    base: str | None,
    progress: ProgressReporter | None,
) -> None:
    """Parse the whole file locally, streaming, before anything is sent to a server.

    Servers word (or omit) the position of a syntax error each in their own way, and not all
    of them load a Graph Store Protocol request in one transaction; checking first gives the
    same located error on every server and sends nothing of a bad file. It costs one more
    parse (about 2 s per million quads) and memory bounded by the parser's buffer.

    Raises:
        ParseError: the file does not parse (with its line) or cannot be read.
    """
    checking = (lambda name, n: progress(f"{name} (checking)", n)) if progress else None
    with _open(path, compressed, checking) as stream:
        try:
            for _ in ox.parse(input=stream, format=fmt, base_iri=base):
                pass
        except SyntaxError as error:
            raise parse_error(str(path), error) from None
        except (OSError, EOFError, gzip.BadGzipFile) as error:
            raise ParseError(str(path), None, None, f"cannot read the file: {error}") from None
