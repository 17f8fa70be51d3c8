"""Shared fixtures: the real graph built once per session, and a tiny one per test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
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


@pytest.fixture(scope="session", params=["embedded", "memory", "remote"])
def any_store(request: pytest.FixtureRequest, built_settings: Settings):
    """The real graph on every backend: embedded on disk, in memory, on a real SPARQL server."""
    if request.param == "embedded":
        return request.getfixturevalue("built")
    if request.param == "memory":
        store = MemoryStore()
        build(built_settings, target=store)
        return store
    url = request.getfixturevalue("oxigraph_server")
    build(built_settings.with_store(url))
    return RemoteStore(url)
