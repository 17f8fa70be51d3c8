"""Real SPARQL servers (Oxigraph server, Virtuoso 7): endpoints, uploads, rebuilds, answers."""

import gzip
import io
import os
import re
import resource
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import httpx
import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import QueryEvaluationError, StoreError
from kg.namespaces import BASE
from kg.query import named_queries, run_query, select
from kg.store import IMPORT_GRAPH_PREFIX, MAX_GET_URL, RemoteStore, open_store

OTHER = "http://example.org/someone-elses-graph"
IMPORTED = IMPORT_GRAPH_PREFIX + "test-remote"


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest) -> str:
    """The query URL a user would give for each engine, the real graph loaded."""
    return request.getfixturevalue(f"{request.param}_loaded")


def _origin(url: str) -> str:
    return str(httpx.URL(url).copy_with(path="/", query=None)).rstrip("/")


def _drop(store: RemoteStore, *graphs: str) -> None:
    store.drop_graphs(graphs)


def test_endpoints_are_inferred_from_the_engine_and_said(server):
    store = RemoteStore(server)
    origin = _origin(server)
    if store.engine == "virtuoso":
        assert (store.update_url, store.graph_store_url) == (server, origin + "/sparql-graph-crud")
    else:
        assert store.engine == "oxigraph"
        assert (store.update_url, store.graph_store_url) == (origin + "/update", origin + "/store")
    assert f"(inferred for {store.engine}; else give --store-update)" in store.endpoints()[1]


def test_given_endpoints_win_over_inferred_ones(server, monkeypatch):
    monkeypatch.setenv("KG_STORE_DATA", "http://127.0.0.1:9/data")
    store = RemoteStore(server, update_url="http://127.0.0.1:9/update")
    assert (store.update_url, store.graph_store_url) == (
        "http://127.0.0.1:9/update",
        "http://127.0.0.1:9/data",
    )
    assert store.endpoints()[1:] == [
        "update endpoint http://127.0.0.1:9/update (given)",
        "data endpoint http://127.0.0.1:9/data (given)",
    ]


def test_wrong_endpoints_say_which_url_to_give(server):
    store = RemoteStore(server, update_url=_origin(server) + "/nowhere")
    with pytest.raises(StoreError, match=r"--store-update URL \(KG_STORE_UPDATE\)"):
        store.add_quads([])
    store = RemoteStore(server, data_url=_origin(server) + "/nowhere")
    with pytest.raises(StoreError, match=r"--store-data URL \(KG_STORE_DATA\)"):
        store.put_graph(OTHER, ['<http://example.org/a> <http://example.org/b> "1" .'])


def test_short_queries_go_by_get_and_long_ones_by_post(server):
    """GET while the URL fits MAX_GET_URL, to the byte; past it a form-encoded POST, which also
    keeps long queries clear of Virtuoso's URL cut (past 10,017 bytes it compiles what is left)."""
    store = RemoteStore(server)
    store.engine  # noqa: B018 (asked once, by GET, before the requests counted here)
    sent: list[tuple[str, int]] = []
    store._client.event_hooks["request"].append(
        lambda request: sent.append((request.method, len(str(request.url))))
    )
    text = "SELECT ?l WHERE { <https://w3id.org/genvid-kg/id/model/sora> rdfs:label ?l }"
    assert select(store, text).column("l") == ["Sora"]
    ((method, length),) = sent
    assert method == "GET"
    assert length < MAX_GET_URL
    padded = text + " " * (MAX_GET_URL - length)  # a space is one byte in a URL: "+"
    others = ", ".join(f'"other {i}"' for i in range(1500))  # a URL of 29 kB
    post = ("POST", len(store.query_url))  # the query is in the body
    for query, expected in (
        (padded, ("GET", MAX_GET_URL)),
        (padded + " ", post),
        (text.replace("?l }", f"?l FILTER(?l NOT IN ({others})) }}"), post),
    ):
        sent.clear()
        assert select(store, query).column("l") == ["Sora"]
        assert sent == [expected]


