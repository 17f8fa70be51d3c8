"""The lineage page in headless Chromium: it draws offline, highlights ancestry, and expands.

Every request that does not go to 127.0.0.1 is blocked and recorded; the console must stay free
of errors. Screenshots land in test-output/ for review.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import time
import urllib.parse

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.config import resource_dir
from kg.lineage import neighbourhood, read_lineage, select_lineage, to_json
from kg.namespaces import entity_iri
from kg.render.assets import asset_path
from kg.render.lineage_html import render_lineage_html
from kg.site.pages import PageRenderer
from kg.site.writer import write_lineage

from .browsing import BROWSER_MARKS, screenshot

pytestmark = BROWSER_MARKS
DIT = entity_iri("architecture", "dit")
TRANSFORMER = entity_iri("architecture", "transformer")
GAN = entity_iri("architecture", "gan")
SORA = entity_iri("model", "sora")
SEEDANCE = entity_iri("model", "seedance-1-0")


def _open(context, url: str):
    page = context.new_page()
    page.goto(url)
    _wait(page, "window.lineageView && window.lineageView.ready", timeout=30)
    return page


def _wait(page, expression: str, timeout: float = 10) -> None:
    """Wait until ``expression`` holds in the page. Not wait_for_function: it evaluates
    strings with eval, which the web app's content security policy forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def _node_on_screen(page, node: str) -> tuple[float, float]:
    """Bring a node into view and return its position on the page, for a real mouse click."""
    page.evaluate("(id) => window.lineageView.network.focus(id, {scale: 1})", node)
    page.wait_for_timeout(100)
    spot = page.evaluate(
        """(id) => {
            const network = window.lineageView.network;
            const dom = network.canvasToDOM(network.getPosition(id));
            const box = document.getElementById("lineage-network").getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y];
        }""",
        node,
    )
    return spot[0], spot[1]


def _count_restyles(page) -> str:
    """Start counting changes to the page's items and options; returns the expression that
    reads the count."""
    page.evaluate(
        """() => {
            const view = window.lineageView;
            window.restyles = 0;
            const count = () => window.restyles++;
            view.nodes.on("*", count);
            view.edges.on("*", count);
            const setOptions = view.network.setOptions;
            view.network.setOptions = function () {
                count();
                return setOptions.apply(this, arguments);
            };
        }"""
    )
    return "window.restyles"


def _in_colour(page, node: str) -> float:
    """The share of a node's box drawn in its kind's own colour, zoomed in on it (a dimmed
    node is drawn pale, a lit one in full colour)."""
    return page.evaluate(
        """async (id) => {
            const view = window.lineageView;
            const network = view.network;
            const drawn = new Promise((done) => network.once("afterDrawing", done));
            network.moveTo({position: network.getPosition(id), scale: 1.5});
            network.redraw();
            await drawn;
            const hex = view.data.kinds[view.nodes.get(id).kind].color;
            const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
            const canvas = document.querySelector("#lineage-network canvas");
            const ratio = canvas.width / canvas.clientWidth;
            const box = network.getBoundingBox(id);
            const corner = network.canvasToDOM({x: box.left, y: box.top});
            const far = network.canvasToDOM({x: box.right, y: box.bottom});
            const x = Math.round(corner.x * ratio), y = Math.round(corner.y * ratio);
            const w = Math.round((far.x - corner.x) * ratio);
            const h = Math.round((far.y - corner.y) * ratio);
            const pixels = canvas.getContext("2d").getImageData(x, y, w, h).data;
            let near = 0;
            for (let i = 0; i < pixels.length; i += 4) {
                const d = Math.hypot(pixels[i] - want[0], pixels[i + 1] - want[1],
                                     pixels[i + 2] - want[2]);
                if (d < 30) near++;
            }
            return near / (w * h);
        }""",
        node,
    )


