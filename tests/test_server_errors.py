"""Every error source of the web app, through one helper that asserts the error shape.

/sparql answers in plain text (what SPARQL clients show), /api/... in one JSON shape, pages in
error.html; the status and the message are the same whichever form is used.
"""

from __future__ import annotations

import html
import re

import httpx
import pyoxigraph as ox
import pytest

from kg.executor import Limits
from kg.namespaces import PREFIXES
from kg.server.errors import status_of

DIT = "https://w3id.org/genvid-kg/id/architecture/dit"
SPARQL_JSON = "application/sparql-results+json"


def assert_error_shape(response: httpx.Response, status: int, kind: str, *contains: str) -> str:
    """Assert the status and the body's form and type; return the message for more checks.

    JSON: ``{"error": {"type", "message", ...}}``; plain text: the message; HTML: error.html
    with ``data-error-type``. Never a traceback, never an internal wrapper's text.
    """
    assert response.status_code == status, response.text
    media = response.headers["content-type"].split(";")[0]
    if media == "application/json":
        body = response.json()
        assert set(body) == {"error"}, body
        assert body["error"]["type"] == kind, body
        message = body["error"]["message"]
    elif media == "text/plain":
        message = response.text.strip()
    else:
        assert media == "text/html", media
        assert f'data-error-type="{kind}"' in response.text
        assert f'data-status="{status}"' in response.text
        found = re.search(r'<p class="error-message">(.*?)</p>', response.text, re.S)
        assert found, response.text
        message = html.unescape(found[1])
    assert message, "an error must say what went wrong"
    assert "Traceback" not in message
    assert "Internal Server Error" not in message
    for part in contains:
        assert part in message, f"{part!r} not in {message!r}"
    return message


def test_malformed_query_is_400_with_line_and_column(app_client):
    response = app_client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p\n}"})
    message = assert_error_shape(response, 400, "query_syntax", "SPARQL syntax error: line 3")
    assert re.search(r"line 3, column \d+: expected", message)


def test_malformed_query_posted_directly_is_400_too(app_client):
    response = app_client.post(
        "/sparql",
        content="SELECT ?x WHERE { ?x a kg:Model ",
        headers={"content-type": "application/sparql-query"},
    )
    assert_error_shape(response, 400, "query_syntax", "line 1, column")


def test_unknown_prefix_is_a_syntax_error_not_a_500(app_client):
    response = app_client.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:p ?o }"})
    assert_error_shape(response, 400, "query_syntax", "line 1, column", "Prefix not found")


@pytest.mark.parametrize(
    ("request_kwargs", "what"),
    [
        ({"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, "update= parameter"),
        (
            {
                "content": "DELETE WHERE { ?s ?p ?o }",
                "headers": {"content-type": "application/sparql-update"},
            },
            "application/sparql-update",
        ),
        ({"data": {"query": "DROP ALL"}}, "DROP operation"),
        ({"data": {"query": "PREFIX ex: <urn:x#> INSERT DATA { ex:a ex:b ex:c }"}}, "INSERT"),
    ],
)
def test_updates_are_refused_as_read_only(app_client, request_kwargs, what):
    response = app_client.post("/sparql", **request_kwargs)
    assert_error_shape(response, 403, "read_only", "read-only", what)
    still = app_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert still.json()["boolean"] is True


def test_update_in_a_get_query_is_refused(app_client):
    response = app_client.get("/sparql", params={"query": "CLEAR ALL"})
    assert_error_shape(response, 403, "read_only", "CLEAR")


def test_unknown_format_is_406_naming_the_accepted_ones(app_client):
    response = app_client.get(
        "/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1", "format": "yaml"}
    )
    assert_error_shape(response, 406, "not_acceptable", "'yaml'", "json", "csv", "tsv", "turtle")


def test_format_that_cannot_express_the_form_is_406(app_client):
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    response = app_client.get("/sparql", params={"query": construct, "format": "csv"})
    assert_error_shape(response, 406, "not_acceptable", "CONSTRUCT", "text/turtle")
    select = "SELECT * { ?s ?p ?o } LIMIT 1"
    response = app_client.get("/sparql", params={"query": select, "format": "turtle"})
    assert_error_shape(response, 406, "not_acceptable", "SELECT", SPARQL_JSON)


def test_unsatisfiable_accept_header_is_406(app_client):
    response = app_client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"},
        headers={"accept": "image/png"},
    )
    assert_error_shape(response, 406, "not_acceptable", "image/png", SPARQL_JSON, "text/csv")


