"""kg's SERVICE / FROM guard reads queries as pyoxigraph does: named bypasses and a differential.

Every query here that reaches outside is first run on raw pyoxigraph (an in-memory store,
evaluated and iterated) against a canary HTTP server on loopback that records each request:
that proves the case is real. Then kg's guard must refuse it, and the endpoint must leave the
canary untouched. FROM is observed without a network: a store holds a marker quad in a graph,
and a query selecting that graph with FROM sees it only if pyoxigraph read the FROM.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from kg.errors import QueryRefusedError, QuerySyntaxError
from kg.namespaces import PREFIXES
from kg.safety import _parses, check_nesting, check_outside_access
from kg.sparql_text import tokens

from .test_server_errors import assert_error_shape

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
    # The workers' sandbox refuses a SERVICE the guard missed with a 403 too: its words must not
    # be the ones that answer.
    message = assert_error_shape(response, 403, "query_refused", "SERVICE")
    assert "the query workers have no network" not in message
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


# ------------------------------------------------------------------ the differential test

#: Generated queries per property; ``KG_FUZZ_EXAMPLES`` raises it for longer runs.
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Every Unicode space that is not SPARQL white space, and the line ends that are.
UNICODE_SPACES = [
    "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
    *(chr(c) for c in range(0x2000, 0x200B)),
    "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff",
]  # fmt: skip
LINE_ENDS = ["\n", "\r", "\r\n"]
#: Characters that end or open something for one reader and not the other.
TRICKY = ["'", '"', "<", ">", "#", "\\", "{", "}", "(", ")", "'''", '"""', "?", ":", "@"]
ESCAPES = [
    "\\n",
    "\\r",
    "\\t",
    "\\'",
    '\\"',
    "\\\\",
    "\\u0027",
    "\\u0022",
    "\\u003E",
    "\\U0001F600",
]
ALPHABET = ["a", "Z", "0", " ", "service", "from", *UNICODE_SPACES, *LINE_ENDS, *TRICKY]


def _text(extra: list[str], max_size: int = 6) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(ALPHABET + extra), max_size=max_size).map("".join)


#: What SPARQL allows between tokens (a comment one time in four), and one time in twenty a
#: Unicode space it does not allow there (they are common inside strings, IRIs and comments).
glue = st.integers(0, 19).flatmap(
    lambda n: (
        st.sampled_from(UNICODE_SPACES)
        if n == 0
        else st.builds(lambda t, end: "#" + t + end, _text([]), st.sampled_from(LINE_ENDS))
        if n < 6
        else st.sampled_from([" ", "", "\t", *LINE_ENDS])
    )
)
strings = st.builds(
    lambda quote, body: quote + body + quote,
    st.sampled_from(["'", '"', "'''", '"""']),
    _text(ESCAPES),
)
#: IRIs with '#', escapes and code points IRIs allow (and a few they do not).
IRI_PARTS = ["a", "#", "%20", "\\u0041", "\\u00A0", "service", "from", "'", "(", ")"]
IRI_PARTS += ["\u00e9", "\U0001f600", "\u00a0", "\u2028", "\u3000", "\ufeff"]
iris = st.builds(
    lambda body: "<http://a/" + body + ">",
    st.lists(st.sampled_from(IRI_PARTS), max_size=6).map("".join) | _text(["#"]),
)
terms = st.one_of(
    strings,
    iris,
    st.sampled_from(["1", "1.5e3", "true", "ex:a", "ex:service", "?a", "'x'@en", "_:b"]),
)
expressions = st.one_of(
    terms,
    st.builds(
        lambda a, op, b: f"{a}{op}{b}", terms, st.sampled_from(["<", " < ", "<=", "="]), terms
    ),
)


