"""Under ``?sources=report`` the filter stays on while the user browses the web app: every
internal link of a filtered page (entity page, answer, search hits, lineage, timeline, query
editor, ontology) carries ``sources=report`` and resolves, the toggle being the one way out;
unfiltered pages carry no ``sources``. In Chromium, the query editor under the filter runs its
queries over the report's view."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from kg.query import select
from kg.scope import scoped

from .browsing import BROWSER_MARKS

PAGES = (
    "/id/model/sora",
    "/ask?q=which+models+use+DiT",
    "/?q=Kling",
    "/lineage?focus=Sora",
    "/timeline?from=2024",
    "/query",
    "/ontology",
)


class _Links(HTMLParser):
    """What a page leads to: its links, its <link rel=alternate> (the entity's data) and its
    forms (action and hidden fields); the toggle's links apart."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.toggle: dict[str, str] = {}
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            if "data-sources" in a:
                self.toggle[a["data-sources"]] = a["href"]
            else:
                self.links.append(a["href"])
        elif tag == "link" and a.get("rel") == "alternate":
            self.links.append(a["href"])
        elif tag == "form" and "action" in a:
            self.forms.append((a["action"], {}))
        elif tag == "input" and a.get("type") == "hidden" and self.forms:
            self.forms[-1][1][a["name"]] = a["value"]


def _internal(page: str, href: str) -> str | None:
    """``href`` as an absolute path of the app, or None (external, an asset, a fragment)."""
    if href.startswith(("#", "//")) or urlsplit(href).scheme:
        return None
    url = urljoin(page, href)
    return None if url.startswith("/static/") else url.partition("#")[0]


def _crawl(client, page: str) -> tuple[_Links, list[str]]:
    answer = client.get(page)
    assert answer.status_code == 200, (page, answer.status_code)
    parsed = _Links()
    parsed.feed(answer.text)
    urls = [url for href in parsed.links if (url := _internal(page, href))]
    return parsed, urls


def _sources(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("sources", [])


def test_every_internal_link_of_a_filtered_page_keeps_the_filter_and_resolves(app_client):
    seen: set[str] = set()
    for page in PAGES:
        filtered = page + ("&" if "?" in page else "?") + "sources=report"
        parsed, urls = _crawl(app_client, filtered)
        assert _sources(parsed.toggle["report"]) == ["report"], page
        assert _sources(parsed.toggle["all"]) == [], page  # the one way out
        assert all(_sources(url) == ["report"] for url in urls), (page, urls)
        for action, fields in parsed.forms:
            if _internal(page, action):
                assert fields == {"sources": "report"}, (page, action)
        seen.update(urls)
    kinds = {url.split("/")[2] for url in seen if url.startswith("/id/")}
    assert {"model", "source", "org", "era"} <= kinds, kinds
    assert {"/", "/query", "/lineage", "/timeline", "/ontology", "/api/ask", "/openapi.json"} <= {
        urlsplit(url).path for url in seen
    }
    for url in sorted(seen):
        status = app_client.get(url, follow_redirects=False).status_code
        assert status in (200, 303), (url, status)


def test_an_error_page_under_the_filter_keeps_it(app_client):
    """A later model's page is 404 in the report's view: its ways on stay in the view."""
    answer = app_client.get("/id/model/sora-2?sources=report")
    assert answer.status_code == 404
    parsed = _Links()
    parsed.feed(answer.text)
    urls = [url for href in parsed.links if (url := _internal("/id/model/sora-2", href))]
    assert "/?sources=report" in urls
    assert all(_sources(url) == ["report"] for url in urls), urls


def test_scripted_links_of_filtered_views_keep_the_filter(app_client):
    """The lineage and timeline pages draw their links from JSON: entity pages, expansion."""
    lineage = app_client.get("/lineage?focus=Sora&sources=report").text
    data = json.loads(re.search(r'id="lineage-data">(.*?)</script>', lineage, re.S)[1])
    assert data["entitySuffix"] == "?sources=report"
    assert data["expandUrl"] == "/api/lineage/neighbours?sources=report"
    timeline = app_client.get("/timeline?from=2024&sources=report").text
    plotted = re.findall(r'"(/id/[a-z]+/[a-z0-9.-]+[^"]*)"', timeline)
    assert plotted
    assert all(url.endswith("?sources=report") for url in plotted)


SORA = "https://w3id.org/genvid-kg/id/model/sora"
APIS = (
    ("GET", "/api/ask?q=which+models+use+DiT", None),
    ("GET", "/api/search?q=Kling", None),
    ("GET", "/api/search?q=Klingg", None),  # no hit: the close spellings
    ("POST", "/api/labels", {"iris": [SORA, "https://w3id.org/genvid-kg/id/org/openai"]}),
    ("GET", f"/api/lineage/neighbours?iri={SORA}", None),
)


def _json_links(value) -> list[str]:
    """Every string of a JSON answer that is a path of the app (its links, whatever the key)."""
    if isinstance(value, dict):
        return [link for item in value.values() for link in _json_links(item)]
    if isinstance(value, list):
        return [link for item in value for link in _json_links(item)]
    path = isinstance(value, str) and value.startswith("/") and _internal("/", value)
    return [value] if path else []


def _api_links(client, method: str, url: str, body: dict | None) -> list[str]:
    answer = client.request(method, url, json=body)
    assert answer.status_code == 200, (url, answer.status_code)
    return _json_links(answer.json())


def test_every_link_of_a_filtered_api_answer_keeps_the_filter_and_resolves(app_client):
    """The JSON API's links (entity pages, source pages) under ?sources=report carry it as the
    pages' links do, once; unfiltered, none; each resolves."""
    seen: set[str] = set()
    for method, url, body in APIS:
        filtered = url + ("&" if "?" in url else "?") + "sources=report"
        links = _api_links(app_client, method, filtered, body)
        assert links, url
        assert all(_sources(link) == ["report"] for link in links), (url, links)
        assert not [link for link in _api_links(app_client, method, url, body) if _sources(link)]
        seen.update(links)
    assert {"model", "source", "org"} <= {link.split("/")[2] for link in seen}
    for link in sorted(seen):
        assert app_client.get(link).status_code == 200, link


@pytest.mark.browser
@BROWSER_MARKS[1]
def test_a_node_expanded_under_the_filter_links_its_page_once_filtered(live_server, browser):
    """The lineage page adds its filter to the bare paths of its own JSON, not again to the
    API's, which carry it already."""
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.goto(f"{live_server}/lineage?focus=Sora&depth=0&sources=report")
    page.wait_for_function("window.lineageView && window.lineageView.ready")
    dit = "https://w3id.org/genvid-kg/id/architecture/dit"
    assert page.evaluate("(iri) => window.lineageView.expand(iri)", SORA) > 0
    for iri, path in ((SORA, "/id/model/sora"), (dit, "/id/architecture/dit")):
        page.evaluate("(iri) => window.lineageView.highlight(iri)", iri)
        link = page.locator("#lineage-info a.lineage-entity-link").get_attribute("href")
        assert link == f"{path}?sources=report", (iri, link)


def test_unfiltered_pages_carry_no_sources(app_client):
    for page in PAGES:
        parsed, urls = _crawl(app_client, page)
        assert not [url for url in urls if _sources(url)], page
        assert all(not fields for _, fields in parsed.forms), page
        assert _sources(parsed.toggle["report"]) == ["report"]
    lineage = app_client.get("/lineage?focus=Sora").text
    assert '"entitySuffix":""' in lineage


@pytest.mark.browser
@BROWSER_MARKS[1]
def test_the_query_editor_runs_over_the_report_view(live_server, browser, built, built_settings):
    """/query?sources=report says it is filtered and sends its queries with the filter: the
    count of models is the report view's, computed here from the store."""
    text = "SELECT DISTINCT ?m WHERE { ?m a kg:Model }"
    whole = len(select(built, text).rows)
    report = len(select(scoped(built, built_settings.queries_dir, "report"), text).rows)
    assert 0 < report < whole
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.goto(f"{live_server}/query?sources=report")
    assert "Filtered:" in page.locator(".kg-sources-banner").inner_text()
    page.evaluate("(text) => window.queryPage.editor.setValue(text)", text)
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("body[data-state=done]")
    assert page.locator("#query-status").inner_text().startswith(f"{report} rows")
    first = page.locator("#view-table a").first.get_attribute("href")
    assert first.endswith("?sources=report")
    sora = "https://w3id.org/genvid-kg/id/model/sora"
    assert page.evaluate("(iri) => GraphView.pageOf(iri)", sora) == "/id/model/sora?sources=report"
    kept = "/id/model/sora?sources=report"  # an API answer's link: the filter is on already
    assert page.evaluate("(url) => GraphView.scoped(url)", kept) == kept
    page.click('nav.kg-sources a[data-sources="all"]')  # the way out keeps the query
    page.wait_for_load_state()
    assert "sources" not in urlsplit(page.url).query
    assert page.evaluate("() => window.queryPage.editor.getValue()") == text
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("body[data-state=done]")
    assert page.locator("#query-status").inner_text().startswith(f"{whole} rows")