def test_post_in_another_media_type_is_415(app_client):
    response = app_client.post(
        "/sparql", content=b"{}", headers={"content-type": "application/json"}
    )
    assert_error_shape(
        response, 415, "unsupported_media_type", "application/sparql-query", "query="
    )


def test_protocol_dataset_parameters_are_refused_with_the_way_out(app_client):
    response = app_client.get(
        "/sparql",
        params={"query": "SELECT * { ?s ?p ?o } LIMIT 1", "default-graph-uri": "urn:g"},
    )
    assert_error_shape(response, 400, "bad_parameter", "default-graph-uri", "FROM")


def test_service_to_another_host_is_refused(app_client):
    query = "SELECT * WHERE { SERVICE <http://169.254.169.254/latest> { ?s ?p ?o } }"
    response = app_client.get("/sparql", params={"query": query})
    assert_error_shape(response, 403, "query_refused", "169.254.169.254", "--allow-service")


def test_errors_of_the_public_endpoint_carry_cors_headers(app_client):
    response = app_client.get(
        "/sparql", params={"query": "SELECT"}, headers={"origin": "https://yasgui.example"}
    )
    assert_error_shape(response, 400, "query_syntax")
    assert response.headers["access-control-allow-origin"] == "*"


def test_unknown_entity_page_is_404_with_did_you_mean_links(app_client):
    response = app_client.get("/id/model/sorra", headers={"accept": "text/html"})
    assert_error_shape(response, 404, "unknown_entity", "no model named 'sorra'", "Sora")
    assert '<a href="/id/model/sora">Sora (model)</a>' in response.text


def test_unknown_entity_as_json_lists_suggestions(app_client):
    response = app_client.get("/id/architecture/ditt", headers={"accept": "application/json"})
    assert_error_shape(response, 404, "unknown_entity", "'ditt'")
    suggestions = response.json()["error"]["suggestions"]
    assert {"label": "DiT (architecture)", "url": "/id/architecture/dit"} in suggestions


def test_unknown_entity_for_an_rdf_client_is_404_text(app_client):
    response = app_client.get("/id/org/openaii", headers={"accept": "text/turtle"})
    assert_error_shape(response, 404, "unknown_entity", "OpenAI")


def test_unknown_kind_is_404(app_client):
    response = app_client.get("/id/spaceship/sora", headers={"accept": "text/html"})
    assert_error_shape(response, 404, "unknown_entity", "no entity named 'spaceship/sora'", "Sora")


@pytest.mark.parametrize("slug", ["a%20b", "Sora", "sora%3E", "%E5%8F%AF%E7%81%B5"])
def test_a_slug_no_entity_can_have_is_404_not_500(app_client, slug):
    response = app_client.get(f"/id/model/{slug}", headers={"accept": "application/json"})
    assert_error_shape(response, 404, "unknown_entity", "no model named")


def test_neighbours_of_a_non_iri_is_400(app_client):
    response = app_client.get("/api/lineage/neighbours", params={"iri": "not an iri"})
    assert_error_shape(response, 400, "bad_parameter", "'not an iri' is not an IRI")


def test_unknown_page_is_404(app_client):
    response = app_client.get("/no/such/page", headers={"accept": "text/html"})
    assert_error_shape(response, 404, "not_found", "/no/such/page")


def test_unknown_question_in_the_api_lists_the_known_ones(app_client):
    response = app_client.get("/api/ask", params={"q": "what is the meaning of life"})
    assert_error_shape(response, 404, "not_found", "which models use DiT")


def test_unknown_name_in_a_question_suggests_close_names(app_client):
    response = app_client.get("/api/ask", params={"q": "which models use DiTT"})
    assert_error_shape(response, 404, "unknown_entity", "DiT")
    assert response.json()["error"]["suggestions"][0]["label"] == "DiT"


