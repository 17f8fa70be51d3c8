"""/sparql is a SPARQL 1.1 Protocol endpoint that real clients use unchanged.

SPARQLWrapper and rdflib's SPARQLStore run every example query against a live `kg serve` and
get the rows kg.query.run_query gets in process; httpx checks the three request forms, every
content type, the service description and CORS for pages on other origins.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.config import resource_dir
from kg.namespaces import PREFIXES
from kg.query import named_queries, run_query

QUERIES = named_queries(resource_dir("queries"))
ID = "https://w3id.org/genvid-kg/id/"
SORA, DIT, OPENAI = ID + "model/sora", ID + "architecture/dit", ID + "org/openai"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Models the report names as built on DiT or a DiT variant (fact sheet §2.5, §4.1).
MODELS_ON_DIT = """
SELECT ?model ?label WHERE {
  ?model kg:usesArchitecture/kg:derivedFrom* arch:dit ; rdfs:label ?label .
} ORDER BY ?label"""
CONSTRUCT_SORA = "CONSTRUCT { model:sora ?p ?o } WHERE { model:sora ?p ?o }"


def _expected(built, text: str) -> list[tuple]:
    """The store's own rows, as /sparql serves them (``select`` would sort GROUP_CONCAT lists)."""
    return sorted(
        tuple(term.value if term is not None else None for term in row)
        for row in run_query(built, text)
    )


def _wrapper_rows(answer: dict) -> list[tuple]:
    names = answer["head"]["vars"]
    rows = answer["results"]["bindings"]
    return sorted(
        tuple(row[name]["value"] if name in row else None for name in names) for row in rows
    )


def _without_header(text: str) -> str:
    """The query without its ``# title:``/``# description:`` lines. SPARQLWrapper 2.0 strips
    only the first of two consecutive comment lines before guessing the query form, then takes
    "loads" in a description for a LOAD update and sends it to the update endpoint."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_sparqlwrapper_gets_the_rows_of_kg_query(live_server, built, name):
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setQuery(_without_header(QUERIES[name].text))
    wrapper.setReturnFormat(JSON)
    rows = _wrapper_rows(wrapper.query().convert())
    assert rows, f"{name} returned nothing over HTTP"
    assert rows == _expected(built, QUERIES[name].text)


def _with_prefixes(text: str) -> str:
    """rdflib's SPARQLStore expects prefixes in the text; the server would predeclare them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + text


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_rdflib_sparqlstore_gets_the_rows_of_kg_query(live_server, built, name):
    store = SPARQLStore(live_server + "/sparql")
    result = store.query(_with_prefixes(QUERIES[name].text))
    rows = sorted(tuple(str(term) if term is not None else None for term in row) for row in result)
    assert rows == _expected(built, QUERIES[name].text)


def test_rdflib_graph_over_the_endpoint_answers_construct(live_server):
    graph = rdflib.Graph(store=SPARQLStore(live_server + "/sparql"))
    triples = graph.query(_with_prefixes(CONSTRUCT_SORA)).graph
    label = triples.value(rdflib.URIRef(SORA), rdflib.RDFS.label)
    assert str(label) == "Sora"


def test_sparqlwrapper_construct_as_turtle(live_server):
    wrapper = SPARQLWrapper(live_server + "/sparql")
    wrapper.setQuery(CONSTRUCT_SORA)
    wrapper.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=wrapper.query().convert(), format="turtle")
    developer = rdflib.URIRef(PREFIXES["kg"] + "developedBy")
    assert (rdflib.URIRef(SORA), developer, rdflib.URIRef(OPENAI)) in graph


def test_three_request_forms_give_the_same_answer(app_client):
    accept = {"accept": "application/sparql-results+json"}
    by_get = app_client.get("/sparql", params={"query": MODELS_ON_DIT}, headers=accept)
    by_form = app_client.post("/sparql", data={"query": MODELS_ON_DIT}, headers=accept)
    direct = app_client.post(
        "/sparql",
        content=MODELS_ON_DIT.encode(),
        headers={**accept, "content-type": "application/sparql-query"},
    )
    answers = [r.json() for r in (by_get, by_form, direct)]
    assert answers[0] == answers[1] == answers[2]
    labels = {row["label"]["value"] for row in answers[0]["results"]["bindings"]}
    assert {"Sora", "Seedance 1.0"} <= labels


def _rows(response: httpx.Response) -> set[tuple[str, str]]:
    media = response.headers["content-type"].split(";")[0]
    if media == "text/csv":
        return {(row["model"], row["label"]) for row in csv.DictReader(io.StringIO(response.text))}
    parsed = ox.parse_query_results(
        response.content, format=ox.QueryResultsFormat.from_media_type(media)
    )
    return {(row["model"].value, row["label"].value) for row in parsed}


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_results_by_content_negotiation(app_client, accept, media):
    response = app_client.get(
        "/sparql", params={"query": MODELS_ON_DIT}, headers={"accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "accept" in response.headers["vary"].lower()
    assert (SORA, "Sora") in _rows(response)


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
    ],
)
def test_format_parameter_overrides_accept(app_client, fmt, media):
    response = app_client.get(
        "/sparql",
        params={"query": MODELS_ON_DIT, "format": fmt},
        headers={"accept": "application/sparql-results+xml"},
    )
    assert response.headers["content-type"].split(";")[0] == media
    assert (SORA, "Sora") in _rows(response)


