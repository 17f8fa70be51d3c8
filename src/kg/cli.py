"""The ``kg`` command line: parse arguments, call one library function, print the result.

Exit codes: 0 success; 1 bad input, validation failure or no answer; 2 usage error or an
unusable store. A library error prints ``Error: ...`` with no traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pyoxigraph as ox
from rich.console import Console
from rich.progress import Progress

from kg.answers import ask
from kg.build import build, validate_inputs
from kg.build.export import export_store
from kg.build.imports import import_files
from kg.config import Settings
from kg.errors import KgError, UnknownQuestionError
from kg.namespaces import expand_curie
from kg.query import (
    RESULT_FORMATS,
    get_named_query,
    named_queries,
    run_query,
    select,
    serialize_outcome,
)
from kg.render.text import render_questions, render_stats, render_table
from kg.scope import SOURCES, scoped
from kg.stats import graph_stats
from kg.store import RemoteStore, Store, is_remote, open_store
from kg.views.answer import answer_frame, answer_json, shape_answer
from kg.views.lookup import name_hits, search, suggest
from kg.views.terminal import render_names, render_shaped

__all__ = ["cli", "main"]


class _KgError(click.ClickException):
    """A library error shown the click way: ``Error: message`` and the error's exit code."""

    def __init__(self, error: KgError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as error:
            raise _KgError(error) from None


def _settings(ctx: click.Context) -> Settings:
    return ctx.find_object(Settings)


#: ``--sources``: the whole graph, or only what the report and the papers it cites say.
_sources_option = click.option(
    "--sources",
    type=click.Choice(SOURCES),
    default="all",
    show_default=True,
    help="report: only what the seed report and the papers it cites say (kg.scope).",
)


def _open(settings: Settings, sources: str) -> Store:
    """The configured store, or its report view under ``--sources report``."""
    return scoped(open_store(settings.store), settings.queries_dir, sources)


@click.group(cls=_Group)
@click.option(
    "--store",
    envvar="KG_STORE",
    metavar="STORE",
    help="A folder (embedded store on disk), 'memory', or a SPARQL server's query endpoint "
    "URL. Default: $KG_STORE or ~/.local/share/genvid-kg/store.",
)
@click.option(
    "--store-update",
    envvar="KG_STORE_UPDATE",
    metavar="URL",
    help="The SPARQL server's update endpoint, where kg cannot infer it (it knows Oxigraph and "
    "Virtuoso).",
)
@click.option(
    "--store-data",
    envvar="KG_STORE_DATA",
    metavar="URL",
    help="The SPARQL server's Graph Store Protocol endpoint, where kg cannot infer it.",
)
@click.version_option(package_name="genvid-kg")
@click.pass_context
def cli(
    ctx: click.Context, store: str | None, store_update: str | None, store_data: str | None
) -> None:
    """Explore a cited knowledge graph of generative video AI."""
    # Through the environment, so that every RemoteStore (kg serve's workers too) sees them.
    for name, value in (("KG_STORE_UPDATE", store_update), ("KG_STORE_DATA", store_data)):
        if value:
            os.environ[name] = value
    ctx.obj = Settings.default(store)


@cli.command(name="build")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Data files or folders to use instead of the shipped data/ (repeatable).",
)
@click.pass_context
def build_command(ctx: click.Context, data: tuple[Path, ...]) -> None:
    """Parse, validate and load the graph into the store, atomically.

    A failed build says exactly what failed and leaves the previous graph answering.
    """
    settings = _settings(ctx)
    if settings.store == "memory":
        raise click.UsageError("an in-memory store does not outlive `kg build`; give a folder")
    if is_remote(settings.store):
        for line in RemoteStore(settings.store).endpoints():
            click.echo(line, err=True)
    report = build(settings, list(data) or None)
    click.echo(
        f"Built {report.quads} statements from {len(report.files)} files "
        f"in {report.graphs} source graphs into {report.store}"
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check syntax, SHACL shapes and sources of PATHS (default: the shipped data/).

    PATHS are data files or folders that together replace data/; the ontology always applies.
    """
    inputs = validate_inputs(_settings(ctx), list(paths) or None)
    click.echo(f"Valid: {len(inputs.files) - 1} data files, {len(inputs.quads)} statements")


def _read_query(settings: Settings, query: str) -> str:
    if query == "-":
        return _decoded(sys.stdin.buffer.read(), "the standard input")
    path = Path(query)
    if query.endswith(".rq") or (path.suffix and path.is_file()):
        try:
            return _decoded(path.read_bytes(), query)
        except OSError as error:
            raise click.BadParameter(f"cannot read {query}: {error.strerror}") from None
    if query.strip() in named_queries(settings.queries_dir):
        return get_named_query(settings.queries_dir, query.strip()).text
    return query


def _decoded(data: bytes, name: str) -> str:
    """A query's text; a file that is not UTF-8 is an error naming it, not a traceback."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"{name} is not UTF-8 text (byte {error.start} is 0x{data[error.start]:02x}): "
            "SPARQL queries are read as UTF-8"
        ) from None


