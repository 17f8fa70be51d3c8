"""The timeline and chart pages in headless Chromium: they draw offline, hover, zoom and link.

Every request that does not go to 127.0.0.1 is blocked and recorded; the console must stay free
of errors. Screenshots land in test-output/ for review.
"""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from kg.cli import cli
from kg.namespaces import entity_iri
from kg.query import select
from kg.render.assets import asset_path, static_text
from kg.render.timeline_html import render_timeline_html
from kg.timeline import read_eras, select_timeline

from .browsing import BROWSER_MARKS, fixed, screenshot

pytestmark = BROWSER_MARKS
DIT = entity_iri("architecture", "dit")


def _open(context, url: str):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#kg-plot[data-ready=true]", timeout=30_000)
    return page


def _point_centre(page, kind: str, label: str) -> tuple[float, float]:
    """Where a point is drawn on the page: its trace's n-th marker, for a real mouse click."""
    trace, index = page.evaluate(
        """([kind, label]) => {
            const data = document.getElementById("kg-plot").data;
            const trace = data.findIndex((t) => t.meta.kind === kind);
            return [trace, data[trace].meta.labels.indexOf(label)];
        }""",
        [kind, label],
    )
    marker = page.locator("#kg-plot .scatterlayer .trace").nth(trace).locator(".point").nth(index)
    box = marker.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _texts(page, selector: str) -> list[str]:
    """Text of SVG elements (inner_text works on HTML elements only)."""
    return page.locator(selector).evaluate_all("(nodes) => nodes.map((n) => n.textContent)")


def _shown_labels(page, kind: str, since: str) -> int:
    return page.evaluate(
        """([kind, since]) => {
            const trace = document.getElementById("kg-plot").data.find((t) => t.meta.kind === kind);
            return trace.x.filter((x, i) => x >= since && trace.text[i]).length;
        }""",
        [kind, since],
    )


