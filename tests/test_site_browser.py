"""The static explorer in headless Chromium, served on loopback with a strict content security
policy (conftest `site_url`): SPARQL in the browser gives `kg query`'s rows, links lead from
the home page to an entity, the lineage and the timeline, search ranks as the app's does.

Every request that does not go to 127.0.0.1 is aborted and recorded, and must not happen;
the console must stay free of errors. Screenshots land in test-output/ for review.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.config import resource_dir
from kg.query import named_queries
from kg.views.lookup import search, suggest

from .browsing import BROWSER_MARKS, screenshot

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(
        shutil.which("npm") is None and not os.environ.get("KG_REQUIRE_BROWSER"),
        reason="kg site fetches its browser engine with npm, which is not installed here",
    ),
]
QUERIES = named_queries(resource_dir("queries"))


def _clean(context) -> None:
    assert context.errors == []
    assert context.blocked == []


def _group_concat_columns(text: str) -> dict[str, str]:
    """Columns made by GROUP_CONCAT, with their separators: SPARQL leaves the order inside a
    concatenation to the engine, so two engines' rows compare with those parts sorted."""
    pattern = (
        r'GROUP_CONCAT\((?:DISTINCT\s+)?[^;]*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)'
    )
    return {name: separator for separator, name in re.findall(pattern, text, re.I)}


