"""The lineage page as HTML: offline, our own template, time-ordered, safe, and writes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.errors import BadParameterError
from kg.lineage import read_lineage
from kg.namespaces import entity_iri
from kg.render.assets import asset_text
from kg.render.lineage_html import (
    CHUNK_NODES,
    KIND_STYLES,
    RELATION_STYLES,
    render_lineage_html,
    render_lineage_parts,
)

DIT = entity_iri("architecture", "dit")
TRANSFORMER = entity_iri("architecture", "transformer")
SORA = entity_iri("model", "sora")
VEO_2 = entity_iri("model", "veo-2")
OPENAI = entity_iri("org", "openai")


@pytest.fixture
def graph(mini_store) -> nx.MultiDiGraph:
    return read_lineage(mini_store)


def _data(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="lineage-data">(.*?)</script>', page, re.S
    )
    assert found, "the page carries its data in a JSON script element"
    return json.loads(found[1])


def _external_references(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+""", page)


def test_standalone_page_inlines_everything(graph):
    page = render_lineage_html(graph, standalone=True, expand_url=None)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)
    assert _external_references(page) == []
    assert asset_text("vis-network.min.js")[:2000] in page
    assert "window.lineageView" in page, "our script is inline"
    assert ".lineage-page" in page, "our styles are inline"
    assert "bootstrap" not in page


def test_web_page_references_the_app_static_files(graph):
    page = render_lineage_html(graph, standalone=False, expand_url="/api/lineage/neighbours")
    sources = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert sources == [
        "/static/vendor/vis-network.min.js",
        "/static/lineage-common.js",
        "/static/lineage.js",
    ]
    assert styles == ["/static/vendor/vis-network.css", "/static/lineage.css"]
    assert asset_text("vis-network.min.js")[:2000] not in page
    assert _data(page)["expandUrl"] == "/api/lineage/neighbours"
    assert "Double-click a node to load its neighbours" in page


def test_page_data_has_every_node_and_edge_with_style(graph):
    data = _data(
        render_lineage_html(
            graph, standalone=True, expand_url=None, entity_base="https://kg.example/"
        )
    )
    assert len(data["nodes"]) == graph.number_of_nodes() == 7
    assert len(data["edges"]) == graph.number_of_edges() == 5
    sora = next(node for node in data["nodes"] if node["id"] == SORA)
    assert sora["group"] == "model"
    assert sora["shape"] == KIND_STYLES["model"]["shape"]
    assert sora["url"] == "/id/model/sora"
    assert data["entityBase"] == "https://kg.example"
    # The tooltip is written in the browser from these fields (tests/test_lineage_browser.py).
    assert "title" not in sora
    assert (sora["fullLabel"], sora["kind"], sora["date"]) == ("Sora", "model", "2024-02")
    assert (sora["vendor"], sora["sources"]) == ("OpenAI", ["the report"])
    derived = next(edge for edge in data["edges"] if edge["relation"] == "derivedFrom")
    assert (derived["from"], derived["to"]) == (DIT, TRANSFORMER)
    assert derived["color"]["color"] == RELATION_STYLES["derivedFrom"]["color"]
    assert derived["arrows"] == "to"
    assert data["expandUrl"] is None


def test_relations_are_told_apart(graph):
    styles = {(s["color"], s["width"], str(s["dashes"])) for s in RELATION_STYLES.values()}
    assert len(styles) == len(RELATION_STYLES)
    assert RELATION_STYLES["derivedFrom"]["dashes"] is False
    assert RELATION_STYLES["precededBy"]["dashes"], "era succession never looks like inheritance"
    page = render_lineage_html(graph, standalone=True, expand_url=None)
    for style in RELATION_STYLES.values():
        assert f"{style['label']}\n" in page, f"legend entry {style['label']!r}"


def test_time_layout_reads_left_to_right_with_lanes_by_kind(graph):
    data = _data(render_lineage_html(graph, standalone=True, expand_url=None))
    at = {node["id"]: (node["x"], node["y"]) for node in data["nodes"]}
    # Transformer 2017 < DiT 2022-12 < Sora 2024-02 < Veo 2 2024-12
    assert at[TRANSFORMER][0] < at[DIT][0] < at[SORA][0] < at[VEO_2][0]
    lanes = {lane["kind"]: lane for lane in data["axis"]["lanes"]}
    assert list(lanes) == ["paper", "architecture", "model", "org"]
    for node in data["nodes"]:
        lane = lanes[node["kind"]]
        assert lane["top"] <= node["y"] <= lane["bottom"]
    assert lanes["architecture"]["bottom"] < lanes["model"]["top"]
    assert at[OPENAI][0] == at[SORA][0], "an undated vendor sits at its models' dates"
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["layout"]["improvedLayout"] is False


