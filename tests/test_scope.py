"""``--sources report``: only what the seed report and the papers it cites say, on every
surface that reads the store (library, CLI, Python API), over the embedded store and a real
Oxigraph server; and the report's own date marked on the timelines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.api import KnowledgeGraph
from kg.cli import cli
from kg.config import Settings
from kg.errors import BadParameterError
from kg.query import named_queries, select
from kg.render.timeline_html import render_timeline_html
from kg.render.timeline_text import render_timeline_text
from kg.scope import ReportView, report_sources, scoped
from kg.store import CATALOG_GRAPH, RemoteStore, Store
from kg.timeline import read_eras, read_report_date, select_timeline

SRC = "https://w3id.org/genvid-kg/id/source/"
MODEL = "https://w3id.org/genvid-kg/id/model/"
#: Report entities that stay, and later models (named only by pages after the report) that go.
STAY = {"Sora", "Seedance 1.0", "Veo 3", "Kling 2.1", "DiT", "Hailuo 02"}
GO = {"Sora 2", "Veo 3.1", "Kling 2.6", "Seedance 2.0", "LTX-2"}


@pytest.fixture(scope="module")
def view(built: Store, built_settings: Settings) -> Store:
    return scoped(built, built_settings.queries_dir, "report")


@pytest.fixture(scope="module")
def allowed(built: Store, built_settings: Settings) -> set[str]:
    """The sources a filtered answer may cite: the report's, computed independently here from
    the TriG's own links (isPartOf, references) rather than through kg.scope's query."""
    parts = select(
        built,
        "SELECT DISTINCT ?s WHERE { ?s dcterms:isPartOf* <" + SRC + "report> }",
    ).column("s")
    cited = select(
        built,
        "SELECT DISTINCT ?g WHERE { ?part dcterms:isPartOf <" + SRC + "report> ; "
        "dcterms:references ?paper . GRAPH ?g { ?paper a kg:Paper } }",
    ).column("g")
    return set(parts) | set(cited) | {CATALOG_GRAPH}


def _labels(store: Store, kind: str) -> set[str]:
    return set(select(store, f"SELECT ?l WHERE {{ ?e a kg:{kind} ; rdfs:label ?l }}").column("l"))


def _sources_named(store: Store, built: Store) -> set[str]:
    """Every IRI a named query's answer holds that the whole graph declares a kg:Source."""
    declared = set(select(built, "SELECT ?s WHERE { ?s a kg:Source }").column("s"))
    seen: set[str] = set()
    for named in named_queries(Path(__file__).parent.parent / "queries").values():
        table = select(store, named.text)
        seen |= {cell.value for row in table.rows for cell in row if cell is not None}
    return seen & declared


def test_the_report_sources_are_its_parts_and_the_cited_papers_pages(built, built_settings):
    sources = set(report_sources(built, built_settings.queries_dir))
    assert {SRC + "report", SRC + "report-dit", SRC + "report-aa-t2v"} <= sources
    # The five papers the report cites for its figures, each by its arXiv page's graph.
    cited = {SRC + f"arxiv-{n}" for n in ("1312-6114", "1406-2661", "2006-11239", "2112-10752")}
    assert cited | {SRC + "arxiv-2212-09748"} <= sources
    # Papers it does not cite, later pages and derived spans are not the report's.
    for other in ("arxiv-1706-03762", "press-venicestats-sora-2", "derived-era-spans", "catalog"):
        assert SRC + other not in sources


def test_report_entities_stay_and_later_ones_go(built, view):
    models = _labels(view, "Model") | _labels(view, "Architecture")
    assert models >= STAY
    assert not models & GO
    assert _labels(built, "Model") >= GO  # they are in the whole graph
    # Nothing of a later model is left, not even the catalogue's notes on it.
    for slug in ("sora-2", "veo-3-1", "kling-2-6"):
        assert not select(view, f"SELECT * WHERE {{ <{MODEL}{slug}> ?p ?o }}").rows
    assert len(view) < len(built)


