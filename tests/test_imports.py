"""`kg import`: one graph per file, complete or absent, kept across rebuilds, on every backend."""

import gzip
import json
from pathlib import Path

import pytest

from kg.build import build
from kg.build.imports import graph_for, import_file
from kg.errors import BadParameterError, ParseError
from kg.query import select
from kg.store import RemoteStore, open_store

from .conftest import MINI

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }"
LINES = "".join(f'<http://ex.org/m{i}> <http://ex.org/p> "{i}" .\n' for i in range(1000))


def _count(store, graph: str) -> int:
    return select(store, COUNT % graph).column("n")[0]


@pytest.fixture
def store_dir(settings):
    build(settings, [MINI])
    return settings.store


def test_import_gzip_ntriples_into_its_own_graph(store_dir, tmp_path: Path):
    path = tmp_path / "catalog.nt.gz"
    path.write_bytes(gzip.compress(LINES.encode()))
    report = import_file(store_dir, path)
    assert report.graph == "https://w3id.org/genvid-kg/id/source/import-catalog"
    store = open_store(store_dir)
    assert _count(store, report.graph) == 1000 + 6  # the data and its own source record
    kind = select(store, f"SELECT ?k WHERE {{ <{report.graph}> kg:sourceKind ?k }}")
    assert kind.column("k") == ["import"]


def test_import_jsonld_and_turtle(store_dir, tmp_path: Path):
    jsonld = tmp_path / "one.jsonld"
    jsonld.write_text(json.dumps({"@id": "http://ex.org/x", "http://ex.org/p": "v"}))
    turtle = tmp_path / "two.ttl"
    turtle.write_text("@prefix ex: <http://ex.org/> . ex:y ex:p ex:z .")
    for path in (jsonld, turtle):
        import_file(store_dir, path)
    store = open_store(store_dir)
    assert _count(store, graph_for(jsonld)) == 7
    assert _count(store, graph_for(turtle)) == 7


def test_syntax_error_names_the_line_and_loads_nothing(store_dir, tmp_path: Path):
    good = tmp_path / "data.nt"
    good.write_text(LINES)
    import_file(store_dir, good)
    broken = LINES + "<http://ex.org/x> <http://ex.org/p> .\n"
    good.write_text(broken)
    with pytest.raises(ParseError) as caught:
        import_file(store_dir, good)
    assert caught.value.line == 1001
    assert str(caught.value).startswith(f"{good}:1001:")
    # The earlier import of the same file is complete, not half-replaced.
    assert _count(open_store(store_dir), graph_for(good)) == 1006


def test_rebuild_keeps_imported_graphs(store_dir, settings, tmp_path: Path):
    path = tmp_path / "extra.nt"
    path.write_text(LINES)
    import_file(store_dir, path)
    build(settings, [MINI])
    assert _count(open_store(store_dir), graph_for(path)) == 1006


def test_unknown_extension_names_the_accepted_ones(store_dir, tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("a,b")
    with pytest.raises(
        BadParameterError, match=r"cannot tell the RDF format; use one of .nt\[.gz\]"
    ):
        import_file(store_dir, path)


def test_import_into_a_remote_server(oxigraph_server, tmp_path: Path):
    path = tmp_path / "remote.nt"
    path.write_text(LINES)
    import_file(oxigraph_server, path)
    store = RemoteStore(oxigraph_server)
    assert _count(store, graph_for(path)) == 1006
    path.write_text(LINES + "<broken\n")
    with pytest.raises(ParseError) as caught:
        import_file(oxigraph_server, path)
    assert str(caught.value).startswith(f"{path}:1001:")
    assert _count(store, graph_for(path)) == 1006
    store.close()


DEEP_LINE = 1_234_567


def _deep_error_file(path: Path) -> Path:
    """An N-Triples file whose only error is at line 1,234,567, past many parser buffers.

    Three comment lines for each triple keep it to about 20 MB (some 300,000 triples).
    """
    lines = (
        f'<http://ex.org/d{n}> <http://ex.org/p> "{n}" .\n' if n % 4 == 0 else "# padding\n"
        for n in range(1, DEEP_LINE)
    )
    path.write_text("".join(lines) + "<http://ex.org/x> <http://ex.org/p> .\n")
    return path


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_error_at_line_1234567_is_named_and_the_graph_stays_absent(
    backend, request, tmp_path: Path
):
    if backend == "embedded":
        location = request.getfixturevalue("store_dir")
    else:
        location = request.getfixturevalue("oxigraph_server")
    path = _deep_error_file(tmp_path / f"deep-{backend}.nt")
    with pytest.raises(ParseError) as caught:
        import_file(location, path)
    assert caught.value.line == DEEP_LINE
    assert str(caught.value).startswith(f"{path}:{DEEP_LINE}:")
    store = open_store(location)
    assert _count(store, graph_for(path)) == 0
    if isinstance(store, RemoteStore):
        store.close()


@pytest.mark.parametrize("name", ["progress.nt", "progress.nt.gz"])
def test_progress_reaches_the_file_size(store_dir, tmp_path: Path, name: str):
    # Uncompressed files are read by pyoxigraph itself (by path), gzip ones through Python:
    # both report to the same callback and end at the file's size.
    path = tmp_path / name
    data = LINES.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    seen: list[tuple[str, int, int]] = []

    def progress(description: str, total: int):
        return lambda done: seen.append((description, total, done))

    import_file(store_dir, path, progress)
    assert seen
    assert seen[-1] == (name, path.stat().st_size, path.stat().st_size)
    assert all(done <= total for _, total, done in seen)
