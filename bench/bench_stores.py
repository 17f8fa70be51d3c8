"""Stores and scale: kg against raw pyoxigraph, rdflib's Memory store, Oxigraph server and Virtuoso.

Run from the repository root (the `oxigraph` server comes with the test extras; Virtuoso is
Debian's `virtuoso-opensource`, `bash .ci/virtuoso install`; without it its backends fail and
the others still run):

    python bench/bench_stores.py                    # 10k and 100k triples, about two minutes
    python bench/bench_stores.py --sizes 10k,100k,1m   # adds 1M triples (about 15 minutes)
    python bench/bench_stores.py --sizes 1m --backends raw,virtuoso,vbulk   # 17 min, loaded VM

(The first two lines' times are from before the Virtuoso backends, which add about 12 minutes
at 1M and one at 100k, measured on a 2-core VM at load average 10-14.)

For each size it generates a lineage-shaped graph (bench/generate.py), writes it as N-Quads, and
measures, for each backend, in a fresh process (so peak memory is that backend's own):
load time, "which models use X" (X = a root architecture, followed through kg:derivedFrom*),
the timeline query (queries/timeline.rq), the lineage export (kg.lineage, kg backends only) and
peak memory (ru_maxrss), after load and queries and again after the lineage export. Each query
runs --repeat times (3) on the same store and the median counts, for raw, kg and remote alike:
one cold run alone swings by 30% on a shared 2-core machine. rdflib runs each query once and a
query still running after 60 s is stopped and reported as ">60". Backends:

    kg        kg on the default embedded store (kg import, kg.query.select)
    raw       raw pyoxigraph calls: Store.bulk_load and Store.query, rows materialised (the floor)
    rdflib    rdflib's Memory store (Dataset, default_union), what a plain rdflib user gets
    remote    kg on a remote Oxigraph server (oxigraph serve) over HTTP; the server's own peak
              memory (VmHWM) is reported too, since it holds the upload's transaction
    virtuoso  kg on Virtuoso 7 (.ci/virtuoso start, a fresh database on free loopback ports),
              loaded by `kg import` over the SPARQL protocol (one Graph Store POST)
    vbulk     the same queries through kg on a fresh Virtuoso loaded from the same file by its
              own bulk loader (isql-vt: ld_dir + rdf_loader_run() + checkpoint, as the README
              shows); its load time includes the checkpoint, as kg's includes the commit.
              Both Virtuosos run .ci/virtuoso's settings (ThreadsPerQuery 1, 20,000 buffers)
              with ResultSetMaxRows raised so that answers come whole; no lineage export there

kg and raw run the same query text with the same bindings and hold every row the same way (a
list of terms per solution). The ratio columns divide by the raw pyoxigraph time measured in
the same run. Targets at 1M triples: kg/raw <= 1.2 for load and queries; rdflib/kg >= 20 on
queries; kg peak < 1.5 GB. A backend that fails prints the end of its error output and the
other backends still run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
BACKENDS = ("raw", "kg", "remote", "virtuoso", "vbulk", "rdflib")
VIRTUOSO_SCRIPT = HERE.parent / ".ci" / "virtuoso"
#: The graph the bulk loader puts triples without one into (N-Quads name their own).
BULK_GRAPH = "https://w3id.org/genvid-kg/"
ROOT_ARCH = "https://w3id.org/genvid-kg/id/architecture/arch-00001"


def _timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


class _TooSlowError(Exception):
    pass


def _limited(action, seconds: int = 60):
    """Time ``action``, giving up after ``seconds`` (rdflib is pure Python, so SIGALRM works)."""

    def give_up(_signum, _frame):
        raise _TooSlowError

    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        return _timed(action)
    except _TooSlowError:
        return float("inf"), []
    finally:
        signal.alarm(0)


def _median(action, repeat: int):
    """Run ``action`` ``repeat`` times; the median time and the last result."""
    times, result = [], None
    for _ in range(repeat):
        seconds, result = _timed(action)
        times.append(seconds)
    return sorted(times)[len(times) // 2], result


def _queries() -> tuple[str, str]:
    from kg.config import resource_dir
    from kg.query import get_named_query

    queries = resource_dir("queries")
    return (
        get_named_query(queries, "models-using-architecture").text,
        get_named_query(queries, "timeline").text,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(
    backend: str,
    data: Path,
    workdir: Path,
    server: str | None,
    repeat: int = 3,
    sql_port: int | None = None,
) -> dict:
    """Measure one backend in this process; returns timings in seconds and peak memory in MB."""
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    uses, timeline = _queries()
    arch = ox.NamedNode(ROOT_ARCH)
    out: dict[str, float | None] = {"lineage": None}
    if backend == "raw":

        def load() -> ox.Store:
            # From no store to a loaded one on disk, as `kg import` into a fresh folder does.
            store = ox.Store(str(workdir / "raw"))
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            return store

        out["load"], store = _timed(load)

        def run(text, bindings=None):
            results = store.query(
                text,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions=bindings,
            )
            # Held as kg.query.select holds them: a list of terms per solution.
            return [list(solution) for solution in results]

        bindings = {ox.Variable("architecture"): arch}
        out["uses"], rows = _median(lambda: run(uses, bindings), repeat)
        out["timeline"], _ = _median(lambda: run(timeline), repeat)
    elif backend == "rdflib":
        from rdflib import Dataset, URIRef

        dataset = Dataset(default_union=True)
        out["load"], _ = _timed(lambda: dataset.parse(str(data), format="nquads"))

        def run(text, bindings=None):
            return list(dataset.query(text, initNs=PREFIXES, initBindings=bindings or {}))

        out["uses"], rows = _limited(lambda: run(uses, {"architecture": URIRef(ROOT_ARCH)}))
        out["timeline"], _ = _limited(lambda: run(timeline))
    else:
        from kg.build.imports import import_file
        from kg.query import select
        from kg.store import open_store

        location = str(workdir / "kg") if backend == "kg" else server or ""
        if backend == "vbulk":
            out["load"], _ = _timed(lambda: _bulk_load(data, sql_port))
        else:
            out["load"], _ = _timed(lambda: import_file(location, data))
        store = open_store(location)
        out["uses"], table = _median(lambda: select(store, uses, {"architecture": arch}), repeat)
        rows = table.rows
        out["timeline"], _ = _median(lambda: select(store, timeline), repeat)
        out["peak_queries_mb"] = _peak_mb()
        # On Virtuoso the lineage export's queries answer past its result cap (10,000 rows).
        if backend in ("kg", "remote"):
            out["lineage"] = _lineage_export(store, workdir)
    out["rows"] = len(rows)
    out.setdefault("peak_queries_mb", _peak_mb())
    out["peak_mb"] = _peak_mb()
    return out


def _bulk_load(data: Path, sql_port: int | None) -> None:
    """Virtuoso's own bulk loader on ``data``, through isql-vt as the README shows it."""
    statements = (
        f"ld_dir('{data.parent}', '{data.name}', '{BULK_GRAPH}'); rdf_loader_run(); checkpoint;"
    )
    subprocess.run(
        ["isql-vt", str(sql_port), "dba", "dba", f"exec={statements}"],
        check=True,
        capture_output=True,
    )
    # isql-vt reports a file the loader refused only in the load list, not in its exit code.
    check = "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
    listed = subprocess.run(
        ["isql-vt", str(sql_port), "dba", "dba", f"exec={check}"],
        check=True,
        capture_output=True,
        text=True,
    )
    if "0 Rows." not in listed.stdout:
        raise RuntimeError(f"the bulk loader refused {data}: {listed.stdout[-500:]}")


