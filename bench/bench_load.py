"""Load on `kg serve`: while rebuilding, or with its entity pages flooded.

Run from the repository root after `apt-get install wrk` (Debian) and the test extras:

    python bench/bench_load.py                      # 60 s, 64 connections, rebuilding
    python bench/bench_load.py --seconds 20 --connections 16
    python bench/bench_load.py --flood-entities --connections 200 --seconds 30

`kg serve` (its defaults: 2 query workers, 32 waiting, 30 s limit) serves the curated graph
from a fresh store.

Rebuilding (default): wrk sends a mix of requests through a Lua script: "which models use DiT"
on /sparql, and the home, entity, lineage and timeline pages, in turn. Meanwhile the graph is
rebuilt into the same store again and again (`kg build`, each a full parse, SHACL validation
and atomic swap), and every third rebuild is a failing one (a truncated file), which must change
nothing. It prints the requests, the failed ones (non-2xx, socket errors, timeouts) and the
latency percentiles, and exits non-zero if any request failed. Target: zero failed requests.

--flood-entities: wrk holds the connections on entity pages only (every entity of the graph in
turn, so each is rendered at least once), while one client asks for the other routes (home,
/sparql, query page, lineage, timeline) one after another, as a person would, and times each.
The same client times the same routes on the idle server first: the ratio is what the flood
costs everyone else. Target: entity pages served fast, and the other routes' latency within a
small multiple of idle.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from loopback import free_port, require_wrk, run_wrk, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
TRUNCATED = ROOT / "tests" / "data" / "bad" / "truncated.trig"

#: The pages wrk cycles through, besides the query (entity pages of the curated graph).
PAGES = ["/", "/id/model/sora", "/id/architecture/dit", "/lineage?focus=DiT&depth=2", "/timeline"]


def _query_path() -> str:
    from kg.config import resource_dir
    from kg.query import get_named_query

    text = get_named_query(resource_dir("queries"), "models-using-dit").text
    return "/sparql?query=" + quote(text)


def _lua(paths: list[str]) -> str:
    """A wrk script that sends ``paths`` in turn, each thread from its own offset, asking for
    SPARQL JSON from /sparql and HTML from the pages, as a client and a browser would."""
    listed = ", ".join(f'"{path}"' for path in paths)
    return f"""
