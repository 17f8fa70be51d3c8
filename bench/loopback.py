"""Shared by the HTTP benchmarks: free loopback ports, waiting for a server, running wrk.

wrk (Debian package ``wrk``) drives the load from its own process, so the Python client never
limits what is measured. Its report is parsed into numbers: requests, errors of every kind,
latency percentiles.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until ``url`` answers at all; fail if the server process exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.args}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency and every way a request can fail."""

    requests: int
    rps: float
    p50: str
    p99: str
    non_2xx: int
    socket_errors: int  # connect + read + write + timeout

    @property
    def failed(self) -> int:
        return self.non_2xx + self.socket_errors


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    *,
    script: Path | None = None,
    timeout: str = "30s",
    accept: str | None = "application/sparql-results+json",
) -> WrkResult:
    """Hold ``connections`` open against ``url`` for ``seconds`` (two wrk threads).

    ``accept=None`` leaves the Accept header to the ``script``.
    """
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout}",
        "--latency",
    ]
    if accept is not None:
        command += ["-H", f"Accept: {accept}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        requests=int(re.search(r"(\d+) requests in", out)[1]),
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        p50=re.search(r"50%\s+(\S+)", out)[1],
        p99=re.search(r"99%\s+(\S+)", out)[1],
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
    )
