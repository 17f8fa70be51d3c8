"""`kg import` at scale: wall time and peak memory against the size of the file.

Run from the repository root (nothing beyond the package itself is needed):

    python bench/bench_import.py                     # 1M, 2M, 4M, 10M quads, N-Quads (~30 min)
    python bench/bench_import.py --sizes 1m,2m --formats nq,nt,ttl
    python bench/bench_import.py --data-dir /tmp/kg-import-data   # keep the files for a rerun

For each size and format it writes the lineage-shaped graph of bench/generate.py to a file
(streamed: the generator never holds the graph), then runs `kg import FILE` in a fresh process
on a fresh embedded store, and reports the wall time of that process and its peak resident
memory (ru_maxrss of that child alone, from wait4), with ratios against the first size of the
same format in this run. N-Triples and Turtle files carry the same statements without their
graph names. Target: peak under 2 GB at 10M quads, and flat once the file is larger than one
batch of the loader.

    python bench/bench_import.py --baseline-src /tmp/main/src    # before/after a change

imports each file with another checkout's code too (its `src` first on PYTHONPATH), just before
this one's, so that both meet the same load on a shared machine; ratios are then also against
that baseline, file by file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SIZES = {"100k": 100_000, "1m": 1_000_000, "2m": 2_000_000, "4m": 4_000_000, "10m": 10_000_000}
FORMATS = ("nq", "nt", "ttl")


@dataclass(frozen=True)
class Run:
    """One `kg import` of one file."""

    code: str
    size: str
    fmt: str
    statements: int
    file_mb: float
    seconds: float
    peak_mb: float
    output: str


def data_file(folder: Path, size: str, fmt: str) -> tuple[Path, int]:
    """The generated file for ``size`` and ``fmt``, written unless already there."""
    import pyoxigraph as ox
    from generate import write_quads

    path = folder / f"graph-{size}.{fmt}"
    count = folder / f"graph-{size}.{fmt}.count"
    if not (path.exists() and count.exists()):
        formats = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES}
        written = write_quads(SIZES[size], path, formats.get(fmt, ox.RdfFormat.TURTLE))
        count.write_text(str(written))
    return path, int(count.read_text())


def import_once(path: Path, store: Path, src: str | None) -> tuple[float, float, str]:
    """Run `kg import path` on a fresh store in its own process: seconds, peak MB, its output.
    With ``src``, the kg package imported is that folder's."""
    env = dict(os.environ, KG_STORE=str(store))
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "kg", "import", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace")
    # wait4, not RUSAGE_CHILDREN: that one keeps the largest child so far, not this one's.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"kg import {path.name} failed ({child.returncode}): {output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def measure(sizes: list[str], formats: list[str], folder: Path, baseline: str | None) -> None:
    runs: list[Run] = []
    codes = {"before": baseline, "this": None} if baseline else {"this": None}
    for fmt in formats:
        for size in sizes:
            path, statements = data_file(folder, size, fmt)
            for code, src in codes.items():
                with tempfile.TemporaryDirectory(dir=folder) as store:
                    seconds, peak, output = import_once(path, Path(store), src)
                megabytes = path.stat().st_size / 1e6
                run = Run(code, size, fmt, statements, megabytes, seconds, peak, output)
                report_line(run, runs)
                runs.append(run)


def report_line(run: Run, earlier: list[Run]) -> None:
    """Print one import, with ratios against the first size of its format and code, and
    against the baseline's import of the same file."""
    first = next((r for r in earlier if (r.fmt, r.code) == (run.fmt, run.code)), run)
    before = [r for r in earlier if (r.fmt, r.size, r.code) == (run.fmt, run.size, "before")]
    against = "-"
    if before:
        against = f"x{run.seconds / before[0].seconds:.2f} x{run.peak_mb / before[0].peak_mb:.2f}"
    print(
        f"{run.code:<6} {run.fmt:<4} {run.size:>5} {run.statements:>11,} {run.file_mb:>8.0f} "
        f"{run.seconds:>8.1f} {run.peak_mb:>8.0f}   "
        f"x{run.statements / first.statements:<5.2f} x{run.seconds / first.seconds:<5.2f} "
        f"x{run.peak_mb / first.peak_mb:<5.2f}  {against:<13} "
        f"{_reported(run.output)}",
        flush=True,
    )


def _reported(output: str) -> str:
    """What kg said it loaded ("N statements into graph <...>"; 0 for an N-Quads file, whose
    statements keep their own graphs)."""
    last = output.splitlines()[-1] if output else ""
    return last.split(": ", 1)[-1].split(" into ")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1m,2m,4m,10m", help="comma-separated: " + ",".join(SIZES)
    )
    parser.add_argument("--formats", default="nq", help="comma-separated: " + ",".join(FORMATS))
    parser.add_argument(
        "--data-dir", type=Path, help="keep generated files here (default: a temp dir)"
    )
    parser.add_argument("--baseline-src", help="also import each file with this checkout's src")
    args = parser.parse_args()
    sizes, formats = args.sizes.split(","), args.formats.split(",")
    for name in sizes:
        if name not in SIZES:
            parser.error(f"unknown size {name!r}")
    for name in formats:
        if name not in FORMATS:
            parser.error(f"unknown format {name!r}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(
        "code   fmt   size  statements  file MB   wall s  peak MB   "
        "vs first size (statements, time, peak)  vs before (time, peak)  in the file's graph"
    )
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        measure(sizes, formats, args.data_dir, args.baseline_src)
    else:
        with tempfile.TemporaryDirectory() as folder:
            measure(sizes, formats, Path(folder), args.baseline_src)
    print(f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
