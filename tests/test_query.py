import json

import pyoxigraph as ox
import pytest

from kg.errors import BadParameterError, NotFoundError, QuerySyntaxError
from kg.query import get_named_query, run_query, select, serialize_outcome

SORA = "https://w3id.org/genvid-kg/id/model/sora"


def test_common_prefixes_are_predeclared(mini_store):
    table = select(mini_store, "SELECT ?m WHERE { ?m kg:usesArchitecture ?a ; rdfs:label ?l }")
    assert table.column("m") == [SORA]


def test_default_graph_is_the_union_and_graph_names_the_source(mini_store):
    table = select(
        mini_store, f"SELECT ?src WHERE {{ GRAPH ?src {{ <{SORA}> kg:usesArchitecture ?a }} }}"
    )
    assert table.column("src") == ["https://w3id.org/genvid-kg/id/source/report"]


def test_syntax_error_gives_line_and_column(mini_store):
    with pytest.raises(QuerySyntaxError) as caught:
        run_query(mini_store, "SELECT ?s\nWHERE { ?s ?p }")
    assert (caught.value.line, caught.value.column) == (2, 16)
    assert str(caught.value).startswith("SPARQL syntax error: line 2, column 16: expected one of")


def test_bindings_are_terms_not_text(mini_store):
    text = "SELECT ?model ?label WHERE { ?model rdfs:label ?label }"
    table = select(mini_store, text, {"model": ox.NamedNode(SORA)})
    assert table.column("label") == ["Sora"]
    hostile = ox.Literal('x" } ; DROP ALL ; #')
    assert (
        select(
            mini_store, "SELECT ?label ?m WHERE { ?m rdfs:label ?label }", {"label": hostile}
        ).rows
        == []
    )


def test_dataframe_keeps_date_precision(mini_store):
    frame = select(mini_store, "SELECT ?e ?d WHERE { ?e kg:date ?d } ORDER BY ?d").to_dataframe()
    assert list(frame["d"]) == ["2017", "2022-12", "2022-12-19", "2024-02", "2024-12", "2025-06-19"]


def test_json_is_sparql_results_json(mini_store):
    outcome = run_query(mini_store, f"SELECT ?l WHERE {{ <{SORA}> rdfs:label ?l }}")
    data = json.loads(serialize_outcome(outcome, "json"))
    assert data["head"]["vars"] == ["l"]
    assert data["results"]["bindings"][0]["l"] == {
        "type": "literal",
        "value": "Sora",
        "xml:lang": "en",
    }


def test_unknown_format_names_the_accepted_ones(mini_store):
    outcome = run_query(mini_store, "ASK { ?s ?p ?o }")
    with pytest.raises(
        BadParameterError, match="unknown format 'yaml'; use one of table, csv, tsv, json, xml"
    ):
        serialize_outcome(outcome, "yaml")


def test_rows_follow_the_select_order_with_none_when_unbound(mini_store):
    table = select(
        mini_store,
        f"SELECT ?missing ?label ?m WHERE {{ <{SORA}> rdfs:label ?label . BIND(<{SORA}> AS ?m) }}",
    )
    assert table.columns == ["missing", "label", "m"]
    assert table.rows == [[None, ox.Literal("Sora", language="en"), ox.NamedNode(SORA)]]


def test_select_refuses_a_construct(mini_store):
    with pytest.raises(BadParameterError, match="needs a SELECT query"):
        select(mini_store, "CONSTRUCT WHERE { ?s ?p ?o }")


def test_unknown_named_query_suggests_a_close_name(settings):
    with pytest.raises(NotFoundError) as caught:
        get_named_query(settings.queries_dir, "models-using-dot")
    assert str(caught.value) == (
        "Unknown query 'models-using-dot'. Did you mean 'models-using-dit' or 'models-in-era'?"
    )