def _parse_binding(text: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"{text!r}: use NAME=VALUE, e.g. entity=arch:dit")
    if value.startswith("<") and value.endswith(">"):
        return name.lstrip("?"), ox.NamedNode(value[1:-1])
    if value.startswith(("http://", "https://")):
        return name.lstrip("?"), ox.NamedNode(value)
    try:
        return name.lstrip("?"), ox.NamedNode(expand_curie(value))
    except ValueError:
        return name.lstrip("?"), ox.Literal(value)


@cli.command()
@click.argument("query", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RESULT_FORMATS)),
    default="table",
    show_default=True,
    help="json is SPARQL 1.1 Query Results JSON.",
)
@click.option(
    "--bind",
    "bindings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind a variable to an IRI, a CURIE (arch:dit) or a literal (repeatable).",
)
@click.option("--list", "list_queries", is_flag=True, help="List the named example queries.")
@_sources_option
@click.pass_context
def query(
    ctx: click.Context,
    query: str | None,
    fmt: str,
    bindings: tuple[str, ...],
    list_queries: bool,
    sources: str,
) -> None:
    """Run a SPARQL query: text, a .rq file, a named query, or - for stdin.

    The prefixes rdf rdfs owl xsd skos dcterms schema prov kg are predeclared, and the default
    graph is the union of all source graphs.
    """
    settings = _settings(ctx)
    if list_queries:
        for named in named_queries(settings.queries_dir).values():
            click.echo(f"{named.name}\n    {named.title}: {named.description}")
        return
    if query is None:
        raise click.UsageError("give a query (text, a .rq file, a named query or -), or --list")
    text = _read_query(settings, query)
    bound = dict(_parse_binding(b) for b in bindings)
    store = _open(settings, sources)
    if fmt == "table":
        outcome = run_query(store, text, bound)
        if isinstance(outcome, ox.QuerySolutions):
            width = shutil.get_terminal_size().columns
            click.echo(render_table(select(store, text, bound), width), nl=False)
        else:
            click.echo(serialize_outcome(outcome, fmt).decode(), nl=False)
        return
    sys.stdout.buffer.write(serialize_outcome(run_query(store, text, bound), fmt))
    sys.stdout.flush()


