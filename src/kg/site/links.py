"""Map the web app's paths to the static site's files, for one page at a time.

The app's templates write every link as the app serves it (``/id/model/sora``, ``/query``,
``/static/site.css``) and pass it through ``href()``; here that function sends each path to the
file the site holds for it, relative to the page (``../../../id/model/sora/``) or under the
``--base-url``. A path the site has no file for is an error at build time, so a finished site
holds no broken link; URLs that are not app paths (``https://...``, ``#anchor``) pass unchanged.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from kg.errors import SiteError
from kg.namespaces import parse_entity_iri

__all__ = ["PAGES", "SiteLinks", "entity_file", "relative_root"]

#: App path → the site's file for it (query strings are dropped: the views show everything,
#: except a lineage focus, which becomes the fragment lineage.js reads).
PAGES: dict[str, str] = {
    "/query": "query.html",
    "/lineage": "lineage.html",
    "/timeline": "timeline.html",
    "/ontology": "ontology.html",
}


def entity_file(kind: str, slug: str) -> str:
    """The folder of an entity's page inside the site.

    >>> entity_file("model", "sora")
    'id/model/sora/'
    """
    return f"id/{kind}/{slug}/"


def relative_root(page: str) -> str:
    """The way back to the site's root from a page's path inside the site.

    >>> relative_root("index.html"), relative_root("id/model/sora/index.html")
    ('./', '../../../')
    """
    depth = page.count("/")
    return "../" * depth if depth else "./"


@dataclass(frozen=True)
class SiteLinks:
    """Links from one page: ``root`` is the way to the site's root (``../../`` or a base URL).

    ``entities`` are the ``(kind, slug)`` pairs that have a page; ``answers`` maps a ready
    question's example text to the name of its answer page.
    """

    root: str
    entities: Collection[tuple[str, str]]
    answers: Mapping[str, str]
    #: The way to the folder holding ``static/``, where it is not ``root`` (the report's
    #: variant in ``report/`` shares the site's assets).
    assets_root: str | None = None

    @property
    def assets(self) -> str:
        """The way to the folder that holds ``static/``."""
        return self.assets_root or self.root

    def href(self, url: str) -> str:
        """The site's URL for an app URL (fragment kept); other URLs unchanged.

        Raises:
            SiteError: an app path the site has no file for (a page that would be missing).
        """
        if not url.startswith("/") or url.startswith("//"):
            return url
        path, _, fragment = url.partition("#")
        path, _, query = path.partition("?")
        target = self._target(path, urllib.parse.parse_qs(query))
        return target + ("#" + fragment if fragment else "")

    def entity_url(self, iri: str) -> str | None:
        """An entity IRI's page in the site (for templates' ``entity_url``); None otherwise."""
        parsed = parse_entity_iri(iri)
        if parsed is None or parsed not in self.entities:
            return None
        return self.root + entity_file(*parsed)

    def _target(self, path: str, query: dict[str, list[str]]) -> str:
        if path == "/":
            return self.root
        if path == "/lineage" and query.get("focus"):
            # No server filters the graph here: lineage.js focuses the node the fragment names.
            focus = urllib.parse.urlencode({"focus": query["focus"][0]})
            return f"{self.root}{PAGES[path]}#{focus}"
        if path in PAGES:
            return self.root + PAGES[path]
        if path.startswith("/static/"):
            return self.assets + path[1:]
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "id":
            if (parts[1], parts[2]) not in self.entities:
                raise SiteError(f"a page links {path}, which is not an entity of the graph")
            return self.root + entity_file(parts[1], parts[2])
        if path in ("/ask", "/api/ask"):
            asked = (query.get("q") or [""])[0]
            if asked not in self.answers:
                raise SiteError(f"a page links the answer to {asked!r}, which the site lacks")
            suffix = "html" if path == "/ask" else "json"
            return f"{self.root}ask/{self.answers[asked]}.{suffix}"
        raise SiteError(f"a page links {path}, which only the web app serves (kg serve)")