def test_bad_date_in_a_question_names_the_accepted_forms(app_client):
    response = app_client.get(
        "/api/ask",
        params={"q": "leaderboard Artificial Analysis text-to-video as of 2025-13"},
    )
    assert_error_shape(response, 400, "bad_parameter", "YYYY, YYYY-MM or YYYY-MM-DD")


def test_missing_api_parameter_is_400_in_the_same_shape(app_client):
    assert_error_shape(app_client.get("/api/search"), 400, "bad_parameter", "q")


def test_answer_page_of_an_unknown_question_is_an_html_404(app_client):
    response = app_client.get("/ask", params={"q": "why"}, headers={"accept": "text/html"})
    assert_error_shape(response, 404, "not_found", "Questions I know")


def test_lineage_with_unknown_focus_says_did_you_mean(app_client):
    response = app_client.get(
        "/lineage", params={"focus": "Soraa"}, headers={"accept": "text/html"}
    )
    assert_error_shape(response, 404, "unknown_entity", "Sora")


def test_lineage_with_a_bad_since_names_the_format(app_client):
    response = app_client.get(
        "/lineage", params={"since": "2025-13"}, headers={"accept": "text/html"}
    )
    assert_error_shape(response, 400, "bad_parameter", "YYYY-MM")


def test_timeline_with_a_bad_date_names_the_accepted_forms(app_client):
    response = app_client.get(
        "/timeline", params={"from": "2025-13"}, headers={"accept": "text/html"}
    )
    assert_error_shape(response, 400, "bad_parameter", "'2025-13'", "YYYY, YYYY-MM or YYYY-MM-DD")


def test_timeline_with_an_unknown_vendor_says_did_you_mean(app_client):
    response = app_client.get(
        "/timeline", params={"vendor": "Kuaishu"}, headers={"accept": "application/json"}
    )
    assert_error_shape(response, 404, "unknown_entity", "Kuaishou")


def test_neighbours_of_something_outside_the_lineage_is_404(app_client):
    response = app_client.get("/api/lineage/neighbours", params={"iri": "urn:nothing"})
    assert_error_shape(response, 404, "not_found", "urn:nothing")


def test_unknown_vendor_asset_is_404(app_client):
    response = app_client.get("/static/vendor/jquery.js", headers={"accept": "application/json"})
    assert_error_shape(response, 404, "not_found", "vis-network.min.js")


def test_status_table_puts_syntax_before_everything():
    from kg.errors import KgError, NotFoundError, QueryTimeoutError, UnknownEntityError

    assert status_of(UnknownEntityError("model", "x", [])) == (404, "unknown_entity")
    assert status_of(NotFoundError("x")) == (404, "not_found")
    assert status_of(QueryTimeoutError("x")) == (503, "timeout")
    assert status_of(KgError("x")) == (500, "error")


def test_query_past_the_time_limit_is_stopped_with_503(built_settings, make_client):
    from kg.server.app import create_app

    # Not shorter: the time limit also covers a replacement worker's start (about a second).
    app = create_app(built_settings, limits=Limits(timeout=2.5, workers=1))
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    client = make_client(app)
    response = client.get("/sparql", params={"query": endless})
    assert_error_shape(response, 503, "timeout", "longer than 2.5 s", "LIMIT")
    after = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert after.json()["boolean"] is True


def test_unsupported_extension_function_is_400_naming_it(app_client):
    # pyoxigraph raises RuntimeError("The custom function <...> is not supported"): was a 500.
    query = "SELECT (<http://example/function>(?x) AS ?F) {}"
    response = app_client.get("/sparql", params={"query": query})
    assert_error_shape(response, 400, "query_syntax", "unsupported function <http://example/")


def test_first_line_errors_count_columns_in_the_query_sent(app_client):
    # The endpoint puts a BASE declaration before the query, on its first line.
    query = "SELECT ?x WHERE { ?x a kg:Model "
    with pytest.raises(SyntaxError) as raw:
        ox.Store().query(query, prefixes=PREFIXES)
    line_column = re.search(r"error at (\d+):(\d+)", str(raw.value))
    assert line_column
    response = app_client.get("/sparql", params={"query": query})
    assert_error_shape(response, 400, "query_syntax", f"line 1, column {line_column[2]}:")