@cli.command(name="ask")
@click.argument("question", nargs=-1)
@click.option("--list", "list_questions", is_flag=True, help="List the questions it knows.")
@click.option("--show-query", is_flag=True, help="Print the SPARQL it ran.")
@click.option("--wide", is_flag=True, help="Do not fit the terminal: one line per row.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@_sources_option
@click.pass_context
def ask_command(
    ctx: click.Context,
    question: tuple[str, ...],
    list_questions: bool,
    show_query: bool,
    wide: bool,
    fmt: str,
    sources: str,
) -> None:
    """Answer a question in plain words: one row per thing, its sources as numbered references.

    The table fits the terminal's width (COLUMNS); CSV and JSON give each row's source IRIs.
    Example: kg ask "which models use DiT"
    """
    if list_questions or not question:
        click.echo(render_questions(), nl=False)
        return
    settings = _settings(ctx)
    store = _open(settings, sources)
    text = " ".join(question)
    width = None if wide else shutil.get_terminal_size().columns
    try:
        answer = ask(store, settings.queries_dir, text)
    except UnknownQuestionError:
        hits = name_hits(store, settings.queries_dir, text)
        if not hits:
            raise
        click.echo(render_names(text, hits, width), nl=False)
        return
    shaped = shape_answer(store, settings.queries_dir, answer)
    if fmt == "table":
        click.echo(render_shaped(shaped, answer, width, show_query), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps(answer_json(store, settings.queries_dir, answer), ensure_ascii=False))
        return
    frame = answer_frame(shaped)
    frame["Sources"] = frame["Sources"].map(" ".join)
    click.echo(frame.to_csv(index=False), nl=False)


@cli.command(name="search")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@_sources_option
@click.pass_context
def search_command(ctx: click.Context, text: tuple[str, ...], limit: int, sources: str) -> None:
    """Find entities by name: labels, alternative labels (Chinese too) and slugs, any case.

    Best matches first, as the web app's search; close spellings when nothing matches.
    Example: kg search 可灵
    """
    settings = _settings(ctx)
    store = _open(settings, sources)
    wanted = " ".join(text)
    hits = search(store, settings.queries_dir, wanted, limit)
    if not hits:
        close = suggest(store, settings.queries_dir, wanted)
        hint = f"; did you mean {' or '.join(h.label for h in close)}?" if close else ""
        raise KgError(f"nothing is named {wanted!r}{hint}")
    width = shutil.get_terminal_size().columns
    click.echo(render_names(wanted, hits, width, f"Named {wanted!r}, best first"), nl=False)


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--base",
    metavar="IRI",
    help="Resolve relative IRIs against IRI (default: each file's file:// URL).",
)
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...], base: str | None) -> None:
    """Load RDF files (N-Triples, Turtle, TriG, N-Quads, JSON-LD, RDF/XML; .gz too), one
    graph each.

    Each file's graph holds the file's statements only (its description goes to the catalogue
    graph); files of one name (a.nt a.ttl) share a graph and both land in it. The files are
    published together, or not at all if one fails. Rebuilding the curated data keeps
    imported graphs.
    """
    settings = _settings(ctx)
    with Progress(
        transient=True, disable=not sys.stderr.isatty(), console=Console(stderr=True)
    ) as bar:

        def progress(name: str, total: int) -> Callable[[int], None]:
            task = bar.add_task(f"importing {name}", total=total)
            return lambda done: bar.update(task, completed=done)

        for report in import_files(settings.store, list(files), progress, base):
            # One line per graph: files whose names give one graph are counted together.
            names, one = ", ".join(report.files), len(report.files) == 1
            its, graphs = ("its", "graph") if one else ("their", "graphs")
            if report.dataset:
                click.echo(
                    f"{names}: {report.quads} statements of {its} default {graphs} into graph "
                    f"<{report.graph}>; {its} named graphs keep their names"
                )
            else:
                click.echo(f"{names}: {report.quads} statements into graph <{report.graph}>")


