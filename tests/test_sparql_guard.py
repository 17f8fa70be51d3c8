"""kg's SERVICE / FROM guard reads queries as pyoxigraph does: named bypasses and a differential.

Every query here that reaches outside is first run on raw pyoxigraph (an in-memory store,
evaluated and iterated) against a canary HTTP server on loopback that records each request:
that proves the case is real. Then kg's guard must refuse it, and the endpoint must leave the
canary untouched. FROM is observed without a network: a store holds a marker quad in a graph,
and a query selecting that graph with FROM sees it only if pyoxigraph read the FROM.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pyoxigraph as ox
import pytest

from kg.errors import QueryRefusedError
from kg.namespaces import PREFIXES
from kg.safety import _parses, check_outside_access
from kg.sparql_text import tokens

from .test_server_errors import assert_error_shape
from .test_server_guards import _Canary

#: Queries that reached the canary through `kg serve` before kg read SPARQL as Oxigraph does.
#: ``{c}`` is the canary's URL.
BYPASSES = {
    # issue 13: the lexer ended a # comment only at LF; Oxigraph also ends it at CR
    "comment ended by CR": "SELECT ?s WHERE { # x\r SERVICE <{c}/cr> { ?s ?y ?z } \n}",
    # issue 13: Python's \s matched U+00A0, so this was no IRI to the lexer; it is to Oxigraph
    "no-break space in an IRI": (
        "SELECT ?s WHERE { BIND(<http://a/\u00a0#> AS ?u) SERVICE <{c}/nbsp> { ?s ?y ?z } \n}"
    ),
    # found while reading Oxigraph's parser: keywords need no space around them
    "SERVICE glued to a prefixed name": (
        "PREFIX : <{c}/> SELECT ?s WHERE { SERVICE:pn { ?s ?y ?z } }"
    ),
    "SERVICE glued to true": "SELECT ?s WHERE { ?a ?b trueSERVICE<{c}/true>{ ?s ?y ?z } }",
    # `<` is an IRI to a lexer, less-than to the parser: the string then hides the SERVICE
    "less-than read as an IRI": (
        "SELECT ?s WHERE { BIND(1 AS ?a) FILTER(?a<'>' || true) SERVICE <{c}/lt> { ?s ?y ?z } } #'"
    ),
}

#: FROM hidden the same ways; {g} is a graph outside the dataset.
FROM_BYPASSES = {
    "comment ended by CR": "SELECT * # x\r FROM <{g}> \n WHERE { ?s ?p ?o }",
    "no-break space in an IRI": "DESCRIBE <http://a/\u00a0#> ?s FROM <{g}> WHERE { ?s ?p ?o }",
    "FROM glued to ASK": "ASKFROM<{g}>{ ?s ?p ?o }",
    "FROM glued to a prefixed name": "PREFIX : <{g}> SELECT * FROM:{ ?s ?p ?o }",
}

MARKER_GRAPH = "http://127.0.0.1:1/marker-graph"


@pytest.fixture
def canary() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    server.hits = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def marked() -> ox.Store:
    """A store whose only quad sits in MARKER_GRAPH, plus one default-graph triple."""
    store = ox.Store()
    node = ox.NamedNode("urn:marker")
    store.add(ox.Quad(node, node, node, ox.NamedNode(MARKER_GRAPH)))
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal(True)))
    return store


def run_raw(store: ox.Store, query: str) -> list | bool | None:
    """What raw pyoxigraph answers, fully iterated; None when it refuses the query."""
    try:
        outcome = store.query(query, prefixes=PREFIXES)
        return bool(outcome) if isinstance(outcome, ox.QueryBoolean) else list(outcome)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        return None


def sees_marker(store: ox.Store, query: str) -> bool:
    """Whether pyoxigraph's answer shows the marker graph's quad (so it read FROM <marker>)."""
    answer = run_raw(store, query)
    return answer is True or "urn:marker" in str(answer)


# ------------------------------------------------------------------ named cases


@pytest.mark.parametrize("name", list(BYPASSES))
def test_each_named_bypass_reaches_the_canary_on_raw_pyoxigraph(marked, canary, name):
    run_raw(marked, BYPASSES[name].replace("{c}", canary.url))
    assert canary.hits, "the case no longer reaches outside on pyoxigraph: update it"


@pytest.mark.parametrize("name", list(BYPASSES))
def test_the_guard_refuses_each_named_bypass(name):
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        check_outside_access(BYPASSES[name].replace("{c}", "http://127.0.0.1:9"))


@pytest.mark.parametrize("name", list(BYPASSES))
def test_the_endpoint_refuses_each_named_bypass_and_the_canary_hears_nothing(
    app_client, canary, name
):
    query = BYPASSES[name].replace("{c}", canary.url)
    response = app_client.get("/sparql", params={"query": query})
    assert_error_shape(response, 403, "query_refused", "SERVICE")
    assert canary.hits == []


@pytest.mark.parametrize("name", list(FROM_BYPASSES))
def test_hidden_from_is_read_by_pyoxigraph_and_refused_by_the_guard(marked, name):
    query = FROM_BYPASSES[name].replace("{g}", MARKER_GRAPH)
    assert sees_marker(marked, query), "pyoxigraph no longer reads this FROM: update the case"
    with pytest.raises(QueryRefusedError, match="FROM"):
        check_outside_access(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service ?from WHERE { ?service <http://x/from> ?from } # SERVICE <http://x/>",
        "PREFIX ex: <http://e/> SELECT * { ?s ex:from ?o ; ex:service 'FROM <http://x/>' }",
        'SELECT * { ?s ?p """SERVICE <http://x/> { }""" FILTER(?p < 3) }',
        "SELECT * { BIND(<http://x/#service> AS ?x) BIND('from' AS ?y) }",
    ],
)
def test_the_words_in_strings_names_and_comments_are_not_refused(query):
    check_outside_access(query)


def test_the_engine_check_parses_without_running(canary):
    query = f"ASK {{ SERVICE <{canary.url}/parse-only> {{ ?s ?p ?o }} }}"
    assert _parses(query)
    assert not _parses(query.replace("SERVICE", "SERVxCE"))
    assert canary.hits == []


# ------------------------------------------------------------------ the lexer's terminals


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("# c\rASK", ["comment", "word"]),  # a comment ends at CR as at LF
        ("<http://a/\u00a0#>", ["iri"]),  # U+00A0 is allowed in IRIREF
        ("<a/ #>", ["other", "word", "other", "comment"]),  # a space is not
        ("?a\u00a0?b", ["var", "other", "var"]),  # U+00A0 is not white space
        ("'''a''b'''", ["string"]),
        ('"a\\"b"', ["string"]),
        ("'a\nb'", ["other", "word", "word", "other"]),  # short strings stop at line ends
        ("<a\\u0020b>", ["iri"]),  # Oxigraph takes \u escapes in IRIs
        ("ex:a\\.b%20", ["word"]),
        ("_:b1 @en-GB 1.5e3", ["bnode", "langtag", "number"]),
    ],
)
def test_the_lexer_follows_the_grammar(text, kinds):
    assert [t.kind for t in tokens(text, comments=True)] == kinds
