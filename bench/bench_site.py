"""The static explorer's engine: Oxigraph on WebAssembly in Chromium against pyoxigraph.

Run from the repository root (needs npm once for the engine, and Debian's chromium):

    python bench/bench_site.py                       # curated graph, 10k and 100k, a few minutes
    python bench/bench_site.py --sizes curated,10k    # a subset
    python bench/bench_site.py --repeat 5 --json out.json
    python bench/bench_site.py --sizes 100k --load-only  # the load alone, a minute

It writes one site of the curated graph with `kg site` (kg.site.write_site), serves it on
loopback with the site's own server, and for each graph (the curated one; the lineage-shaped
graphs of bench/generate.py at about 10k and 100k quads, with the ontology, dropped into the
site in place of its dump, written as the site writes it) measures, in the same run:

    load     pyoxigraph (the baseline): the graph as gzip N-Quads, decompressed and loaded
             into an in-memory Store (Store.load, as `kg` and the issue's figures did), and
             the site's own gzip TriG dump loaded the same way. Chromium: query.html as a
             visitor opens it, in a fresh profile (first visit: nothing cached) and then
             once more (the engine's compiled code cached by the browser): the worker's time
             from its start to the graph loaded (WebAssembly fetched and compiled while the
             dump downloads and is gunzipped, then parsed), and the page's, from navigation
             start to the graph loaded. Medians of --repeat runs, pyoxigraph's loads timed
             right before each browser run (the machine's load swings between minutes).
    queries  every named query of queries/ as the query page runs it (unbound), plus
             "models using X" bound to one architecture with VALUES; the median of --repeat
             runs of query + SPARQL JSON serialization, inside the worker (no page overhead)
             and in pyoxigraph.

Ratios divide the browser's time by pyoxigraph's (for the load: by pyoxigraph on N-Quads).
Every request that does not go to 127.0.0.1 is blocked; the run fails if one is attempted or
if the page logs an error.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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


def _load(dump: bytes, rdf_format) -> tuple[float, object]:
    """The time pyoxigraph takes to gunzip and load ``dump`` in memory, and the store."""
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store()
    store.load(gzip.decompress(dump), format=rdf_format)
    return time.perf_counter() - started, store


def _python(nquads: bytes, texts: dict[str, str], repeat: int) -> dict:
    """The queries' median times in pyoxigraph (the loads are timed between browser runs)."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    _, store = _load(nquads, ox.RdfFormat.N_QUADS)
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
    return {"quads": len(store), "queries": times}


def _open(context, url: str) -> tuple[object, dict]:
    """query.html opened until its worker has loaded the graph, and the load's figures."""
    page = context.new_page()
    page.goto(url + "query.html")
    page.wait_for_selector("#engine-status[data-state=ready]", timeout=300_000)
    return page, page.evaluate("window.KgQueryBackend.stats")


def _browser(
    profile: Path, url: str, texts: dict[str, str], repeat: int, baseline: Callable[[], None]
) -> dict:
    """The page's load, first and second visit, ``repeat`` times, each run after
    ``baseline()`` (pyoxigraph's loads): the machine's load swings between minutes, so the
    two sides of each ratio are timed side by side."""
    from tests.browsing import chromium

    visits: dict[str, list[dict]] = {"first": [], "again": []}
    times = {}
    for run in range(repeat):
        baseline()
        with chromium(profile / str(run), {"width": 1280, "height": 800}) as context:
            for visit in visits.values():
                page, stats = _open(context, url)
                visit.append(stats)
                if visit is visits["again"] and run == 0:
                    times = _queries_in(page, texts, repeat)
                page.close()
            assert context.blocked == [], context.blocked
            assert context.errors == [], context.errors

    def median(visit: str, key: str) -> float:
        return statistics.median(stats[key] for stats in visits[visit]) / 1000

    return {
        "quads": visits["first"][0]["quads"],
        **{
            f"{visit}_{key}": median(visit, key + "Ms")
            for visit in visits
            for key in ("total", "page", "engine", "fetch", "parse")
        },
        "queries": times,
    }