def test_exported_page_draws_offline_and_highlights_ancestry(
    built_settings, built, browser, serve, tmp_path
):
    site = tmp_path / "site"
    site.mkdir()
    result = CliRunner().invoke(
        cli, ["--store", built_settings.store, "lineage", "--out", str(site / "lineage.html")]
    )
    assert result.exit_code == 0, result.output
    expected = read_lineage(built).number_of_nodes()
    page = _open(browser, serve(site) + "/lineage.html")

    assert page.evaluate("window.lineageView.visibleCount()") == expected
    assert page.evaluate("window.lineageView.network.body.nodeIndices.length") == expected

    changes = _count_restyles(page)
    x, y = _node_on_screen(page, DIT)
    page.mouse.click(x, y)
    page.wait_for_function("document.body.dataset.selected !== undefined")
    assert page.evaluate(changes) == 0, "a click restyles no item and sets no option"
    state = page.evaluate("window.lineageView.state")
    assert state["selected"] == DIT
    assert TRANSFORMER in state["ancestors"]
    assert {SORA, SEEDANCE} <= set(state["descendants"])
    lit = set(page.evaluate("window.lineageView.network.getSelectedNodes()"))
    assert {DIT, TRANSFORMER, SORA} <= lit
    assert GAN not in lit, "GAN is not in DiT's lineage: it is dimmed"
    assert page.evaluate("document.body.dataset.dimmed") == "true"
    assert "DiT → Transformer" in page.inner_text("#lineage-info")
    page.wait_for_function("!window.lineageView.moving")
    assert _in_colour(page, GAN) < 0.02, "what is not lit is drawn pale"
    assert _in_colour(page, TRANSFORMER) > 0.3, "the lit chain keeps its colour"
    link = page.get_attribute("#lineage-info a.lineage-entity-link", "href")
    assert link == "/id/architecture/dit"
    screenshot(page, "lineage-highlight-dit.png")

    page.fill("#lineage-search", "seedance 1.0")
    page.press("#lineage-search", "Enter")
    page.wait_for_function(f"window.lineageView.state.selected === {json.dumps(SEEDANCE)}")
    assert "Seedance 1.0 → DiT → Transformer" in page.inner_text("#lineage-info")

    papers = page.evaluate("window.lineageView.nodes.get().filter(n => n.kind === 'paper').length")
    page.uncheck('input[data-kind="paper"]')
    assert page.evaluate("window.lineageView.visibleCount()") == expected - papers
    page.fill("#lineage-year-from", "2024")
    page.dispatch_event("#lineage-year-from", "change")
    assert page.evaluate("window.lineageView.visibleCount()") < expected - papers
    screenshot(page, "lineage-filtered.png")

    assert browser.blocked == [], "the page asked for something outside the machine"
    assert browser.errors == []


def test_web_page_expands_a_node_on_double_click(built, browser, serve, tmp_path):
    site = tmp_path / "site"
    (site / "static" / "vendor").mkdir(parents=True)
    for name in ("vis-network.min.js", "vis-network.css"):
        shutil.copy(asset_path(name), site / "static" / "vendor" / name)
    for name in ("lineage.js", "lineage-common.js", "lineage.css"):
        shutil.copy(resource_dir("web") / "static" / name, site / "static" / name)
    graph = select_lineage(built, focus="DiT", depth=0)
    page_html = render_lineage_html(graph, standalone=False, expand_url="/api/lineage/neighbours")

    def lineage_page(_query):
        return 200, "text/html; charset=utf-8", page_html.encode()

    def neighbours(query):
        # The contract the web app serves: to_json(neighbourhood(store, iri)).
        payload = to_json(neighbourhood(built, query["iri"][0]))
        return 200, "application/json", json.dumps(payload).encode()

    base = serve(site, {"/lineage": lineage_page, "/api/lineage/neighbours": neighbours})
    page = _open(browser, base + "/lineage")
    assert page.evaluate("window.lineageView.visibleCount()") == 1

    x, y = _node_on_screen(page, DIT)
    page.mouse.dblclick(x, y)
    page.wait_for_function("window.lineageView.visibleCount() > 1", timeout=10_000)
    expected = set(neighbourhood(built, DIT))
    shown = set(page.evaluate("window.lineageView.nodes.getIds()"))
    assert shown == expected
    assert {TRANSFORMER, SORA} <= shown
    edge_ids = page.evaluate("window.lineageView.edges.getIds()")
    assert f"{DIT}|derivedFrom|{TRANSFORMER}" in edge_ids
    assert "Loaded" in page.inner_text("#lineage-status")
    screenshot(page, "lineage-expanded-dit.png")

    assert browser.blocked == []
    assert browser.errors == []


