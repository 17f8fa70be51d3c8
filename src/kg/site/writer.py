"""Write the whole static explorer into a folder: pages, RDF files, dumps, index, assets.

The folder holds index.html (search, ready questions, every entity), one page per entity at
id/{kind}/{slug}/ with index.ttl and neighbours.json beside it, lineage.html
(and lineage/*.json, the chunks a big graph's overview loads on demand),
timeline.html, query.html (SPARQL in the browser), ontology.html, the ready answers under
ask/, the dumps under data/, void.ttl, search-index.json, and static/ with our scripts and
the third-party ones (vis-network from pyvis; Oxigraph's WebAssembly build and plotly.js's
basic bundle from the npm cache of kg.site.engine). Nothing in it refers outside the folder.

A host sends each file gzipped, so what it weighs is the sum of the files gzipped one by one
(``measure_site``; test_site holds it to a budget): nothing is written twice, pages share
their styles, scripts and graph styles through static/, and each page's whitespace is
collapsed (kg.site.pages).
"""

from __future__ import annotations

import gzip
import json
import shutil
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.answers import QUESTIONS, ask
from kg.config import Settings
from kg.errors import BadParameterError, NotFoundError
from kg.lineage import KINDS_ORDER, neighbourhood, to_json
from kg.namespaces import entity_iri, parse_entity_iri
from kg.query import get_named_query, select
from kg.render.assets import asset_path
from kg.render.lineage_html import KIND_STYLES, RELATION_STYLES
from kg.scope import SOURCES, scoped
from kg.site.dumps import read_quads, render_void, write_dumps
from kg.site.engine import ENGINE_FILES, Engine, ensure_engine
from kg.site.folder import GENERATOR, MANIFEST, check_output, staged_folder
from kg.site.links import entity_file
from kg.site.pages import (
    ENTITY_FORMATS,
    GRAPH_STYLES,
    LINEAGE_CHUNKS,
    REPORT_FOLDER,
    SEARCH_INDEX,
    VOID,
    PageRenderer,
    Variant,
)
from kg.site.search_index import render_search_index
from kg.store import Store
from kg.views.answer import answer_json
from kg.views.entity import EntityPage, describe_entity, serialize_description
from kg.views.lookup import KIND_ORDER
from kg.views.pages import package_version

__all__ = ["SiteReport", "measure_site", "normal_base_url", "write_lineage", "write_site"]

#: vis-network, served by the app from pyvis's installed copy (kg.render.assets).
_VENDOR = ("vis-network.min.js", "vis-network.css")
_EXAMPLES = (("architecture", "dit"), ("model", "sora"))


@dataclass(frozen=True)
class SiteReport:
    """What ``write_site`` wrote: where, how many files and entities, and how big."""

    out: Path
    files: int
    entities: int
    statements: int
    size: int
    gzipped: int
    engine: dict[str, str]


def normal_base_url(base_url: str | None) -> str | None:
    """The ``--base-url`` with a trailing slash: an http(s) URL or a path from the host's root.

    >>> normal_base_url("https://example.org/genvid-kg")
    'https://example.org/genvid-kg/'

    Raises:
        BadParameterError: neither an http(s) URL nor a path starting with ``/``.
    """
    if not base_url:
        return None
    parts = urllib.parse.urlsplit(base_url)
    absolute = parts.scheme in ("http", "https") and parts.netloc
    if not (absolute or (not parts.scheme and base_url.startswith("/"))):
        raise BadParameterError(
            f"--base-url {base_url!r}: give the URL the site will be served at, such as "
            "https://example.org/genvid-kg/ (or a path on the same host, /genvid-kg/)"
        )
    if parts.query or parts.fragment:
        raise BadParameterError(f"--base-url {base_url!r}: a base URL has no ?query or #fragment")
    return base_url if base_url.endswith("/") else base_url + "/"


def measure_site(folder: Path) -> tuple[int, int, int]:
    """(files, bytes, bytes once each file is gzipped): what a host stores and sends."""
    files = size = packed = 0
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            files += 1
            size += len(data)
            packed += len(data) if path.suffix == ".gz" else len(gzip.compress(data, 6, mtime=0))
    return files, size, packed


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def write_lineage(folder: Path, renderer: PageRenderer, view: str = "auto") -> None:
    """lineage.html, and for a big graph's overview the chunks it loads on demand, as files
    beside it (``LINEAGE_CHUNKS``)."""
    for name, text in renderer.lineage(view).items():
        where = "lineage.html" if name == "page" else LINEAGE_CHUNKS.format(name=name)
        _write(folder / where, text)