@cli.command(name="export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def export_command(ctx: click.Context, file: Path) -> None:
    """Write the build and the imported graphs to FILE (.nq, .trig; .gz too) for a bulk loader.

    Streams from the embedded store; FILE appears only once complete. See the README's Stores
    section for loading it into Oxigraph server or Virtuoso.
    """
    quads = export_store(_settings(ctx).store, file)
    click.echo(f"Wrote {file}: {quads} statements")


@cli.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Entities per class, statements and sources of the built graph."""
    settings = _settings(ctx)
    click.echo(
        render_stats(graph_stats(open_store(settings.store), settings.queries_dir)), nl=False
    )


@cli.command(name="lineage")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (default: lineage.<format> here); - for stdout.",
)
@click.option("--focus", metavar="NAME", help="Start from one entity (label, alias or slug).")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Links to follow from --focus.",
)
@click.option(
    "--since", metavar="DATE", help="Keep what is dated on or after YYYY, YYYY-MM or YYYY-MM-DD."
)
@click.option(
    "--kinds",
    metavar="KINDS",
    help="Comma-separated: era, paper, architecture, model, product, org.",
)
@click.option(
    "--vendor", metavar="NAME", help="An organisation's models and products, with their roots."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "graphml", "gexf", "json"]),
    default="html",
    show_default=True,
)
@click.option(
    "--layout",
    type=click.Choice(["time", "physics"]),
    default="time",
    show_default=True,
    help="time: x follows the date, one lane per kind; physics: a force-directed layout.",
)
@click.option(
    "--base-url",
    default="",
    help="Prefix of the entity-page links in the HTML (default: the web app's /id/... paths).",
)
@click.option(
    "--view",
    type=click.Choice(["auto", "full", "overview"]),
    default="auto",
    show_default=True,
    help="HTML: every node, or circles by kind and year that open on demand (auto: overview "
    "past 2,000 nodes).",
)
@_sources_option
@click.pass_context
def lineage_command(
    ctx: click.Context,
    out: str | None,
    focus: str | None,
    depth: int,
    since: str | None,
    kinds: str | None,
    vendor: str | None,
    fmt: str,
    layout: str,
    base_url: str,
    view: str,
    sources: str,
) -> None:
    """Draw how architectures, papers and models descend: an interactive offline HTML page, or
    GraphML, GEXF or JSON for Gephi, Cytoscape and networkx.

    Example: kg lineage --focus DiT --depth 2 --out dit.html
    """
    # Imported here so that the other commands do not load the rendering stack.
    from kg.lineage import select_lineage, serialize_graph
    from kg.render.lineage_html import render_lineage_html

    settings = _settings(ctx)
    graph = select_lineage(
        _open(settings, sources),
        focus=focus,
        depth=depth,
        since=since,
        kinds=kinds,
        vendor=vendor,
    )
    if fmt == "html":
        page = render_lineage_html(
            graph,
            standalone=True,
            expand_url=None,
            entity_base=base_url,
            layout=layout,
            view=view,
        )
        content = page.encode()
    else:
        content = serialize_graph(graph, fmt)
    links = f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} links"
    _write_output(out or f"lineage.{fmt}", content, links)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--query-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds a /sparql query may run before it is stopped.",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="HOST",
    help="A host that SERVICE clauses may query (repeatable; none by default).",
)
@click.option(
    "--query-workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="/sparql queries run at once, each in its own worker process.",
)
@click.option(
    "--max-waiting",
    type=click.IntRange(min=0),
    default=32,
    show_default=True,
    help="Queries that may wait for a worker; past that, 429 Too Many Requests.",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds a /sparql query may wait for a worker; past that, 503 with Retry-After.",
)
@click.option(
    "--max-result-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=64.0,
    show_default=True,
    help="Largest serialized /sparql result; past that, a message saying how to page.",
)
@click.option(
    "--query-memory-mb",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="Memory one /sparql query may take in its worker (0: no cap); past it, 503.",
)
@click.option(
    "--cache-mb",
    type=click.FloatRange(min=0),
    default=128.0,
    show_default=True,
    help="Memory kept for /sparql answers to repeat, least recently used let go first.",
)
@click.option(
    "--max-body-kb",
    type=click.IntRange(min=1),
    default=1024,
    show_default=True,
    help="Largest request body; past that, 413.",
)
@click.option(
    "--head-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a whole request head; past that, 408 and closed.",
)
@click.option(
    "--max-head-kb",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="Largest request line plus header fields; past that, 414 or 431.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    query_timeout: float,
    allow_service: tuple[str, ...],
    query_workers: int,
    max_waiting: int,
    max_wait: float,
    max_result_mb: float,
    query_memory_mb: int,
    cache_mb: float,
    max_body_kb: int,
    head_timeout: float,
    max_head_kb: int,
) -> None:
    """Serve the web app: SPARQL endpoint (/sparql), query page, entity pages, JSON API.

    It listens on 127.0.0.1 only unless --host says otherwise; see the README's "Running it
    publicly" before you do. Example: kg serve --port 8000, then open http://127.0.0.1:8000/
    """
    # Imported here so that the other commands do not load the web stack.
    import uvicorn

    from kg.executor import Limits
    from kg.server.app import create_app
    from kg.server.connections import bounded_protocol

    limits = Limits(
        timeout=query_timeout,
        max_result_bytes=int(max_result_mb * 1024 * 1024),
        workers=query_workers,
        max_waiting=max_waiting,
        max_wait=max_wait,
        memory_bytes=query_memory_mb * 1024 * 1024,
        cache_bytes=int(cache_mb * 1024 * 1024),
    )
    app = create_app(
        _settings(ctx),
        limits=limits,
        allowed_hosts=allow_service,
        max_body_bytes=max_body_kb * 1024,
        announce=lambda line: click.echo(line, err=True),
    )
    click.echo(f"Serving {_settings(ctx).store} at http://{host}:{port}/", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=bounded_protocol(head_timeout, max_head_kb * 1024),
        h11_max_incomplete_event_size=max_head_kb * 1024,
    )


def _write_output(target: str | None, content: bytes, what: str) -> None:
    """Write ``content`` to a file, or to stdout when ``target`` is None or -."""
    if target in (None, "-"):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        Path(target).write_bytes(content)
    except OSError as error:
        raise click.FileError(target, error.strerror) from None
    click.echo(f"Wrote {target}: {what}", err=True)


@cli.command(name="timeline")
@click.option(
    "--kinds",
    metavar="KINDS",
    help="Comma-separated: era, architecture, paper, model, product, leaderboard, benchmark.",
)
@click.option(
    "--from",
    "start",
    metavar="DATE",
    help="Keep what is dated on or after YYYY, YYYY-MM or "
    "YYYY-MM-DD (a year or month counts if any of it is in range).",
)
@click.option(
    "--to",
    "end",
    metavar="DATE",
    help="Keep what is dated on or before it, inclusive at its "
    "precision: --to 2025-06 keeps 2025-06-30.",
)
@click.option(
    "--vendor", metavar="NAME", help="An organisation (label, alias or slug) and its teams."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "html"]),
    default="table",
    show_default=True,
    help="html is an interactive offline page (Plotly, inlined).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (default: stdout; timeline.html for html); - for stdout.",
)
@click.option(
    "--query",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A .rq file whose SELECT has ?date and ?label columns (optional ?entity, ?kind, "
    "?vendor, ?sources), drawn instead of the built-in timeline.",
)
@click.option(
    "--base-url",
    default="",
    help="Prefix of the entity-page links in the HTML (default: the web app's /id/... paths).",
)
@_sources_option
@click.pass_context
def timeline_command(
    ctx: click.Context,
    kinds: str | None,
    start: str | None,
    end: str | None,
    vendor: str | None,
    fmt: str,
    out: str | None,
    query_file: Path | None,
    base_url: str,
    sources: str,
) -> None:
    """List or draw everything dated, oldest first, with the date as the source gives it.

    Example: kg timeline --kinds paper,model --from 2020 --to 2025-06 --vendor Google
    """
    # Imported here so that the other commands do not load the rendering stack.
    from kg.render.timeline_html import render_timeline_html
    from kg.render.timeline_text import render_timeline_text
    from kg.timeline import read_eras, read_report_date, select_timeline, serialize_timeline

    settings = _settings(ctx)
    text = None
    if query_file is not None:
        try:
            text = query_file.read_text(encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(
                f"cannot read {query_file}: {error.strerror}", param_hint="--query"
            ) from None
    store = _open(settings, sources)
    frame = select_timeline(store, kinds=kinds, start=start, end=end, vendor=vendor, query=text)
    what = f"{len(frame)} events"
    report = read_report_date(store, start=start, end=end) if text is None else None
    if fmt == "table":
        _write_output(out, render_timeline_text(frame, report=report).encode(), what)
    elif fmt in ("csv", "json"):
        _write_output(out, serialize_timeline(frame, fmt).encode(), what)
    else:
        eras = read_eras(store, start=start, end=end)
        page = render_timeline_html(
            frame, eras, standalone=True, entity_base=base_url, report=report
        )
        _write_output(out or "timeline.html", page.encode(), f"{what}, {len(eras)} eras")


@cli.command(name="chart")
@click.argument("name", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "png"]),
    default="html",
    show_default=True,
    help="html is an interactive offline page (Plotly, inlined); png is drawn by matplotlib.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="File to write (default: NAME.<format> here); - for stdout.",
)
@click.option("--list", "list_charts", is_flag=True, help="List the named charts.")
@click.pass_context
def chart_command(
    ctx: click.Context, name: str | None, fmt: str, out: str | None, list_charts: bool
) -> None:
    """Draw the report's figures over time: a named chart or any measure's slug.

    Example: kg chart market-size --format png
    """
    # Imported here so that the other commands do not load the rendering stack.
    from kg.charts import CHARTS, select_chart
    from kg.render.chart_png import render_chart_png
    from kg.render.timeline_html import render_chart_html

    if list_charts or name is None:
        for spec in CHARTS.values():
            click.echo(f"{spec.name}\n    {spec.title}: {spec.description}")
        click.echo("Any measure's slug works too; `kg query measures` lists them.")
        return
    chart = select_chart(open_store(_settings(ctx).store), name)
    if fmt == "png":
        content = render_chart_png(chart)
    else:
        content = render_chart_html(chart, standalone=True).encode()
    _write_output(out or f"{name}.{fmt}", content, f"{len(chart.frame)} figures")


@cli.command(name="site")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write (replaced whole; a non-empty folder that is no site needs --force).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where the site will be served (https://example.org/genvid-kg/); default: relative "
    "links, which work at any address.",
)
@click.option("--serve", is_flag=True, help="Then serve the folder on 127.0.0.1 to look at it.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port for --serve (0: any free port).",
)
@click.option("--force", is_flag=True, help="Replace --out even if it holds other files.")
@click.option(
    "--sources",
    type=click.Choice([*SOURCES, "both"]),
    default="all",
    show_default=True,
    help="report: only what the seed report and the papers it cites say; both: the whole "
    "graph, and the report's view in report/, each page with a toggle to the other.",
)
@click.pass_context
def site_command(
    ctx: click.Context,
    out: Path,
    base_url: str | None,
    serve: bool,
    port: int,
    force: bool,
    sources: str,
) -> None:
    """Write the explorer as a folder of plain files for any static host: search, entity
    pages, lineage, timeline, the ontology, the dumps, and SPARQL running in the browser
    (Oxigraph on WebAssembly, fetched from the npm registry once and cached).

    Example: kg site --out site/ --serve
    """
    # Imported here so that the other commands do not load the web stack.
    from kg.site import make_server, write_site
    from kg.store import MemoryStore

    settings = _settings(ctx)
    if settings.store == "memory":
        store = MemoryStore()
        build(settings, target=store)
    else:
        store = open_store(settings.store)
    report = write_site(store, settings, out, base_url=base_url, force=force, sources=sources)
    click.echo(
        f"Wrote {out}: {report.entities} entity pages, {report.statements} statements, "
        f"{report.files} files, {report.size / 1e6:.1f} MB ({report.gzipped / 1e6:.1f} MB "
        "once each file is gzipped)",
        err=True,
    )
    if not serve:
        return
    try:
        server = make_server(out, port)
    except OSError as error:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    if base_url:
        click.echo(f"Note: links start with {base_url}, so they lead there.", err=True)
    click.echo(f"Serving {out} at {url} (Ctrl+C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    """Entry point of the ``kg`` console script."""
    cli(prog_name="kg")
