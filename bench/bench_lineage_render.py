"""Benchmark: how fast a big lineage graph renders and becomes interactive in headless Chromium.

Run from the repository root, with the venv active and Debian's chromium installed:

    python bench/bench_lineage_render.py                     # 1,000 (baseline) and 10,000 nodes
    python bench/bench_lineage_render.py --sizes 1000 10000 100000   # the issue's check
    python bench/bench_lineage_render.py --views full overview --layouts time physics
    python bench/bench_lineage_render.py --before main~3     # the full view's script then and now

Each page is drawn in the view ``--views`` asks for: "auto" (the default) lets the renderer
choose by size as ``kg lineage`` does (the full vis-network drawing up to 2,000 nodes, the
overview by kind and year past it); ratios are against the first size of the same view and
script. ``--form folder`` (the default) serves the page as the web app and the static site do:
its scripts from static/, the overview's chunks as files beside it, fetched on demand;
``--form single`` is ``kg lineage --format html``'s one file, chunks inlined. ``--before REF``
adds a run of the full view with web/static/lineage.js as it was at git REF.

For each size it generates a lineage-shaped graph in memory (bench/generate.py), loads it into
a MemoryStore, builds the networkx graph through the real SPARQL queries, renders the page,
serves it on 127.0.0.1 and opens it in headless Chromium with every other request blocked. It
reports the page's size (the HTML; the chunks beside it in brackets), time to interactive
(navigation start → the first draw, the moment clicks and drags work), the latency of a click
highlight on a model (with the chunks it loads, and the draw), and of opening the overview's
biggest circle of models, then ratios against the first size, measured in the same run on
the same machine, so numbers compare across machines.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import generate, models_for_nodes
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.config import resource_dir
from kg.lineage import read_lineage
from kg.render.assets import asset_path, static_text
from kg.render.lineage_html import VIEWS, render_lineage_parts
from kg.store import MemoryStore
from tests.browsing import ARGS, CHROMIUM

_CLICK = """async (id) => {
  const view = window.lineageView;
  const start = performance.now();
  await view.highlight(id);
  const drawn = new Promise((done) => view.network.once("afterDrawing", done));
  view.network.redraw();
  await drawn;
  return performance.now() - start;
}"""

_EXPAND = """async () => {
  const view = window.lineageView;
  if (!view.openGroup) return null;
  const model = view.data.kindsOrder.indexOf("model");
  const biggest = view.groups.filter((g) => g.kind === model).sort((a, b) => b.size - a.size)[0];
  const start = performance.now();
  await view.openGroup("model", biggest.year);
  const drawn = new Promise((done) => view.network.once("afterDrawing", done));
  view.network.redraw();
  await drawn;
  return performance.now() - start;
}"""


#: The full view past this size takes minutes to draw: --before stops there.
_BEFORE_UP_TO = 20_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _prepare(
    size: int, layout: str, view: str, form: str, before: str | None, folder: Path
) -> dict:
    quads = generate(models_for_nodes(size), seed=7)
    store = MemoryStore()
    store.replace(quads)
    started = time.perf_counter()
    graph = read_lineage(store)
    query_s = time.perf_counter() - started
    started = time.perf_counter()
    name = f"lineage-{size}-{layout}-{view}-{form}{'-before' if before else ''}"
    parts = render_lineage_parts(
        graph,
        standalone=form == "single",
        expand_url=None,
        layout=layout,
        view=view,
        static="static",
        chunk_url=None if form == "single" else name + "/{name}.json",
    )
    render_s = time.perf_counter() - started
    page = parts.pop("page")
    if before:
        script = subprocess.run(
            ["git", "show", f"{before}:web/static/lineage.js"], capture_output=True, check=True
        ).stdout.decode()
        if form == "single":
            page = page.replace(static_text("lineage.js"), script)
        else:
            (folder / "static" / "lineage-before.js").write_text(script, encoding="utf-8")
            page = page.replace("static/lineage.js", "static/lineage-before.js")
    (folder / f"{name}.html").write_text(page, encoding="utf-8")
    for part, text in parts.items():
        (folder / name).mkdir(exist_ok=True)
        (folder / name / f"{part}.json").write_text(text, encoding="utf-8")
    model = next(n for n, kind in graph.nodes(data="kind") if kind == "model")
    return {
        "size": size,
        "layout": layout,
        "asked": view + (f"@{before}" if before else ""),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "query_s": query_s,
        "render_s": render_s,
        "mb": len(page.encode()) / 1e6,
        "chunks_mb": sum(len(text.encode()) for text in parts.values()) / 1e6,
        "file": f"{name}.html",
        "probe": model,
    }


def _static(folder: Path) -> None:
    """The page's scripts and styles where the app and the site serve them (static/)."""
    (folder / "static" / "vendor").mkdir(parents=True)
    for name in ("vis-network.min.js", "vis-network.css"):
        shutil.copy(asset_path(name), folder / "static" / "vendor" / name)
    for name in ("lineage.js", "lineage-overview.js", "lineage-common.js", "lineage.css"):
        shutil.copy(resource_dir("web") / "static" / name, folder / "static" / name)