def _queries_in(page, texts: dict[str, str], repeat: int) -> dict[str, float]:
    """The median time of each query in the page's worker (no page overhead), in seconds."""
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
    return times


def _report(name: str, python: dict, browser: dict, dump_bytes: int, nq_bytes: int) -> None:
    print(
        f"\n{name}: {python['quads']:,} quads; gzip TriG dump {dump_bytes / 1e6:.3f} MB "
        f"(gzip N-Quads {nq_bytes / 1e6:.3f} MB)"
    )
    assert browser["quads"] == python["quads"], (browser["quads"], python["quads"])
    base = python["load"]
    print(f"{'load (s)':44} {'seconds':>8} {'ratio':>7}")
    print(f"{'  pyoxigraph, gzip N-Quads (baseline)':44} {base:>8.3f} {1:>6.2f}x")
    site = python["load_site_dump"]
    print(f"{'  pyoxigraph, the site gzip TriG':44} {site:>8.3f} {site / base:>6.2f}x")
    for visit, title in (("first", "first visit"), ("again", "second visit")):
        total, page = browser[f"{visit}_total"], browser[f"{visit}_page"]
        print(f"{'  Chromium worker, ' + title:44} {total:>8.3f} {total / base:>6.2f}x")
        print(f"{'  Chromium page, ' + title:44} {page:>8.3f} {page / base:>6.2f}x")
        print(
            f"{'    of which engine, dump wait, parse':44} "
            f"{browser[f'{visit}_engine']:.3f}, {browser[f'{visit}_fetch']:.3f}, "
            f"{browser[f'{visit}_parse']:.3f}"
        )
    print(f"{'query (ms)':34} {'pyoxigraph':>11} {'Chromium':>10} {'ratio':>7}")
    for query, seconds in python["queries"].items():
        mine = browser["queries"][query]
        ratio = mine / seconds if seconds else float("nan")
        print(f"{query:34} {seconds * 1000:>11.1f} {mine * 1000:>10.1f} {ratio:>6.1f}x")
    if browser["queries"]:
        slowest = max(browser["queries"].items(), key=lambda item: item[1])
        print(f"slowest in the browser: {slowest[0]} {slowest[1] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="curated,10k,100k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load-only", action="store_true", help="Time the loads, no queries.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()

    import pyoxigraph as ox

    from kg.build import build
    from kg.config import Settings
    from kg.site import make_server, write_site
    from kg.site.dumps import DUMPS, write_dumps
    from kg.store import MemoryStore

    settings = Settings.default("memory")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = MemoryStore()
        build(settings, target=store)
        site = work / "site"
        write_site(store, settings, site)
        dump = site / DUMPS[0].path
        server = make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            for name in args.sizes.split(","):
                size = SIZES[name]
                quads = _curated(settings) if size is None else _generated(size)
                nquads = gzip.compress(ox.serialize(quads, format=ox.RdfFormat.N_QUADS), 9, mtime=0)
                shutil.rmtree(work / "data", ignore_errors=True)
                write_dumps(quads, work)
                del quads
                data = (work / DUMPS[0].path).read_bytes()
                dump.write_bytes(data)
                key = "curated" if size is None else "generated"
                texts = {} if args.load_only else _queries(settings, ARCHITECTURES[key])
                loads: dict[str, list[float]] = {"load": [], "load_site_dump": []}

                def baseline(nquads=nquads, data=data, loads=loads) -> None:
                    loads["load"].append(_load(nquads, ox.RdfFormat.N_QUADS)[0])
                    loads["load_site_dump"].append(_load(data, ox.RdfFormat.TRIG)[0])

                browser = _browser(work / f"profile-{name}", url, texts, args.repeat, baseline)
                python = _python(nquads, texts, args.repeat)
                python.update({key: statistics.median(runs) for key, runs in loads.items()})
                _report(name, python, browser, len(data), len(nquads))
                results[name] = {"python": python, "browser": browser, "dump": len(data)}
        finally:
            server.shutdown()
            server.server_close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