def _rows(results: dict, concatenated: dict[str, str]) -> list[str]:
    """Rows as comparable strings, in no particular order (ORDER BY may leave ties)."""
    rows = []
    for binding in results["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            term = dict(term)
            if name in concatenated and term["type"] == "literal":
                parts = term["value"].split(concatenated[name])
                term["value"] = concatenated[name].join(sorted(parts))
            row[name] = term
        rows.append(json.dumps(row, sort_keys=True, ensure_ascii=False))
    return sorted(rows)


def _query_page(browser, url: str):
    page = browser.new_page()
    page.goto(url + "query.html")
    page.wait_for_selector("#engine-status[data-state=ready]", timeout=30_000)
    return page


def _kg_query(settings, name: str, fmt: str = "json") -> str:
    result = CliRunner().invoke(cli, ["--store", settings.store, "query", name, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_models_using_dit_in_the_browser_gives_kg_query_rows(site_url, browser, built_settings):
    page = _query_page(browser, site_url)
    # The worker loaded every statement of the site's gzip TriG dump.
    dump = urllib.request.urlopen(site_url + "data/genvid-kg.trig.gz").read()
    statements = len(list(ox.parse(gzip.decompress(dump), format=ox.RdfFormat.TRIG)))
    assert page.evaluate("window.KgQueryBackend.stats.quads") == statements > 4000
    page.click("button.example[data-name=models-using-dit]")
    page.wait_for_selector("body[data-state=done]", timeout=30_000)
    mine = page.evaluate("window.queryPage.state.result.json")
    expected = json.loads(_kg_query(built_settings, "models-using-dit"))
    assert mine["head"] == expected["head"]
    assert _rows(mine, {}) == _rows(expected, {})
    models = {row["modelLabel"]["value"] for row in mine["results"]["bindings"]}
    assert {"Sora", "Seedance 1.0", "Wan 2.1 14B"} <= models
    assert page.locator("#view-table tbody tr").count() == len(expected["results"]["bindings"])
    assert re.fullmatch(r"\d+ rows in \d+ ms", page.inner_text("#query-status"))
    screenshot(page, "site-query-models-using-dit.png")
    _clean(browser)


def test_every_example_query_gives_the_same_rows_as_pyoxigraph(site_url, browser, built_settings):
    page = _query_page(browser, site_url)
    for name, query in QUERIES.items():
        status, body, ms = page.evaluate(
            """async (text) => {
                const answer = await window.KgQueryBackend.fetch(text);
                const timed = await window.KgQueryBackend.time(text);
                return [answer.status, await answer.text(), timed.ms];
            }""",
            query.text,
        )
        assert status == 200, (name, body)
        expected = json.loads(_kg_query(built_settings, name))
        mine = json.loads(body)
        assert mine["head"] == expected["head"], name
        concatenated = _group_concat_columns(query.text)
        assert _rows(mine, concatenated) == _rows(expected, concatenated), name
        assert ms < 1000, f"{name} took {ms:.0f} ms in the browser"
    _clean(browser)


def test_query_page_views_downloads_and_permalink(site_url, browser, built_settings):
    text = QUERIES["timeline"].text
    page = browser.new_page()
    page.goto(
        site_url + "query.html#" + urllib.parse.urlencode({"query": text, "view": "timeline"})
    )
    page.wait_for_selector("#result-timeline[data-ready=true]", timeout=30_000)
    assert int(page.get_attribute("#result-timeline", "data-events")) > 100
    page.click("#tab-graph")
    page.wait_for_selector("#result-graph[data-ready=true]", timeout=30_000)
    assert int(page.get_attribute("#result-graph", "data-nodes")) > 100
    page.wait_for_selector("#downloads:not([hidden]) a[data-format=csv]")
    with page.expect_download() as downloading:
        page.click("#download-links a[data-format=csv]")
    download = downloading.value
    assert download.suggested_filename == "results.csv"
    expected = _kg_query(built_settings, "timeline", "csv")
    got = Path(download.path()).read_text(encoding="utf-8")
    assert sorted(got.splitlines()) == sorted(expected.splitlines())
    permalink = page.get_attribute("#permalink", "href")
    assert urllib.parse.parse_qs(permalink[1:])["query"] == [text]
    page.click("#tab-table")
    bad = "SELECT ?x\nWHERE { ?x ?y }"
    page.fill("#query-text", bad)
    page.click("#run")
    page.wait_for_selector("#query-error:not([hidden])")
    said = CliRunner().invoke(cli, ["--store", built_settings.store, "query", bad]).output
    assert said.startswith("Error: SPARQL syntax error: line 2, column ")
    assert page.inner_text("#query-error") == said.removeprefix("Error: ").strip()
    screenshot(page, "site-query-error.png")
    _clean(browser)


def test_links_lead_from_home_to_an_entity_the_lineage_and_the_timeline(site_url, browser):
    page = browser.new_page()
    page.goto(site_url)
    page.click("details#kind-architecture summary")
    page.click("details#kind-architecture >> text=DiT")
    page.wait_for_url(site_url + "id/architecture/dit/")
    page.wait_for_selector("#entity-graph[data-ready=true]", timeout=30_000)
    assert page.inner_text("h1") == "DiT"
    assert "Scalable Diffusion Models with Transformers" in page.inner_text(".facts")
    nodes = int(page.get_attribute("#entity-graph", "data-nodes"))
    # Drawn from the neighbours.json beside the page (the page holds no copy of it).
    beside = json.loads(
        urllib.request.urlopen(site_url + "id/architecture/dit/neighbours.json").read()
    )
    assert nodes == len(beside["nodes"]) > 5
    added = page.evaluate(
        "GraphView.instances['entity-graph'].expand('https://w3id.org/genvid-kg/id/model/sora')"
    )
    assert added > 0
    assert int(page.get_attribute("#entity-graph", "data-nodes")) == nodes + added
    screenshot(page, "site-entity-dit.png")
    page.click("text=Open in the lineage view")
    page.wait_for_url(site_url + "lineage.html#focus=DiT")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    focused = page.evaluate("window.lineageView.state.selected")
    assert focused == "https://w3id.org/genvid-kg/id/architecture/dit"
    href = page.evaluate(
        """() => { const data = JSON.parse(document.getElementById("lineage-data").textContent);
                   return data.entityBase + data.nodes.find((n) => n.fullLabel === "Sora").url; }"""
    )
    assert href == "./id/model/sora/"
    screenshot(page, "site-lineage.png")
    page.goto(site_url + "index.html")
    page.click(".site-nav >> text=Timeline")
    page.wait_for_url(site_url + "timeline.html")
    page.wait_for_selector("#kg-plot[data-ready=true]", timeout=30_000)
    assert int(page.get_attribute("#kg-plot", "data-events")) > 100
    screenshot(page, "site-timeline.png")
    page.click("details summary")  # the list under the plot: its links open entity pages
    page.click("ol a:text-is('Sora')")
    page.wait_for_selector("article.entity")
    assert page.url == site_url + "id/model/sora/", "the folder itself, no redirect"
    _clean(browser)


def test_ready_answers_and_search_pages(site_url, browser, built_settings):
    page = browser.new_page()
    page.goto(site_url)
    page.click("text=which models use DiT")
    page.wait_for_url(site_url + "ask/models-using.html")
    assert "Sora" in page.inner_text("table.results")
    page.click("text=As JSON")
    answer = json.loads(page.inner_text("body"))
    assert answer["question"]["name"] == "models-using"
    page.goto(site_url + "?q=" + urllib.parse.quote("可灵"))
    page.wait_for_selector("#search-results[data-ready=true]")
    assert page.locator("#search-results a:text-is('Kling AI')").count() == 1
    page.fill(".site-search input", "Seedence")
    page.press(".site-search input", "Enter")
    page.wait_for_selector("#search-results[data-ready=true]")
    assert "Nothing is named “Seedence”" in page.inner_text("#search-results")
    assert page.locator("#search-results a:text-is('Seedance 1.0')").count() == 1
    _clean(browser)


def test_search_ranks_and_suggests_as_the_app_does(site_url, browser, built, built_settings):
    page = browser.new_page()
    page.goto(site_url)
    page.wait_for_function("() => window.siteSearch")
    queries = built_settings.queries_dir
    for text in (
        "dit",
        "DiT",
        "可灵",
        "快手",
        "kuaishou",
        "sora",
        "seedance1.0",
        "u-net",
        "video",
        "ai",
    ):
        mine = page.evaluate(
            "async (t) => (window.siteSearch.search(await window.siteSearch.load(), t, 50))", text
        )
        expected = search(built, queries, text, 50)
        assert [(h["label"], h["matched"]) for h in mine] == [
            (h.label, h.matched) for h in expected
        ], text
        assert [h["url"] for h in mine] == [
            f"./id/{h.kind}/{h.iri.rsplit('/', 1)[1]}/" for h in expected
        ]
    for text in ("Seedence", "kling 2", "hunyuan vidio", "openai sora", "xyzzy"):
        mine = page.evaluate(
            "async (t) => (window.siteSearch.suggest(await window.siteSearch.load(), t, 5))", text
        )
        assert [h["label"] for h in mine] == [h.label for h in suggest(built, queries, text)], text
    _clean(browser)


def test_opened_from_a_file_the_site_says_to_serve_it(site, browser):
    folder = site.as_uri() + "/"

    def site_files_only(route) -> None:
        if route.request.url.startswith(folder):
            route.continue_()
        else:
            browser.blocked.append(route.request.url)
            route.abort()

    browser.unroute("**/*")
    browser.route("**/*", site_files_only)
    page = browser.new_page()
    page.goto((site / "query.html").as_uri())
    banner = page.locator("#file-banner")
    banner.wait_for(state="visible")
    assert "kg site --out DIR --serve" in banner.inner_text()
    assert page.get_attribute("#engine-status", "data-state") == "unavailable"
    screenshot(page, "site-file-url.png")
    page.goto((site / "index.html").as_uri())
    assert page.locator("#file-banner").is_visible()
    # Folder links get their index.html, which file:// URLs do not add by themselves.
    href = page.get_attribute("details#kind-model a >> nth=0", "href")
    assert href.startswith("./id/model/")
    assert href.endswith("/index.html")
    page.click("details#kind-model summary")
    page.click("details#kind-model a >> nth=0")
    page.wait_for_selector("article.entity")
    assert page.locator("#file-banner").is_visible()
    assert browser.blocked == []
