"""The lineage graph: SPARQL results → a typed, attributed networkx MultiDiGraph, and its exports.

It never reads data files and never renders: it queries the store through the named queries
``lineage-nodes``, ``lineage-graph`` and ``lineage-neighbours`` (values bound as RDF terms) and
hands a graph to ``kg.render.lineage_html``, the CLI and the web app.

Graph shape. Nodes are entity IRIs of the kinds in ``KINDS_ORDER`` with the attributes
``kind`` (architecture, paper, model, org, product, era), ``label``, ``date`` (the source's
precision, e.g. ``"2022-12"``; an era's start; None when undated), ``vendor`` (developer labels
joined by ", ", or None), ``sources`` (list of source labels) and ``url`` (the web app's entity
page, ``/id/{kind}/{slug}``). Edges go from subject to object as stated (DiT → Transformer for
"DiT derived from Transformer"), keyed by ``relation``, one of ``RELATIONS``, with ``sources``.
Era succession (``precededBy``) is kept apart from technical inheritance (``derivedFrom``);
``parentOrganization`` links a team to its organisation.

Entry points: ``select_lineage(store, focus=, depth=, since=, kinds=, vendor=)`` is what
``kg lineage`` and the web page's ``/lineage?focus=...`` parameters call (typed errors for an
unknown name, a bad date or an empty selection); ``neighbourhood(store, iri)`` serves the
double-click expansion; ``serialize_graph`` writes GraphML, GEXF or JSON.

JSON contract (``to_json``; also what ``GET /api/lineage/neighbours?iri=<IRI>`` answers with
``to_json(neighbourhood(store, iri))``, and what the web page merges on double-click)::

    {"nodes": [{"id": IRI, "label": str, "kind": str, "date": str | null,
                "vendor": str | null, "sources": [str], "url": "/id/{kind}/{slug}"}, ...],
     "edges": [{"from": IRI, "to": IRI, "relation": str, "sources": [str]}, ...]}
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator

import networkx as nx
import pyoxigraph as ox

from kg.answers import resolve
from kg.config import resource_dir
from kg.dates import PartialDate, parse_date
from kg.errors import BadParameterError, NotFoundError, UnknownEntityError
from kg.namespaces import KINDS, PREFIXES, parse_entity_iri, parse_kind_list
from kg.query import get_named_query, run_query, select
from kg.store import Store

__all__ = [
    "DESCENT",
    "EXPORT_FORMATS",
    "KINDS_ORDER",
    "RELATIONS",
    "ancestors",
    "descendants",
    "filter_lineage",
    "lineage_paths",
    "neighbourhood",
    "parse_kinds",
    "read_lineage",
    "select_lineage",
    "serialize_graph",
    "to_json",
]

#: The kinds drawn, in the order of the time layout's lanes (top to bottom).
KINDS_ORDER: tuple[str, ...] = ("era", "paper", "architecture", "model", "product", "org")

#: Edge relation (the property's local name) → property IRI.
RELATIONS: dict[str, str] = {
    "derivedFrom": PREFIXES["kg"] + "derivedFrom",
    "usesArchitecture": PREFIXES["kg"] + "usesArchitecture",
    "introducedIn": PREFIXES["kg"] + "introducedIn",
    "developedBy": PREFIXES["kg"] + "developedBy",
    "successorOf": PREFIXES["kg"] + "successorOf",
    "poweredBy": PREFIXES["kg"] + "poweredBy",
    "inEra": PREFIXES["kg"] + "inEra",
    "precededBy": PREFIXES["kg"] + "precededBy",
    "parentOrganization": PREFIXES["schema"] + "parentOrganization",
}
_RELATION_NAMES = {iri: name for name, iri in RELATIONS.items()}

#: Relations of descent, followed from a node to its ancestors ("Seedance 1.0 → DiT →
#: Transformer"). Papers, vendors and eras are context, not ancestry; era succession never is.
DESCENT: frozenset[str] = frozenset({"derivedFrom", "usesArchitecture", "successorOf", "poweredBy"})

#: What ``--vendor`` pulls in beside the vendor's own items: where they come from.
_ORIGINS = DESCENT | {"introducedIn", "inEra"}

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json")

_KIND_OF_CLASS = {str(iri): kind for kind, iri in KINDS.items()}
_SEPARATOR = " | "
_NODE_KEYS = ("label", "kind", "date", "vendor", "sources", "url")
_ORDER_BY = re.compile(r"\n\s*ORDER BY[^\n]*\s*$")


def _query(name: str) -> str:
    return get_named_query(resource_dir("queries"), name).text


def _split(term: ox.Literal | None) -> list[str]:
    return [part for part in term.value.split(_SEPARATOR) if part] if term is not None else []


def _node_attributes(row: list) -> tuple[str, dict]:
    node, cls, label, date, vendors, sources = row
    kind = _KIND_OF_CLASS[cls.value]
    parsed = parse_entity_iri(node.value)
    url = f"/id/{parsed[0]}/{parsed[1]}" if parsed else None
    vendor = ", ".join(sorted(_split(vendors))) or None
    return node.value, {
        "kind": kind,
        "label": label.value,
        "date": date.value if date is not None else None,
        "vendor": vendor,
        "sources": sorted(_split(sources)),
        "url": url,
    }


def _add_node(graph: nx.MultiDiGraph, row: list) -> None:
    iri, attributes = _node_attributes(row)
    graph.add_node(iri, **attributes)


def _add_edges(graph: nx.MultiDiGraph, rows: Iterable[list], *, add_missing: bool) -> None:
    """Add edge rows (from, relation, to, sources); keep only edges between known nodes."""
    for start, relation, end, sources in rows:
        if not add_missing and (start.value not in graph or end.value not in graph):
            continue
        name = _RELATION_NAMES[relation.value]
        graph.add_edge(start.value, end.value, key=name, relation=name, sources=_split(sources))


def _unordered(text: str) -> str:
    """A query's text without its final ORDER BY clause (the caller sorts the rows itself)."""
    found = _ORDER_BY.search(text)
    if found is None:
        raise ValueError("expected the query to end with an ORDER BY clause")
    return text[: found.start()] + "\n"


