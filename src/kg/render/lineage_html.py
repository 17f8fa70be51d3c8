"""networkx lineage graph → one interactive HTML page (vis-network), offline, from our own template.

pyvis serves only as a generator of vis-network node, edge and option objects: its templates
fetch vis-network and bootstrap from CDNs, and its ``write_html``/``show`` write a ``lib/``
folder into the current directory, so neither is ever called. The page is ``web/templates/
lineage.html`` with ``web/static/lineage.{js,css}``; vis-network comes from pyvis's installed
copy through ``kg.render.assets``. Pure: data in, a string out; no store, no files written.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.node import Node
from pyvis.options import Options

from kg.config import resource_dir
from kg.dates import parse_date
from kg.errors import BadParameterError
from kg.lineage import DESCENT, KINDS_ORDER, RELATIONS
from kg.render.assets import STATIC_PREFIX, asset_text, static_text

__all__ = [
    "KIND_STYLES",
    "LAYOUTS",
    "OVERVIEW_FROM",
    "RELATION_STYLES",
    "STATIC_PREFIX",
    "VIEWS",
    "render_lineage_html",
    "render_lineage_parts",
    "time_layout",
]

LAYOUTS: tuple[str, ...] = ("time", "physics")

#: "full" draws every node with vis-network; "overview" opens on one node per kind and year
#: that expands on click, search and focus (lineage-overview.js); "auto" picks by size.
VIEWS: tuple[str, ...] = ("auto", "full", "overview")

#: Past this many nodes "auto" opens the overview. Measured with bench/bench_lineage_render.py:
#: the full view's time to interactive and click cost grow with the graph (0.7 s and 0.23 s at
#: 1,000 nodes, 2.8 s and 1.1 s at 10,000), the overview's stay flat.
OVERVIEW_FROM = 2000

#: Members per chunk of an overview's circle: a click loads the parts its lineage passes
#: through, not whole circles (a circle of 100,000 nodes' models holds thousands).
CHUNK_NODES = 500

#: Colour and shape per kind (Tableau 10 hues, readable on white and told apart by shape too).
KIND_STYLES: dict[str, dict] = {
    "era": {"label": "Era", "shape": "ellipse", "color": "#b279a2", "font": "#ffffff"},
    "architecture": {
        "label": "Architecture",
        "shape": "box",
        "color": "#e45756",
        "font": "#ffffff",
    },
    "paper": {
        "label": "Paper",
        "shape": "square",
        "color": "#9d755d",
        "font": "#3b2b22",
        "size": 9,
    },
    "model": {"label": "Model", "shape": "dot", "color": "#4c78a8", "font": "#1d3557", "size": 11},
    "product": {
        "label": "Product",
        "shape": "triangle",
        "color": "#f58518",
        "font": "#7a3d00",
        "size": 12,
    },
    "org": {
        "label": "Organisation",
        "shape": "hexagon",
        "color": "#54a24b",
        "font": "#1e5a19",
        "size": 14,
    },
}

#: Edge style per relation: inheritance solid and thick, context dashed and thin, succession
#: long-dashed and brown, so that "derived from" and "came after" never look alike.
RELATION_STYLES: dict[str, dict] = {
    "derivedFrom": {"label": "derived from", "color": "#c0392b", "width": 2.6, "dashes": False},
    "usesArchitecture": {"label": "uses", "color": "#2e6fba", "width": 2.0, "dashes": False},
    "successorOf": {
        "label": "next version of",
        "color": "#7b4ea3",
        "width": 2.0,
        "dashes": [10, 3, 2, 3],
    },
    "poweredBy": {"label": "powered by", "color": "#e67e22", "width": 1.6, "dashes": [5, 3]},
    "introducedIn": {"label": "introduced in", "color": "#8c6d31", "width": 1.0, "dashes": [2, 4]},
    "developedBy": {"label": "developed by", "color": "#8cc68c", "width": 1.0, "dashes": [7, 4]},
    "parentOrganization": {"label": "team of", "color": "#3a923a", "width": 1.0, "dashes": [2, 2]},
    "inEra": {"label": "in era", "color": "#c4c4c4", "width": 0.8, "dashes": [1, 5]},
    "precededBy": {
        "label": "era after (succession)",
        "color": "#5d4037",
        "width": 3.0,
        "dashes": [14, 7],
    },
}

_YEAR_BASE, _YEAR_PER_NODE = 160.0, 80.0
_ROW, _LANE_GAP, _CHAR, _GAP = 48.0, 110.0, 7.6, 26.0
_LABEL_MAX = 34
_SMOOTH_LIMIT = 4000
# Dashed lines cost the canvas dearly when zoomed out (a 29k-edge graph redraws in 5 s dashed,
# 0.4 s solid), so bigger graphs tell relations apart by colour and width alone.
_DASH_LIMIT = 3000
# vis-network's Barnes-Hut costs about 0.3 s per iteration at 10k nodes: big graphs start from
# the time layout and only relax for a few iterations, instead of settling from random spots.
_PHYSICS_SEED_LIMIT = 3000


def _midpoint(text: str) -> date:
    """The middle of the span a date covers: a bare year sits mid-year, not on 1 January."""
    parsed = parse_date(text)
    first, last = parsed.first_day(), parsed.last_day()
    return date.fromordinal((first.toordinal() + last.toordinal()) // 2)


def _display_label(label: str) -> str:
    return label if len(label) <= _LABEL_MAX else label[: _LABEL_MAX - 1].rstrip() + "…"


def _label_width(label: str, kind: str) -> float:
    return len(_display_label(label)) * _CHAR + KIND_STYLES[kind].get("size", 14) * 2 + _GAP


def _years(days: dict[str, date]) -> list[dict]:
    """Year segments of the time axis; busy years get wider, so that 2024-25 do not pile up."""
    if not days:
        return []
    counts: dict[int, int] = {}
    for day in days.values():
        counts[day.year] = counts.get(day.year, 0) + 1
    segments, x = [], 0.0
    for year in range(min(counts), max(counts) + 1):
        width = _YEAR_BASE + _YEAR_PER_NODE * math.sqrt(counts.get(year, 0))
        segments.append({"year": year, "x": round(x, 1), "width": round(width, 1)})
        x += width
    return segments


def _x_of(day: date, segments: list[dict]) -> float:
    segment = segments[day.year - segments[0]["year"]]
    start = date(day.year, 1, 1).toordinal()
    length = date(day.year + 1, 1, 1).toordinal() - start
    return segment["x"] + segment["width"] * (day.toordinal() - start) / length


def _undated_x(graph: nx.MultiDiGraph, xs: dict[str, float]) -> float | None:
    """Place undated nodes (organisations, products) at the median x of their neighbours."""
    for _ in range(3):
        for node in graph:
            if node not in xs:
                near = [xs[n] for n in nx.all_neighbors(graph, node) if n in xs]
                if near:
                    xs[node] = statistics.median(near)
    rest = [node for node in graph if node not in xs]
    if not rest:
        return None
    column = max(xs.values(), default=0.0) + 2 * _YEAR_BASE
    for node in rest:
        xs[node] = column
    return column


def time_layout(graph: nx.MultiDiGraph) -> tuple[dict[str, tuple[float, float]], dict]:
    """Positions for the time-ordered layout, and the axis the page draws behind them.

    x follows the date (year segments widened by how busy the year is); y puts each kind in
    its own lane (``KINDS_ORDER``, top to bottom), packing nodes into rows first-fit so that
    labels do not overlap. Precomputed here, so the browser runs no physics at all.
    """
    days = {n: _midpoint(d["date"]) for n, d in graph.nodes(data=True) if d.get("date")}
    segments = _years(days)
    xs = {node: _x_of(day, segments) for node, day in days.items()}
    undated = _undated_x(graph, xs)
    positions: dict[str, tuple[float, float]] = {}
    lanes, top = [], 0.0
    for kind in KINDS_ORDER:
        members = sorted(
            (xs[n], d["label"], n) for n, d in graph.nodes(data=True) if d["kind"] == kind
        )
        if not members:
            continue
        row_ends: list[float] = []
        for x, label, node in members:
            half = _label_width(label, kind) / 2
            row = next((i for i, end in enumerate(row_ends) if end <= x - half), len(row_ends))
            if row == len(row_ends):
                row_ends.append(0.0)
            row_ends[row] = x + half
            positions[node] = (round(x, 1), top + row * _ROW)
        bottom = top + (len(row_ends) - 1) * _ROW
        lanes.append(
            {"kind": kind, "label": KIND_STYLES[kind]["label"], "top": top, "bottom": bottom}
        )
        top = bottom + _ROW + _LANE_GAP
    return positions, {"years": segments, "lanes": lanes, "undatedX": undated}


def _node_color(color: str) -> dict:
    """The kind's colour in every state; selection shows as a dark border, not vis's blue."""
    return {
        "background": color,
        "border": color,
        "highlight": {"background": color, "border": "#111111"},
        "hover": {"background": color, "border": "#111111"},
    }


def _font_color(style: dict) -> str:
    return style["font"] if style["shape"] in ("box", "ellipse") else "#222222"


def _groups() -> dict:
    """One vis group per kind: colours live in groups, not in nodes, so the page can dim a
    whole graph with one options change instead of updating 10,000 nodes one by one."""
    return {
        kind: {"color": _node_color(style["color"]), "font": {"color": _font_color(style)}}
        for kind, style in KIND_STYLES.items()
    }


def _vis_node(node: str, data: dict, position: tuple[float, float] | None) -> dict:
    style = KIND_STYLES[data["kind"]]
    options = {
        "group": data["kind"],
        "kind": data["kind"],
        "fullLabel": data["label"],
        "date": data.get("date"),
        "year": int(data["date"][:4]) if data.get("date") else None,
        "vendor": data.get("vendor"),
        "sources": data.get("sources") or [],
        "url": data.get("url"),
    }
    if "size" in style:
        options["size"] = style["size"]
    if position is not None:
        options["x"], options["y"] = position
    return Node(node, style["shape"], label=_display_label(data["label"]), **options).options


def _vis_edge(start: str, end: str, relation: str, data: dict, dashed: bool) -> dict:
    style = RELATION_STYLES[relation]
    return Edge(
        start,
        end,
        directed=True,
        id=f"{start}|{relation}|{end}",
        relation=relation,
        color={"color": style["color"], "highlight": style["color"]},
        width=style["width"],
        dashes=style["dashes"] if dashed else False,
        sources=data.get("sources") or [],
    ).options


def _options(layout: str, n_nodes: int, n_edges: int) -> dict:
    """vis-network options: pyvis's defaults, then what keeps large graphs responsive."""
    options = Options()
    options.interaction.hideEdgesOnDrag = n_edges > _SMOOTH_LIMIT
    if layout == "physics":
        # Bounded stabilization: a few hundred iterations at most, fewer for big graphs; the
        # page switches physics off afterwards for graphs too big to keep simulating (#204).
        options.physics.use_barnes_hut(
            {
                "gravity": -6000,
                "central_gravity": 0.25,
                "spring_length": 140,
                "spring_strength": 0.03,
                "damping": 0.3,
                "overlap": 0.2,
            }
        )
        big = n_nodes > _PHYSICS_SEED_LIMIT
        options.physics.stabilization.iterations = (
            10 if big else min(200, 100_000 // max(n_nodes, 1))
        )
        options.physics.stabilization.updateInterval = 25
    else:
        options.physics.enabled = False
    result = json.loads(options.to_json())
    result["edges"] = {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
        "smooth": {"enabled": n_edges <= _SMOOTH_LIMIT, "type": "continuous", "roundness": 0.2},
        "selectionWidth": 1.5,
    }
    result["nodes"] = {"font": {"size": 14, "face": "system-ui, sans-serif"}, "borderWidth": 1}
    result["groups"] = _groups()
    result["layout"] = {"improvedLayout": False, "randomSeed": 7}
    result["interaction"] |= {"hover": n_nodes <= 3000, "tooltipDelay": 120, "multiselect": False}
    return result


def _json_for_script(value: object) -> str:
    """JSON that cannot close the <script> element it sits in, whatever the labels contain."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(resource_dir("web") / "templates")),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=8)
def _page_data(
    graph: nx.MultiDiGraph, layout: str, expand_url: str | None, entity_base: str
) -> dict:
    positions, axis = time_layout(graph) if layout == "time" else ({}, None)
    if layout == "physics" and graph.number_of_nodes() > _PHYSICS_SEED_LIMIT:
        positions = time_layout(graph)[0]
    nodes = [_vis_node(n, d, positions.get(n)) for n, d in graph.nodes(data=True)]
    dashed = graph.number_of_edges() <= _DASH_LIMIT
    edges = [
        _vis_edge(start, end, relation, data, dashed)
        for start, end, relation, data in graph.edges(keys=True, data=True)
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "options": _options(layout, len(nodes), len(edges)),
        "layout": layout,
        "axis": axis,
        "kinds": KIND_STYLES,
        "relations": RELATION_STYLES,
        "descent": sorted(DESCENT),
        "dashed": dashed,
        "expandUrl": expand_url,
        "entityBase": entity_base.rstrip("/"),
        "focus": list(graph.graph.get("focus", [])),
        "freezeAfter": 1000,
        "row": _ROW,
        "laneGap": _LANE_GAP,
        "kindsOrder": list(KINDS_ORDER),
    }


def _circles(graph: nx.MultiDiGraph) -> list[tuple[int, int, list[str]]]:
    """The overview's circles, one per kind and year (0: undated), in lane and year order;
    members most linked first, since an opened circle shows its first (lineage-overview.js's
    ``OPEN_LIMIT``) and they share the first chunk, then by IRI: the numbering depends on the
    graph alone, so a chunk made again (the app's cache let it go) fits the page made before."""
    members: dict[tuple[int, int], list[str]] = {}
    for node, data in graph.nodes(data=True):
        year = int(data["date"][:4]) if data.get("date") else 0
        members.setdefault((KINDS_ORDER.index(data["kind"]), year), []).append(node)
    degree = graph.degree()
    return [
        (kind, year, sorted(members[kind, year], key=lambda n: (-degree[n], n)))
        for kind, year in sorted(members, key=lambda key: (key[0], key[1] == 0, key[1]))
    ]


def _edge_columns(edges: Iterable[tuple[str, str, str]], number: dict[str, int]) -> list[int]:
    relations = list(RELATIONS)
    flat: list[int] = []
    for start, end, relation in edges:
        flat += [number[start], number[end], relations.index(relation)]
    return flat


def _circle_chunk(graph: nx.MultiDiGraph, members: list[str], number: dict[str, int]) -> dict:
    """What some of a circle's members need once drawn: their facts, and every link at them (``out``
    with the links' sources; ``in`` for walking down to descendants), as columns; nodes by
    their number in the overview (the names chunk holds their IRIs and labels)."""
    sources: dict[str, int] = {}

    def indexes(names: list[str]) -> list[int]:
        return [sources.setdefault(name, len(sources)) for name in names]

    out = list(graph.out_edges(members, keys=True, data=True))
    return {
        "first": number[members[0]],
        "dates": [graph.nodes[n].get("date") for n in members],
        "vendors": [graph.nodes[n].get("vendor") for n in members],
        "urls": [graph.nodes[n].get("url") for n in members],
        "sources": [indexes(graph.nodes[n]["sources"]) for n in members],
        "out": _edge_columns(((s, e, r) for s, e, r, _ in out), number),
        "outSources": [indexes(data["sources"]) for *_, data in out],
        "in": _edge_columns(graph.in_edges(members, keys=True), number),
        "sourceNames": list(sources),
    }


def _overview_parts(
    graph: nx.MultiDiGraph, entity_base: str, chunk_url: str | None
) -> tuple[dict, dict[str, dict]]:
    """The overview's first view, and the chunks it loads on demand (lineage-overview.js).

    The page carries the circles (kind, year, size; nodes are numbered circle by circle) and
    the lines of descent between them: a few kilobytes at any size. ``names`` (every node's
    IRI, as an index into ``spaces`` plus the rest, and label) serves search and focus;
    ``c{i}-{k}`` (``_circle_chunk``) the ``k``-th ``CHUNK_NODES`` members of circle ``i``
    (its most linked first). ``chunk_url`` is where the page fetches
    them (``{name}`` replaced), relative to the page; None: they are inlined in the page.
    """
    circles = _circles(graph)
    order = [node for *_, members in circles for node in members]
    number = {node: i for i, node in enumerate(order)}
    circle_of = {node: i for i, (*_, members) in enumerate(circles) for node in members}
    links: dict[tuple[int, int], int] = {}
    for start, end, relation in graph.edges(keys=True):
        pair = circle_of[start], circle_of[end]
        if relation in DESCENT and pair[0] != pair[1]:
            links[pair] = links.get(pair, 0) + 1
    spaces: dict[str, int] = {}
    ids = []
    for node in order:
        cut = max(node.rfind("/"), node.rfind("#")) + 1
        ids.append([spaces.setdefault(node[:cut], len(spaces)), node[cut:]])
    chunks = {
        "names": {
            "spaces": list(spaces),
            "ids": ids,
            "labels": [graph.nodes[n]["label"] for n in order],
        }
    }
    for i, (*_, members) in enumerate(circles):
        for k in range(0, len(members), CHUNK_NODES):
            part = members[k : k + CHUNK_NODES]
            chunks[f"c{i}-{k // CHUNK_NODES}"] = _circle_chunk(graph, part, number)
    head = {
        "total": len(order),
        "circles": [[kind, year, len(members)] for kind, year, members in circles],
        "circleLinks": [value for pair, total in links.items() for value in (*pair, total)],
        "chunkUrl": chunk_url,
        "chunkNodes": CHUNK_NODES,
        "relationNames": list(RELATIONS),
        "descent": sorted(DESCENT),
        "kindsOrder": list(KINDS_ORDER),
        "kindStyles": KIND_STYLES,
        "relations": RELATION_STYLES,
        "groups": _groups(),
        "entityBase": entity_base.rstrip("/"),
        "focus": [number[n] for n in graph.graph.get("focus", []) if n in number],
    }
    return head, chunks


def choose_view(view: str, n_nodes: int) -> str:
    """The view drawn for a requested one: "full" or "overview" ("auto" by ``OVERVIEW_FROM``).

    Raises:
        BadParameterError: ``view`` is not one of ``VIEWS``.
    """
    if view not in VIEWS:
        raise BadParameterError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
    if view == "auto":
        return "overview" if n_nodes > OVERVIEW_FROM else "full"
    return view


def render_lineage_html(
    graph: nx.MultiDiGraph,
    *,
    standalone: bool,
    expand_url: str | None,
    entity_base: str = "",
    layout: str = "time",
    title: str = "Lineage of generative video AI",
    static: str = STATIC_PREFIX,
    view: str = "auto",
    banner: str = "",
) -> str:
    """The interactive lineage page for ``graph`` (from ``kg.lineage``), as one HTML string.

    ``standalone=True`` inlines vis-network and our script and styles, so the file works
    offline from anywhere (``kg lineage --out``); otherwise the page references
    ``{static}/vendor/<name>`` and ``{static}/lineage.{js,css}``, by default where the web app
    serves them (``/static``; the static site passes its own folder).
    ``expand_url`` (web app: ``/api/lineage/neighbours``) turns on double-click expansion
    through ``GET {expand_url}?iri=<IRI>``. Entity links are ``entity_base + /id/{kind}/{slug}``.
    ``view`` (``VIEWS``): the full graph in vis-network, or an overview by kind and year that
    expands on demand, for graphs too big to draw whole; "auto" picks by size. The overview's
    chunks are inlined here as JSON the page parses only when it needs them, so the one file
    needs no server (``layout`` and ``expand_url`` do not apply to it); see
    ``render_lineage_parts`` for a page that fetches them. ``banner`` is markup put above the
    page (the web app's sources toggle).

    Raises:
        BadParameterError: ``layout`` is not one of ``LAYOUTS``, or ``view`` not of ``VIEWS``.
    """
    return render_lineage_parts(
        graph,
        standalone=standalone,
        expand_url=expand_url,
        entity_base=entity_base,
        layout=layout,
        title=title,
        static=static,
        view=view,
        banner=banner,
    )["page"]


def render_lineage_parts(
    graph: nx.MultiDiGraph,
    *,
    standalone: bool,
    expand_url: str | None,
    entity_base: str = "",
    layout: str = "time",
    title: str = "Lineage of generative video AI",
    static: str = STATIC_PREFIX,
    view: str = "auto",
    chunk_url: str | None = None,
    banner: str = "",
    entity_suffix: str = "",
) -> dict[str, str]:
    """The lineage page as ``render_lineage_html`` makes it ("page"), and, when the overview
    is drawn and ``chunk_url`` given, the JSON chunks it fetches from there on demand, by
    name (``chunk_url`` with ``{name}`` replaced, relative to the page: the static site's
    ``lineage/{name}.json``, the web app's ``lineage/{name}.json?<the page's filters>``).
    Entity links end in ``entity_suffix`` (the web app's ``?sources=report``, a filter kept).

    Raises:
        BadParameterError: ``layout`` is not one of ``LAYOUTS``, or ``view`` not of ``VIEWS``.
    """
    if layout not in LAYOUTS:
        raise BadParameterError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    chosen = choose_view(view, graph.number_of_nodes())
    chunks: dict[str, dict] = {}
    if chosen == "overview":
        data, chunks = _overview_parts(graph, entity_base, chunk_url)
        years = [year for _, year, _ in data["circles"] if year]
    else:
        data = _page_data(graph, layout, expand_url, entity_base)
        years = [n["year"] for n in data["nodes"] if n.get("year")]
    data = {**data, "entitySuffix": entity_suffix}  # a copy: _page_data's dicts are cached
    counts = dict.fromkeys(KINDS_ORDER, 0)
    for _, kind in graph.nodes(data="kind"):
        counts[kind] += 1
    script = "lineage-overview.js" if chosen == "overview" else "lineage.js"
    inline = chunk_url is None
    page = {
        "title": title,
        "standalone": standalone,
        "static": static,
        "view": chosen,
        "script": script,
        "data_json": _json_for_script(data),
        "chunks": [(name, _json_for_script(chunk)) for name, chunk in chunks.items()]
        if inline
        else [],
        "kinds": [(kind, KIND_STYLES[kind], counts[kind]) for kind in KINDS_ORDER],
        "relations": [(name, RELATION_STYLES[name]) for name in RELATIONS],
        "n_nodes": graph.number_of_nodes(),
        "n_edges": graph.number_of_edges(),
        "year_min": min(years, default=None),
        "year_max": max(years, default=None),
        "expandable": expand_url is not None and chosen == "full",
        "dashed": data.get("dashed", False),
        "banner": banner,
    }
    if standalone:
        page |= {
            "vis_css": asset_text("vis-network.css"),
            "vis_js": asset_text("vis-network.min.js"),
            "lineage_css": static_text("lineage.css"),
            "common_js": static_text("lineage-common.js"),
            "lineage_js": static_text(script),
        }
    parts = {"page": _environment().get_template("lineage.html").render(**page)}
    if not inline:
        parts |= {
            name: json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
            for name, chunk in chunks.items()
        }
    return parts
