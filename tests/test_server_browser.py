"""The web app in headless Chromium, served by a live `kg serve` on loopback.

The query page: type a query, run it, see it as a table, a graph and a timeline, follow its
permalink, open an entity page from the results. Every request that does not go to 127.0.0.1
is blocked and recorded (none may be attempted), the console must stay free of errors, and
screenshots land in test-output/ for review.
"""

from __future__ import annotations

import re
import urllib.parse

from .browsing import BROWSER_MARKS, screenshot

pytestmark = BROWSER_MARKS
VIEWPORT = {"width": 1400, "height": 950}
SORA = "https://w3id.org/genvid-kg/id/model/sora"
DIT = "https://w3id.org/genvid-kg/id/architecture/dit"
# Models with their backbone and date: IRIs for the graph, a date column for the timeline.
QUERY = """SELECT ?model ?modelLabel ?architecture ?architectureLabel ?date
WHERE {
  ?model kg:usesArchitecture ?architecture ;
         rdfs:label ?modelLabel ;
         kg:date ?date .
  ?architecture rdfs:label ?architectureLabel .
}
ORDER BY ?date"""


def _page(browser):
    return browser.pages[0] if browser.pages else browser.new_page()


def _run(page) -> None:
    page.click("#run")
    page.wait_for_selector("body[data-state=done]", timeout=15000)


def _scripts(page) -> set[str]:
    """Which of the two drawing engines the page has fetched."""
    names = page.evaluate(
        "performance.getEntriesByType('resource').map((entry) => entry.name.split('/').pop())"
    )
    return set(names) & {"vis-network.min.js", "plotly.min.js"}


def test_query_page_table_graph_timeline_permalink_and_entity(live_server, browser):
    page = _page(browser)
    page.goto(live_server + "/query")
    editor = page.locator("#query-text")
    editor.fill(QUERY)
    editor.press("End")
    editor.press_sequentially("\nLIMIT 500")
    keywords = page.locator("#editor-highlight .tok-keyword").all_inner_texts()
    assert {"SELECT", "WHERE", "ORDER", "BY", "LIMIT"} <= set(keywords)
    assert "?modelLabel" in page.locator("#editor-highlight .tok-var").all_inner_texts()

    _run(page)
    rows = page.locator("#view-table tbody tr")
    assert rows.count() > 10
    table = page.locator("#view-table").inner_text()
    assert re.search(r"model:sora\s+Sora\s+arch:dit\s+DiT\s+2024-02", table)
    assert "rows in" in page.locator("#query-status").inner_text()
    screenshot(page, "server-query-table.png")
    # The table needs neither engine: vis-network and plotly.js load when their view opens.
    assert _scripts(page) == set()

    page.click("#tab-graph")
    page.wait_for_selector("#result-graph[data-ready=true]", timeout=15000)
    assert int(page.get_attribute("#result-graph", "data-nodes")) > 10
    edge = page.evaluate(
        "([s, d]) => window.queryPage.state.graph.edges.get(s + '|architecture|' + d)", [SORA, DIT]
    )
    assert edge is not None, "Sora is linked to DiT in the graph view"
    assert (
        page.evaluate("(s) => window.queryPage.state.graph.nodes.get(s).fullLabel", SORA) == "Sora"
    )
    screenshot(page, "server-query-graph.png")

    assert _scripts(page) == {"vis-network.min.js"}

    page.click("#tab-timeline")
    page.wait_for_selector("#result-timeline[data-ready=true]", timeout=15000)
    assert _scripts(page) == {"vis-network.min.js", "plotly.min.js"}
    assert int(page.get_attribute("#result-timeline", "data-events")) == rows.count()
    assert page.locator("#result-timeline .point").count() == rows.count()
    screenshot(page, "server-query-timeline.png")

    permalink = page.get_attribute("#permalink", "href")
    assert permalink.startswith("#query=")
    assert permalink.endswith("view=timeline")
    downloads = page.locator("#download-links a")
    assert downloads.count() == 4
    csv_link = page.get_attribute("#download-links a[data-format=csv]", "href")
    assert csv_link.startswith("/sparql?query=")
    assert csv_link.endswith("format=csv")

    reopened = browser.new_page()
    reopened.goto(live_server + "/query" + permalink)
    reopened.wait_for_selector("body[data-state=done]", timeout=15000)
    reopened.wait_for_selector("#result-timeline[data-ready=true]", timeout=15000)
    assert reopened.input_value("#query-text") == QUERY + "\nLIMIT 500"
    assert reopened.get_attribute("#tab-timeline", "aria-selected") == "true"
    assert reopened.is_hidden("#view-table")
    screenshot(reopened, "server-query-permalink.png")

    reopened.click("#tab-table")
    reopened.locator("#view-table a", has_text="model:sora").first.click()
    reopened.wait_for_url(live_server + "/id/model/sora")
    assert reopened.inner_text("h1") == "Sora"
    reopened.wait_for_selector("#entity-graph[data-ready=true]", timeout=15000)
    assert int(reopened.get_attribute("#entity-graph", "data-nodes")) > 3
    screenshot(reopened, "server-entity-sora.png")

    assert browser.blocked == []
    assert browser.errors == []