def _edge_rows(store: Store, nodes: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """The rows of ``lineage-graph`` between known nodes, in its order, as plain strings.

    The query runs without its ORDER BY and the rows are sorted here, on the same keys
    (relation, from, to IRIs; unique after its GROUP BY, so the order is the query's): Oxigraph
    compares IRIs by reading both strings back from the store at every comparison, which made
    that sort 65 of the query's 85 s at 1M statements, against under a second for Python. Each
    IRI is the node's own string (``nodes`` maps an IRI to it), so 400k edges add no copies.
    """
    outcome = run_query(store, _unordered(_query("lineage-graph")))
    assert isinstance(outcome, ox.QuerySolutions)
    rows = []
    for start, relation, end, sources in outcome:
        first, last = nodes.get(start.value), nodes.get(end.value)
        if first is not None and last is not None:
            rows.append((relation.value, first, last, sources.value if sources else ""))
    rows.sort(key=lambda row: row[:3])
    return rows


def read_lineage(store: Store) -> nx.MultiDiGraph:
    """The whole lineage graph: every node of ``KINDS_ORDER`` and every typed link between them.

    Built from the SPARQL results of ``lineage-nodes`` and ``lineage-graph`` only. A node of
    two kinds (an entity typed twice) keeps the first kind in ``KINDS_ORDER``. Query rows are
    turned into attributes as they are read and source labels are shared between edges: at 1M
    statements the rows as terms cost more memory than the graph itself.
    """
    graph = nx.MultiDiGraph()
    nodes = [_node_attributes(row) for row in select(store, _query("lineage-nodes")).rows]
    for iri, attributes in sorted(nodes, key=lambda n: KINDS_ORDER.index(n[1]["kind"])):
        if iri not in graph:
            graph.add_node(iri, **attributes)
    del nodes
    known = {iri: iri for iri in graph}
    labels: dict[str, str] = {}
    for relation, start, end, sources in _edge_rows(store, known):
        name = _RELATION_NAMES[relation]
        parts = sorted(sources.split(_SEPARATOR))  # engines concatenate in any order
        shared = [labels.setdefault(part, part) for part in parts if part]
        graph.add_edge(start, end, key=name, relation=name, sources=shared)
    return graph


def parse_kinds(kinds: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Read a kinds filter: a comma-separated string or a list; None or empty means all kinds.

    >>> parse_kinds("architecture, model")
    ('architecture', 'model')

    Raises:
        BadParameterError: a name is not one of ``KINDS_ORDER``; suggests the closest.
    """
    return parse_kind_list(kinds, KINDS_ORDER)


def _walk(
    graph: nx.MultiDiGraph, starts: Iterable[str], relations: frozenset[str], *, forward: bool
) -> set[str]:
    """Nodes reachable from ``starts`` along edges of ``relations`` (forward = to the parents)."""
    seen: set[str] = set()
    queue = deque(starts)
    while queue:
        node = queue.popleft()
        edges = graph.out_edges(node, keys=True) if forward else graph.in_edges(node, keys=True)
        for start, end, relation in edges:
            other = end if forward else start
            if relation in relations and other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def ancestors(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """What ``node`` descends from, along ``DESCENT`` relations (the node itself excluded)."""
    return _walk(graph, [node], DESCENT, forward=True) - {node}


def descendants(graph: nx.MultiDiGraph, node: str) -> set[str]:
    """What descends from ``node``, along ``DESCENT`` relations (the node itself excluded)."""
    return _walk(graph, [node], DESCENT, forward=False) - {node}


def lineage_paths(graph: nx.MultiDiGraph, node: str, limit: int = 50) -> list[list[str]]:
    """Every chain from ``node`` back to a root along ``DESCENT`` relations, as lists of IRIs.

    The chains the page prints as "Seedance 1.0 → DiT → Transformer"; at most ``limit`` of them,
    shortest first, since a well-connected model can have many.
    """
    paths: list[list[str]] = []
    stack = [[node]]
    while stack and len(paths) < limit * 4:
        path = stack.pop()
        parents = [
            end
            for _, end, relation in graph.out_edges(path[-1], keys=True)
            if relation in DESCENT and end not in path
        ]
        if not parents and len(path) > 1:
            paths.append(path)
        stack.extend([*path, parent] for parent in sorted(parents, reverse=True))
    return sorted(paths, key=lambda p: (len(p), p))[:limit]


def _around(graph: nx.MultiDiGraph, centres: Iterable[str], depth: int) -> set[str]:
    """Nodes within ``depth`` links of the centres, in either direction.

    Eras are kept but not walked through: an era links to every model of its stage, which
    would swamp any neighbourhood.
    """
    keep = set(centres)
    frontier = set(keep)
    for _ in range(depth):
        following: set[str] = set()
        for node in frontier:
            if graph.nodes[node]["kind"] == "era" and node not in centres:
                continue
            following.update(graph.successors(node), graph.predecessors(node))
        frontier = following - keep
        keep |= frontier
    return keep


def _vendor_items(graph: nx.MultiDiGraph, vendors: Iterable[str]) -> set[str]:
    """The vendors, their teams, what they developed and where those items come from."""
    organisations = set(vendors)
    organisations |= _walk(graph, organisations, frozenset({"parentOrganization"}), forward=False)
    items = _walk(graph, organisations, frozenset({"developedBy"}), forward=False)
    return organisations | items | _walk(graph, items, _ORIGINS, forward=True)


def _is_since(date: str | None, since: PartialDate) -> bool:
    """Whether a date may fall on or after ``since`` (a year counts if any of it does)."""
    return date is not None and parse_date(date).last_day() >= since.first_day()


def filter_lineage(
    graph: nx.MultiDiGraph,
    *,
    centres: Iterable[str] | None = None,
    depth: int = 2,
    since: PartialDate | None = None,
    kinds: Iterable[str] | None = None,
    vendors: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The part of ``graph`` a selection asks for, as a new graph (no store access).

    Applied in order: ``centres`` and ``depth`` (a neighbourhood), ``vendors`` (their items
    and where those come from), ``since`` (dated nodes on or after it; undated nodes, such as
    organisations, stay when linked to a kept dated node), ``kinds``. ``graph.graph["focus"]``
    lists the centres that survive, so a page can start from them.
    """
    keep = set(graph)
    if centres is not None:
        keep = _around(graph, list(centres), depth)
    if vendors is not None:
        keep &= _vendor_items(graph, vendors)
    if since is not None:
        dated = {n for n in keep if _is_since(graph.nodes[n]["date"], since)}
        undated = {n for n in keep if graph.nodes[n]["date"] is None}
        linked = {
            n for n in undated if dated & (set(graph.successors(n)) | set(graph.predecessors(n)))
        }
        keep = dated | linked
    if kinds is not None:
        wanted = set(kinds)
        keep = {n for n in keep if graph.nodes[n]["kind"] in wanted}
    selected = nx.MultiDiGraph(graph.subgraph(keep))
    selected.graph["focus"] = [c for c in centres or () if c in keep]
    return selected


def _resolve(store: Store, kinds: tuple[str, ...], name: str, word: str) -> list[str]:
    """The entities a name means (exact labels first, see kg.answers.resolve)."""
    try:
        found = resolve(store, kinds, name)
    except UnknownEntityError as error:
        # resolve() names every kind it tried ("era or paper or ..."); one word reads better.
        raise UnknownEntityError(word, name, error.suggestions) from None
    return [entity.iri for entity in found]


def select_lineage(
    store: Store,
    *,
    focus: str | None = None,
    depth: int = 2,
    since: str | None = None,
    kinds: str | Iterable[str] | None = None,
    vendor: str | None = None,
) -> nx.MultiDiGraph:
    """The lineage graph a user asks for by name: ``kg lineage`` and the web page's filters.

    ``focus`` and ``vendor`` are names matched like ``kg ask`` matches them (label, alternative
    label or slug, any case); ``since`` is YYYY, YYYY-MM or YYYY-MM-DD; ``kinds`` a list or a
    comma-separated string of ``KINDS_ORDER``.

    Raises:
        UnknownEntityError: ``focus`` or ``vendor`` names nothing; suggests close names.
        BadParameterError: a malformed ``since`` or ``kinds``, a negative ``depth``, or a
            selection with no node at all (an empty page helps nobody).
    """
    if depth < 0:
        raise BadParameterError(f"depth must be 0 or more, not {depth}")
    wanted_kinds = parse_kinds(kinds)
    start = None
    if since is not None:
        try:
            start = parse_date(since)
        except BadParameterError as error:
            raise BadParameterError(f"since: {error}") from None
    centres = _resolve(store, KINDS_ORDER, focus, "entity") if focus else None
    vendors = _resolve(store, ("org",), vendor, "organization") if vendor else None
    graph = filter_lineage(
        read_lineage(store),
        centres=centres,
        depth=depth,
        since=start,
        kinds=wanted_kinds,
        vendors=vendors,
    )
    if graph.number_of_nodes() == 0:
        asked = [
            f"focus {focus!r} (depth {depth})" if focus else "",
            f"vendor {vendor!r}" if vendor else "",
            f"since {since}" if since else "",
            f"kinds {', '.join(wanted_kinds)}" if wanted_kinds else "",
        ]
        criteria = "; ".join(part for part in asked if part) or "the whole graph"
        raise BadParameterError(
            f"the selection is empty: no node matches {criteria}. Widen the filters."
        )
    return graph


def neighbourhood(store: Store, iri: str) -> nx.MultiDiGraph:
    """One entity and its direct neighbours by any lineage relation, with the links between
    it and them: what the web page loads when a user double-clicks a node.

    Raises:
        NotFoundError: ``iri`` is not a node of the lineage graph.
    """
    graph = nx.MultiDiGraph()
    node_query = _query("lineage-nodes")
    rows = select(store, node_query, {"node": ox.NamedNode(iri)}).rows
    if not rows:
        raise NotFoundError(f"<{iri}> is not an entity of the lineage graph")
    _add_node(graph, rows[0])
    links = select(store, _query("lineage-neighbours"), {"entity": ox.NamedNode(iri)})
    edges = [row[1:] for row in links.rows]
    for start, _relation, end, _sources in edges:
        for other in (start.value, end.value):
            if other not in graph:
                found = select(store, node_query, {"node": ox.NamedNode(other)}).rows
                if found:
                    _add_node(graph, found[0])
    _add_edges(graph, edges, add_missing=False)
    return graph


def _json_nodes(graph: nx.MultiDiGraph) -> Iterator[dict]:
    for node, data in graph.nodes(data=True):
        yield {"id": node, **{key: data.get(key) for key in _NODE_KEYS}}


def _json_edges(graph: nx.MultiDiGraph) -> Iterator[dict]:
    for start, end, relation, data in graph.edges(keys=True, data=True):
        yield {"from": start, "to": end, "relation": relation, "sources": data.get("sources", [])}


def to_json(graph: nx.MultiDiGraph) -> dict:
    """The graph as the JSON contract in this module's docstring (JSON-serialisable dict)."""
    return {"nodes": list(_json_nodes(graph)), "edges": list(_json_edges(graph))}


def _json_bytes(graph: nx.MultiDiGraph) -> bytes:
    """``json.dumps(to_json(graph), ensure_ascii=False, indent=1)`` plus a newline, as UTF-8.

    Written one node or edge at a time into one buffer: the dict of the whole graph, the text
    and its encoded copy each weighed hundreds of MB for the 1M-statement graph (545k items,
    118 MB of JSON). The bytes are the same: each item is dumped with the same settings and
    indented two levels (JSON strings hold no raw newline, so re-indenting lines is safe).
    """
    buffer = io.BytesIO()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n", write_through=False)
    out.write("{")
    for index, (name, items) in enumerate(
        (("nodes", _json_nodes(graph)), ("edges", _json_edges(graph)))
    ):
        out.write(("," if index else "") + f'\n "{name}": [')
        first = True
        for item in items:
            text = json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n  ")
            out.write(("\n  " if first else ",\n  ") + text)
            first = False
        out.write("]" if first else "\n ]")
    out.write("\n}\n")
    out.flush()
    data = buffer.getvalue()
    out.detach()
    return data


def _flat(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return _SEPARATOR.join(str(v) for v in value)
    return str(value)


def _string_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with string-only attributes: GraphML and GEXF have no lists or nulls."""
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{key: _flat(data.get(key)) for key in _NODE_KEYS})
    for start, end, relation, data in graph.edges(keys=True, data=True):
        flat.add_edge(
            start, end, key=relation, relation=relation, sources=_flat(data.get("sources"))
        )
    return flat


def serialize_graph(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """The graph as GraphML or GEXF (Gephi, Cytoscape; lists joined by " | ") or JSON.

    Raises:
        BadParameterError: ``fmt`` is not one of ``EXPORT_FORMATS``.
    """
    if fmt == "json":
        return _json_bytes(graph)
    writers = {"graphml": nx.write_graphml, "gexf": nx.write_gexf}
    if fmt not in writers:
        raise BadParameterError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    buffer = io.BytesIO()
    writers[fmt](_string_graph(graph), buffer)
    return buffer.getvalue()
