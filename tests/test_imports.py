"""`kg import`: one graph per file, complete or absent, kept across rebuilds, on every backend."""

import gzip
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.build.imports import IMPORT_FORMATS, graph_for, import_file, import_files
from kg.cli import cli
from kg.errors import BadParameterError, ParseError
from kg.query import select
from kg.store import CATALOG_GRAPH, RemoteStore, open_store

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
    assert _count(store, report.graph) == report.quads == 1000  # the file's, nothing else
    described = (
        f"SELECT ?k WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{report.graph}> kg:sourceKind ?k }} }}"
    )
    assert select(store, described).column("k") == ["import"]


def test_import_jsonld_and_turtle(store_dir, tmp_path: Path):
    jsonld = tmp_path / "one.jsonld"
    jsonld.write_text(json.dumps({"@id": "http://ex.org/x", "http://ex.org/p": "v"}))
    turtle = tmp_path / "two.ttl"
    turtle.write_text("@prefix ex: <http://ex.org/> . ex:y ex:p ex:z .")
    for path in (jsonld, turtle):
        import_file(store_dir, path)
    store = open_store(store_dir)
    assert _count(store, graph_for(jsonld)) == 1
    assert _count(store, graph_for(turtle)) == 1


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
    assert _count(open_store(store_dir), graph_for(good)) == 1000


def test_rebuild_keeps_imported_graphs(store_dir, settings, tmp_path: Path):
    path = tmp_path / "extra.nt"
    path.write_text(LINES)
    import_file(store_dir, path)
    build(settings, [MINI])
    assert _count(open_store(store_dir), graph_for(path)) == 1000


def test_unknown_extension_names_the_accepted_ones(store_dir, tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("a,b")
    with pytest.raises(
        BadParameterError, match=r"cannot tell the RDF format; use one of .nt\[.gz\]"
    ):
        import_file(store_dir, path)


def _forget(store: RemoteStore, graph: str) -> None:
    """Leave the session's shared server as the test found it: no graph, no description."""
    store._update(
        f"DROP SILENT GRAPH <{graph}> ; "
        f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> ?p ?o }} }}"
    )
    store.close()


def test_import_into_a_remote_server(oxigraph_server, tmp_path: Path):
    path = tmp_path / "remote.nt"
    path.write_text(LINES)
    import_file(oxigraph_server, path)
    store = RemoteStore(oxigraph_server)
    try:
        assert _count(store, graph_for(path)) == 1000
        path.write_text(LINES + "<broken\n")
        with pytest.raises(ParseError) as caught:
            import_file(oxigraph_server, path)
        assert str(caught.value).startswith(f"{path}:1001:")
        assert _count(store, graph_for(path)) == 1000
    finally:
        _forget(store, graph_for(path))


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


FIVE = "".join(f'<http://ex.org/s{i}> <http://ex.org/p> "{i}" .\n' for i in range(5))


def _described(store, graph: str) -> list[str]:
    """The properties the catalogue graph gives an imported graph."""
    text = f"SELECT ?p WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> ?p ?o }} }}"
    return sorted(re.split(r"[/#]", p)[-1] for p in select(store, text).column("p"))


def test_cli_reports_what_the_file_held_and_the_graph_holds_only_that(
    store_dir, settings, tmp_path: Path
):
    path = tmp_path / "five.nt"
    path.write_text(FIVE)
    result = CliRunner().invoke(cli, ["--store", store_dir, "import", str(path)])
    assert result.exit_code == 0, result.output
    graph = graph_for(path)
    assert result.output == f"{path}: 5 statements into graph <{graph}>\n"
    store = open_store(store_dir)
    assert _count(store, graph) == 5
    # Described once in the catalogue graph; a re-import replaces the description, and a
    # rebuild of the curated data keeps it with the graph.
    import_file(store_dir, path)
    build(settings, [MINI])
    store = open_store(store_dir)
    assert _described(store, graph) == ["date", "label", "locator", "sourceKind", "title", "type"]
    assert _count(store, graph) == 5