def test_example_query_is_one_click_away(live_server, browser):
    page = _page(browser)
    page.goto(live_server + "/query")
    page.click("button.example[data-name=models-using-dit]")
    page.wait_for_selector("body[data-state=done]", timeout=15000)
    table = page.locator("#view-table").inner_text()
    assert "Seedance 1.0" in table
    assert "Sora" in table
    assert "models-using-dit" not in page.input_value("#query-text")
    assert page.input_value("#query-text").startswith("# title: Which models use DiT?")
    assert browser.blocked == []
    assert browser.errors == []


def test_construct_results_draw_as_a_graph(live_server, browser):
    page = _page(browser)
    fragment = urllib.parse.urlencode(
        {
            "query": "CONSTRUCT { ?m kg:usesArchitecture arch:dit } WHERE { ?m kg:usesArchitecture arch:dit }",
            "view": "graph",
        }
    )
    page.goto(live_server + "/query#" + fragment)
    page.wait_for_selector("#result-graph[data-ready=true]", timeout=15000)
    assert "triples" in page.locator("#query-status").inner_text()
    assert page.evaluate("(d) => window.queryPage.state.graph.nodes.get(d) !== null", DIT)
    links = page.locator("#download-links a").all_inner_texts()
    assert links == ["Turtle", "JSON-LD", "N-Triples", "RDF/XML"]
    assert browser.blocked == []
    assert browser.errors == []


def test_syntax_error_is_shown_and_marked_where_it_is(live_server, browser):
    page = _page(browser)
    page.goto(live_server + "/query")
    page.fill("#query-text", "SELECT ?x\nWHERE {\n  ?x a kg:Model\n")
    page.click("#run")
    page.wait_for_selector("body[data-state=error]", timeout=15000)
    message = page.inner_text("#query-error")
    assert re.search(r"SPARQL syntax error: line \d+, column \d+", message)
    assert page.locator("#editor-highlight .error-mark").count() == 1
    screenshot(page, "server-query-error.png")
    assert browser.blocked == []
    # The browser itself reports the 400 answer; nothing else may reach the console.
    assert [e for e in browser.errors if "status of 400" not in e] == []


def test_home_search_to_entity_page(live_server, browser):
    page = _page(browser)
    page.goto(live_server + "/")
    page.fill("#home-q", "DiT")
    page.press("#home-q", "Enter")
    page.wait_for_url(re.compile(r".*/\?q=DiT$"))
    page.locator(".hits a").first.click()
    page.wait_for_url(live_server + "/id/architecture/dit")
    page.wait_for_selector("#entity-graph[data-ready=true]", timeout=15000)
    assert page.inner_text("h1") == "DiT"
    screenshot(page, "server-entity-dit.png")
    assert browser.blocked == []
    assert browser.errors == []


def test_lineage_and_timeline_views_served_by_the_app(live_server, browser):
    page = _page(browser)
    page.goto(live_server + "/lineage?focus=DiT&depth=1")
    page.wait_for_selector("body[data-ready=true]", timeout=15000)
    assert page.evaluate("window.lineageView.state.selected") == DIT
    before = page.evaluate("window.lineageView.nodes.length")
    page.evaluate("(s) => window.lineageView.expand(s)", SORA)
    assert page.evaluate("window.lineageView.nodes.length") > before, "Sora's neighbours load"
    screenshot(page, "server-lineage-dit.png")
    page.goto(live_server + "/timeline?kinds=model&from=2024")
    page.wait_for_selector("#kg-plot[data-ready=true]", timeout=15000)
    assert page.get_attribute("#kg-plot", "data-events") == str(page.locator("details li").count())
    screenshot(page, "server-timeline-models-2024.png")
    assert browser.blocked == []
    assert browser.errors == []


def test_the_content_security_policy_is_in_force(live_server, browser):
    """The app's pages ran above with zero console errors under the policy; here an injected
    inline script (what a hostile label would try) is refused by the browser."""
    page = _page(browser)
    page.goto(live_server + "/id/model/sora")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.appendChild(script);
          return window.injected === true;
        }"""
    )
    assert ran is False
    assert any("Content Security Policy" in error for error in browser.errors), browser.errors