def _element(service: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One part of a WHERE group: noise around, or a place for, the SERVICE."""
    return st.one_of(
        st.builds("BIND({} AS ?v{})".format, expressions, st.integers(0, 3)),
        st.builds("FILTER({} || true)".format, expressions),
        st.builds("VALUES ?w {{ {} }}".format, terms),
        st.builds("OPTIONAL {{ BIND({} AS ?o) }}".format, terms),
        st.builds("{{ SELECT * WHERE {{ {} }} }}".format, service),
        st.builds("FILTER EXISTS {{ {} }}".format, service),
        st.builds("OPTIONAL {{ {} }}".format, service),
        _text([], 3),
        st.just("?a ?b true"),
        service,
    )


def _join(parts: list[str], separators: list[str]) -> str:
    return "".join(p + s for p, s in zip(parts, separators + [""] * len(parts), strict=False))


@st.composite
def service_queries(draw: st.DrawFn, canary: str) -> str:
    """A query with SERVICEs to the canary, spelled and hidden in many ways."""
    target = draw(
        st.sampled_from(
            [f"<{canary}/iri>", "c:pname", "<rel>", "?svc", f"<{canary}/\\u0065sc>", ":dflt"]
        )
    )
    keyword = draw(st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT"]))
    service = st.builds(lambda g1, g2: f"{keyword}{g1}{target}{g2}{{ ?c ?y ?z }}", glue, glue)
    parts = draw(st.lists(_element(service), min_size=1, max_size=5))
    if not any(keyword in p for p in parts):
        parts.append(draw(service))
    body = _join(parts, draw(st.lists(glue, min_size=len(parts), max_size=len(parts))))
    prologue = draw(st.sampled_from(["", f"BASE <{canary}/>"]))
    prologue += f" PREFIX ex: <http://e/> PREFIX c: <{canary}/> PREFIX : <{canary}/>" + draw(glue)
    form = draw(st.sampled_from(["SELECT * WHERE", "SELECT ?c", "ASK", "SELECT*"]))
    return f"{prologue}{form}{draw(glue)}{{ BIND(1 AS ?one){draw(glue)}{body} }}{draw(glue)}"


@st.composite
def from_queries(draw: st.DrawFn) -> str:
    """A query with a FROM to the marker graph after noise a lexer may misread."""
    target = draw(st.sampled_from([f"<{MARKER_GRAPH}>", "m:", "<marker-graph>", "m:\\-"]))
    keyword = draw(st.sampled_from(["FROM", "from", "FrOm"]))
    noise = draw(st.lists(expressions, max_size=3))
    projection = "".join(f"({e}{draw(glue)}AS ?e{i})" for i, e in enumerate(noise)) or "*"
    form = draw(
        st.sampled_from(
            ["SELECT {p}", "SELECT {p}", "ASK", "DESCRIBE ?s", "CONSTRUCT {{ ?s ?p ?o }}"]
        )
    ).format(p=projection)
    prologue = draw(st.sampled_from(["", "BASE <http://127.0.0.1:1/>"]))
    prologue += f" PREFIX ex: <http://e/> PREFIX m: <{MARKER_GRAPH}>" + draw(glue)
    gaps = [draw(glue) for _ in range(4)]
    return f"{prologue}{form}{gaps[0]}{keyword}{gaps[1]}{target}{gaps[2]}{{ ?s ?p ?o }}{gaps[3]}"


def _refused(query: str) -> bool:
    try:
        check_outside_access(query)
    except (QueryRefusedError, QuerySyntaxError):
        return True
    return False


def test_every_service_pyoxigraph_sends_is_refused_and_kg_serve_sends_none(
    marked, canary, live_server
):
    seen = Counter()
    http = httpx.Client(timeout=60)

    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        query = data.draw(service_queries(canary.url))
        before = len(canary.hits)
        run_raw(marked, query)
        if len(canary.hits) == before:
            seen["not reached"] += 1
            return
        seen["reached"] += 1
        assert _refused(query), f"pyoxigraph reached the canary, kg's guard let it: {query!r}"
        reached = len(canary.hits)
        response = http.get(live_server + "/sparql", params={"query": query})
        assert 400 <= response.status_code < 500, (query, response.text)
        assert len(canary.hits) == reached, f"kg serve reached the canary: {query!r}"

    check()
    http.close()
    assert seen["reached"] >= EXAMPLES // 20, f"too few generated queries reach out: {seen}"


def test_every_from_pyoxigraph_reads_is_refused_unless_in_the_dataset(marked):
    seen = Counter()

    @FUZZ
    @given(from_queries())
    def check(query: str) -> None:
        if not sees_marker(marked, query):
            seen["not read"] += 1
            return
        seen["read"] += 1
        assert _refused(query), f"pyoxigraph read FROM <marker>, kg's guard let it: {query!r}"

    check()
    assert seen["read"] >= EXAMPLES // 20, f"too few generated queries use their FROM: {seen}"


# ------------------------------------------------------------------ crashes: depth and bytes

DEEP = "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000


def test_kg_query_refuses_deep_nesting_instead_of_crashing(built_settings, tmp_path):
    """pyoxigraph's parser recurses per level: 10,000 braces was a segmentation fault."""
    deep = tmp_path / "deep.rq"
    deep.write_text(DEEP)
    command = [sys.executable, "-m", "kg", "--store", built_settings.store, "query", str(deep)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert "nests deeper than 100 levels" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "query",
    [DEEP, "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"],
    ids=["braces", "parentheses"],
)
def test_sparql_answers_400_to_deep_nesting(app_client, query):
    response = app_client.post("/sparql", data={"query": query})
    assert_error_shape(response, 400, "query_syntax", "nests deeper than 100 levels")


def test_nesting_a_real_query_needs_is_fine(app_client):
    query = "ASK " + "{ " * 50 + "?s ?p ?o" + " }" * 50
    response = app_client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


def test_a_string_cannot_hide_depth():
    """Brackets in strings never lower the count, so a misread string cannot hide depth."""
    with pytest.raises(QuerySyntaxError, match="nests deeper"):
        check_nesting("SELECT * { FILTER(?a<'>" + "}" * 200 + "') " + "{" * 150 + "}" * 150 + "}")
    with pytest.raises(QuerySyntaxError, match="opening brackets"):
        check_nesting("SELECT * {" + " FILTER('(())')" * 400 + "}")


def test_kg_query_names_a_file_that_is_not_utf8(tmp_path):
    garbage = tmp_path / "garbage.rq"
    garbage.write_bytes(b"SELECT * { ?s ?p '\xff\xfe\x80' }")
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "store"), "query", str(garbage)])
    assert result.exit_code == 1, result.output
    assert f"Error: {garbage} is not UTF-8 text (byte 18 is 0xff)" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
