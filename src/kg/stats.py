"""Counts that describe a built graph: entities per class, statements, sources."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.query import get_named_query, select
from kg.store import Store

__all__ = ["Stats", "graph_stats"]

_TOTALS = """
SELECT (COUNT(*) AS ?quads) (COUNT(DISTINCT ?g) AS ?graphs)
WHERE { GRAPH ?g { ?s ?p ?o } }"""


@dataclass(frozen=True)
class Stats:
    """Entities per class label, statements in all, and statements per source."""

    classes: dict[str, int]
    statements: int
    graphs: int
    sources: dict[str, int]


def graph_stats(store: Store, queries_dir: Path) -> Stats:
    """Count what the store holds."""
    classes = select(store, get_named_query(queries_dir, "class-counts").text)
    sources = select(store, get_named_query(queries_dir, "source-counts").text)
    totals = select(store, _TOTALS)
    return Stats(
        classes=dict(zip(classes.column("classLabel"), classes.column("count"), strict=True)),
        statements=totals.column("quads")[0],
        graphs=totals.column("graphs")[0],
        sources=dict(zip(sources.column("sourceLabel"), sources.column("statements"), strict=True)),
    )