def test_physics_layout_is_bounded(graph):
    data = _data(render_lineage_html(graph, standalone=True, expand_url=None, layout="physics"))
    physics = data["options"]["physics"]
    assert physics["enabled"] is True
    assert physics["stabilization"]["enabled"] is True
    assert physics["stabilization"]["iterations"] <= 200
    assert all("x" not in node for node in data["nodes"])
    assert data["axis"] is None


def test_labels_cannot_break_out_of_the_script_element():
    graph = nx.MultiDiGraph()
    evil = "</script><script>alert(1)</script><!--"
    graph.add_node(
        SORA,
        kind="model",
        label=evil,
        date="2024",
        vendor="A & B",
        sources=[evil],
        url="/id/model/sora",
    )
    page = render_lineage_html(graph, standalone=False, expand_url=None, title="<b>x</b>")
    assert "<script>alert(1)" not in page
    assert "<b>x</b>" not in page
    node = _data(page)["nodes"][0]
    assert node["fullLabel"] == evil
    assert node["vendor"] == "A & B"


def test_render_writes_no_files(graph, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for layout in ("time", "physics"):
        render_lineage_html(graph, standalone=True, expand_url=None, layout=layout)
        render_lineage_html(graph, standalone=False, expand_url="/api/lineage/neighbours")
    assert list(tmp_path.iterdir()) == [], "pyvis must not write lib/ (upstream issue #174)"


def test_unknown_layout(graph):
    with pytest.raises(
        BadParameterError, match="unknown layout 'circle'; use one of time, physics"
    ):
        render_lineage_html(graph, standalone=True, expand_url=None, layout="circle")


def test_large_graphs_draw_solid_links():
    graph = nx.MultiDiGraph()
    for index in range(1600):
        graph.add_node(f"m{index}", kind="model", label=f"M{index}", date="2024", url=None)
    for index in range(1, 1600):
        graph.add_edge(f"m{index}", f"m{index - 1}", key="successorOf", relation="successorOf")
        graph.add_edge(f"m{index}", f"m{index - 1}", key="derivedFrom", relation="derivedFrom")
    data = _data(render_lineage_html(graph, standalone=True, expand_url=None))
    assert data["dashed"] is False
    assert all(edge["dashes"] is False for edge in data["edges"])
    assert data["options"]["edges"]["smooth"]["enabled"] is True


def _chain(n_nodes: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for index in range(n_nodes):
        graph.add_node(
            f"https://example.org/m/{index}",
            kind="model",
            label=f"M{index}",
            date=str(2015 + index % 10),
            vendor="Lab" if index % 2 else None,
            sources=["paper A"],
            url=None,
        )
    for index in range(1, n_nodes):
        start, end = f"https://example.org/m/{index}", f"https://example.org/m/{index - 1}"
        graph.add_edge(start, end, key="successorOf", relation="successorOf", sources=["B"])
    return graph


def test_auto_view_opens_the_overview_past_the_measured_size():
    from kg.render.lineage_html import OVERVIEW_FROM, choose_view

    assert choose_view("auto", OVERVIEW_FROM) == "full"
    assert choose_view("auto", OVERVIEW_FROM + 1) == "overview"
    assert choose_view("full", 10**6) == "full"
    assert choose_view("overview", 3) == "overview"
    with pytest.raises(BadParameterError, match="unknown view 'tiles'"):
        choose_view("tiles", 3)
    small = render_lineage_html(_chain(50), standalone=False, expand_url=None)
    assert 'data-view="full"' in small
    assert "/static/lineage.js" in small
    big = render_lineage_html(_chain(OVERVIEW_FROM + 1), standalone=False, expand_url=None)
    assert 'data-view="overview"' in big
    assert "/static/lineage-overview.js" in big
    assert "/static/lineage.js" not in big


def test_overview_page_carries_the_circles_and_its_chunks_the_rest():
    """Issue 17, the page's size: the overview's page holds one circle per kind and year;
    names and each circle's members are chunks loaded on demand, every link in the chunk of
    its start (out, with its sources) and of its end (in)."""
    graph = _chain(3000)
    parts = render_lineage_parts(
        graph,
        standalone=False,
        expand_url=None,
        view="overview",
        chunk_url="lineage/{name}.json",
    )
    page, data = parts["page"], _data(parts["page"])
    assert len(page) < 20_000, "the first view's size does not grow with the graph"
    assert data["total"] == 3000
    assert data["chunkUrl"] == "lineage/{name}.json"
    model = data["kindsOrder"].index("model")
    assert [circle[:2] for circle in data["circles"]] == [[model, y] for y in range(2015, 2025)]
    assert sum(data["circleLinks"][2::3]) == graph.number_of_edges(), "each crosses circles"
    names = json.loads(parts["names"])
    ids = [names["spaces"][space] + rest for space, rest in names["ids"]]
    assert sorted(ids) == sorted(graph)
    assert names["labels"] == [graph.nodes[n]["label"] for n in ids]
    assert set(parts) == {"page", "names"} | {f"c{i}-0" for i in range(10)}
    first, outs, ins = 0, set(), set()
    for number, (_kind, year, size) in enumerate(data["circles"]):
        chunk = json.loads(parts[f"c{number}-0"])
        assert chunk["first"] == first
        members = ids[first : first + size]
        assert {graph.nodes[n]["date"] for n in members} == {str(year)}
        assert chunk["vendors"] == [graph.nodes[n]["vendor"] for n in members]
        assert [[chunk["sourceNames"][s] for s in k] for k in chunk["sources"]] == [
            ["paper A"]
        ] * size
        relations = data["relationNames"]
        out, into = chunk["out"], chunk["in"]
        outs |= {
            (ids[out[i]], ids[out[i + 1]], relations[out[i + 2]]) for i in range(0, len(out), 3)
        }
        ins |= {
            (ids[into[i]], ids[into[i + 1]], relations[into[i + 2]]) for i in range(0, len(into), 3)
        }
        assert all(ids[out[i]] in members for i in range(0, len(out), 3))
        assert all(ids[into[i + 1]] in members for i in range(0, len(into), 3))
        assert {chunk["sourceNames"][s] for k in chunk["outSources"] for s in k} <= {"B"}
        first += size
    assert outs == ins == set(graph.edges(keys=True))


def test_chunks_do_not_depend_on_the_order_nodes_were_added():
    graph = _chain(300)
    again = nx.MultiDiGraph()
    again.add_nodes_from(reversed(list(graph.nodes(data=True))))
    again.add_edges_from(reversed(list(graph.edges(keys=True, data=True))))

    def parts(g):
        return render_lineage_parts(
            g, standalone=False, expand_url=None, view="overview", chunk_url="{name}.json"
        )

    first, second = parts(graph), parts(again)
    assert first["names"] == second["names"]
    assert {k: v for k, v in first.items() if k.startswith("c")} == {
        k: v for k, v in second.items() if k.startswith("c")
    }


def test_big_circles_come_in_parts():
    graph = _chain(CHUNK_NODES * 25)  # ten circles of 2.5 parts
    parts = render_lineage_parts(
        graph, standalone=False, expand_url=None, view="overview", chunk_url="{name}.json"
    )
    assert {name for name in parts if name.startswith("c0-")} == {"c0-0", "c0-1", "c0-2"}
    sizes = [len(json.loads(parts[f"c0-{k}"])["dates"]) for k in range(3)]
    assert sizes == [CHUNK_NODES, CHUNK_NODES, CHUNK_NODES // 2]
    firsts = [json.loads(parts[f"c0-{k}"])["first"] for k in range(3)]
    assert firsts == [0, CHUNK_NODES, 2 * CHUNK_NODES]
    assert _data(parts["page"])["chunkNodes"] == CHUNK_NODES


def test_exported_overview_inlines_its_chunks_safely():
    graph = _chain(30)
    graph.nodes["https://example.org/m/3"]["label"] = "</script><script>alert(1)</script>"
    page = render_lineage_html(graph, standalone=True, expand_url=None, view="overview")
    assert _data(page)["chunkUrl"] is None
    assert 'id="lineage-chunk-names"' in page
    assert 'id="lineage-chunk-c0-0"' in page
    assert "<script>alert(1)" not in page
    assert "lineage-overview.js" not in _external_references(page)
