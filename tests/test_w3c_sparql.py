"""The W3C SPARQL 1.1 tests through what a user does: `kg import` + `kg serve` + `/sparql`, and
`kg query`, answer by answer the same as raw pyoxigraph on the same files.

The suite is vendored from w3c/rdf-tests (commit ad541a5f0479f0798608c4801369d97b8e08b36f,
``sparql/sparql11``, licence in ``tests/data/w3c-rdf-tests/LICENSE.md``): the query-evaluation
tests whose data is one default graph (or none) of aggregates, bind, bindings, cast, construct,
exists, functions, grouping, negation, project-expression, property-path, subquery, json-res and
csv-tsv-res (219), and every syntax test of those manifests (63 positive, 40 negative).

One `kg import` loads every data file (copied under a unique name, each its own graph) and one
`kg serve` answers the whole suite. A query's only change is ``FROM <its file's graph>`` before
its WHERE clause; ``test_scoping_alone_changes_nothing`` shows that this rewrite gives raw
pyoxigraph the same answers, so any difference left is kg's. Raw pyoxigraph loads the same file
into a fresh store's default graph and runs the query as written. Answers compare as sets of
canonicalized quads: each row is a blank node, so row counts and blank nodes compare up to
renaming, and under ORDER BY their sequence too (unless rows hold blank nodes).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build.imports import graph_for
from kg.cli import cli
from kg.sparql_text import tokens
from kg.store import IMPORT_GRAPH_PREFIX

from .conftest import start_kg_serve

SUITE = Path(__file__).parent / "data" / "w3c-rdf-tests" / "sparql" / "sparql11"
_MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
_QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_EVALUATION = {"QueryEvaluationTest", "CSVResultFormatTest"}
#: A graph no test data goes into: the dataset of the tests without data.
_EMPTY_GRAPH = IMPORT_GRAPH_PREFIX + "w3c-no-data"
#: Positive syntax tests /sparql refuses on purpose, each by a documented rule (README).
REFUSED = {
    "syntax-query/test_4": (400, "unsupported function <http://example/function>"),
    "syntax-query/test_42": (403, "FROM <file> is refused"),
}
#: Evaluation tests raw pyoxigraph itself fails (cannot run), by name with the reason: none.
EXCEPTED: dict[str, str] = {}
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Case:
    """One W3C test: its id (directory/name), kind, query file and data file (if any)."""

    id: str
    kind: str
    query: Path
    data: Path | None = None

    @property
    def copy_name(self) -> str:
        """The data file's name in the import: unique across directories."""
        assert self.data is not None
        return f"{self.data.parent.name}-{self.data.name}"


def _path(term: ox.NamedNode) -> Path:
    return Path(term.value.removeprefix("file://"))


def _objects(store: ox.Store, subject, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _members(store: ox.Store, head) -> Iterator:
    while head != ox.NamedNode(_RDF + "nil"):
        yield _objects(store, head, _RDF + "first")[0]
        head = _objects(store, head, _RDF + "rest")[0]


def _cases() -> list[Case]:
    """The tests the manifests list (mf:entries), with one data file or none, no named graphs."""
    cases = []
    for manifest in sorted(SUITE.glob("*/manifest.ttl")):
        store = ox.Store()
        store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())
        for entries in _objects(store, ox.NamedNode(manifest.as_uri()), _MF + "entries"):
            for test in _members(store, entries):
                kind = _objects(store, test, _RDF + "type")[0].value.split("#")[1]
                name = f"{manifest.parent.name}/{test.value.split('#')[1]}"
                action = _objects(store, test, _MF + "action")[0]
                if kind.endswith("SyntaxTest11"):
                    cases.append(Case(name, kind, _path(action)))
                    continue
                data = _objects(store, action, _QT + "data")
                named = _objects(store, action, _QT + "graphData")
                if kind in _EVALUATION and len(data) <= 1 and not named:
                    query = _path(_objects(store, action, _QT + "query")[0])
                    cases.append(Case(name, kind, query, _path(data[0]) if data else None))
    return cases


