"""Render the static explorer's pages with the web app's own templates, views and renderers.

Each page is the app's page for the same thing: the same template (web/templates), the same
context builders (kg.views), the same renderers for the lineage
and timeline views (kg.render). What differs is where links point: every template passes its
links through ``href()``, which here is ``SiteLinks.href`` for the page being written, and
``static_site`` adds what only the static site has (its banner, search index, dumps).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace

from jinja2 import Environment, FileSystemLoader

from kg.answers import Answer
from kg.config import Settings
from kg.lineage import KINDS_ORDER, select_lineage
from kg.namespaces import PREFIXES, shorten
from kg.render.lineage_html import render_lineage_parts
from kg.render.timeline_html import render_timeline_html
from kg.site.dumps import DUMP_MEDIA, DUMPS
from kg.site.links import SiteLinks, relative_root
from kg.store import Store
from kg.timeline import read_eras, read_report_date, select_timeline
from kg.views.answer import answer_context
from kg.views.entity import EntityPage, entity_context
from kg.views.ontology import document_ontology
from kg.views.pages import home_context, package_version, query_context, sources_switch

__all__ = [
    "ENTITY_FORMATS",
    "GRAPH_STYLES",
    "LINEAGE_CHUNKS",
    "REPORT_FOLDER",
    "SEARCH_INDEX",
    "VOID",
    "PageRenderer",
    "Variant",
    "compact",
]

SEARCH_INDEX = "search-index.json"
#: Where a site with both views (``kg site --sources both``) holds the report's.
REPORT_FOLDER = "report/"
#: Where the lineage overview's chunks are written, relative to lineage.html.
LINEAGE_CHUNKS = "lineage/{name}.json"
VOID = "void.ttl"
#: The RDF file written beside each entity page (index.ttl): one graph, as rdflib.Graph reads
#: it; the statements with their source graphs are in the site's dumps. One format only: a
#: JSON-LD copy of each (the app negotiates it) would weigh 0.2 MB more, gzipped file by file,
#: for the same statements; the dumps have the whole graph in JSON-LD.
ENTITY_FORMATS: tuple[tuple[str, str, str], ...] = (("Turtle", "ttl", "text/turtle"),)
#: The lineage styles (kind → colour and shape, relation → line) entity pages draw with.
GRAPH_STYLES = "graph-styles.json"


#: A <pre> or <textarea> (whose whitespace shows: kept), or whitespace holding a line break.
_WHITESPACE = re.compile(r"<(pre|textarea)\b.*?</\1>|[ \t]*\n\s*", re.DOTALL | re.IGNORECASE)


def compact(page: str) -> str:
    """``page`` with every run of whitespace that holds a line break cut to one line break.

    The templates' indentation and blank lines are a tenth of an entity page gzipped, and
    HTML shows any run of whitespace as one space, except in <pre> and <textarea>, which are
    kept as written.

    >>> compact("<ul>\\n    <li>a</li>\\n\\n    <li>b</li>\\n</ul><pre>x\\n  y</pre>")
    '<ul>\\n<li>a</li>\\n<li>b</li>\\n</ul><pre>x\\n  y</pre>'
    """
    return _WHITESPACE.sub(lambda found: found[0] if found[1] else "\n", page)


@dataclass(frozen=True)
class Variant:
    """The view a site's pages show, where it is not simply the whole graph: which (``all`` or
    ``report``), and in a site with both views the entities the other half has a page for (a
    page's toggle leads to the same page there, or to that half's home); None in a site of
    the report's view alone (its pages say they are filtered, with no other view to link)."""

    sources: str
    other_entities: Collection[tuple[str, str]] | None

    def switch(self, path: str, root: str) -> str:
        """The toggle of the page at ``path`` of this half, whose root is ``root``."""
        here = _folder_url(path)
        if self.other_entities is None:
            return sources_switch(self.sources, {self.sources: root + here})
        other = self._other(path)
        if self.sources == "all":
            urls = {"all": root + here, "report": root + REPORT_FOLDER + other}
        else:
            urls = {"all": root + "../" + other, "report": root + here}
        return sources_switch(self.sources, urls)

    def _other(self, path: str) -> str:
        parts = path.split("/")
        others = self.other_entities or ()
        if len(parts) == 4 and parts[0] == "id" and (parts[1], parts[2]) not in others:
            return ""  # no page for it there: that half's home
        return _folder_url(path)