@contextmanager
def _cutting_proxy(url: str, request: str, nth: int) -> Iterator[SimpleNamespace]:
    """A loopback proxy to a real server that cuts the connection 200 bytes into the ``nth``
    request whose line starts with ``request``, as a network failure would; the rest passes.
    Yields its ``url`` (``url`` through the proxy) and, once cut, ``cut``: the request line."""
    target = httpx.URL(url)
    proxy = SimpleNamespace(seen=0, cut=None, lock=threading.Lock())
    line = re.compile(rb"^" + re.escape(request.encode()) + rb"\S*", re.M)

    class Pipe(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            upstream = socket.create_connection((target.host, target.port))
            threading.Thread(target=self.pump, args=(upstream, self.request)).start()
            self.pump(self.request, upstream, watch=True)

        def pump(self, source: socket.socket, sink: socket.socket, watch: bool = False) -> None:
            try:
                while data := source.recv(65536):
                    for found in line.finditer(data) if watch else ():
                        with proxy.lock:
                            proxy.seen += 1
                            if proxy.seen == nth:
                                sink.sendall(data[: found.start() + 200])
                                proxy.cut = found[0].decode()
                                raise OSError("cut")
                    sink.sendall(data)
            except OSError:
                pass
            for end in (source, sink):
                end.close()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Pipe)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy.url = str(target.copy_with(port=server.server_address[1]))
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


def test_a_build_cut_mid_upload_leaves_the_previous_graphs(server, built_settings):
    """The connection fails in the middle of uploading a new build (tests/data/mini): kg says
    so, the server answers every named query as before, and nothing staged is left.

    Oxigraph gets the build as one update request and never runs a cut one. Virtuoso gets one
    upload per graph, cut here in the third, after two were stored: into staging graphs,
    dropped after the failure, so kg's graphs are not yet touched (before staging, those two
    replaced kg's and the answers changed).
    """
    from .conftest import MINI

    store = RemoteStore(server)
    queries = named_queries(built_settings.queries_dir).values()
    before = {q.name: select(store, q.text).rows for q in queries}
    staged = f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}staging/")) }}'
    upload = ("PUT /sparql-graph-crud", 3) if store.engine == "virtuoso" else ("POST /update", 1)
    try:
        with (
            _cutting_proxy(server, *upload) as proxy,
            pytest.raises(StoreError, match=r"cannot reach|did not answer"),
        ):
            build(built_settings.with_store(proxy.url), [MINI])
        assert proxy.cut is not None
        assert {q.name: select(store, q.text).rows for q in queries} == before
        assert not bool(run_query(store, staged))
    except BaseException:
        build(built_settings.with_store(server))  # the graph the other tests expect
        raise


def test_build_replaces_only_kgs_graphs(server, built, built_settings):
    """Not DROP ALL: an imported graph and someone else's graph survive `kg build`; a staging
    graph that a killed build left is dropped."""
    store = RemoteStore(server)
    before = len(store)  # the graph, and what other tests of the session may have left
    store.put_graph(OTHER, ['<http://example.org/a> <http://example.org/b> "1" .'])
    store.put_graph(IMPORTED, ['<http://example.org/a> <http://example.org/b> "2" .'])
    store.put_graph(BASE + "staging/id/source/killed", ['<http://example.org/a> <b:c> "3" .'])
    try:
        build(built_settings.with_store(server))
        store.check_graphs({OTHER: 1, IMPORTED: 1})
        assert len(store) == before + 2
    finally:
        _drop(store, OTHER, IMPORTED)
    assert len(store) == before


def test_upload_of_unknown_length_lands_whole_and_blank_nodes_read_back(server):
    """A gzip stream has no length: it is sent with one (Virtuoso stores nothing of a chunked
    upload), and Virtuoso's ``nodeID://`` blank nodes parse."""
    lines = [f'_:b{i} <http://example.org/n> "{i}" .' for i in range(2500)]
    packed = io.BytesIO(gzip.compress(("\n".join(lines) + "\n").encode()))
    store = RemoteStore(server)
    try:
        with gzip.GzipFile(fileobj=packed) as stream:
            response = store.load_graph(stream, "application/n-triples", OTHER)
        assert response.status_code < 300
        store.check_graphs({OTHER: 2500})
        table = select(store, f'SELECT ?b WHERE {{ GRAPH <{OTHER}> {{ ?b ?p "7" }} }}')
        assert [type(row[0]) for row in table.rows] == [ox.BlankNode]
    finally:
        _drop(store, OTHER)


def test_a_graph_short_of_what_was_sent_is_an_error(server):
    store = RemoteStore(server)
    try:
        store.put_graph(OTHER, ['<http://example.org/a> <http://example.org/b> "1" .'])
        with pytest.raises(StoreError, match=f"{OTHER}: sent 2, holds 1"):
            store.check_graphs({OTHER: 2})
    finally:
        _drop(store, OTHER)


def test_result_cap_is_reported_not_silent(virtuoso_loaded):
    """Virtuoso cuts answers at ResultSetMaxRows (10,000 here) and says so only in a header."""
    store = RemoteStore(virtuoso_loaded)
    with pytest.raises(QueryEvaluationError, match="ResultSetMaxRows"):
        select(store, "SELECT * WHERE { ?s ?p ?o . ?e a kg:Era }")


