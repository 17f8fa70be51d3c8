"""What the home and query pages show, for the web app (kg.server) and the static site
(kg.site) alike, and the result media types the query page offers."""

from __future__ import annotations

import html
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
    "scoped_fields",
    "scoped_href",
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


def scoped_href(url: str, sources: str = "all") -> str:
    """``url`` as a page read under ``sources`` links it: under ``report``, a link to another
    page of the app (a path, or a query of the same page) carries ``sources=report``, so that
    the filter stays on while the user browses and the toggle is the one way out. ``""`` is
    the page itself: its query to append to another URL.

    External links and the app's assets (``/static/``) are left as they are, and so is
    every link under ``all`` (the default, never written).

    >>> scoped_href("/query#view=table", "report"), scoped_href("", "report")
    ('/query?sources=report#view=table', '?sources=report')
    >>> scoped_href("/ask?q=Sora&sources=all", "report")
    '/ask?q=Sora&sources=report'
    >>> scoped_href("/static/site.css", "report"), scoped_href("https://arxiv.org/", "report")
    ('/static/site.css', 'https://arxiv.org/')
    """
    internal = url[:1] in ("", "?") or (url.startswith("/") and not url.startswith("//"))
    if sources != "report" or not internal or url.startswith("/static/"):
        return url
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sources"]
    return urlunsplit(parts._replace(query=urlencode([*params, ("sources", sources)])))


def scoped_fields(sources: str = "all") -> str:
    """The hidden field a search form of a page read under ``sources`` sends: a GET form
    replaces its action's query with its fields, so ``scoped_href`` alone would lose it."""
    if sources != "report":
        return ""
    return f'<input type="hidden" name="sources" value="{html.escape(sources)}">'
