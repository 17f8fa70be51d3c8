"""``?sources=report`` in the web app: pages, entity pages, lineage, timeline and the JSON API
over the real graph show only what the report and the papers it cites say, with a toggle that
keeps the rest of the URL and a banner; in headless Chromium, the toggle flips a page."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from kg.query import select

from .browsing import BROWSER_MARKS

SRC = "https://w3id.org/genvid-kg/id/source/"
DIT = "which models use DiT"
LATER = ("Sora 2", "Veo 3.1", "Kling 2.6", "LTX-2")


@pytest.fixture(scope="module")
def allowed(built) -> set[str]:
    """The report's sources (its parts and the graphs of the papers they cite), from the
    TriG's own links, and the catalogue: what a filtered answer may cite."""
    rows = select(
        built,
        "SELECT DISTINCT ?s WHERE { { ?s dcterms:isPartOf* <" + SRC + "report> } UNION "
        "{ ?part dcterms:isPartOf <" + SRC + "report> ; dcterms:references ?paper . "
        "GRAPH ?s { ?paper a kg:Paper } } }",
    )
    return set(rows.column("s")) | {SRC + "catalog"}


def _source_links(page: str) -> set[str]:
    return {SRC + slug for slug in re.findall(r'href="/id/source/([a-z0-9.-]+)', page)}


def test_answer_page_is_filtered_with_banner_and_a_toggle_keeping_the_url(app_client, allowed):
    page = app_client.get("/ask", params={"q": DIT, "sources": "report"}).text
    assert "Sora" in page
    assert "LTX-2" not in page
    assert "Filtered: only what the seed report" in page
    assert 'href="/ask?q=which+models+use+DiT" data-sources="all"' in page
    whole = app_client.get("/ask", params={"q": DIT}).text
    assert "LTX-2" in whole
    assert "Filtered:" not in whole
    assert 'href="/ask?q=which+models+use+DiT&amp;sources=report" data-sources="report"' in whole


def test_entity_pages(app_client, allowed):
    assert app_client.get("/id/model/sora-2").status_code == 200
    gone = app_client.get("/id/model/sora-2", params={"sources": "report"})
    assert gone.status_code == 404
    assert 'data-sources="all"' in gone.text  # the way back to everything
    sora = app_client.get("/id/model/sora", params={"sources": "report"}).text
    assert _source_links(sora) <= allowed
    assert SRC + "report-dit" in _source_links(sora)
    assert _source_links(app_client.get("/id/model/sora").text) - allowed  # later pages cite it
    turtle = app_client.get("/id/model/sora?sources=report", headers={"accept": "text/turtle"})
    assert "sora-2" not in turtle.text
    assert "sora-2" in app_client.get("/id/model/sora", headers={"accept": "text/turtle"}).text


def test_lineage_and_timeline_pages(app_client):
    lineage = app_client.get("/lineage", params={"focus": "Sora", "sources": "report"}).text
    assert "Filtered:" in lineage
    assert '"expandUrl":"/api/lineage/neighbours?sources=report"' in lineage
    assert not any(f'"label":"{name}"' in lineage for name in LATER)
    assert '"label":"Sora 2"' in app_client.get("/lineage", params={"focus": "Sora"}).text
    timeline = app_client.get("/timeline", params={"from": "2024", "sources": "report"}).text
    assert 'data-report="2025"' in timeline
    assert "Filtered:" in timeline
    assert 'href="/timeline?from=2024" data-sources="all"' in timeline
    assert not any(name in timeline for name in LATER)
    assert "Sora 2" in app_client.get("/timeline", params={"from": "2024"}).text


def test_json_api(app_client, allowed):
    answer = app_client.get("/api/ask", params={"q": DIT, "sources": "report"}).json()
    assert {row["Model"] for row in answer["rows"]} == {"Sora"}
    assert {ref["iri"] for ref in answer["references"]} <= allowed
    full = app_client.get("/api/ask", params={"q": DIT}).json()
    assert "LTX-2" in {row["Model"] for row in full["rows"]}

    found = app_client.get("/api/search", params={"q": "Veo", "sources": "report"}).json()
    labels = {hit["label"] for hit in found["results"]}
    assert {"Veo 2", "Veo 3"} <= labels
    assert "Veo 3.1" not in labels

    moved = app_client.get(
        "/api/ask", params={"q": "Sora", "sources": "report"}, follow_redirects=False
    )
    assert moved.status_code == 303
    assert parse_qs(urlsplit(moved.headers["location"]).query) == {
        "q": ["Sora"],
        "sources": ["report"],
    }

    sora = "https://w3id.org/genvid-kg/id/model/sora"
    near = app_client.get("/api/lineage/neighbours", params={"iri": sora, "sources": "report"})
    nodes = {node["label"] for node in near.json()["nodes"]}
    assert "Sora" in nodes
    assert not nodes & set(LATER)
    full_near = app_client.get("/api/lineage/neighbours", params={"iri": sora}).json()
    assert "Sora 2" in {node["label"] for node in full_near["nodes"]}

    assert app_client.get("/api/search", params={"q": "Veo", "sources": "press"}).status_code in (
        400,
        422,
    )


@pytest.mark.browser
@BROWSER_MARKS[1]
def test_the_toggle_flips_the_page_in_a_browser(live_server, browser):
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.goto(f"{live_server}/ask?q=which+models+use+DiT")
    assert page.locator(".kg-sources-banner").count() == 0
    assert page.get_by_text("LTX-2").count() > 0
    page.click('nav.kg-sources a[data-sources="report"]')
    page.wait_for_selector(".kg-sources-banner")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["which models use DiT"], "sources": ["report"]}
    assert page.get_by_text("LTX-2").count() == 0
    assert page.locator("nav.kg-sources [aria-current=page]").get_attribute("data-sources") == (
        "report"
    )
    page.goto(f"{live_server}/timeline?sources=report")
    page.wait_for_selector("#kg-plot .annotation-text")
    assert "the report: 2025" in page.locator("#kg-plot").inner_text()
    page.click('nav.kg-sources a[data-sources="all"]')
    page.wait_for_selector("#kg-plot .annotation-text")
    assert urlsplit(page.url).query == ""
    assert page.locator(".kg-sources-banner").count() == 0
    assert json.loads(page.get_attribute("#kg-plot", "data-events")) > 100


def test_sparql_endpoint_over_the_report_view(app_client, allowed):
    """/sparql?sources=report runs users' queries over the view in the query workers; a FROM
    of a later page's graph finds nothing there, and GRAPH ?g meets only the report's."""
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    accept = {"accept": "application/sparql-results+json"}

    def rows(query: str, **params: str) -> list[dict]:
        answer = app_client.get("/sparql", params={"query": query, **params}, headers=accept)
        assert answer.status_code == 200, answer.text
        return answer.json()["results"]["bindings"]

    seen = {row["g"]["value"] for row in rows(graphs, sources="report")}
    assert SRC + "report-dit" in seen
    assert seen - {"https://w3id.org/genvid-kg/ontology"} <= allowed
    assert SRC + "press-venicestats-sora-2" in {row["g"]["value"] for row in rows(graphs)}
    later = f"SELECT * FROM <{SRC}press-venicestats-sora-2> WHERE {{ ?s ?p ?o }}"
    assert rows(later, sources="report") == []
    assert rows(later)
    refused = app_client.get("/sparql", params={"query": graphs, "sources": "press"})
    assert refused.status_code == 400