def test_every_source_any_named_query_lists_is_the_reports(built, view, allowed):
    listed = _sources_named(view, built)
    assert listed <= allowed, listed - allowed
    assert SRC + "report-dit" in listed
    assert SRC + "press-venicestats-sora-2" in _sources_named(built, built)


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso"])
def test_a_remote_store_gives_the_same_view(engine, request, view, built_settings):
    """Over a real Oxigraph server or Virtuoso the view is made of the server's answers: the
    same quads (Virtuoso 7.2 once lost four cited papers' graphs: see report-sources.rq)."""
    server = request.getfixturevalue(f"{engine}_loaded")
    remote = scoped(RemoteStore(server), built_settings.queries_dir, "report")
    assert isinstance(remote, ReportView)

    def quads(store: Store) -> set[str]:
        rows = select(store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        return {" ".join(str(term) for term in row) for row in rows}

    assert quads(remote) == quads(view)


def test_the_view_is_kept_per_build_and_unknown_sources_are_refused(built, built_settings, view):
    assert scoped(built, built_settings.queries_dir, "report") is view
    assert scoped(built, built_settings.queries_dir, "all") is built
    with pytest.raises(BadParameterError, match="report"):
        scoped(built, built_settings.queries_dir, "press")


def test_python_api(built_settings):
    graph = KnowledgeGraph.open(built_settings.store, sources="report")
    frame = graph.models_using("DiT")
    assert "Sora" in set(frame["Model"])
    assert not set(frame["Model"]) & GO
    whole = KnowledgeGraph.open(built_settings.store).models_using("DiT")
    assert "LTX-2" in set(whole["Model"])
    stats = graph.stats()
    assert stats.statements < KnowledgeGraph.open(built_settings.store).stats().statements
    assert all(label.startswith(("Report:", "arXiv", "genvid-kg")) for label in stats.sources)


@pytest.fixture(scope="module")
def run(built_settings):
    return lambda *args: CliRunner().invoke(cli, ["--store", built_settings.store, *args])


def test_cli_ask_query_search_lineage_timeline(run, allowed):
    answer = run("ask", "--sources", "report", "--wide", "which models use DiT")
    assert answer.exit_code == 0, answer.output
    assert "Sora" in answer.output
    assert "LTX-2" not in answer.output
    assert "LTX-2" in run("ask", "--wide", "which models use DiT").output

    listed = run("query", "--sources", "report", "--format", "json", "source-counts")
    rows = json.loads(listed.output)["results"]["bindings"]
    assert {row["source"]["value"] for row in rows} <= allowed
    assert len(rows) < len(
        json.loads(run("query", "--format", "json", "source-counts").output)["results"]["bindings"]
    )

    assert run("search", "--sources", "report", "Veo 3.1").exit_code == 1
    assert "Veo 3.1" in run("search", "Veo 3.1").output

    lineage = run("lineage", "--sources", "report", "--format", "json", "--out", "-")
    labels = {node["label"] for node in json.loads(lineage.stdout)["nodes"]}
    assert "Sora" in labels
    assert not labels & GO

    timeline = run("timeline", "--sources", "report", "--format", "csv")
    assert ",Sora," in timeline.output
    assert "Sora 2" not in timeline.output
    assert "the report: 2025" in run("timeline", "--sources", "report").output
    assert "the report: 2025" in run("timeline").output
    assert "the report: 2025" not in run("timeline", "--to", "2024").output
    assert run("timeline", "--sources", "press").exit_code == 2


def test_report_date_is_the_year_the_data_gives(built):
    report = read_report_date(built)
    assert report is not None
    assert (report.date, report.precision) == ("2025", "year")
    assert (str(report.first.date()), str(report.last.date())) == ("2025-01-01", "2025-12-31")
    assert report.source == SRC + "report"
    assert read_report_date(built, end="2024-12") is None
    assert read_report_date(built, start="2025-12") is not None


def test_timelines_mark_the_report_date(built, view):
    report = read_report_date(view)
    assert report is not None
    assert report.date == "2025"
    frame = select_timeline(view)
    text = render_timeline_text(frame, report=report)
    lines = text.splitlines()
    mark = next(i for i, line in enumerate(lines) if "the report: 2025" in line)
    before = [line for line in lines[:mark] if line.startswith("│ 20")]
    assert before
    assert all(line[2:6] < "2025" for line in before)
    page = render_timeline_html(frame, read_eras(view), standalone=False, report=report)
    assert 'data-report="2025"' in page
    spec = json.loads(page.split('id="kg-plot-data">')[1].split("</script>")[0])
    shapes = [s for s in spec["figure"]["layout"]["shapes"] if s.get("name") == report.caption]
    assert [(s["x0"][:10], s["x1"][:10]) for s in shapes] == [("2025-01-01", "2026-01-01")]
    notes = spec["figure"]["layout"]["annotations"]
    assert any(n["text"] == "the report: 2025" for n in notes)