CASES = _cases()
EVALUATIONS = [c for c in CASES if c.kind in _EVALUATION]
POSITIVE = [c for c in CASES if c.kind == "PositiveSyntaxTest11"]
NEGATIVE = [c for c in CASES if c.kind == "NegativeSyntaxTest11"]


def test_the_suite_is_what_the_docstring_says():
    assert (len(EVALUATIONS), len(POSITIVE), len(NEGATIVE)) == (219, 63, 40)


def with_dataset(text: str, graph: str) -> str:
    """The query with ``FROM <graph>`` before its WHERE clause, so ``graph`` is its default graph.

    >>> with_dataset("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "http://g")
    'CONSTRUCT { ?s ?p ?o } FROM <http://g> WHERE { ?s ?p ?o }'
    >>> with_dataset("SELECT (EXISTS { ?s ?p ?o } AS ?x) { }", "http://g")
    'SELECT (EXISTS { ?s ?p ?o } AS ?x) FROM <http://g> { }'
    """
    stream = list(tokens(text))
    start = next(
        i
        for i, t in enumerate(stream)
        if t.kind == "word" and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    )
    index = start + 1
    if stream[start].text.upper() == "CONSTRUCT" and stream[index].text == "{":
        index = _after_group(stream, index)
    depth = 0
    for token in stream[index:]:
        depth += {"(": 1, ")": -1}.get(token.text, 0)
        if depth == 0 and (token.text == "{" or token.text.upper() == "WHERE"):
            return f"{text[: token.start]}FROM <{graph}> {text[token.start :]}"
    return f"{text} FROM <{graph}>"


def _after_group(stream, index: int) -> int:
    depth = 0
    for position in range(index, len(stream)):
        depth += {"{": 1, "}": -1}.get(stream[position].text, 0)
        if depth == 0:
            return position + 1
    raise ValueError("unbalanced braces")


def _graph(case: Case) -> str:
    return graph_for(Path(case.copy_name)) if case.data else _EMPTY_GRAPH


def _load(copies: Path, case: Case, graph: ox.NamedNode | None = None) -> ox.Store:
    """A fresh raw pyoxigraph store holding the test's data file (the copy kg imported, so
    that relative IRIs resolve against the same file:// URL), in ``graph`` or the default."""
    store = ox.Store()
    if case.data:
        copy = copies / case.copy_name
        fmt = ox.RdfFormat.from_extension(case.data.suffix[1:])
        store.load(path=str(copy), format=fmt, base_iri=copy.resolve().as_uri(), to_graph=graph)
    return store


def canonical(outcome, ordered: bool = False) -> tuple:
    """An answer as comparable data: rows (or triples) as canonicalized quads, up to renaming
    of blank nodes; a row is a blank node, so duplicate rows stay distinct. ``ordered`` adds
    the sequence of rows (for ORDER BY) when they hold no blank nodes."""
    if isinstance(outcome, ox.QueryBoolean):
        return ("boolean", bool(outcome))
    dataset = ox.Dataset()
    sequence: list[tuple] | None = [] if ordered else None
    if isinstance(outcome, ox.QuerySolutions):
        head: tuple = ("solutions", tuple(v.value for v in outcome.variables))
        for solution in outcome:
            row = ox.BlankNode()
            dataset.add(ox.Quad(row, ox.NamedNode(_RDF + "type"), ox.NamedNode("urn:row")))
            values = [solution[variable] for variable in outcome.variables]
            for variable, value in zip(outcome.variables, values, strict=True):
                if value is not None:
                    dataset.add(ox.Quad(row, ox.NamedNode(f"urn:var:{variable.value}"), value))
            if sequence is not None:
                blank = any(isinstance(value, ox.BlankNode) for value in values)
                sequence = None if blank else [*sequence, tuple(map(str, values))]
    else:
        head = ("triples",)
        for triple in outcome:
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return head, sorted(str(quad) for quad in dataset), sequence


def _ordered(case: Case) -> bool:
    words = [t.text.upper() for t in tokens(case.query.read_text()) if t.kind == "word"]
    return ("ORDER", "BY") in pairwise(words)


def _parsed(media: str, body: bytes):
    media = media.split(";")[0].strip()
    if media == "application/n-triples":
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(media))


