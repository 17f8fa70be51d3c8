"""The public endpoint's protections, each tried for real against `kg serve`.

Outside access (SERVICE, FROM, LOAD) is aimed at a canary HTTP server on loopback that records
every request it gets: refused queries must leave it untouched, and the same SERVICE with the
host allowed does reach it, so the refusal, not an accident, is what keeps it quiet. Limits
run on a `kg serve` started with tight flags (one worker, one waiting place, a 3 s time limit,
a 10 KB result cap, a 4 KB body cap).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from kg.server.guards import CONTENT_SECURITY_POLICY

from .conftest import start_kg_serve
from .test_server_errors import assert_error_shape

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def guarded(built_settings, tmp_path_factory) -> Iterator[str]:
    """`kg serve` with tight limits, set by its command-line flags."""
    options = ["--query-workers", "1", "--max-waiting", "1", "--query-timeout", "3"]
    options += ["--max-result-mb", "0.01", "--max-body-kb", "4"]
    with start_kg_serve(built_settings.store, tmp_path_factory.mktemp("guarded"), *options) as url:
        yield url


# ------------------------------------------------------------------ outside access

OUTSIDE = {
    "service": "SELECT * WHERE { SERVICE <{c}/sparql> { ?s ?p ?o } }",
    "service silent": "SELECT * WHERE { SERVICE SILENT <{c}/sparql> { ?s ?p ?o } }",
    "service by prefix": "PREFIX c: <{c}/> SELECT * WHERE { SERVICE c:sparql { ?s ?p ?o } }",
    "service by base": "BASE <{c}/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "service to a variable": "SELECT * WHERE { BIND(<{c}/q> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "from": "SELECT * FROM <{c}/data.ttl> WHERE { ?s ?p ?o }",
    "from named": "SELECT * FROM NAMED <{c}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from by prefix": "PREFIX c: <{c}/> SELECT * FROM c:data.ttl WHERE { ?s ?p ?o }",
}


@pytest.mark.parametrize("name", list(OUTSIDE))
def test_queries_reaching_outside_are_refused_and_nothing_is_fetched(app_client, canary, name):
    query = OUTSIDE[name].replace("{c}", canary.url)
    response = app_client.get("/sparql", params={"query": query})
    message = assert_error_shape(response, 403, "query_refused", "refused")
    assert "allow-service" in message or "never loads data from elsewhere" in message
    assert canary.hits == []


def test_the_cloud_metadata_address_is_refused(app_client):
    query = "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data/> { ?s ?p ?o } }"
    response = app_client.get("/sparql", params={"query": query})
    assert_error_shape(response, 403, "query_refused", "169.254.169.254")


@pytest.mark.parametrize(
    "how",
    [
        {"params": {"update": "LOAD <{c}/data.ttl>"}},
        {"data": {"update": "LOAD <{c}/data.ttl>"}},
        {
            "content": "LOAD <{c}/data.ttl>",
            "headers": {"content-type": "application/sparql-update"},
        },
    ],
    ids=["get update=", "form update=", "sparql-update body"],
)
def test_load_is_refused_as_an_update(app_client, canary, how):
    request = json.loads(json.dumps(how).replace("{c}", canary.url))
    method = "GET" if "params" in request else "POST"
    response = app_client.request(method, "/sparql", **request)
    assert_error_shape(response, 403, "read_only", "read-only")
    assert canary.hits == []


def test_load_sent_as_a_query_is_refused_too(app_client, canary):
    response = app_client.get("/sparql", params={"query": f"LOAD <{canary.url}/data.ttl>"})
    assert_error_shape(response, 403, "read_only", "a LOAD operation")
    assert canary.hits == []


def test_from_a_graph_of_the_dataset_still_works(app_client):
    graphs = app_client.get(
        "/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } } LIMIT 1"}
    ).json()
    graph = graphs["results"]["bindings"][0]["g"]["value"]
    query = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    rows = app_client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) > 0


def test_an_allowed_host_is_reached_so_the_refusal_is_what_stops_the_others(
    built_settings, make_client, canary
):
    from kg.server.app import create_app

    client = make_client(create_app(built_settings, allowed_hosts=["127.0.0.1"]))
    query = OUTSIDE["service"].replace("{c}", canary.url)
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert rows == [{"s": {"type": "uri", "value": "urn:canary"}}]
    assert len(canary.hits) == 1, canary.hits
    assert "/sparql" in canary.hits[0]


# ------------------------------------------------------------------ headers

PAGES = [
    "/",
    "/query",
    "/lineage",
    "/timeline",
    "/ontology",
    "/id/model/sora",
    "/ask?q=who+introduced+DiT",
]
OTHERS = ["/static/site.css", "/sparql?query=ASK%7B%7D", "/api/questions", "/openapi.json"]


@pytest.mark.parametrize("path", [*PAGES, *OTHERS, "/no-such-page"])
def test_every_response_carries_the_security_headers(app_client, path):
    response = app_client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_the_policy_allows_only_our_own_scripts():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'", "no inline scripts, no eval, no CDN"
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_cors_preflights_carry_them_too(app_client):
    response = app_client.options(
        "/sparql",
        headers={"origin": "https://yasgui.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_no_inline_script(app_client, path):
    page = app_client.get(path).text
    inline = re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", page)
    assert inline == [], f"{path} has inline scripts the policy would block"


# ------------------------------------------------------------------ limits


def test_a_body_over_the_limit_is_413(guarded):
    query = "ASK {} #" + "x" * 8000
    response = httpx.post(
        guarded + "/sparql", content=query, headers={"content-type": "application/sparql-query"}
    )
    assert_error_shape(response, 413, "request_too_large", "4,096 bytes")


def test_a_streamed_body_is_cut_off_at_the_limit(guarded):
    def chunks() -> Iterator[bytes]:
        yield b"ASK {} #"
        for _ in range(100):
            yield b"x" * 1000

    response = httpx.post(
        guarded + "/sparql", content=chunks(), headers={"content-type": "application/sparql-query"}
    )
    assert "content-length" not in response.request.headers, "sent chunked"
    assert_error_shape(response, 413, "request_too_large", "4,096 bytes")


def test_a_body_under_the_limit_is_answered(guarded):
    query = "ASK { ?s ?p ?o } #" + "x" * 3000
    response = httpx.post(
        guarded + "/sparql", content=query, headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_a_result_over_the_cap_says_how_to_page(guarded):
    response = httpx.get(guarded + "/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert_error_shape(response, 422, "too_large", "larger than 0.01 MB", "LIMIT", "OFFSET")


def test_past_the_workers_and_the_queue_is_429_and_the_rest_time_out(guarded):
    def run(_: int) -> httpx.Response:
        return httpx.get(guarded + "/sparql", params={"query": ENDLESS}, timeout=60)

    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(run, range(4)))
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) == {429, 503}, statuses
    busy = next(r for r in responses if r.status_code == 429)
    assert busy.headers["retry-after"]
    assert_error_shape(busy, 429, "busy")
    timed_out = next(r for r in responses if r.status_code == 503)
    assert_error_shape(timed_out, 503, "timeout", "3 s")
    after = httpx.get(guarded + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert after.json()["boolean"] is True, "the worker was replaced"


def test_pages_answer_while_a_query_runs(guarded):
    """The event loop stays free: a page is served while the only worker is busy."""
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(httpx.get, guarded + "/sparql", params={"query": ENDLESS}, timeout=60)
        time.sleep(0.5)  # time to reach the worker; the 3 s limit is far away
        page = httpx.get(guarded + "/api/questions", timeout=60)
        assert page.status_code == 200
        assert not slow.done(), "the page came back while the query was still running"
        assert slow.result().status_code == 503