def test_exported_timeline_draws_offline_hovers_zooms_and_links(
    built_settings, built, browser, serve, tmp_path
):
    site = tmp_path / "site"
    site.mkdir()
    base = serve(site, {"/id/architecture/dit": fixed("text/html", b"<h1>DiT page</h1>")})
    result = CliRunner().invoke(
        cli,
        [
            "--store",
            built_settings.store,
            "timeline",
            "--format",
            "html",
            "--base-url",
            base,
            "--out",
            str(site / "timeline.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    # Expected counts straight from the graph, not from the timeline code.
    dated = select(built, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e kg:date ?d }")
    events = int(dated.rows[0][0].value)
    eras = int(select(built, "SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:Era }").rows[0][0].value)
    page = _open(browser, base + "/timeline.html")

    assert page.locator("#kg-plot .scatterlayer .trace .point").count() == events
    # One shaded span per era, and the report's date (the year 2025) as one dashed span.
    assert page.locator("#kg-plot .layer-below .shapelayer path").count() == eras + 1 == 5
    assert "the report: 2025" in _texts(page, "#kg-plot .annotation-text")
    assert page.get_attribute("#kg-plot", "data-report") == "2025"
    lanes = _texts(page, "#kg-plot .yaxislayer-above .ytick")
    assert lanes == ["Era", "Architecture", "Paper", "Model", "Leaderboard"]
    assert page.get_attribute("#kg-plot", "data-events") == str(events)
    screenshot(page, "timeline.png", full_page=True)

    x, y = _point_centre(page, "architecture", "DiT")
    page.mouse.move(x, y)
    page.wait_for_selector("#kg-plot .hoverlayer .hovertext")
    hover = " ".join(_texts(page, "#kg-plot .hoverlayer .hovertext text"))
    assert "DiT" in hover
    assert "2022-12 · architecture" in hover, "the date as printed, not 2022-12-01"
    assert "arXiv 2212.09748" in hover or "Report" in hover, "sources in the hover"
    screenshot(page, "timeline-hover-dit.png", full_page=True)

    since = "2023-07"
    before = _shown_labels(page, "model", since)
    page.click("button[data-range='last 2 years']")
    page.wait_for_function(
        "document.getElementById('kg-plot').layout.xaxis.range[0].slice(0, 4) >= '2023'"
    )
    page.wait_for_timeout(200)
    after = _shown_labels(page, "model", since)
    assert after > before, f"zooming in shows more labels of recent models ({before} → {after})"
    screenshot(page, "timeline-zoomed.png", full_page=True)

    page.click("button[data-range='all']")
    page.wait_for_timeout(200)
    x, y = _point_centre(page, "architecture", "DiT")
    page.mouse.move(x, y)
    page.wait_for_selector("#kg-plot .hoverlayer .hovertext")
    page.mouse.click(x, y)
    page.wait_for_url(base + "/id/architecture/dit")
    assert page.inner_text("h1") == "DiT page"

    assert browser.blocked == []
    assert browser.errors == []


def test_web_app_page_draws_from_the_app_vendor_copy(built, browser, serve, tmp_path):
    frame = select_timeline(built, kinds="model,architecture", start="2020")
    page_html = render_timeline_html(frame, read_eras(built), standalone=False)
    site = tmp_path / "app"
    site.mkdir()
    plotly = asset_path("plotly.min.js").read_bytes()
    base = serve(
        site,
        {
            "/timeline": fixed("text/html; charset=utf-8", page_html.encode()),
            "/static/vendor/plotly.min.js": fixed("text/javascript", plotly),
            "/static/timeline.js": fixed("text/javascript", static_text("timeline.js").encode()),
            "/static/timeline.css": fixed("text/css", static_text("timeline.css").encode()),
        },
    )
    page = _open(browser, base + "/timeline")
    assert page.locator("#kg-plot .scatterlayer .trace .point").count() == len(frame)
    assert set(_texts(page, "#kg-plot .yaxislayer-above .ytick")) == {
        "Architecture",
        "Model",
    }
    assert browser.blocked == []
    assert browser.errors == []


def test_chart_page_draws_offline(built_settings, browser, serve, tmp_path):
    site = tmp_path / "charts"
    site.mkdir()
    for name in ("market-size", "message-share"):
        result = CliRunner().invoke(
            cli,
            ["--store", built_settings.store, "chart", name, "--out", str(site / f"{name}.html")],
        )
        assert result.exit_code == 0, result.output
    base = serve(site)
    page = _open(browser, base + "/market-size.html")
    # 2024 measured; 2025E and 2032E dashed, joined to 2024 by a bridge point.
    assert page.locator("#kg-plot .scatterlayer .trace .point").count() == 4
    assert page.locator("#kg-plot .scatterlayer .trace .js-line").count() == 2
    assert _texts(page, "#kg-plot .xaxislayer-above .xtick") == ["2024", "2025", "2032"]
    screenshot(page, "chart-market-size.png", full_page=True)
    page = _open(browser, base + "/message-share.html")
    assert page.locator("#kg-plot .bars .point").count() == 11
    screenshot(page, "chart-message-share.png", full_page=True)
    assert browser.blocked == []
    assert browser.errors == []


def test_every_event_labelled_or_reachable_and_axis_ends_at_the_data(
    built_settings, built, browser, serve, tmp_path
):
    """Issue 15, item 7: at the first view each point shows its label or stands clear of every
    other point (hover names it), the two Artificial Analysis boards read differently, and
    the time axis stops at the last event instead of running on to 2027."""
    site = tmp_path / "site"
    site.mkdir()
    out = site / "timeline.html"
    result = CliRunner().invoke(
        cli, ["--store", built_settings.store, "timeline", "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = _open(browser, serve(site) + "/timeline.html")
    points = page.evaluate(
        """(() => {
            const holder = document.getElementById("kg-plot");
            const traces = holder.querySelectorAll(".scatterlayer .trace");
            const out = [];
            holder.data.forEach((trace, t) => {
                traces[t].querySelectorAll(".point").forEach((point, i) => {
                    const box = point.getBoundingClientRect();
                    out.push({kind: trace.meta.kind, label: trace.meta.labels[i],
                              text: trace.text[i], x: box.x + box.width / 2,
                              y: box.y + box.height / 2});
                });
            });
            return out;
        })()"""
    )
    assert len(points) == len(select_timeline(built))
    unlabelled = [p for p in points if not p["text"]]
    for point in unlabelled:
        clash = [
            other
            for other in points
            if other is not point
            and abs(other["x"] - point["x"]) < 8
            and abs(other["y"] - point["y"]) < 8
        ]
        assert clash == [], f"{point['label']} hides under {clash[0]['label']}"
    assert page.get_attribute("#kg-plot", "data-unlabelled") == str(len(unlabelled))
    if unlabelled:
        assert "hover one for its name" in page.inner_text("#kg-label-note")
        for point in unlabelled[:3]:
            page.mouse.move(1, 1)
            page.wait_for_selector("#kg-plot .hoverlayer .hovertext", state="detached")
            page.mouse.move(point["x"], point["y"])
            page.wait_for_selector("#kg-plot .hoverlayer .hovertext")
            hover = " ".join(_texts(page, "#kg-plot .hoverlayer .hovertext text"))
            assert point["label"].rstrip("…") in hover

    boards = [p["text"] for p in points if p["kind"] == "leaderboard"]
    assert len(boards) == len(set(boards)) == 3, boards
    assert any("text-to-video" in text for text in boards)
    assert any("image-to-video" in text for text in boards)

    latest = select_timeline(built)["sort_key"].max()
    end = page.evaluate("document.getElementById('kg-plot').layout.xaxis.range[1]")
    margin = pd.Timestamp(end) - latest
    assert margin <= pd.Timedelta(days=75), f"the axis runs on to {end} past {latest}"
    ticks = _texts(page, "#kg-plot .xaxislayer-above .xtick")
    assert int(ticks[-1]) <= latest.year, ticks
    screenshot(page, "timeline-first-view.png", full_page=True)
    assert browser.blocked == []
    assert browser.errors == []
