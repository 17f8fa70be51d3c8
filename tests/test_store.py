"""Every backend answers alike; remote failures are one clear line."""

import socket

import pyoxigraph as ox
import pytest

from kg.answers import QUESTIONS, ask
from kg.errors import QuerySyntaxError, StoreError
from kg.query import Table, concatenations, named_queries, run_query, select
from kg.store import RemoteStore, open_store

from .conftest import free_port


def _rows(table: Table) -> list[tuple[str, ...]]:
    """The rows in order, each term whole (IRI, value with its datatype or language)."""
    return [tuple(str(term) for term in row) for row in table.rows]


def test_every_named_query_gives_the_same_rows_in_order_on_every_backend(
    any_store, built, built_settings
):
    """Row for row: each ORDER BY is total (ties broken down to every column, on STR() since
    Virtuoso sorts long literals by a prefix and dates of mixed precision by type), and each
    GROUP_CONCAT list is sorted by kg.query.select (engines concatenate in any order)."""
    for query in named_queries(built_settings.queries_dir).values():
        ours = select(any_store, query.text)
        assert _rows(ours) == _rows(select(built, query.text)), query.name
        for variable, separator in concatenations(query.text).items():
            for text in ours.column(variable):
                parts = (text or "").split(separator)
                assert parts == sorted(parts), (query.name, variable, text)


def test_every_ready_answer_gives_the_same_rows_in_order_on_every_backend(
    any_store, built, built_settings
):
    """Each `kg ask` example: its bound, shaped queries give the embedded store's rows."""
    for question in QUESTIONS:
        ours = ask(any_store, built_settings.queries_dir, question.example).table
        theirs = ask(built, built_settings.queries_dir, question.example).table
        assert _rows(ours) == _rows(theirs), question.example


def test_base_declaration_works_on_every_backend(any_store):
    """kg serve's /sparql adds a BASE; Virtuoso reads one only ahead of the PREFIX lines."""
    text = "BASE <https://w3id.org/genvid-kg/id/>\nSELECT ?l WHERE { <model/sora> rdfs:label ?l }"
    assert select(any_store, text).column("l") == ["Sora"]


def test_bound_values_work_on_every_backend(any_store):
    text = "SELECT ?m ?label WHERE { ?m rdfs:label ?label }"
    sora = ox.NamedNode("https://w3id.org/genvid-kg/id/model/sora")
    assert select(any_store, text, {"m": sora}).column("label") == ["Sora"]


def test_syntax_error_line_and_column_on_every_backend(any_store):
    with pytest.raises(QuerySyntaxError) as caught:
        run_query(any_store, "SELECT *\nWHERE { ?s ?p }")
    assert (caught.value.line, caught.value.column) == (2, 16)


def test_construct_returns_triples_on_every_backend(any_store):
    text = "CONSTRUCT { ?m rdfs:label ?l } WHERE { ?m a kg:Era ; rdfs:label ?l }"
    assert len(list(run_query(any_store, text))) == 4


def test_unreachable_server_is_one_clear_line():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError) as caught:
        len(open_store(url))
    assert str(caught.value).startswith(f"cannot reach the SPARQL server at {url}/query: ")
    assert caught.value.exit_code == 2


def test_slow_server_is_not_called_unreachable():
    """A server that took the request but has not answered yet is slow, not unreachable."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        store = RemoteStore(url, timeout=0.3)
        with pytest.raises(StoreError) as caught:
            len(store)
        store.close()
    assert str(caught.value).startswith(
        f"the SPARQL server at {url}/query did not answer within 0.3 s"
    )


def test_wrong_update_endpoint_names_the_option(oxigraph_server):
    store = RemoteStore(oxigraph_server + "/query", update_url=oxigraph_server + "/nowhere")
    with pytest.raises(StoreError) as caught:
        store.replace([])
    assert "answered HTTP 404: it is not the server's SPARQL update endpoint" in str(caught.value)
    assert "--store-update URL (KG_STORE_UPDATE)" in str(caught.value)


def test_from_chooses_the_default_graph_instead_of_the_union(mini_store):
    # pyoxigraph's union flag would replace the query's dataset: FROM was silently ignored.
    graph = "https://w3id.org/genvid-kg/id/source/catalog"
    count = "SELECT (COUNT(*) AS ?n) {}WHERE {{ ?s ?p ?o }}"
    in_graph = select(mini_store, count.format(f"FROM <{graph}> ")).column("n")[0]
    named = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert in_graph == select(mini_store, named).column("n")[0]
    assert in_graph < select(mini_store, count.format("")).column("n")[0]
    only_named = count.format(f"FROM NAMED <{graph}> ")
    assert select(mini_store, only_named).column("n")[0] == 0  # the dataset's default graph
