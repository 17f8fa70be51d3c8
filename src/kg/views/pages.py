"""What the home and query pages show, for the web app (kg.server) and the static site
(kg.site) alike, and the result media types the query page offers."""

from __future__ import annotations

import html
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from kg.answers import QUESTIONS
from kg.namespaces import PREFIXES
from kg.query import get_named_query, named_queries, select
from kg.render.lineage_html import KIND_STYLES, RELATION_STYLES
from kg.store import Store
from kg.views.lookup import search, suggest

__all__ = [
    "GRAPH_MEDIA",
    "RESULTS_MEDIA",
    "home_context",
    "package_version",
    "query_context",
    "sources_switch",
]

#: What /sparql answers SELECT and ASK with, in the order preferred when the client does not say.
RESULTS_MEDIA: tuple[str, ...] = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
#: What /sparql answers CONSTRUCT and DESCRIBE with (and the entity pages' RDF), same order rule.
GRAPH_MEDIA: tuple[str, ...] = (
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "application/rdf+xml",
    "text/n3",
)


def package_version() -> str:
    """The installed genvid-kg version, printed in page footers and the site's manifest."""
    try:
        return version("genvid-kg")
    except PackageNotFoundError:
        return "0"


def home_context(store: Store, queries_dir: Path, q: str = "") -> dict:
    """What home.html shows: hits for ``q`` (or close spellings), ready questions, counts.

    The static site renders the same page with no query (its search runs in the
    browser over a prebuilt index).
    """
    hits = search(store, queries_dir, q, 50) if q.strip() else []
    close = suggest(store, queries_dir, q) if q.strip() and not hits else []
    counts = select(store, get_named_query(queries_dir, "class-counts").text)
    return {
        "q": q,
        "hits": hits,
        "suggestions": close,
        "questions": QUESTIONS,
        "counts": [(row[1].value, int(row[2].value)) for row in counts.rows if int(row[2].value)],
    }


def query_context(queries_dir: Path) -> dict:
    """What query.html needs: the example queries, prefixes, graph styles and result types."""
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "text": q.text}
        for q in named_queries(queries_dir).values()
    ]
    page = {
        "examples": examples,
        "prefixes": PREFIXES,
        "kinds": KIND_STYLES,
        "relations": RELATION_STYLES,
        "resultsMedia": RESULTS_MEDIA,
        "graphMedia": GRAPH_MEDIA,
    }
    return {"page": page, "examples": examples, "prefixes": PREFIXES}


#: The two views ``sources`` names, as the toggle words them.
_SOURCE_VIEWS = {"all": "all sources", "report": "the report and the papers it cites"}


def sources_switch(sources: str, urls: dict[str, str]) -> str:
    """The sources toggle every page shows (markup): a link to each view ``urls`` has (the
    same page under ``all`` and under ``report``; a site of the report's view alone has only
    its own), the current one marked, and under ``report`` a banner saying that the page is
    filtered.

    Inline styles only: the lineage and timeline pages have style sheets of their own.
    """
    links = " · ".join(
        f'<a href="{html.escape(urls[name])}" data-sources="{name}"'
        + (' aria-current="page" style="font-weight:600"' if name == sources else "")
        + f">{words}</a>"
        for name, words in _SOURCE_VIEWS.items()
        if name in urls
    )
    banner = (
        '<strong class="kg-sources-banner">Filtered: only what the seed report and the papers'
        " it cites say; later models and pages are left out.</strong> "
        if sources == "report"
        else ""
    )
    tone = "#fdf2e9;border-bottom:2px solid #c0392b" if sources == "report" else "#f6f6f6"
    return (
        f'<nav class="kg-sources" data-sources="{html.escape(sources)}" aria-label="Sources" '
        f'style="background:{tone};padding:4px 12px;font-size:0.9em">{banner}'
        f"Sources: {links}</nav>"
    )