paths = {{ {listed} }}
counter = 0
function setup(thread) thread:set("counter", math.random(#paths)) end
request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local accept = "text/html"
  if string.sub(path, 1, 7) == "/sparql" then accept = "application/sparql-results+json" end
  return wrk.format("GET", path, {{ ["Accept"] = accept }})
end
"""


class _Rebuilder(threading.Thread):
    """Rebuilds the store until stopped; every third build is one that must fail."""

    def __init__(self, kg: Path, store: Path) -> None:
        super().__init__(daemon=True)
        self.kg, self.store = kg, store
        self.stop = threading.Event()
        self.succeeded = self.refused = 0
        self.problems: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            failing = (self.succeeded + self.refused) % 3 == 2
            extra = ["--data", str(TRUNCATED)] if failing else []
            done = subprocess.run(
                [self.kg, "--store", self.store, "build", *extra], capture_output=True, text=True
            )
            if done.returncode == (1 if failing else 0):
                self.refused += failing
                self.succeeded += not failing
            else:
                self.problems.append(f"kg build exited {done.returncode}: {done.stderr[-500:]}")


#: Routes timed while entity pages are flooded (each answered as a browser or client asks).
PROBES = ["/", "/query", "/lineage?focus=DiT&depth=2", "/timeline"]


def _entity_paths(store: Path) -> list[str]:
    """The page of every entity in the store (kinds in IRI order)."""
    from kg.store import open_store
    from kg.views.lookup import entity_url

    rows = open_store(str(store)).query("SELECT DISTINCT ?s WHERE { ?s a ?class } ORDER BY ?s")
    return [url for row in rows if (url := entity_url(row["s"].value))]


@contextmanager
def _serving(kg: Path, store: Path) -> Iterator[str]:
    """`kg serve` with its defaults on a free port; yields its URL."""
    port = free_port()
    server = subprocess.Popen(
        [kg, "--store", store, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/sparql?query=ASK%7B%7D", server)
        yield base
    finally:
        server.terminate()
        server.wait()


def _time_routes(base: str, paths: list[str], stop: threading.Event, rounds: int) -> dict:
    """Ask for each path in turn (one client), for ``rounds`` rounds or until ``stop``;
    seconds per path."""
    timings: dict[str, list[float]] = {path: [] for path in paths}
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(rounds):
            for path in paths:
                if stop.is_set():
                    return timings
                accept = "application/sparql-results+json" if path.startswith("/sparql") else "*/*"
                started = time.monotonic()
                client.get(path, headers={"Accept": accept}).raise_for_status()
                timings[path].append(time.monotonic() - started)
    return timings


def _flood_entities(args: argparse.Namespace, kg: Path, store: Path, script: Path) -> None:
    paths = _entity_paths(store)
    script.write_text(_lua(paths))
    probes = [_query_path(), *PROBES]
    with _serving(kg, store) as base:
        _time_routes(base, probes, threading.Event(), 1)  # warm: first renders, caches
        idle = _time_routes(base, probes, threading.Event(), 5)
        stop, flooded = threading.Event(), {}

        def probe() -> None:
            time.sleep(2)  # let the flood start
            flooded.update(_time_routes(base, probes, stop, 10**6))

        prober = threading.Thread(target=probe)
        prober.start()
        result = run_wrk(base + "/", args.seconds, args.connections, script=script, accept=None)
        stop.set()
        prober.join()
    print(
        f"wrk, {args.connections} connections, {args.seconds} s, the {len(paths)} entity pages"
        " in turn, while one client asks for the other routes one after another"
    )
    print(
        f"entity pages: {result.requests} ({result.rps:.0f}/s), p50 {result.p50}, p99 {result.p99}"
    )
    print(f"failed: {result.non_2xx} non-2xx, {result.socket_errors} socket errors or timeouts")
    print("route: idle median; flooded median, max (requests)")
    for path in probes:
        shown = "/sparql (which models use DiT)" if path.startswith("/sparql") else path
        busy = flooded.get(path) or [float("nan")]
        print(
            f"  {shown}: {statistics.median(idle[path]) * 1000:.0f} ms; "
            f"{statistics.median(busy) * 1000:.0f} ms, {max(busy) * 1000:.0f} ms ({len(busy)})"
        )
    if result.failed:
        sys.exit(1)


def _rebuilding(args: argparse.Namespace, kg: Path, store: Path, script: Path) -> None:
    script.write_text(_lua([_query_path(), *PAGES]))
    with _serving(kg, store) as base:
        rebuilder = _Rebuilder(kg, store)
        started = time.monotonic()
        rebuilder.start()
        result = run_wrk(base + "/", args.seconds, args.connections, script=script, accept=None)
        rebuilder.stop.set()
        rebuilder.join()
        elapsed = time.monotonic() - started
    print(
        f"wrk, {args.connections} connections, {args.seconds} s, /sparql (which models use DiT)"
        f" and {len(PAGES)} pages in turn, while rebuilding for {elapsed:.0f} s"
    )
    print(f"rebuilds published: {rebuilder.succeeded}, failing builds refused: {rebuilder.refused}")
    print(f"requests: {result.requests} ({result.rps:.0f}/s), p50 {result.p50}, p99 {result.p99}")
    print(f"failed: {result.non_2xx} non-2xx, {result.socket_errors} socket errors or timeouts")
    for problem in rebuilder.problems:
        print(problem)
    if result.failed or rebuilder.problems:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--flood-entities",
        action="store_true",
        help="flood the entity pages and time the other routes, instead of rebuilding",
    )
    args = parser.parse_args()
    require_wrk()
    kg = Path(sys.executable).parent / "kg"
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([kg, "--store", store, "build"], check=True, capture_output=True)
        run = _flood_entities if args.flood_entities else _rebuilding
        run(args, kg, store, Path(tmp) / "paths.lua")


if __name__ == "__main__":
    main()
