"""``kg site --sources both``: the whole graph and, in report/, the report's view sharing its
assets; every page's toggle leads to the same page in the other view (or its home), offline."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from kg.query import select

from .browsing import BROWSER_MARKS

pytestmark = pytest.mark.skipif(
    shutil.which("npm") is None and not os.environ.get("KG_REQUIRE_BROWSER"),
    reason="kg site fetches its browser engine with npm, which is not installed here",
)
SRC = "https://w3id.org/genvid-kg/id/source/"
_TOGGLE = re.compile(r'<nav class="kg-sources".*?</nav>', re.S)
_HREF = re.compile(r'href="([^"#?]*)')


@pytest.fixture(scope="module")
def both(built, built_settings, tmp_path_factory) -> Path:
    from kg.site import write_site

    out = tmp_path_factory.mktemp("both") / "site"
    write_site(built, built_settings, out, sources="both")
    return out


def _target(page: Path, href: str) -> Path:
    target = (page.parent / href).resolve()
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


def test_the_report_view_sits_in_report_with_its_own_pages_and_the_sites_assets(both, built):
    report = both / "report"
    assert (report / "id/model/sora/index.html").is_file()
    assert (both / "id/model/sora-2/index.html").is_file()
    assert not (report / "id/model/sora-2").exists()
    assert not (report / "static").exists()
    assert 'data-report="2025"' in (report / "timeline.html").read_text()
    # Every asset a report page loads is the site's own, one folder up.
    for page in [report / "index.html", report / "query.html", report / "timeline.html"]:
        text = page.read_text()
        assets = re.findall(r'(?:src|href)="([^"]*static/[^"]*)"', text)
        assert assets, page
        assert all(_target(page, href).is_file() for href in assets), page
    sora = (report / "id/model/sora/index.html").read_text()
    cited = {SRC + s for s in re.findall(r'href="[./]*id/source/([a-z0-9.-]+)/"', sora)}
    assert SRC + "report-dit" in cited
    parts = select(built, "SELECT ?s WHERE { ?s dcterms:isPartOf* <" + SRC + "report> }")
    assert cited <= set(parts.column("s"))


def test_every_toggle_leads_to_a_page_of_the_other_view(both):
    pages = [p for p in both.rglob("*.html") if "static" not in p.parts]
    checked = 0
    for page in pages:
        toggle = _TOGGLE.search(page.read_text())
        assert toggle, page
        hrefs = _HREF.findall(toggle[0])
        assert len(hrefs) == 2, page
        for href in hrefs:
            assert _target(page, href).is_file(), (page, href)
            checked += 1
    assert checked == 2 * len(pages) > 1000
    # The same page where the other view has it, else the other view's home.
    sora = _HREF.findall(_TOGGLE.search((both / "id/model/sora/index.html").read_text())[0])
    assert sora == ["../../../id/model/sora/", "../../../report/id/model/sora/"]
    later = _HREF.findall(_TOGGLE.search((both / "id/model/sora-2/index.html").read_text())[0])
    assert later[1] == "../../../report/"


def test_every_link_of_a_report_page_stays_in_report(both):
    """Browsing the report's view never leaves it: every page link of a page in report/, its
    toggle apart, names a file in report/; assets (and the dumps) are the site's own."""
    report = both / "report"
    shared = {both / "static", both / "dumps"}
    links = re.compile(r'(?:href|src|action)="([^"#?:]+)[#?"]')  # no scheme, no fragment
    pages = list(report.rglob("*.html"))
    checked = 0
    for page in pages:
        for href in links.findall(_TOGGLE.sub("", page.read_text())):
            target = _target(page, href)
            if not target.is_relative_to(report):
                assert any(target.is_relative_to(folder) for folder in shared), (page, href)
                continue
            assert target.exists(), (page, href)
            checked += 1
    assert checked > 10 * len(pages) > 1000


@pytest.mark.browser
@BROWSER_MARKS[1]
def test_the_toggle_and_the_report_query_page_work_served(both, browser, built, built_settings):
    from kg.scope import scoped
    from kg.site import make_server

    view = scoped(built, built_settings.queries_dir, "report")
    models = len(select(view, "SELECT DISTINCT ?m WHERE { ?m a kg:Model }").rows)
    assert models < len(select(built, "SELECT DISTINCT ?m WHERE { ?m a kg:Model }").rows)

    server = make_server(both, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        page = browser.pages[0] if browser.pages else browser.new_page()
        page.goto(url + "id/model/sora/")
        assert page.locator(".kg-sources-banner").count() == 0
        page.click('nav.kg-sources a[data-sources="report"]')
        page.wait_for_selector(".kg-sources-banner")
        assert page.url == url + "report/id/model/sora/"
        page.goto(url + "report/query.html")
        page.wait_for_selector("#engine-status[data-state=ready]", timeout=30_000)
        # The report's query page runs on the site's engine over the report's own dump.
        page.fill("#query-text", "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a kg:Model }")
        page.click("#run")
        page.wait_for_selector("body[data-state=done]", timeout=30_000)
        answer = page.evaluate("window.queryPage.state.result.json")
        assert answer["results"]["bindings"][0]["n"]["value"] == str(models)
        assert browser.errors == []
        assert browser.blocked == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_site_of_the_report_view_alone_says_it_is_filtered():
    """``kg site --sources report``: no other view to link, the banner all the same."""
    from kg.site.pages import Variant

    toggle = Variant("report", None).switch("id/model/sora/index.html", "../../../")
    assert "kg-sources-banner" in toggle
    assert _HREF.findall(toggle) == ["../../../id/model/sora/"]