def test_csv_is_plain_values_one_row_per_solution(app_client):
    response = app_client.get("/sparql", params={"query": MODELS_ON_DIT, "format": "csv"})
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert {"model": SORA, "label": "Sora"} in table


def test_ask_answers_a_boolean(app_client):
    response = app_client.get(
        "/sparql", params={"query": "ASK { model:sora kg:usesArchitecture ?a }"}
    )
    assert response.json() == {"head": {}, "boolean": True}


def _triples(response: httpx.Response, rdf_format: str) -> set[tuple[str, str, str]]:
    """The answer's triples as (s, p, o) texts, read by rdflib (JSON-LD: by pyoxigraph, since
    rdflib's JSON-LD parser warns that it builds a ConjunctiveGraph)."""
    if rdf_format == "json-ld":
        parsed = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
        return {(t.subject.value, t.predicate.value, t.object.value) for t in parsed}
    graph = rdflib.Graph().parse(data=response.content, format=rdf_format)
    return {(str(s), str(p), str(o)) for s, p, o in graph}


@pytest.mark.parametrize(
    ("accept", "media", "rdf_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
        ("application/x-turtle", "text/turtle", "turtle"),
    ],
)
def test_construct_in_every_rdf_format(app_client, accept, media, rdf_format):
    response = app_client.post(
        "/sparql",
        content=CONSTRUCT_SORA.encode(),
        headers={"content-type": "application/sparql-query", "accept": accept},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    triples = _triples(response, rdf_format)
    assert (SORA, LABEL, "Sora") in triples
    assert (SORA, PREFIXES["kg"] + "developedBy", OPENAI) in triples


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples")],
)
def test_describe_with_a_format_parameter(app_client, fmt, media):
    response = app_client.get("/sparql", params={"query": "DESCRIBE arch:dit", "format": fmt})
    assert response.headers["content-type"].split(";")[0] == media
    triples = _triples(response, {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}[fmt])
    assert (DIT, PREFIXES["kg"] + "derivedFrom", ID + "architecture/transformer") in triples


def test_predeclared_prefixes_apply(app_client):
    query = "SELECT ?label WHERE { model:sora kg:developedBy/rdfs:label ?label }"
    response = app_client.get("/sparql", params={"query": query})
    labels = {row["label"]["value"] for row in response.json()["results"]["bindings"]}
    assert labels == {"OpenAI"}


def test_default_graph_is_the_union_and_graph_names_the_source(app_client):
    query = (
        """SELECT ?source WHERE { GRAPH ?source { arch:dit kg:derivedFrom arch:transformer } }"""
    )
    sources = {
        row["source"]["value"]
        for row in app_client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    }
    assert sources, "the DiT → Transformer link must come from a source graph"
    assert all(source.startswith(ID + "source/") for source in sources)


def test_service_description_on_get_without_query(app_client):
    response = app_client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/turtle"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert service is not None
    assert graph.value(service, sd.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    formats = {str(o) for o in graph.objects(service, sd.resultFormat)}
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "JSON-LD", "N-Triples"):
        assert f"http://www.w3.org/ns/formats/{name}" in formats
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    declared = {
        (str(graph.value(d, sh.prefix)), str(graph.value(d, sh.namespace)))
        for d in graph.objects(service, sh.declare)
    }
    assert ("kg", PREFIXES["kg"]) in declared
    assert ("model", ID + "model/") in declared


def test_service_description_by_content_negotiation(app_client):
    response = app_client.get("/sparql", headers={"accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    assert json.loads(response.text)


def test_browser_opening_the_endpoint_goes_to_the_query_page(app_client):
    response = app_client.get(
        "/sparql",
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/query"


def test_cors_preflight_lets_other_origins_post_queries(app_client):
    response = app_client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_cors_preflight_from_a_public_page_to_loopback(app_client):
    response = app_client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.triply.cc",
            "access-control-request-method": "GET",
            "access-control-request-private-network": "true",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-private-network"] == "true"


def test_cors_headers_on_answers(live_server):
    response = httpx.post(
        live_server + "/sparql",
        data={"query": "ASK {}"},
        headers={"origin": "https://sparklis.example"},
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["boolean"] is True


def test_memory_store_app_answers_in_process(settings, mini_store, make_client):
    from kg.server.app import create_app

    client = make_client(create_app(settings, mini_store))
    response = client.get("/sparql", params={"query": MODELS_ON_DIT})
    labels = {row["label"]["value"] for row in response.json()["results"]["bindings"]}
    assert "Sora" in labels


def test_relative_iris_resolve_against_the_endpoint_url(app_client):
    query = "SELECT ?i WHERE { BIND(<x> AS ?i) } "
    response = app_client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    value = response.json()["results"]["bindings"][0]["i"]["value"]
    assert value == str(app_client.base_url.join("/x"))
    # The query's own BASE still wins.
    based = "BASE <http://ex.org/doc> " + query
    response = app_client.get("/sparql", params={"query": based, "format": "json"})
    assert response.json()["results"]["bindings"][0]["i"]["value"] == "http://ex.org/x"
