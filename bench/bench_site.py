"""The static explorer's engine: Oxigraph on WebAssembly in Chromium against pyoxigraph.

Run from the repository root (needs npm once for the engine, and Debian's chromium):

    python bench/bench_site.py                       # curated graph, 10k and 100k, a few minutes
    python bench/bench_site.py --sizes curated,10k    # a subset
    python bench/bench_site.py --repeat 5 --json out.json

It writes one site of the curated graph with `kg site` (kg.site.write_site), serves it on
loopback with the site's own server, and for each graph (the curated one; the lineage-shaped
graphs of bench/generate.py at about 10k and 100k quads, with the ontology, dropped into the
site in place of its dump) measures, in the same run:

    load     Chromium: query.html until the worker reports the graph loaded (WebAssembly
             compiled, gzip N-Quads fetched, decompressed and parsed); pyoxigraph: the same
             gzip bytes decompressed and loaded into an in-memory Store.
    queries  every named query of queries/ as the query page runs it (unbound), plus
             "models using X" bound to one architecture with VALUES; the median of --repeat
             runs of query + SPARQL JSON serialization, inside the worker (no page overhead)
             and in pyoxigraph.

Ratios divide the browser's time by pyoxigraph's. Every request that does not go to
127.0.0.1 is blocked; the run fails if one is attempted or if the page logs an error.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

SIZES = {"curated": None, "10k": 10_000, "100k": 100_000}
#: "models using X": the curated graph's DiT, the generator's first (root) architecture.
ARCHITECTURES = {
    "curated": "https://w3id.org/genvid-kg/id/architecture/dit",
    "generated": "https://w3id.org/genvid-kg/id/architecture/arch-00001",
}


def _curated(settings) -> list:
    from kg.build import build
    from kg.site.dumps import read_quads
    from kg.store import MemoryStore

    store = MemoryStore()
    build(settings, target=store)
    return read_quads(store, settings.queries_dir)


def _generated(size: int) -> list:
    from generate import generate_quads

    return generate_quads(size)


def _queries(settings, architecture: str) -> dict[str, str]:
    from kg.query import named_queries

    texts = {name: query.text for name, query in named_queries(settings.queries_dir).items()}
    bound = f"\nVALUES ?architecture {{ <{architecture}> }}\n"
    texts["models-using-X (bound)"] = texts["models-using-architecture"].rstrip() + bound
    return texts


def _python(dump: bytes, texts: dict[str, str], repeat: int) -> dict:
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    started = time.perf_counter()
    store = ox.Store()
    store.load(gzip.decompress(dump), format=ox.RdfFormat.N_QUADS)
    load = time.perf_counter() - started
    times = {}
    for name, text in texts.items():
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            outcome = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
            if isinstance(outcome, ox.QuerySolutions | ox.QueryBoolean):
                outcome.serialize(format=ox.QueryResultsFormat.JSON)
            else:
                ox.serialize(outcome, format=ox.RdfFormat.N_TRIPLES)
            runs.append(time.perf_counter() - started)
        times[name] = statistics.median(runs)
    return {"quads": len(store), "load": load, "queries": times}


def _browser(context, url: str, texts: dict[str, str], repeat: int) -> dict:
    page = context.new_page()
    page.goto(url + "query.html")
    page.wait_for_selector("#engine-status[data-state=ready]", timeout=300_000)
    stats = page.evaluate("window.KgQueryBackend.stats")
    times = {}
    for name, text in texts.items():
        runs = page.evaluate(
            """async ([text, repeat]) => {
                const runs = [];
                for (let i = 0; i < repeat; i++) {
                    runs.push((await window.KgQueryBackend.time(text)).ms);
                }
                return runs;
            }""",
            [text, repeat],
        )
        times[name] = statistics.median(runs) / 1000
    page.close()
    return {
        "quads": stats["quads"],
        "load": stats["totalMs"] / 1000,
        "parse": stats["parseMs"] / 1000,
        "engine": stats["engineMs"] / 1000,
        "queries": times,
    }


def _report(name: str, python: dict, browser: dict, dump_bytes: int) -> None:
    print(f"\n{name}: {python['quads']:,} quads, dump {dump_bytes / 1e6:.2f} MB gzipped")
    assert browser["quads"] == python["quads"], (browser["quads"], python["quads"])
    print(f"{'':34} {'pyoxigraph':>11} {'Chromium':>10} {'ratio':>7}")
    ratio = browser["load"] / python["load"]
    print(f"{'load (s)':34} {python['load']:>11.3f} {browser['load']:>10.3f} {ratio:>6.1f}x")
    print(
        f"{'  of which WASM start, parse (s)':34} {'':>11} "
        f"{browser['engine']:>4.2f}, {browser['parse']:.2f}"
    )
    for query, seconds in python["queries"].items():
        mine = browser["queries"][query]
        ratio = mine / seconds if seconds else float("nan")
        print(f"{query + ' (ms)':34} {seconds * 1000:>11.1f} {mine * 1000:>10.1f} {ratio:>6.1f}x")
    slowest = max(browser["queries"].items(), key=lambda item: item[1])
    print(f"slowest in the browser: {slowest[0]} {slowest[1] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="curated,10k,100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    import pyoxigraph as ox

    from kg.build import build
    from kg.config import Settings
    from kg.site import make_server, write_site
    from kg.store import MemoryStore
    from tests.browsing import chromium

    settings = Settings.default("memory")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = MemoryStore()
        build(settings, target=store)
        site = work / "site"
        write_site(store, settings, site)
        dump = site / "data" / "genvid-kg.nq.gz"
        server = make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with chromium(work / "profile", {"width": 1280, "height": 800}) as context:
                for name in args.sizes.split(","):
                    size = SIZES[name]
                    quads = _curated(settings) if size is None else _generated(size)
                    data = gzip.compress(
                        ox.serialize(quads, format=ox.RdfFormat.N_QUADS), 9, mtime=0
                    )
                    del quads
                    dump.write_bytes(data)
                    key = "curated" if size is None else "generated"
                    texts = _queries(settings, ARCHITECTURES[key])
                    python = _python(data, texts, args.repeat)
                    browser = _browser(context, url, texts, args.repeat)
                    _report(name, python, browser, len(data))
                    results[name] = {"python": python, "browser": browser, "dump": len(data)}
                assert context.blocked == [], context.blocked
                assert context.errors == [], context.errors
        finally:
            server.shutdown()
            server.server_close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
