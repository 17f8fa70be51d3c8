"""The timeline page as HTML: offline, lanes by kind, eras behind, hover and links, safe."""

from __future__ import annotations

import itertools
import json
import re

import pandas as pd
import pytest

from kg.namespaces import entity_iri
from kg.render.assets import asset_text
from kg.render.timeline_html import KIND_STYLES, PLOTLY_URL, render_timeline_html
from kg.timeline import parse_timeline, read_eras, read_timeline, serialize_timeline

SORA = entity_iri("model", "sora")


@pytest.fixture
def frame(mini_store) -> pd.DataFrame:
    return read_timeline(mini_store)


@pytest.fixture
def eras(built) -> pd.DataFrame:
    return read_eras(built)


def _figure(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="kg-plot-data">(.*?)</script>', page, re.S
    )
    assert found, "the page carries its figure in a JSON script element"
    return json.loads(found[1])["figure"]


def _external_references(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+""", page)


def _trace(figure: dict, kind: str) -> dict:
    (trace,) = [t for t in figure["data"] if t["meta"]["kind"] == kind]
    return trace


def test_standalone_page_inlines_plotly_and_loads_nothing(frame, eras):
    page = render_timeline_html(frame, eras, standalone=True)
    bundle = asset_text("plotly.min.js")
    assert bundle in page, "plotly.js is inlined whole"
    ours = page.replace(bundle, "")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", ours)
    # (plotly.js itself holds attribution links as strings, never loaded.)
    assert _external_references(ours) == []


def test_web_page_links_the_app_assets_and_runs_no_inline_script(frame, eras):
    page = render_timeline_html(frame, eras, standalone=False)
    assert re.findall(r'<script src="([^"]+)"', page) == [PLOTLY_URL, "/static/timeline.js"]
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) == ["/static/timeline.css"]
    assert PLOTLY_URL == "/static/vendor/plotly.min.js"
    assert asset_text("plotly.min.js")[:2000] not in page
    # The app's content security policy forbids inline scripts; JSON data is not a script.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", page) == []


def test_web_page_links_under_another_static_prefix(frame, eras):
    page = render_timeline_html(frame, eras, standalone=False, static="../static")
    assert re.findall(r'<script src="([^"]+)"', page) == [
        "../static/vendor/plotly.min.js",
        "../static/timeline.js",
    ]


def test_one_lane_per_kind_with_every_event(frame, eras):
    figure = _figure(render_timeline_html(frame, eras, standalone=False))
    kinds = [trace["meta"]["kind"] for trace in figure["data"]]
    assert kinds == ["architecture", "paper", "model", "leaderboard"], "lane order, top down"
    assert sum(len(trace["x"]) for trace in figure["data"]) == len(frame) == 6
    model = _trace(figure, "model")
    assert model["marker"]["symbol"] == KIND_STYLES["model"]["symbol"]
    assert model["name"] == "Model (2)"
    ticks = figure["layout"]["yaxis"]["ticktext"]
    assert ticks == ["<b>Architecture</b>", "<b>Paper</b>", "<b>Model</b>", "<b>Leaderboard</b>"]
    lanes = [set(trace["y"]) for trace in figure["data"]]
    for upper, lower in itertools.pairwise(lanes):
        assert max(upper) < min(lower), "lanes do not mix"


def test_hover_shows_date_as_printed_kind_vendor_and_sources(frame, eras):
    figure = _figure(render_timeline_html(frame, eras, standalone=False))
    model = _trace(figure, "model")
    sora = model["hovertext"][model["meta"]["labels"].index("Sora")]
    assert sora.split("<br>")[:4] == [
        "<b>Sora</b>",
        "2024-02 · model",
        "vendor: OpenAI",
        "sources: the report",
    ]
    architecture = _trace(figure, "architecture")
    assert architecture["hovertext"][0].split("<br>")[1] == "2017 · architecture", "not 2017-01-01"


def test_click_targets_are_entity_pages_with_an_optional_base(frame, eras):
    figure = _figure(render_timeline_html(frame, eras, standalone=False))
    assert "/id/model/sora" in _trace(figure, "model")["customdata"]
    assert "/id/benchmark/aa-t2v" in _trace(figure, "leaderboard")["customdata"]
    based = _figure(
        render_timeline_html(frame, eras, standalone=False, entity_base="https://kg.example/")
    )
    assert "https://kg.example/id/model/sora" in _trace(based, "model")["customdata"]


def test_eras_are_spans_behind_the_events(frame, eras):
    figure = _figure(render_timeline_html(frame, eras, standalone=False))
    spans = [shape for shape in figure["layout"]["shapes"] if shape["type"] == "rect"]
    assert [shape["name"] for shape in spans] == list(eras["label"])
    assert all(shape["layer"] == "below" for shape in spans)
    assert all((shape["yref"], shape["y0"], shape["y1"]) == ("paper", 0, 1) for shape in spans)
    gan = spans[0]
    assert gan["x0"].startswith("2016-09-01")
    assert gan["x1"].startswith("2022-03-01"), "the end month is drawn to its last day"
    dit = spans[-1]
    assert dit["x1"] == figure["layout"]["xaxis"]["range"][1], "the open era runs to the edge"
    labels = [note["text"] for note in figure["layout"]["annotations"]]
    assert any("Diffusion + Transformer (DiT) era" in label for label in labels)


def test_page_counts_and_status(frame, eras):
    page = render_timeline_html(frame, eras, standalone=False)
    assert 'data-events="6" data-eras="4"' in page
    assert "6 events from 2017 to 2025-06-19, 4 eras behind them." in page
    assert "<details><summary>All 6 events as a list</summary>" in page
    assert (
        '<li><time>2022-12</time> <a href="/id/architecture/dit">DiT</a> (architecture)</li>'
        in page
    )


def test_an_empty_selection_says_so(frame, eras):
    page = render_timeline_html(frame.iloc[0:0], eras.iloc[0:0], standalone=False)
    assert "No events match these filters." in page
    assert _figure(page)["data"] == []
    assert 'data-events="0"' in page


def test_labels_cannot_break_out_of_the_page(frame, eras):
    hostile = frame.copy()
    hostile.loc[0, "label"] = '</script><script>alert("x")</script><b>'
    page = render_timeline_html(hostile, eras, standalone=False)
    data = re.search(r'id="kg-plot-data">(.*?)</script>', page, re.S)[1]
    assert "</script" not in data
    assert "<b>" not in data
    assert "&lt;/script&gt;&lt;script&gt;alert" in page, "the list escapes it too"
    figure = _figure(page)
    hover = figure["data"][0]["hovertext"][0]
    assert hover.startswith("<b>&lt;/script&gt;"), "hover text is escaped for Plotly's HTML"


def test_a_frame_read_back_from_csv_renders_the_same(frame, eras):
    again = parse_timeline(serialize_timeline(frame, "csv"), "csv")
    first = _figure(render_timeline_html(frame, eras, standalone=False))
    second = _figure(render_timeline_html(again, eras, standalone=False))
    assert first == second


def test_real_timeline_renders_every_event(built, eras):
    frame = read_timeline(built)
    figure = _figure(render_timeline_html(frame, eras, standalone=False))
    assert sum(len(trace["x"]) for trace in figure["data"]) == len(frame)
    assert {trace["meta"]["kind"] for trace in figure["data"]} == set(frame["kind"])
    shown = [t for trace in figure["data"] for t in trace["text"] if t]
    assert len(shown) > len(frame) / 2, "most labels show at the first zoom"


def test_cut_labels_stay_distinct():
    from kg.render.timeline_html import _short_labels

    boards = [
        "Artificial Analysis Video Arena: text-to-video, as of 2025-06-19",
        "Artificial Analysis Video Arena: image-to-video, as of 2025-06-19",
        "Sora",
    ]
    short = _short_labels(boards)
    assert short[2] == "Sora"
    assert len(set(short)) == 3
    assert "text-to-video" in short[0]
    assert "image-to-video" in short[1]
    assert all(len(text) <= 28 for text in short)


def test_labels_at_the_axis_end_go_left_and_hidden_points_stand_apart():
    from kg.render.timeline_html import _pack

    # Twelve events on the same day near the end of a 1,000-day axis: each label would run
    # past the end, so the shown ones sit left; past the sub-rows, points take free rows.
    rows, shown, left = _pack([990] * 12, ["a long label here"] * 12, 1000)
    assert all(left[i] for i in range(12) if shown[i])
    assert sum(shown) == 10
    assert rows[:10] == list(range(10))
    rows, shown, left = _pack([0, 5, 400], ["x" * 20] * 3, 1000)
    assert shown == [True, True, True]
    assert left == [False, False, False]
    assert rows == [0, 1, 0]