@dataclass(frozen=True)
class Suite:
    """The imported store, its endpoint, what `kg import` reported per file, an HTTP client."""

    copies: Path
    store: str
    url: str
    reported: dict[str, str]
    client: httpx.Client


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """Every data file imported by one `kg import`, and one `kg serve` over the store."""
    root = tmp_path_factory.mktemp("w3c")
    copies = root / "data"
    copies.mkdir()
    for case in EVALUATIONS:
        if case.data:
            shutil.copyfile(case.data, copies / case.copy_name)
    store = str(root / "store")
    files = sorted(str(p) for p in copies.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "kg", "--store", store, "import", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reported = dict(re.findall(r"^(.*): (\d+ statements) into graph", done.stdout, re.M))
    assert len(reported) == len(files)
    with start_kg_serve(store, root) as url, httpx.Client(timeout=60) as client:
        yield Suite(copies, store, url.rstrip("/") + "/sparql", reported, client)


def _raw(suite: Suite, case: Case):
    text = case.query.read_text()
    outcome = _load(suite.copies, case).query(text, base_iri=case.query.as_uri())
    return canonical(outcome, _ordered(case))


def _served(suite: Suite, text: str, ordered: bool):
    response = suite.client.post(
        suite.url,
        content=text.encode(),
        headers={"content-type": "application/sparql-query", "accept": _ACCEPT},
    )
    assert response.status_code == 200, response.text
    return canonical(_parsed(response.headers["content-type"], response.content), ordered)


def _queried(suite: Suite, text: str, graph_form: bool, ordered: bool):
    fmt = "csv" if graph_form else "json"  # CONSTRUCT: N-Triples; SELECT/ASK: SPARQL JSON
    result = CliRunner().invoke(cli, ["--store", suite.store, "query", text, "--format", fmt])
    assert result.exit_code == 0, result.output
    media = "application/n-triples" if graph_form else "application/sparql-results+json"
    return canonical(_parsed(media, result.stdout_bytes), ordered)


@pytest.mark.parametrize("case", EVALUATIONS, ids=lambda c: c.id)
def test_scoping_alone_changes_nothing(suite: Suite, case: Case):
    """The harness's one rewrite, on raw pyoxigraph: data in a named graph, ``FROM`` it."""
    graph = _graph(case)
    store = _load(suite.copies, case, ox.NamedNode(graph))
    scoped = with_dataset(case.query.read_text(), graph)
    outcome = store.query(scoped, base_iri=case.query.as_uri())
    assert canonical(outcome, _ordered(case)) == _raw(suite, case)


@pytest.mark.parametrize("case", EVALUATIONS, ids=lambda c: c.id)
def test_imported_and_served_answers_equal_raw_pyoxigraph(suite: Suite, case: Case):
    if case.id in EXCEPTED:
        pytest.skip(EXCEPTED[case.id])
    expected = _raw(suite, case)
    if case.data:
        count = len(_load(suite.copies, case))
        assert suite.reported[str(suite.copies / case.copy_name)] == f"{count} statements"
    scoped = with_dataset(case.query.read_text(), _graph(case))
    ordered = _ordered(case)
    assert _served(suite, scoped, ordered) == expected
    assert _queried(suite, scoped, expected[0] == ("triples",), ordered) == expected


def _post(suite: Suite, case: Case) -> httpx.Response:
    return suite.client.post(
        suite.url,
        content=case.query.read_bytes(),
        headers={"content-type": "application/sparql-query", "accept": _ACCEPT},
    )


@pytest.mark.parametrize("case", POSITIVE, ids=lambda c: c.id)
def test_positive_syntax_is_answered(suite: Suite, case: Case):
    response = _post(suite, case)
    if case.id in REFUSED:
        status, message = REFUSED[case.id]
        assert response.status_code == status
        assert message in response.text
    else:
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("case", NEGATIVE, ids=lambda c: c.id)
def test_negative_syntax_is_400(suite: Suite, case: Case):
    response = _post(suite, case)
    assert response.status_code == 400, response.text
    assert response.text.startswith("SPARQL syntax error")
