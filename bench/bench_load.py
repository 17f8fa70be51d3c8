"""Load while rebuilding: wrk holds 64 connections on `kg serve` for 60 s while `kg build` runs.

Run from the repository root after `apt-get install wrk` (Debian) and the test extras:

    python bench/bench_load.py                      # 60 s, 64 connections
    python bench/bench_load.py --seconds 20 --connections 16

`kg serve` (its defaults: 2 query workers, 32 waiting, 30 s limit) serves the curated graph
from a fresh store. wrk sends a mix of requests through a Lua script: "which models use DiT" on
/sparql, and the home, entity, lineage and timeline pages, in turn. Meanwhile the graph is
rebuilt into the same store again and again (`kg build`, each a full parse, SHACL validation
and atomic swap), and every third rebuild is a failing one (a truncated file), which must change
nothing. It prints the requests, the failed ones (non-2xx, socket errors, timeouts) and the
latency percentiles, and exits non-zero if any request failed. Target: zero failed requests.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    require_wrk()
    kg = Path(sys.executable).parent / "kg"
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        script = Path(tmp) / "mix.lua"
        script.write_text(_lua([_query_path(), *PAGES]))
        subprocess.run([kg, "--store", store, "build"], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [kg, "--store", store, "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        rebuilder = _Rebuilder(kg, store)
        try:
            wait_until_up(base + "/sparql?query=ASK%7B%7D", server)
            started = time.monotonic()
            rebuilder.start()
            result = run_wrk(base + "/", args.seconds, args.connections, script=script, accept=None)
            rebuilder.stop.set()
            rebuilder.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait()
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


if __name__ == "__main__":
    main()
