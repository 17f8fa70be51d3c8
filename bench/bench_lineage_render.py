"""Benchmark: how fast a big lineage graph renders and becomes interactive in headless Chromium.

Run from the repository root, with the venv active and Debian's chromium installed:

    python bench/bench_lineage_render.py                     # 1,000 (baseline) and 10,000 nodes
    python bench/bench_lineage_render.py --sizes 1000 10000 100000   # the issue's check
    python bench/bench_lineage_render.py --views full overview --layouts time physics

Each page is drawn in the view ``--views`` asks for: "auto" (the default) lets the renderer
choose by size as ``kg lineage`` does (the full vis-network drawing up to 2,000 nodes, the
overview by kind and year past it); ratios are against the first size of the same view.

For each size it generates a lineage-shaped graph in memory (bench/generate.py), loads it into
a MemoryStore, builds the networkx graph through the real SPARQL queries, renders the
standalone page, serves it on 127.0.0.1 and opens it in headless Chromium with every other
request blocked. It reports time to interactive (navigation start → vis-network's first draw,
the moment clicks and drags work) and the latency of a click highlight, then ratios against the
first size, measured in the same run on the same machine, so numbers compare across machines.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import generate, models_for_nodes
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from kg.lineage import read_lineage
from kg.render.lineage_html import VIEWS, render_lineage_html
from kg.store import MemoryStore
from tests.browsing import ARGS, CHROMIUM

_CLICK = """async (id) => {
  const view = window.lineageView;
  const drawn = new Promise((done) => view.network.once("afterDrawing", done));
  const start = performance.now();
  view.highlight(id);
  view.network.redraw();
  await drawn;
  return performance.now() - start;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _prepare(size: int, layout: str, view: str, folder: Path) -> dict:
    quads = generate(models_for_nodes(size), seed=7)
    store = MemoryStore()
    store.replace(quads)
    started = time.perf_counter()
    graph = read_lineage(store)
    query_s = time.perf_counter() - started
    started = time.perf_counter()
    html = render_lineage_html(graph, standalone=True, expand_url=None, layout=layout, view=view)
    render_s = time.perf_counter() - started
    name = f"lineage-{size}-{layout}-{view}.html"
    (folder / name).write_text(html, encoding="utf-8")
    model = next(n for n, kind in graph.nodes(data="kind") if kind == "model")
    return {
        "size": size,
        "layout": layout,
        "asked": view,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "query_s": query_s,
        "render_s": render_s,
        "mb": len(html.encode()) / 1e6,
        "file": name,
        "probe": model,
    }


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
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
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
        runs = []
        for layout in options.layouts:
            for view in options.views:
                for size in options.sizes:
                    run = _prepare(size, layout, view, folder)
                    runs.append(_measure(context, base, run))
        context.close()
        server.shutdown()
    header = (
        f"{'layout':8} {'view':14} {'nodes':>6} {'edges':>6} {'query s':>8} {'render s':>8} "
        f"{'MB':>5} "
        f"{'TTI s':>6} {'click ms':>8} {'x TTI':>6} {'x click':>7}"
    )
    print(header)
    for run in runs:
        base_run = next(
            r for r in runs if (r["layout"], r["asked"]) == (run["layout"], run["asked"])
        )
        view = f"{run['asked']}:{run['view']}" if run["asked"] == "auto" else run["view"]
        print(
            f"{run['layout']:8} {view:14} {run['nodes']:6d} {run['edges']:6d} "
            f"{run['query_s']:8.2f} {run['render_s']:8.2f} {run['mb']:5.1f} "
            f"{run['tti_s']:6.2f} {run['click_ms']:8.0f} "
            f"{run['tti_s'] / base_run['tti_s']:6.1f} {run['click_ms'] / base_run['click_ms']:7.1f}"
        )
        if run["errors"] or (run["view"] == "full" and run["drawn"] != run["nodes"]):
            print(f"  !! drawn {run['drawn']} of {run['nodes']}; console errors: {run['errors']}")


if __name__ == "__main__":
    main()
