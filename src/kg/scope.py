"""``--sources report``: the graph as the seed report and the papers it cites give it.

The report's view is a dataset of its own, evaluated like the whole graph (union default
graph, one named graph per source), holding

- the graph of every source the named query ``report-sources`` lists: the report, its parts
  (``dcterms:isPartOf``) and the sources that declare the papers the parts cite
  (``dcterms:references``), computed from the data on every new build;
- the ontology's graph (the vocabulary, no facts);
- of the catalogue graph (``src:catalog``), what it says about those sources, about itself and
  about the things their graphs mention (a measure's label and unit, "backbone undisclosed").

The catalogue describes every source and holds notes on later models too, so no choice of
whole graphs (pyoxigraph's ``default_graph=[...]``, ``FROM``/``FROM NAMED``) can be exact: with
it, ``sources`` would list every later page and ``undisclosed-backbones`` Kling 2.6; without
it, no source of the report would have a label. The view is therefore copied out of the store
(two queries over the store's own engine, embedded or remote) into an in-memory pyoxigraph
store, a few thousand statements however large the store is, and kept while the store's build
is unchanged.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BadParameterError
from kg.namespaces import ONTOLOGY_GRAPH
from kg.query import get_named_query, select
from kg.store import CATALOG_GRAPH, MemoryStore, QueryOutcome, Store

__all__ = ["SOURCES", "ReportView", "report_sources", "scoped"]

#: What ``--sources`` / ``?sources=`` accept: the whole graph, or the report's view.
SOURCES: tuple[str, ...] = ("all", "report")


def report_sources(store: Store, queries_dir: Path) -> list[str]:
    """The IRIs of the report's sources (named query ``report-sources``), report first."""
    table = select(store, get_named_query(queries_dir, "report-sources").text)
    return list(dict.fromkeys(row[0].value for row in table.rows if row[0] is not None))


class ReportView:
    """The report's view of ``base`` as a store (the Store protocol): see the module's note."""

    def __init__(self, base: Store, queries_dir: Path) -> None:
        self.base = base
        self.location = f"{base.location} (sources: report)"
        #: The base's build the view was copied from ('' for a store without builds).
        self.base_version = base.version()
        self.sources = report_sources(base, queries_dir)
        self._memory = MemoryStore()
        self._memory.replace(self._quads())

    def _quads(self) -> list[ox.Quad]:
        graphs = [*self.sources, ONTOLOGY_GRAPH]
        kept = _graph_quads(self.base, graphs)
        mentioned = {q.subject for q in kept} | {q.object for q in kept}
        described = mentioned | {ox.NamedNode(s) for s in [*self.sources, CATALOG_GRAPH]}
        catalog = _graph_quads(self.base, [CATALOG_GRAPH])
        return kept + [q for q in catalog if q.subject in described]

    def query(
        self, text: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> QueryOutcome:
        return self._memory.query(text, substitutions)

    def version(self) -> str:
        """The base's build, marked as this view ('' where the base has none: never cached)."""
        return f"{self.base_version}+report" if self.base_version else ""

    def __len__(self) -> int:
        return len(self._memory)


def _graph_quads(store: Store, graphs: Iterable[str]) -> list[ox.Quad]:
    """Every statement of ``graphs``, asked of the store in one query."""
    values = " ".join(str(ox.NamedNode(g)) for g in graphs)
    outcome = store.query(
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    return [ox.Quad(s, p, o, g) for s, p, o, g in outcome]


_views: weakref.WeakKeyDictionary[object, ReportView] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def scoped(store: Store, queries_dir: Path, sources: str = "all") -> Store:
    """``store`` itself for ``all``; its report view for ``report``, made once per build.

    Raises:
        BadParameterError: ``sources`` is neither.
    """
    if sources == "all":
        return store
    if sources != "report":
        raise BadParameterError(f"sources: {sources!r} is not one of {', '.join(SOURCES)}")
    version = store.version()
    with _lock:
        view = _views.get(store)
        if view is None or not version or view.base_version != version:
            view = ReportView(store, queries_dir)
            _views[store] = view
    return view