def test_cli_says_a_dataset_files_named_graphs_are_not_in_its_count(store_dir, tmp_path: Path):
    path = tmp_path / "two.nq"
    path.write_text(
        '<http://ex.org/a> <http://ex.org/p> "x" <http://ex.org/g1> .\n'
        '<http://ex.org/b> <http://ex.org/p> "y" .\n'
    )
    result = CliRunner().invoke(cli, ["--store", store_dir, "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{path}: 1 statements of its default graph into graph <{graph_for(path)}>; "
        "its named graphs keep their names\n"
    )
    assert _count(open_store(store_dir), "http://ex.org/g1") == 1


RDF_XML = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/">
  <rdf:Description rdf:about="http://ex.org/a">
    <ex:p rdf:resource=""/>
    <ex:q rdf:resource="b"/>
    <ex:r>three</ex:r>
  </rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize("name", ["onto.rdf", "onto.owl", "onto.xml", "onto.rdf.gz"])
def test_rdf_xml_imports_with_relative_iris_against_the_file(store_dir, tmp_path: Path, name):
    path = tmp_path / name
    data = RDF_XML.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    report = import_file(store_dir, path)
    assert report.graph.endswith("/import-onto")
    assert report.quads == 3
    rows = select(
        open_store(store_dir), f"SELECT ?o WHERE {{ GRAPH <{report.graph}> {{ ?s ?p ?o }} }}"
    )
    url = path.resolve().as_uri()
    assert sorted(map(str, rows.column("o"))) == sorted(
        [url, url.rsplit("/", 1)[0] + "/b", "three"]
    )


def test_xml_that_is_not_rdf_is_a_parse_error(store_dir, tmp_path: Path):
    path = tmp_path / "page.xml"
    path.write_text("<html><body><p>not RDF</p></body></html>")
    with pytest.raises(ParseError, match=str(path)):
        import_file(store_dir, path)


def test_base_option_resolves_relative_iris(store_dir, tmp_path: Path):
    path = tmp_path / "relative.ttl"
    path.write_text("<x> <p> <#y> .")
    result = CliRunner().invoke(
        cli, ["--store", store_dir, "import", "--base", "http://ex.org/doc", str(path)]
    )
    assert result.exit_code == 0, result.output
    rows = select(
        open_store(store_dir),
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph_for(path)}> {{ ?s ?p ?o }} }}",
    )
    assert [[term.value for term in row] for row in rows.rows] == [
        ["http://ex.org/x", "http://ex.org/p", "http://ex.org/doc#y"]
    ]
    with pytest.raises(BadParameterError, match="not an absolute IRI"):
        import_file(store_dir, path, base="doc")


def test_remote_import_resolves_like_the_embedded_one(oxigraph_server, tmp_path: Path):
    path = tmp_path / "remote-onto.rdf"
    path.write_text(RDF_XML)
    report = import_file(oxigraph_server, path)
    assert report.quads == 3
    store = RemoteStore(oxigraph_server)
    try:
        rows = select(store, f"SELECT ?o WHERE {{ GRAPH <{report.graph}> {{ ?s ?p ?o }} }}")
        assert path.resolve().as_uri() in map(str, rows.column("o"))
        import_file(oxigraph_server, path)  # the description is replaced, not added to
        assert len(_described(store, report.graph)) == 6
    finally:
        _forget(store, report.graph)


