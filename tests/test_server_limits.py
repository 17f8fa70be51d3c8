"""The query workers' limits as a client of `kg serve` meets them: waiting bound, memory cap,
network sandbox, a broken SERVICE reply.

One `kg serve` started with its real flags and one worker, so that a single endless query
keeps every worker busy.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from .conftest import start_kg_serve
from .test_server_errors import assert_error_shape

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ROW = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "urn:c"}}]}}


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


@pytest.fixture
def canary() -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on loopback answering one SPARQL JSON row; set ``reply`` to change that."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    server.hits = []  # type: ignore[attr-defined]
    server.reply = ("application/sparql-results+json", json.dumps(ROW).encode())  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def limited(built_settings, tmp_path_factory) -> Iterator[str]:
    """`kg serve` with one worker, a 1 s waiting bound and a 4 s time limit."""
    options = ["--query-workers", "1", "--max-wait", "1", "--query-timeout", "4"]
    with start_kg_serve(built_settings.store, tmp_path_factory.mktemp("limited"), *options) as url:
        yield url


def test_a_query_that_cannot_start_within_max_wait_is_503_with_retry_after(limited):
    with ThreadPoolExecutor(1) as pool:
        endless = pool.submit(httpx.get, limited + "/sparql", params={"query": ENDLESS}, timeout=60)
        time.sleep(0.5)  # the endless query has the only worker
        started = time.monotonic()
        waiting = httpx.get(limited + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
        assert time.monotonic() - started < 3.5, "refused at the bound, not after the query"
        assert_error_shape(waiting, 503, "wait_timeout", "within 1 s")
        assert waiting.headers["retry-after"] == "1"
        assert_error_shape(endless.result(), 503, "timeout", "4 s")
    after = httpx.get(limited + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert after.json()["boolean"] is True


def test_a_non_sparql_reply_from_an_allowed_service_is_502_naming_it(
    built_settings, make_client, canary
):
    from kg.server.app import create_app

    canary.reply = ("text/html", b"<html><body>not SPARQL</body></html>")
    client = make_client(create_app(built_settings, allowed_hosts=["127.0.0.1"]))
    query = f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert_error_shape(response, 502, "service", f"{canary.url}/sparql", "text/html")
    assert len(canary.hits) == 1, canary.hits