def _overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of screen boxes ({id, x, y, w, h}) that overlap."""
    pairs = []
    for index, one in enumerate(boxes):
        for other in boxes[index + 1 :]:
            if (
                one["x"] < other["x"] + other["w"]
                and other["x"] < one["x"] + one["w"]
                and one["y"] < other["y"] + other["h"]
                and other["y"] < one["y"] + one["h"]
            ):
                pairs.append((one["id"], other["id"]))
    return pairs


def test_focused_chain_fits_the_view_readably(built_settings, browser, serve, tmp_path):
    """Issue 15, item 7: Seedance 1.0's whole chain (DiT and Transformer included) is on screen
    and every node of it labelled readably; labels and year names never overlap; the tooltip
    goes when a click moves the view."""
    site = tmp_path / "site"
    site.mkdir()
    result = CliRunner().invoke(
        cli, ["--store", built_settings.store, "lineage", "--out", str(site / "lineage.html")]
    )
    assert result.exit_code == 0, result.output
    page = _open(browser, serve(site) + "/lineage.html#focus=Seedance%201.0")
    page.wait_for_function(f"window.lineageView.state.selected === {json.dumps(SEEDANCE)}")
    page.wait_for_function("!window.lineageView.moving")  # the move to the chain is animated
    line = page.evaluate("window.lineageView.state.line")
    assert {SEEDANCE, DIT, TRANSFORMER} <= set(line)
    box = page.evaluate(
        "(() => { const r = document.getElementById('lineage-network').getBoundingClientRect();"
        " return {w: r.width, h: r.height}; })()"
    )
    spots = page.evaluate(
        """(ids) => ids.map((id) => window.lineageView.network.canvasToDOM(
               window.lineageView.network.getPosition(id)))""",
        line,
    )
    for node, spot in zip(line, spots, strict=True):
        assert 0 <= spot["x"] <= box["w"], (node, spot, box)
        assert 0 <= spot["y"] <= box["h"], (node, spot, box)
    labels = page.evaluate("window.lineageView.litLabels")
    labelled = {label["id"] for label in labels}
    assert set(line) <= labelled, set(line) - labelled
    assert _overlapping(labels) == []
    for label in labels:
        assert label["h"] >= 13, "lit labels keep a readable size on screen"
        assert label["x"] >= 0
        assert label["x"] + label["w"] <= box["w"] + 1
    screenshot(page, "lineage-focus-seedance.png")

    years = page.evaluate(
        """(() => { const v = window.lineageView, s = v.network.getScale();
              return v.yearMarks.map((m) => ({x: m.x * s, w: m.width * s})); })()"""
    )
    assert len(years) >= 5
    for one, following in itertools.pairwise(years):
        assert one["x"] + one["w"] < following["x"], years
    page.evaluate("window.lineageView.network.fit()")
    page.wait_for_timeout(100)
    fitted = page.evaluate(
        """(() => { const v = window.lineageView, s = v.network.getScale();
              return v.yearMarks.map((m) => ({x: m.x * s, w: m.width * s})); })()"""
    )
    for one, following in itertools.pairwise(fitted):
        assert one["x"] + one["w"] < following["x"], fitted

    x, y = _node_on_screen(page, SORA)
    page.mouse.move(x, y)
    page.wait_for_selector(".vis-tooltip", state="visible", timeout=5_000)
    tooltip = page.inner_text(".vis-tooltip")
    assert tooltip.startswith("Sora\nmodel · 2024-02\nvendor: OpenAI\nsources: "), tooltip
    page.mouse.click(x, y)
    page.wait_for_function(f"window.lineageView.state.selected === {json.dumps(SORA)}")
    page.wait_for_function("!window.lineageView.moving")
    assert not page.is_visible(".vis-tooltip"), "the tooltip left with the view's move"
    assert browser.blocked == []
    assert browser.errors == []


def _overview_source(source: str, request, built_settings, built, serve, tmp_path) -> str:
    """The overview of the curated graph (forced: big graphs get it by size) as each place
    serves it: the exported file (chunks inlined), the web app (chunks from its route), the
    static site (chunks as files beside the page)."""
    site = tmp_path / "site"
    site.mkdir()
    if source == "app":
        return request.getfixturevalue("live_server") + "/lineage?view=overview"
    if source == "file":
        options = ["lineage", "--view", "overview", "--out", str(site / "lineage.html")]
        result = CliRunner().invoke(cli, ["--store", built_settings.store, *options])
        assert result.exit_code == 0, result.output
        return serve(site) + "/lineage.html"
    (site / "static" / "vendor").mkdir(parents=True)
    for name in ("vis-network.min.js", "vis-network.css"):
        shutil.copy(asset_path(name), site / "static" / "vendor" / name)
    for name in ("lineage-overview.js", "lineage-common.js", "lineage.css"):
        shutil.copy(resource_dir("web") / "static" / name, site / "static" / name)
    write_lineage(site, PageRenderer(built_settings, built, None, set(), {}), view="overview")
    return serve(site) + "/lineage.html"


def _chunks(asked: list[str]) -> set[str]:
    """The chunks of the lineage page among the URLs asked for (``lineage/NAME.json``)."""
    return {m[1] for url in asked if (m := re.search(r"/lineage/([\w-]+)\.json", url))}


@pytest.mark.parametrize("source", ["file", "app", "site"])
def test_overview_loads_what_it_shows(
    source, request, built_settings, built, browser, serve, tmp_path
):
    """Issue 17: the overview opens on one circle per kind and year, and loads the rest as it
    is asked for: a circle's members when it opens on a click, the circles a lineage passes
    through when a search or a #focus= link brings it out; a click lights a chain."""
    url = _overview_source(source, request, built_settings, built, serve, tmp_path)
    graph = read_lineage(built)
    models_2025 = {
        n
        for n, d in graph.nodes(data=True)
        if d["kind"] == "model" and (d["date"] or "")[:4] == "2025"
    }
    asked: list[str] = []
    browser.on("request", lambda r: asked.append(r.url))
    page = _open(browser, url)
    assert page.evaluate("document.body.dataset.view") == "overview"
    groups = page.evaluate("window.lineageView.groups.length")
    assert page.evaluate("window.lineageView.visibleCount()") == groups
    assert page.evaluate("window.lineageView.total") == graph.number_of_nodes()
    assert _chunks(asked) <= {"names"}, "the first view needs no circle's members"

    number = page.evaluate(
        """(() => {
            const view = window.lineageView;
            const model = view.data.kindsOrder.indexOf("model");
            return view.groups.findIndex((g) => g.kind === model && g.year === 2025);
        })()"""
    )
    x, y = _node_on_screen(page, f"group:{number}")
    page.mouse.click(x, y)
    _wait(page, f"window.lineageView.visibleCount() > {groups}")
    shown = set(page.evaluate("window.lineageView.nodes.getIds()"))
    assert models_2025 <= shown, "a circle opens into its members"
    assert "opened" in page.inner_text("#lineage-status")
    fetched = _chunks(asked)
    if source != "file":
        assert f"c{number}-0" in fetched, "the circle's first part (90 members are drawn)"
    screenshot(page, f"lineage-overview-opened-{source}.png")

    page.fill("#lineage-search", "seedance 1.0")
    page.press("#lineage-search", "Enter")
    _wait(page, f"window.lineageView.state.selected === {json.dumps(SEEDANCE)}")
    line = set(page.evaluate("window.lineageView.state.line"))
    assert {SEEDANCE, DIT, TRANSFORMER} <= line
    assert line <= set(page.evaluate("window.lineageView.nodes.getIds()")), "the chain is drawn"
    assert "Seedance 1.0 → DiT → Transformer" in page.inner_text("#lineage-info")
    lit = set(page.evaluate("window.lineageView.network.getSelectedNodes()"))
    assert {SEEDANCE, DIT, TRANSFORMER} <= lit
    assert page.evaluate("document.body.dataset.dimmed") == "true"
    circles = page.evaluate(
        """(ids) => ids.map((id) => {
            const view = window.lineageView;
            const kind = view.data.kindsOrder.indexOf(view.nodes.get(id).kind);
            const year = view.nodes.get(id).year || 0;
            const group = view.groups.findIndex((g) => g.kind === kind && g.year === year);
            return `c${group}-0`;
        })""",
        [SEEDANCE, DIT, TRANSFORMER],
    )
    if source != "file":
        assert set(circles) <= _chunks(asked) - fetched | {f"c{number}-0"}, "fetched when needed"
    else:
        assert _chunks(asked) == set(), "the exported file carries its chunks"
    screenshot(page, f"lineage-overview-seedance-{source}.png")

    x, y = _node_on_screen(page, DIT)
    page.mouse.click(x, y)
    _wait(page, f"window.lineageView.state.selected === {json.dumps(DIT)}")
    assert SORA in page.evaluate("window.lineageView.state.descendants")
    assert SORA in page.evaluate("window.lineageView.nodes.getIds()")

    asked.clear()
    focused = _open(browser, url + "#focus=Sora")
    _wait(focused, f"window.lineageView.state.selected === {json.dumps(SORA)}")
    assert DIT in focused.evaluate("window.lineageView.state.ancestors")
    if source != "file":
        assert "names" in _chunks(asked), "a focus finds its node in the names chunk"
    assert all(urllib.parse.urlsplit(u).hostname == "127.0.0.1" for u in asked)
    assert browser.blocked == []
    assert browser.errors == []