def test_files_of_one_command_are_published_together_or_not_at_all(store_dir, tmp_path: Path):
    good, bad = tmp_path / "good.nt", tmp_path / "bad.nt"
    good.write_text(FIVE)
    bad.write_text(FIVE + "<http://ex.org/x> .\n")
    result = CliRunner().invoke(cli, ["--store", store_dir, "import", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:6:" in result.output
    assert _count(open_store(store_dir), graph_for(good)) == 0
    other = tmp_path / "other.nt"
    other.write_text(LINES)
    reports = import_files(store_dir, [good, other])
    assert [(r.graph, r.quads) for r in reports] == [
        (graph_for(good), 5),
        (graph_for(other), 1000),
    ]


# Big files are parsed here and bulk-loaded a batch at a time (kg.store.bulk_write), small ones
# by pyoxigraph's load(to_graph=...). Both must store the same statements; these tests make
# every file "big" and batches small, so that blank nodes and graphs span batches. (Each batch
# is a bulk write of a fraction of a second: 1000 lines go in batches of 400.)
_DATASET = """
@prefix ex: <http://ex.org/> .
ex:a ex:p _:shared , "one"@en , "2"^^<http://www.w3.org/2001/XMLSchema#integer> .
_:shared ex:q _:other ; ex:r ex:b .
_:other ex:q _:shared .
ex:g1 { ex:a ex:in ex:g1 . _:shared ex:named "in g1" . _:n1 ex:q _:n2 . _:n2 ex:q _:n1 . }
ex:g2 { ex:b ex:in ex:g2 . ex:a ex:p "dup" . ex:a ex:p "dup" . }
ex:a ex:p "last" .
"""


def _stream_everything(monkeypatch, batch: int) -> None:
    from kg import store
    from kg.build import imports

    monkeypatch.setattr(imports, "_SMALL_FILE", 0)
    monkeypatch.setattr(imports, "_SMALL_GZIP", 0)
    monkeypatch.setattr(store, "BULK_BATCH", batch)


@pytest.fixture
def streamed(monkeypatch):
    _stream_everything(monkeypatch, 400)


def _files_of(tmp_path: Path) -> list[Path]:
    """The dataset in every format ``kg import`` reads (triple formats: its default graph),
    one of them gzipped."""
    import pyoxigraph as ox

    quads = list(ox.parse(_DATASET, format=ox.RdfFormat.TRIG))
    triples = [q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    paths = []
    for suffix, fmt in IMPORT_FORMATS.items():
        path = tmp_path / f"data{suffix}"
        path.write_bytes(ox.serialize(quads if fmt.supports_datasets else triples, format=fmt))
        paths.append(path)
    packed = tmp_path / "packed.trig.gz"
    packed.write_bytes(gzip.compress((tmp_path / "data.trig").read_bytes()))
    return [*paths, packed]


def _loaded(path: Path) -> set:
    """What ``kg import`` would store for ``path``, canonicalized (blank nodes get stable
    names), in a fresh in-memory store."""
    import pyoxigraph as ox

    from kg.build.imports import _load_file, _plan

    store = ox.Store()
    planned = _plan(path, None)
    _load_file(store, planned, ox.NamedNode(planned.graph), None)
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def test_streamed_files_store_what_load_stores(tmp_path: Path, monkeypatch):
    files = _files_of(tmp_path)
    by_load = {path.name: _loaded(path) for path in files}
    _stream_everything(monkeypatch, 3)
    for path in files:
        streamed = _loaded(path)
        assert streamed == by_load[path.name], path.name
        # Three or more batches, with the blank nodes and graphs of the file.
        assert len(streamed) >= 7
        dataset = IMPORT_FORMATS[path.suffixes[0]].supports_datasets
        assert len({q.graph_name for q in streamed}) == (3 if dataset else 1), path.name


def test_streamed_import_fails_whole_at_a_later_batch(streamed, store_dir, tmp_path: Path):
    good, bad = tmp_path / "good.nt", tmp_path / "bad.nt"
    good.write_text(LINES)
    bad.write_text(FIVE + "<http://ex.org/x> .\n")
    with pytest.raises(ParseError) as caught:
        import_files(store_dir, [good, bad])
    assert str(caught.value).startswith(f"{bad}:6:")
    assert _count(open_store(store_dir), graph_for(good)) == 0
    assert import_file(store_dir, good).quads == 1000


@pytest.mark.parametrize("name", ["progress.nt", "progress.nt.gz"])
def test_streamed_progress_reaches_the_file_size(streamed, store_dir, tmp_path: Path, name):
    path = tmp_path / name
    data = LINES.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    seen: list[int] = []
    import_file(store_dir, path, lambda _name, _total: seen.append)
    assert seen[-1] == path.stat().st_size


PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _per_graph(store_dir: str) -> dict[str, int]:
    table = select(open_store(store_dir), PER_GRAPH)
    return dict(zip(table.column("g"), table.column("n"), strict=True))


def test_streamed_reimport_replaces_its_graph_and_keeps_every_other(
    streamed, store_dir, tmp_path: Path
):
    # A re-import leaves the old graph out of the new build rather than clearing it in a copy
    # (one transaction holding every deletion); everything else must come across unchanged.
    path, other = tmp_path / "again.nt", tmp_path / "other.nt"
    path.write_text(LINES)
    other.write_text(FIVE + "_:b <http://ex.org/p> _:c .\n")
    import_files(store_dir, [path, other])
    before = _per_graph(store_dir)
    path.write_text(FIVE)
    assert import_file(store_dir, path).quads == 5
    after = _per_graph(store_dir)
    assert after.pop(graph_for(path)) == 5
    assert before.pop(graph_for(path)) == 1000
    assert after == before
    assert _described(open_store(store_dir), graph_for(path))[0] == "date"


# Two files whose names give one graph: each has a blank node labelled _:b, which must stay two
# nodes; the TriG one also names a graph of its own.
SAME_NT = FIVE + '_:b <http://ex.org/p> "nt" .\n'
SAME_SECOND = {
    "same.ttl.gz": '<http://ex.org/t> <http://ex.org/p> "ttl" . _:b <http://ex.org/p> "ttl" .',
    "same.trig": '<http://ex.org/t> <http://ex.org/p> "trig" . _:b <http://ex.org/p> "trig" .\n'
    '<http://ex.org/g3> { <http://ex.org/t> <http://ex.org/p> "named" . }',
}


def same_name_files(tmp_path: Path, second: str) -> tuple[Path, Path]:
    """same.nt and a second file of the same name (``SAME_SECOND``): 6 + 2 statements for
    their graph."""
    first, other = tmp_path / "same.nt", tmp_path / second
    first.write_text(SAME_NT)
    data = SAME_SECOND[second].encode()
    other.write_bytes(gzip.compress(data) if second.endswith(".gz") else data)
    return first, other


@pytest.mark.parametrize("stream", [False, True], ids=["load", "streamed"])
@pytest.mark.parametrize("second", list(SAME_SECOND))
def test_files_of_one_name_all_land_in_their_graph(
    store_dir, tmp_path: Path, monkeypatch, second, stream
):
    if stream:
        _stream_everything(monkeypatch, 4)
    first, other = same_name_files(tmp_path, second)
    graph = graph_for(first)
    assert graph_for(other) == graph
    # Named twice, loaded once (or the blank node's statement would be there twice).
    args = ["--store", store_dir, "import", str(first), str(other), str(first)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    if second.endswith(".trig"):
        assert result.output == (
            f"{first}, {other}: 8 statements of their default graphs into graph <{graph}>; "
            "their named graphs keep their names\n"
        )
        assert _count(open_store(store_dir), "http://ex.org/g3") == 1
    else:
        assert result.output == f"{first}, {other}: 8 statements into graph <{graph}>\n"
    store = open_store(store_dir)
    assert _count(store, graph) == 8
    title = f"SELECT ?t WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> dcterms:title ?t }} }}"
    assert select(store, title).column("t") == [f"same.nt, {second}"]
    assert len(_described(store, graph)) == 6  # one value per property: the source lists once
    # Imported again they replace the graph whole; a bad one of them loads nothing.
    assert [r.quads for r in import_files(store_dir, [first, other])] == [8]
    first.write_text(SAME_NT + "<http://ex.org/x> .\n")
    with pytest.raises(ParseError, match=f"{first}:7:"):
        import_files(store_dir, [other, first])
    assert _count(open_store(store_dir), graph) == 8