def _folder_url(path: str) -> str:
    """A page's path as a link: a folder's index.html as the folder, which hosts serve."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


#: The site's links that a page's scripts read, by what the page runs: a graph view
#: (graph-view.js), or nothing (an entity page without a lineage neighbourhood).
_LINKS_READ: dict[str, tuple[str, ...]] = {"graph": ("root", "lineageKinds"), "none": ()}


@dataclass
class PageRenderer:
    """Renders pages for one site: its settings, store, base URL and the pages it will hold.

    ``entities`` are the ``(kind, slug)`` pairs that get a page; ``answers`` maps each ready
    question's example to its answer page's name; ``labels`` lists the entities by kind for
    the home page.
    """

    settings: Settings
    store: Store
    base_url: str | None
    entities: Collection[tuple[str, str]]
    answers: Mapping[str, str]
    labels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: Set when the site holds both views: which this renderer writes (its pages get a toggle).
    variant: Variant | None = None
    #: The way from this renderer's root to the folder holding ``static/`` ("../" for
    #: ``report/``, which shares the site's assets).
    assets_up: str = ""

    @cached_property
    def environment(self) -> Environment:
        """The app's templates, with the app's filters and globals (``kg.server.app``)."""
        environment = Environment(
            loader=FileSystemLoader(str(self.settings.web_dir / "templates")), autoescape=True
        )
        environment.filters["curie"] = shorten
        environment.globals["version"] = package_version()
        return environment

    def links(self, path: str) -> SiteLinks:
        """The links of the page written at ``path`` (relative to the site's root)."""
        root = self.base_url or relative_root(path)
        assets = root + self.assets_up if self.assets_up else None
        return SiteLinks(root, self.entities, self.answers, assets)

    def switch(self, path: str, links: SiteLinks) -> str:
        """The sources toggle of the page at ``path`` ("" in a site with one view)."""
        return self.variant.switch(path, links.root) if self.variant else ""

    def _site(self, links: SiteLinks, home: bool = False, reads: str = "all") -> dict:
        dumps = [(dump.name, links.root + dump.path, dump.note) for dump in DUMPS]
        dumps.append(("VoID", links.root + VOID, "a VoID description of the dataset"))
        script_links = {
            "root": links.root,
            "searchIndex": SEARCH_INDEX,
            "lineageKinds": list(KINDS_ORDER),
        }
        # Only what the page's scripts read: the whole set in all 640 entity pages would
        # weigh 0.08 MB, gzipped page by page.
        if reads != "all":
            keys = _LINKS_READ[reads]
            script_links = {key: script_links[key] for key in keys} if keys else None
        site = {
            "links": script_links,
            "void": links.root + VOID,
            "search_index": links.root + SEARCH_INDEX,
            "dumps": dumps,
            # What the query page's engine loads, named on its <script> tag in <head>.
            "dump": {"url": links.root + DUMPS[0].path, "format": DUMP_MEDIA},
            "entities": [],
        }
        if home:
            site["entities"] = [
                (kind, [(label, links.root + page) for label, page in entries])
                for kind, entries in self.labels.items()
            ]
        return site

    def render(
        self, template: str, path: str, context: dict, *, home: bool = False, reads: str = "all"
    ) -> str:
        """Render one of the app's templates as the page at ``path``, whitespace collapsed.

        ``reads``: which of the site's links (#kg-links) the page's scripts read: "all", or a
        key of ``_LINKS_READ``.
        """
        links = self.links(path)
        site = self._site(links, home, reads) | {"switch": self.switch(path, links)}
        return compact(
            self.environment.get_template(template).render(
                **context, href=links.href, entity_url=links.entity_url, static_site=site
            )
        )

    def home(self) -> str:
        """index.html: the app's home page with its search answered in the browser."""
        context = home_context(self.store, self.settings.queries_dir)
        return self.render("home.html", "index.html", context, home=True)

    def entity(self, page: EntityPage, path: str) -> str:
        """An entity's page, with its RDF files beside it instead of content negotiation."""
        context = entity_context(page) | {
            "formats": [(name, extension) for name, extension, _media in ENTITY_FORMATS],
            "format_prefix": "index.",
        }
        return self.render("entity.html", path, context, reads="graph" if page.lineage else "none")

    def answer(self, answer: Answer, path: str) -> str:
        """A ready question's answer page, as /ask?q=<the question's example> shows it."""
        # ask.html reads the question from the request's query string, as the app fills it.
        request = SimpleNamespace(query_params={"q": answer.question.example})
        context = answer_context(self.store, self.settings.queries_dir, answer)
        return self.render("ask.html", path, context | {"request": request})

    def query(self) -> str:
        """query.html: the app's query page, its queries run by browser-query.js."""
        return self.render("query.html", "query.html", query_context(self.settings.queries_dir))

    def ontology(self) -> str:
        """ontology.html: the ontology documented from the ontology graph."""
        doc = document_ontology(self.store, self.settings.queries_dir)
        return self.render("ontology.html", "ontology.html", {"doc": doc, "prefixes": PREFIXES})

    def lineage(self, view: str = "auto") -> dict[str, str]:
        """lineage.html ("page"): the whole lineage graph, as ``/lineage`` and ``kg lineage``
        draw it; a big graph's overview also gives the chunks it fetches from
        ``lineage/{name}.json`` (relative, so any static host serves them, offline too)."""
        graph = select_lineage(self.store)
        links = self.links("lineage.html")
        # Entity links end in "/" here: folders, which static hosts serve as their index.html.
        pages = graph.copy()
        for _node, data in pages.nodes(data=True):
            if data.get("url"):
                data["url"] = data["url"] + "/"
        return render_lineage_parts(
            pages,
            standalone=False,
            expand_url=None,
            entity_base=links.root.rstrip("/"),
            static=links.assets + "static",
            view=view,
            chunk_url=LINEAGE_CHUNKS,
            banner=self.switch("lineage.html", links),
        )

    def timeline(self) -> str:
        """timeline.html: everything dated with the eras, as ``/timeline`` draws it."""
        links = self.links("timeline.html")
        return render_timeline_html(
            select_timeline(self.store),
            read_eras(self.store),
            standalone=False,
            entity_base=links.root.rstrip("/"),
            entity_suffix="/",
            static=links.assets + "static",
            report=read_report_date(self.store),
            banner=self.switch("timeline.html", links),
        )