def _entity_ids(quads: list[ox.Quad]) -> list[tuple[str, str]]:
    """Every entity that is the subject of a statement: each gets a page."""
    subjects = {quad.subject.value for quad in quads if isinstance(quad.subject, ox.NamedNode)}
    return sorted(parsed for iri in subjects if (parsed := parse_entity_iri(iri)))


def _neighbours(store: Store, page: EntityPage) -> dict:
    """What double-clicking the entity in a graph loads (as /api/lineage/neighbours)."""
    if page.lineage is not None:
        return page.lineage
    try:
        return to_json(neighbourhood(store, page.iri))
    except NotFoundError:
        return {"nodes": [], "edges": []}


def _labels(pages: dict[tuple[str, str], EntityPage]) -> dict[str, list[tuple[str, str]]]:
    """Entities by kind for the home page: kinds in the search's order, labels A to Z."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (kind, slug), page in pages.items():
        grouped[kind].append((page.label, entity_file(kind, slug)))
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    return {
        kind: sorted(grouped[kind], key=lambda item: item[0].casefold())
        for kind in sorted(grouped, key=lambda k: (order.get(k, len(order)), k))
    }


def _copy_static(settings: Settings, engine: Engine, folder: Path) -> None:
    static = folder / "static"
    shutil.copytree(settings.web_dir / "static", static)
    vendor = static / "vendor"
    for name in _VENDOR:
        _write(vendor / name, asset_path(name).read_bytes())
    for name in ENGINE_FILES:
        _write(vendor / name, engine.path(name).read_bytes())
    # Every entity page's neighbourhood is drawn in these styles: one file, not a copy each.
    styles = {"kinds": KIND_STYLES, "relations": RELATION_STYLES}
    _write(static / GRAPH_STYLES, json.dumps(styles, ensure_ascii=False))
    notice = [
        "Third-party files in this folder, unchanged:",
        "- vis-network.min.js, vis-network.css: vis-network, as shipped by the pyvis package "
        "(Apache-2.0 OR MIT)",
    ]
    for name, (package, inner) in ENGINE_FILES.items():
        license_ = engine.licenses.get(package) or "see the package"
        notice.append(
            f"- {name}: {inner} of the npm package {package} {engine.versions[package]} "
            f"({license_})"
        )
    _write(vendor / "NOTICE.txt", "\n".join(notice) + "\n")


def _fill(
    folder: Path,
    store: Store,
    settings: Settings,
    base_url: str | None,
    engine: Engine,
    quads: list[ox.Quad],
    *,
    variant: Variant | None = None,
    assets_up: str = "",
) -> tuple[int, int]:
    """Write one view's pages into ``folder``; its assets too, unless they are ``assets_up``."""
    queries = settings.queries_dir
    ids = _entity_ids(quads)
    answers = {question.example: question.name for question in QUESTIONS}
    renderer = PageRenderer(
        settings, store, base_url, set(ids), answers, variant=variant, assets_up=assets_up
    )
    pages = {(kind, slug): describe_entity(store, queries, kind, slug) for kind, slug in ids}
    renderer.labels = _labels(pages)

    for (kind, slug), page in pages.items():
        where = entity_file(kind, slug)
        _write(folder / where / "index.html", renderer.entity(page, where + "index.html"))
        for _name, extension, media in ENTITY_FORMATS:
            _write(folder / where / f"index.{extension}", serialize_description(page.quads, media))
        if kind in KINDS_ORDER or page.lineage is not None:
            # The page draws its neighbourhood from this file (kg.site.pages: not inline).
            neighbours = json.dumps(_neighbours(store, page), ensure_ascii=False)
            _write(folder / where / "neighbours.json", neighbours)

    _write(folder / "index.html", renderer.home())
    _write(folder / "query.html", renderer.query())
    _write(folder / "ontology.html", renderer.ontology())
    write_lineage(folder, renderer)
    _write(folder / "timeline.html", renderer.timeline())
    for question in QUESTIONS:
        answer = ask(store, queries, question.example)
        path = f"ask/{question.name}.html"
        _write(folder / path, renderer.answer(answer, path))
        as_json = json.dumps(answer_json(store, queries, answer), indent=1, ensure_ascii=False)
        _write(folder / f"ask/{question.name}.json", as_json + "\n")

    write_dumps(quads, folder)
    counts = select(store, get_named_query(queries, "class-counts").text)
    class_counts = {row[0].value: int(row[2].value) for row in counts.rows}
    examples = [entity_iri(kind, slug) for kind, slug in _EXAMPLES if (kind, slug) in pages]
    void = render_void(
        quads,
        class_counts,
        title="genvid-kg: a cited knowledge graph of generative video AI",
        base_url=base_url,
        examples=examples,
    )
    _write(folder / VOID, void)
    _write(folder / SEARCH_INDEX, render_search_index(store, queries, set(ids)))
    if not assets_up:
        _copy_static(settings, engine, folder)
    # GitHub Pages would otherwise run Jekyll over the folder.
    _write(folder / ".nojekyll", b"")
    return len(ids), len(quads)


