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
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.args}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


def _query_text() -> str:
    from kg.config import resource_dir
    from kg.namespaces import PREFIXES
    from kg.query import get_named_query

    text = get_named_query(resource_dir("queries"), "models-using-dit").text
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + text


def _wrk(url: str, seconds: int, connections: int) -> tuple[float, str, int]:
    completed = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "Accept: application/sparql-results+json",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = completed.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+(\S+)", out)[1]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors[1]) if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    query = quote(_query_text())
    kg = Path(sys.executable).parent / "kg"
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([kg, "--store", store, "build"], check=True, capture_output=True)
        kg_port, ox_port = _free_port(), _free_port()
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
            _wait(kg_url, servers[0])
            _wait(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", servers[1])
            # The same data through the same pipeline: kg builds into the Oxigraph server too.
            subprocess.run(
                [kg, "--store", f"http://127.0.0.1:{ox_port}", "build"],
                check=True,
                capture_output=True,
            )
            rows = {}
            for name, url in (("oxigraph serve", ox_url), ("kg serve", kg_url)):
                _wrk(url, 2, args.connections)  # warm up
                rows[name] = _wrk(url, args.seconds, args.connections)
        finally:
            for server in servers:
                server.terminate()
                server.wait()
    print(f"wrk, {args.connections} connections, {args.seconds} s, 'which models use DiT'")
    print(f"{'server':<16} {'req/s':>10} {'p99':>10} {'errors':>7}")
    for name, (rps, p99, errors) in rows.items():
        print(f"{name:<16} {rps:>10.0f} {p99:>10} {errors:>7}")
    ratio = rows["kg serve"][0] / rows["oxigraph serve"][0]
    print(f"kg / oxigraph throughput: {ratio:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    main()
