"""Endpoint throughput: `kg serve` against `oxigraph serve` on the same data, measured with wrk.

Run from the repository root after `apt-get install wrk` (Debian) and the test extras:

    python bench/bench_endpoint.py                 # 10 s per server, 16 connections
    python bench/bench_endpoint.py --seconds 30 --connections 64

Both servers run on loopback over the same curated graph (built with `kg build`), and wrk asks
each for "which models use DiT" (queries/models-using-dit.rq, with its PREFIX lines written out
so the Oxigraph server needs no predeclared prefixes) as SPARQL JSON. It prints requests per
second and p99 latency for both, and kg's throughput as a ratio of Oxigraph's, measured in the
same run. Target: kg at least half of Oxigraph's throughput.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from loopback import free_port, require_wrk, run_wrk, wait_until_up


def _query_text() -> str:
    from kg.config import resource_dir
    from kg.namespaces import PREFIXES
    from kg.query import get_named_query

    text = get_named_query(resource_dir("queries"), "models-using-dit").text
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    require_wrk()
    query = quote(_query_text())
    kg = Path(sys.executable).parent / "kg"
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([kg, "--store", store, "build"], check=True, capture_output=True)
        kg_port, ox_port = free_port(), free_port()
        servers = []
        try:
            servers.append(
                subprocess.Popen(
                    [kg, "--store", store, "serve", "--port", str(kg_port)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers.append(
                subprocess.Popen(
                    [
                        oxigraph,
                        "serve",
                        "--location",
                        Path(tmp) / "ox",
                        "--bind",
                        f"127.0.0.1:{ox_port}",
                        "--union-default-graph",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            kg_url = f"http://127.0.0.1:{kg_port}/sparql?query={query}"
            ox_url = f"http://127.0.0.1:{ox_port}/query?query={query}"
            wait_until_up(kg_url, servers[0])
            wait_until_up(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", servers[1])
            # The same data through the same pipeline: kg builds into the Oxigraph server too.
            subprocess.run(
                [kg, "--store", f"http://127.0.0.1:{ox_port}", "build"],
                check=True,
                capture_output=True,
            )
            rows = {}
            for name, url in (("oxigraph serve", ox_url), ("kg serve", kg_url)):
                run_wrk(url, 2, args.connections)  # warm up
                rows[name] = run_wrk(url, args.seconds, args.connections)
        finally:
            for server in servers:
                server.terminate()
                server.wait()
    print(f"wrk, {args.connections} connections, {args.seconds} s, 'which models use DiT'")
    print(f"{'server':<16} {'req/s':>10} {'p99':>10} {'errors':>7}")
    for name, result in rows.items():
        print(f"{name:<16} {result.rps:>10.0f} {result.p99:>10} {result.failed:>7}")
    ratio = rows["kg serve"].rps / rows["oxigraph serve"].rps
    print(f"kg / oxigraph throughput: {ratio:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    main()
