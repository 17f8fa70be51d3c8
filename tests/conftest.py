"""Shared fixtures: the real graph built once per session, and a tiny one per test."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from kg.build import build
from kg.config import Settings
from kg.store import EmbeddedStore, MemoryStore, RemoteStore, open_store

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"
BAD = DATA / "bad"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the shipped ontology, data and queries, and a fresh store folder."""
    return Settings.default(str(tmp_path / "store"))


@pytest.fixture
def mini_store(settings: Settings) -> MemoryStore:
    """The smallest valid world (tests/data/mini) in memory."""
    store = MemoryStore()
    build(settings, [MINI], target=store)
    return store


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data built once into an on-disk store for the whole session."""
    settings = Settings.default(str(tmp_path_factory.mktemp("built") / "store"))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def built(built_settings: Settings) -> EmbeddedStore:
    """The real graph, opened read-only."""
    return open_store(built_settings.store)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Oxigraph server (PyPI package `oxigraph`) on a free loopback port."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("oxigraph serve did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


VIRTUOSO_SCRIPT = Path(__file__).parent.parent / ".ci" / "virtuoso"


@contextmanager
def running_virtuoso(folder: Path, sql_port: int, http_port: int) -> Iterator[str]:
    """A real Virtuoso 7 (Debian's virtuoso-opensource) of its own in ``folder`` on loopback,
    via .ci/virtuoso; yields its query endpoint and stops it after.

    Skips where Virtuoso is not installed, except in CI (``CI`` or ``KG_REQUIRE_VIRTUOSO``
    set), where its absence fails the tests.
    """
    if shutil.which("virtuoso-t") is None:
        message = "Virtuoso is not installed (`bash .ci/virtuoso install`)"
        if os.environ.get("CI") or os.environ.get("KG_REQUIRE_VIRTUOSO"):
            pytest.fail(message + ", and CI requires it")
        pytest.skip(message)
    started = subprocess.run(
        ["bash", str(VIRTUOSO_SCRIPT), "start", str(folder), str(sql_port), str(http_port)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if started.returncode != 0:
        raise RuntimeError(f"Virtuoso did not start:\n{started.stderr}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(VIRTUOSO_SCRIPT), "stop", str(folder)], timeout=60)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory):
    """One Virtuoso for the session (see ``running_virtuoso``); yields its query endpoint."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port()) as url:
        yield url


@pytest.fixture(scope="session", params=["embedded", "memory", "oxigraph", "virtuoso"])
def any_store(request: pytest.FixtureRequest, built_settings: Settings):
    """The real graph on every backend: embedded on disk, in memory, on real SPARQL servers
    (Oxigraph server and Virtuoso), each loaded once per session by `kg build`'s code."""
    if request.param == "embedded":
        return request.getfixturevalue("built")
    if request.param == "memory":
        store = MemoryStore()
        build(built_settings, target=store)
        return store
    return RemoteStore(request.getfixturevalue(f"{request.param}_loaded"))


@pytest.fixture(scope="session")
def oxigraph_loaded(oxigraph_server: str, built_settings: Settings) -> str:
    """Oxigraph server holding the real graph, loaded once per session by `kg build`'s code."""
    build(built_settings.with_store(oxigraph_server))
    return oxigraph_server


@pytest.fixture(scope="session")
def virtuoso_loaded(virtuoso_server: str, built_settings: Settings) -> str:
    """Virtuoso holding the real graph, loaded once per session by `kg build`'s code."""
    build(built_settings.with_store(virtuoso_server))
    return virtuoso_server


def _test_client_class():
    """starlette's TestClient; it warns at import while httpx2 is not installed (it works
    with httpx), and that warning alone must not fail the run."""
    import warnings

    from starlette.exceptions import StarletteDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient
    return TestClient


@pytest.fixture
def make_client():
    """Start a web app in process (lifespan included) and return its client; closed after."""
    clients = []

    def start(app):
        client = _test_client_class()(app)
        clients.append(client.__enter__())
        return clients[-1]

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def app_client(built_settings: Settings):
    """The web app over the real graph, in process; /sparql runs in real query workers."""
    from kg.server.app import create_app

    with _test_client_class()(create_app(built_settings)) as client:
        yield client


@contextmanager
def start_kg_serve(store: str, log_dir: Path, *options: str) -> Iterator[str]:
    """`kg serve` in a subprocess on a free loopback port with ``options``; yields its URL.

    The real command line, uvicorn and worker processes: what a user runs, stopped after.
    """
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "kg", "--store", store, "serve", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen([*command, *options], stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).raise_for_status()
            break
        except (httpx.TransportError, httpx.HTTPStatusError):
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"kg serve did not start:\n{log.read_text()}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """`kg serve` with its defaults over the real graph, for the whole session."""
    with start_kg_serve(built_settings.store, tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path: Path):
    """Headless Chromium that reaches only loopback (tests/browsing.py); a test module may set
    VIEWPORT."""
    from .browsing import chromium

    viewport = getattr(request.module, "VIEWPORT", {"width": 1400, "height": 900})
    with chromium(tmp_path / "profile", viewport) as context:
        yield context


@pytest.fixture
def serve():
    """Start loopback file servers with extra routes; yields ``start(folder, routes) -> url``."""
    from .browsing import file_servers

    with file_servers() as start:
        yield start


@pytest.fixture(scope="session")
def site(built: EmbeddedStore, built_settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    """The static explorer of the real graph (`kg site`), written once per session."""
    from kg.site import write_site

    out = tmp_path_factory.mktemp("site") / "site"
    write_site(built, built_settings, out)
    return out


@pytest.fixture(scope="session")
def site_url(site: Path):
    """The static explorer served on loopback by `kg site --serve`'s server (strict CSP)."""
    import threading

    from kg.site import make_server

    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _Canary(BaseHTTPRequestHandler):
    """Writes down every request and answers with the server's ``reply`` (media type, body)."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        self.server.hits.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        media, body = self.server.reply  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


#: What the canary answers unless a test sets its ``reply``: one SPARQL JSON row.
CANARY_ROW = {
    "head": {"vars": ["s"]},
    "results": {"bindings": [{"s": {"type": "uri", "value": "urn:canary"}}]},
}


@pytest.fixture
def canary() -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on loopback that records every request (``hits``): the SERVICE and FROM
    tests aim at it to prove nothing left the endpoint."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    server.hits = []  # type: ignore[attr-defined]
    server.reply = ("application/sparql-results+json", json.dumps(CANARY_ROW).encode())  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()