def _measure(context, base: str, run: dict) -> dict:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    started = time.perf_counter()
    page.goto(f"{base}/{run['file']}")
    page.wait_for_function("window.lineageView && window.lineageView.ready", timeout=300_000)
    run["wall_s"] = time.perf_counter() - started
    run["tti_s"] = page.evaluate("window.lineageView.readyAt") / 1000
    run["click_ms"] = page.evaluate(_CLICK, run["probe"])
    run["expand_ms"] = page.evaluate(_EXPAND)
    run["view"] = page.evaluate("document.body.dataset.view")
    run["drawn"] = page.evaluate("window.lineageView.visibleCount()")
    run["errors"] = errors
    page.close()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--layouts", nargs="+", default=["time"], choices=["time", "physics"])
    parser.add_argument("--views", nargs="+", default=["auto"], choices=list(VIEWS))
    parser.add_argument("--form", default="folder", choices=["folder", "single"])
    parser.add_argument("--before", metavar="REF", help="also the full view with REF's script")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        _static(folder)
        server, base = _serve(folder)
        context = playwright.chromium.launch_persistent_context(
            str(folder / "profile"),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1600, "height": 1000},
        )

        def local_only(route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", local_only)
        plans = [(layout, view, None) for layout in options.layouts for view in options.views]
        if options.before:
            plans += [(layout, "full", options.before) for layout in options.layouts]
        runs = []
        for layout, view, before in plans:
            for size in options.sizes:
                if before and size > _BEFORE_UP_TO:
                    continue
                run = _prepare(size, layout, view, options.form, before, folder)
                runs.append(_measure(context, base, run))
        context.close()
        server.shutdown()
    _report(runs)


def _report(runs: list[dict]) -> None:
    header = (
        f"{'layout':8} {'view':20} {'nodes':>7} {'edges':>7} {'query s':>8} {'render s':>8} "
        f"{'MB (chunks)':>12} {'TTI s':>6} {'click ms':>8} {'open ms':>8} "
        f"{'x TTI':>6} {'x click':>7}"
    )
    print(header)
    for run in runs:
        base_run = next(
            r for r in runs if (r["layout"], r["asked"]) == (run["layout"], run["asked"])
        )
        view = f"{run['asked']}:{run['view']}" if run["asked"] == "auto" else run["asked"]
        opened = f"{run['expand_ms']:8.0f}" if run["expand_ms"] is not None else f"{'-':>8}"
        size = f"{run['mb']:.2f} ({run['chunks_mb']:.1f})"
        print(
            f"{run['layout']:8} {view:20} {run['nodes']:7d} {run['edges']:7d} "
            f"{run['query_s']:8.2f} {run['render_s']:8.2f} {size:>12} "
            f"{run['tti_s']:6.2f} {run['click_ms']:8.0f} {opened} "
            f"{run['tti_s'] / base_run['tti_s']:6.1f} {run['click_ms'] / base_run['click_ms']:7.1f}"
        )
        if run["errors"] or (run["view"] == "full" and run["drawn"] != run["nodes"]):
            print(f"  !! drawn {run['drawn']} of {run['nodes']}; console errors: {run['errors']}")


if __name__ == "__main__":
    main()