def _halves(store: Store, settings: Settings, sources: str) -> dict[str, Store]:
    """The views a site holds, by folder: the whole graph or the report's at the root, and
    for ``both`` the report's in ``report/`` too (kg.scope).

    Raises:
        BadParameterError: ``sources`` is not all, report or both.
    """
    if sources not in (*SOURCES, "both"):
        raise BadParameterError(f"sources: {sources!r} is not one of all, report, both")
    report = scoped(store, settings.queries_dir, "report") if sources != "all" else store
    if sources == "both":
        return {"": store, REPORT_FOLDER: report}
    return {"": report}


def write_site(
    store: Store,
    settings: Settings,
    out: Path,
    *,
    base_url: str | None = None,
    force: bool = False,
    engine: Engine | None = None,
    sources: str = "all",
) -> SiteReport:
    """Write the static explorer of ``store`` into ``out``, replacing it whole.

    ``base_url`` is where the site will be served (links then start with it); without it,
    links are relative and the folder works at any address. ``out`` may be new, empty, or a
    previous site; anything else needs ``force``. The site is written aside and moved into
    place once complete: on any failure ``out`` is left as it was. ``sources``: ``all`` (the
    whole graph), ``report`` (only what the report and the papers it cites say, kg.scope), or
    ``both``: the whole graph, and the report's view in ``report/`` sharing its assets, every
    page with a toggle to the same page in the other view.

    Raises:
        OutputFolderError: ``out`` holds other files (without ``force``), or is unsafe to
            replace (the working directory, the home folder).
        BadParameterError: ``base_url`` is not a URL or an absolute path.
        EngineError: the browser engine cannot be fetched from npm.
        SiteError: the folder cannot be written.
    """
    base = normal_base_url(base_url)
    check_output(out, force)
    halves = _halves(store, settings, sources)
    engine = engine or ensure_engine()
    with staged_folder(out) as folder:
        quads = {where: read_quads(view, settings.queries_dir) for where, view in halves.items()}
        ids = {where: set(_entity_ids(held)) for where, held in quads.items()}
        counts = {}
        for where, view in halves.items():
            other = next((ids[w] for w in halves if w != where), set())
            variant = Variant("report" if where else "all", other) if len(halves) > 1 else None
            if sources == "report":  # the report's view alone: its pages say so
                variant = Variant("report", None)
            counts[where] = _fill(
                folder / where,
                view,
                settings,
                base and base + where,
                engine,
                quads[where],
                variant=variant,
                assets_up="../" if where else "",
            )
        entities, statements = counts[""]
        manifest = {
            "generator": GENERATOR,
            "version": package_version(),
            "base_url": base,
            "entities": entities,
            "statements": statements,
            "sources": sources,
            "engine": engine.versions,
        }
        _write(folder / MANIFEST, json.dumps(manifest, indent=1) + "\n")
        files, size, gzipped = measure_site(folder)
    return SiteReport(out, files, entities, statements, size, gzipped, engine.versions)