def test_server_graphs_left_out_and_ask_is_boolean(any_store, built):
    """Virtuoso's own graphs (virtrdf#, LDP, service description) are not kg's statements;
    its one-row ASK answer is read as a boolean."""
    assert len(any_store) == len(built)
    assert bool(run_query(any_store, "ASK { ?s a kg:Era }")) is True
    assert bool(run_query(any_store, "ASK { ?s a kg:NoSuchClass }")) is False


def test_stored_booleans_read_as_true_and_false(server):
    store = RemoteStore(server)
    store.put_graph(
        OTHER,
        [
            '<http://example.org/a> <http://example.org/b> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .'
        ],
    )
    try:
        table = select(store, f"SELECT ?o WHERE {{ GRAPH <{OTHER}> {{ ?s ?p ?o }} }}")
        assert [str(row[0]) for row in table.rows] == [
            '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
        ]
    finally:
        _drop(store, OTHER)


def test_kg_build_loads_virtuoso_from_its_query_url_alone(virtuoso_loaded, built, tmp_path):
    """The issue's done-when, as a user types it: KG_STORE=http://…/sparql kg build."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "KG_STORE": virtuoso_loaded}
    env.pop("KG_STORE_UPDATE", None)
    env.pop("KG_STORE_DATA", None)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert f"update endpoint {virtuoso_loaded} (inferred for virtuoso" in done.stderr
    assert "/sparql-graph-crud (inferred for virtuoso" in done.stderr
    assert len(RemoteStore(virtuoso_loaded)) == len(built)


def test_kg_import_lands_whole_and_survives_kg_build(server, built_settings, tmp_path):
    """A gzip Turtle file with a blank node: its graph holds every triple, the catalogue
    describes it, and both stay through a rebuild."""
    from kg.build.imports import graph_for, import_file
    from kg.store import CATALOG_GRAPH

    path = tmp_path / "survivor.ttl.gz"
    lines = [f'<http://example.org/s{i}> <http://example.org/p> "{i}" .' for i in range(1500)]
    path.write_bytes(gzip.compress(("\n".join([*lines, "[] <http://example.org/p> 1 ."])).encode()))
    graph = graph_for(path)
    store = RemoteStore(server)
    described = f"ASK {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> a kg:Source }} }}"
    try:
        import_file(server, path)
        store.check_graphs({graph: 1501})
        assert bool(run_query(store, described))
        build(built_settings.with_store(server))
        store.check_graphs({graph: 1501})
        assert bool(run_query(store, described))
    finally:
        _drop(store, graph)
        store.replace_description(graph, CATALOG_GRAPH, [])
    assert not bool(run_query(store, described))


def test_kg_import_of_n_quads_lands_every_graph(server, tmp_path):
    """An N-Quads file's graphs land whole (Virtuoso's Graph Store reads no N-Quads: a POST of
    them answered 200 and stored nothing, so `kg import` said 0 and exited 0)."""
    from kg.build.imports import graph_for, import_file
    from kg.store import CATALOG_GRAPH

    path = tmp_path / "dataset.nq"
    graphs = [OTHER + "-1", OTHER + "-2"]
    lines = [
        f'<http://example.org/s{i}> <http://example.org/p> "{i}" <{graphs[i % 2]}> .'
        for i in range(2001)
    ]
    path.write_text("\n".join(lines) + "\n")
    store = RemoteStore(server)
    try:
        import_file(server, path)
        store.check_graphs({graphs[0]: 1001, graphs[1]: 1000})
    finally:
        _drop(store, *graphs)
        store.replace_description(graph_for(path), CATALOG_GRAPH, [])


def test_kg_import_of_more_graphs_than_open_files_allowed(virtuoso_loaded, tmp_path):
    """Virtuoso gets a dataset file graph by graph, each spooled first: the spools are not held
    open together (the 1M-triple bench file has over 1,000 graphs)."""
    from kg.build.imports import graph_for, import_file
    from kg.store import CATALOG_GRAPH

    path = tmp_path / "many.nq"
    graphs = [f"{OTHER}-many-{i}" for i in range(60)]
    path.write_text(
        "".join(f'<http://example.org/s> <http://example.org/p> "{g}" <{g}> .\n' for g in graphs)
    )
    store = RemoteStore(virtuoso_loaded)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    in_use = len(os.listdir("/proc/self/fd"))
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (in_use + 40, hard))
        import_file(virtuoso_loaded, path)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        store.check_graphs(dict.fromkeys(graphs, 1))
    finally:
        _drop(store, *graphs)
        store.replace_description(graph_for(path), CATALOG_GRAPH, [])


TRIG = """@prefix ex: <http://example.org/> .
ex:a ex:p "default 1" . ex:b ex:p "default 2" .
GRAPH <GRAPH1> { ex:a ex:p "1" . ex:b ex:p "2" . [] ex:p "a blank node" . }
GRAPH <GRAPH2> { ex:a ex:q ex:b . }
"""


def _graph_counts(location: str, graphs: list[str]) -> dict[str, int]:
    values = " ".join(f"<{g}>" for g in graphs)
    table = select(
        open_store(location),
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
        "GROUP BY ?g",
    )
    return dict(zip(table.column("g"), table.column("n"), strict=True))


def test_kg_import_of_trig_lands_as_on_the_embedded_store_and_survives_kg_build(
    server, built_settings, tmp_path
):
    """A TriG file: its named graphs, and its default graph in the file's own graph (Oxigraph
    server put that in its default graph); importing it again replaces the file's graph; a
    rebuild keeps all of it."""
    from kg.build.imports import graph_for, import_file
    from kg.store import CATALOG_GRAPH

    path = tmp_path / "dataset.trig"
    named = [OTHER + "-trig-1", OTHER + "-trig-2"]
    path.write_text(TRIG.replace("GRAPH1", named[0]).replace("GRAPH2", named[1]))
    graphs = [graph_for(path), *named]
    import_file(str(tmp_path / "embedded"), path)
    expected = _graph_counts(str(tmp_path / "embedded"), graphs)
    assert expected == {graphs[0]: 2, named[0]: 3, named[1]: 1}
    store = RemoteStore(server)
    try:
        import_file(server, path)
        assert _graph_counts(server, graphs) == expected
        path.write_text(path.read_text().replace(' ex:b ex:p "default 2" .', ""))
        import_file(server, path)
        assert _graph_counts(server, graphs)[graphs[0]] == 1
        build(built_settings.with_store(server))
        assert _graph_counts(server, graphs)[graphs[0]] == 1
        assert _graph_counts(server, named)[named[1]] == 1
    finally:
        store.drop_graphs(graphs)
        store.replace_description(graphs[0], CATALOG_GRAPH, [])


def test_kg_stats_over_virtuoso_is_the_embedded_stores(virtuoso_loaded, built_settings):
    """`kg stats` prints the same counts over Virtuoso (its own graphs left out) as over the
    embedded store."""
    import os
    import subprocess
    import sys

    printed = [
        subprocess.run(
            [sys.executable, "-m", "kg", "--store", store, "stats"],
            env={**os.environ, "COLUMNS": "120"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for store in (virtuoso_loaded, built_settings.store)
    ]
    assert "statements in" in printed[1]
    assert printed[0] == printed[1]


def test_kg_serve_over_virtuoso_serves_entity_pages_lineage_and_timeline(
    virtuoso_loaded, live_server, tmp_path
):
    """The real `kg serve` over Virtuoso against the same over the embedded store, byte for byte
    (rows in one order on every engine, lists sorted: test_store.py)."""
    from .conftest import start_kg_serve

    paths = [
        "/id/model/sora",
        "/id/architecture/dit",
        "/id/model/seedance-1-0",
        "/id/source/catalog",
        "/timeline",
        "/lineage",
    ]
    with start_kg_serve(virtuoso_loaded, tmp_path) as url:
        for path in paths:
            ours = httpx.get(url + path, timeout=120)
            theirs = httpx.get(live_server + path, timeout=120)
            assert (ours.status_code, theirs.status_code) == (200, 200), path
            assert ours.text == theirs.text, path


@pytest.mark.parametrize("second", ["same.ttl.gz", "same.trig"])
def test_kg_import_of_files_of_one_name_lands_both_in_their_graph(server, tmp_path, second):
    """Both files' statements in their one graph (the second upload replaced the first's),
    blank nodes of the same label kept apart; a bad one of them sends nothing."""
    from kg.build.imports import graph_for, import_files
    from kg.errors import ParseError
    from kg.store import CATALOG_GRAPH

    from .test_imports import same_name_files

    first, other = same_name_files(tmp_path, second)
    graph = graph_for(first)
    store = RemoteStore(server)
    try:
        reports = import_files(server, [first, other])
        assert [(r.files, r.graph, r.quads) for r in reports] == [
            ((str(first), str(other)), graph, 8)
        ]
        store.check_graphs({graph: 8})
        if second.endswith(".trig"):
            store.check_graphs({"http://ex.org/g3": 1})
        first.write_text("<http://ex.org/x> .\n")
        with pytest.raises(ParseError, match=f"{first}:1:"):
            import_files(server, [other, first])
        store.check_graphs({graph: 8})
    finally:
        _drop(store, graph, "http://ex.org/g3")
        store.replace_description(graph, CATALOG_GRAPH, [])
