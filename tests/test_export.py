"""`kg export`: the store's graphs, imports included, as a file any engine's bulk loader reads."""

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build import build
from kg.build.export import export_store
from kg.build.imports import import_files
from kg.cli import cli
from kg.config import Settings
from kg.errors import BadParameterError
from kg.store import open_store

from .conftest import MINI

FOREIGN = "http://example.org/a-graph-of-its-own"


@pytest.fixture(scope="module")
def store_with_imports(tmp_path_factory: pytest.TempPathFactory) -> str:
    """mini built, then a Turtle file with a blank node and an N-Quads file naming its own
    graph imported (once for the module: the tests only read it)."""
    tmp_path = tmp_path_factory.mktemp("export")
    settings = Settings.default(str(tmp_path / "store"))
    build(settings, [MINI])
    turtle = tmp_path / "notes.ttl"
    turtle.write_text(
        '<http://example.org/s> <http://example.org/p> [ <http://example.org/q> "x\\ny" ] .\n'
    )
    quads = tmp_path / "dataset.nq"
    quads.write_text(f'<http://example.org/s> <http://example.org/p> "1" <{FOREIGN}> .\n')
    import_files(settings.store, [turtle, quads])
    return settings.store


def _canonical(quads) -> set[ox.Quad]:
    """The quads with blank nodes named by canonicalization: a file loaded into a store gets
    fresh blank nodes (a document has its own), so equal datasets compare equal this way."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def _stored(location: str) -> set[ox.Quad]:
    """Every quad of the store, as its queries see them (named graphs; the default is empty)."""
    store = open_store(location)
    rows = store.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return _canonical(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)


def _loaded(path: Path) -> set[ox.Quad]:
    fresh = ox.Store()
    fmt = ox.RdfFormat.N_QUADS if ".nq" in path.name else ox.RdfFormat.TRIG
    with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as stream:
        fresh.load(stream, format=fmt)
    assert not list(fresh.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return _canonical(fresh)


@pytest.mark.parametrize("name", ["graph.nq", "graph.nq.gz", "graph.trig", "graph.trig.gz"])
def test_export_loads_back_into_a_fresh_store_quad_for_quad(store_with_imports, tmp_path, name):
    path = tmp_path / "out" / name
    path.parent.mkdir()
    quads = export_store(store_with_imports, path)
    stored = _stored(store_with_imports)
    assert _loaded(path) == stored
    assert quads == len(stored)
    graphs = {q.graph_name.value for q in stored}
    assert FOREIGN in graphs
    assert any(g.endswith("/import-notes") for g in graphs)
    assert any(isinstance(q.object, ox.BlankNode) for q in stored)
    assert [p.name for p in path.parent.iterdir()] == [name]  # no temporary file left


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(
    store_with_imports, tmp_path, monkeypatch
):
    path = tmp_path / "graph.nq"
    path.write_text("the previous export\n")

    def fail(self, output, format):
        output.write(b"<http://example.org/half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kg.store.EmbeddedStore.dump", fail)
    with pytest.raises(BadParameterError, match="cannot write it: No space left on device"):
        export_store(store_with_imports, path)
    assert path.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_kg_export_from_the_command_line(store_with_imports, tmp_path):
    path = tmp_path / "graph.nq.gz"
    done = CliRunner().invoke(cli, ["--store", store_with_imports, "export", str(path)])
    assert done.exit_code == 0, done.output
    assert done.stdout == f"Wrote {path}: {len(_stored(store_with_imports))} statements\n"
    assert _loaded(path) == _stored(store_with_imports)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("graph.ttl", "cannot tell the RDF format; use one of .nq[.gz], .trig[.gz]"),
        ("missing/graph.nq", "cannot write it: No such file or directory"),
    ],
)
def test_kg_export_says_what_is_wrong_with_the_path(store_with_imports, tmp_path, target, message):
    path = tmp_path / target
    done = CliRunner().invoke(cli, ["--store", store_with_imports, "export", str(path)])
    assert done.exit_code == 1
    assert done.stderr == f"Error: {path}: {message}\n"
    assert not path.exists()


@pytest.mark.parametrize("name", ["graph.nq", "graph.trig.gz"])
def test_kg_export_of_a_sparql_server_is_refused_and_writes_nothing(
    oxigraph_server, tmp_path, name
):
    path = tmp_path / name
    done = CliRunner().invoke(cli, ["--store", oxigraph_server, "export", str(path)])
    assert done.exit_code == 1
    assert done.stderr == (
        f"Error: kg export reads an embedded store (a folder), not {oxigraph_server}: "
        "a SPARQL server's graphs are dumped by its own tools\n"
    )
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []  # neither the file nor a hidden partial one