def _lineage_export(store, workdir: Path) -> float:
    """`kg lineage --format json`: the graph from SPARQL, then the JSON export."""
    from kg.lineage import read_lineage, serialize_graph

    def run():
        (workdir / "lineage.json").write_bytes(serialize_graph(read_lineage(store), "json"))

    seconds, _ = _timed(run)
    return seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(workdir / "server"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def _start_virtuoso(folder: Path) -> tuple[str, int, int]:
    """A fresh Virtuoso in ``folder`` on free ports: its query URL, SQL port and process id."""
    sql_port = _free_port()
    started = subprocess.run(
        ["bash", str(VIRTUOSO_SCRIPT), "start", str(folder), str(sql_port), str(_free_port())],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        # Answers past Virtuoso's default cap of 10,000 rows come whole (kg refuses a cut one).
        env={**os.environ, "KG_VIRTUOSO_MAX_ROWS": "10000000"},
    )
    return started.stdout.strip(), sql_port, int((folder / "pid").read_text())


def _server_peak_mb(pid: int) -> float | None:
    """The server's peak resident memory so far (Linux VmHWM), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measure(size: int, backends: list[str], limit: float, repeat: int) -> dict[str, dict]:
    """Generate one size and measure each backend in its own process (and server)."""
    import pyoxigraph as ox
    from generate import generate_quads

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        quads = generate_quads(size)
        data = workdir / "graph.nq"
        data.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        results: dict = {"triples": len(quads)}
        del quads
        for backend in backends:
            results[backend] = _measure_backend(backend, data, workdir, limit, repeat)
        return results


def _measure_backend(backend: str, data: Path, workdir: Path, limit: float, repeat: int) -> dict:
    """Start the backend's server if it has one, measure it in a child process, stop it."""
    url, sql_port, pid, stop = None, 0, None, lambda: None
    if backend == "remote":
        server, url = _start_server(workdir)
        pid = server.pid

        def stop() -> None:
            server.terminate()
            server.wait()

    elif backend in ("virtuoso", "vbulk"):
        folder = workdir / f"{backend}-db"
        try:
            url, sql_port, pid = _start_virtuoso(folder)
        except (OSError, subprocess.SubprocessError) as failure:
            return {"failed": f"Virtuoso did not start: {failure}"}

        def stop() -> None:
            subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(folder)], check=False)

    one = workdir / backend
    one.mkdir()
    command = [sys.executable, __file__, "--one", backend, str(data), str(one), url or ""]
    command += ["--repeat", str(repeat), "--sql-port", str(sql_port)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=limit
        )
        result = json.loads(completed.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        result = {"timeout": limit}
    except subprocess.CalledProcessError as failure:
        result = {"failed": " / ".join(failure.stderr.strip().splitlines()[-3:])}
    finally:
        peak = _server_peak_mb(pid) if pid is not None else None
        stop()
    if pid is not None:
        result["server_peak_mb"] = peak
    return result


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "-"
    return ">60" if value == float("inf") else f"{value:.{digits}f}"


def report(size_name: str, results: dict) -> None:
    """Print one size's table with ratios against raw pyoxigraph."""
    base = results.get("raw")
    print(f"\n{size_name}: {results['triples']:,} quads")
    print(
        f"{'backend':<8} {'load s':>8} {'uses-X s':>9} {'timeline s':>10} {'lineage s':>9} "
        f"{'peak MB':>8} {'(before lineage)':>16} {'server MB':>9} {'rows':>6}  "
        "ratios vs raw (load / uses-X / timeline)"
    )
    for backend in BACKENDS:
        if backend not in results:
            continue
        r = results[backend]
        if "timeout" in r:
            print(f"{backend:<8} did not finish load + queries within {r['timeout']:.0f} s")
            continue
        if "failed" in r:
            print(f"{backend:<8} failed: {r['failed']}")
            continue
        ratios = ""
        if base and "load" in base and backend != "raw":
            ratios = " / ".join(
                ">60 s" if r[k] == float("inf") else f"{r[k] / base[k]:.2f}x"
                for k in ("load", "uses", "timeline")
            )
        server_mb = r.get("server_peak_mb")
        print(
            f"{backend:<8} {_fmt(r['load']):>8} {_fmt(r['uses']):>9} {_fmt(r['timeline']):>10} "
            f"{_fmt(r['lineage']):>9} {r['peak_mb']:>8.0f} {r['peak_queries_mb']:>16.0f} "
            f"{_fmt(server_mb, 0):>9} {r['rows']:>6}  {ratios}"
        )
    protocol, bulk = results.get("virtuoso", {}), results.get("vbulk", {})
    if "load" in protocol and "load" in bulk:
        print(
            "Virtuoso, kg import over the protocol / its bulk loader: "
            + " / ".join(f"{protocol[k] / bulk[k]:.2f}x" for k in ("load", "uses", "timeline"))
        )
    if base and "kg" in results and "rdflib" in results and "uses" in results["rdflib"]:
        kg, slow = results["kg"], results["rdflib"]
        if "uses" in kg:
            print(
                "rdflib / kg: "
                + " / ".join(
                    ">60 s" if slow[k] == float("inf") else f"{slow[k] / kg[k]:.0f}x"
                    for k in ("load", "uses", "timeline")
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument(
        "--limit-s",
        type=float,
        default=900.0,
        help="give up on a backend after this many seconds (rdflib at 1M loads for minutes)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the median counts")
    parser.add_argument("--sql-port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--one", nargs=4, metavar=("BACKEND", "DATA", "WORKDIR", "SERVER"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        backend, data, workdir, server = args.one
        result = run_one(
            backend, Path(data), Path(workdir), server or None, args.repeat, args.sql_port
        )
        print(json.dumps(result))
        return
    for name in args.sizes.split(","):
        report(name, measure(SIZES[name], args.backends.split(","), args.limit_s, args.repeat))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
