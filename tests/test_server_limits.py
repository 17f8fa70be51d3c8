"""The query workers' limits as a client of `kg serve` meets them: waiting bound, memory cap,
network sandbox, a broken SERVICE reply.

One `kg serve` started with its real flags and one worker, so that a single endless query
keeps every worker busy.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .conftest import start_kg_serve
from .test_executor import MEMORY_BOMB
from .test_server_errors import assert_error_shape

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("limited")


@pytest.fixture(scope="module")
def limited(built_settings, logs) -> Iterator[str]:
    """`kg serve` with one worker, a 1 s waiting bound, a 4 s time limit, 64 MB per query."""
    options = ["--query-workers", "1", "--max-wait", "1", "--query-timeout", "4"]
    options += ["--query-memory-mb", "64"]
    with start_kg_serve(built_settings.store, logs, *options) as url:
        yield url


def test_the_start_up_line_says_the_workers_have_no_network(limited, logs):
    (log,) = logs.glob("serve-*.log")
    line = next(line for line in log.read_text().splitlines() if "query workers" in line)
    if "no network" not in line and not os.environ.get("CI"):
        pytest.skip(line)
    assert line == "query workers: no network (Linux user and network namespaces)"


def test_a_query_past_the_memory_cap_is_503_naming_the_flag(limited):
    response = httpx.get(limited + "/sparql", params={"query": MEMORY_BOMB}, timeout=60)
    assert_error_shape(response, 503, "memory", "64 MB", "--query-memory-mb")
    after = httpx.get(limited + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert after.json()["boolean"] is True, "the worker was replaced"


def test_a_query_that_cannot_start_within_max_wait_is_503_with_retry_after(limited):
    with ThreadPoolExecutor(1) as pool:
        endless = pool.submit(httpx.get, limited + "/sparql", params={"query": ENDLESS}, timeout=60)
        time.sleep(0.5)  # the endless query has the only worker
        started = time.monotonic()
        cheap = "ASK { ?s ?p ?o } # not answered from the cache"
        waiting = httpx.get(limited + "/sparql", params={"query": cheap}, timeout=60)
        assert time.monotonic() - started < 3.5, "refused at the bound, not after the query"
        assert_error_shape(waiting, 503, "wait_timeout", "within 1 s")
        assert waiting.headers["retry-after"] == "1"
        assert_error_shape(endless.result(), 503, "timeout", "4 s")
    after = httpx.get(limited + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert after.json()["boolean"] is True


def test_a_non_sparql_reply_from_an_allowed_service_is_502_naming_it(
    built_settings,
    make_client,
    canary,
):
    from kg.server.app import create_app

    canary.reply = ("text/html", b"<html><body>not SPARQL</body></html>")
    lines: list[str] = []
    app = create_app(built_settings, allowed_hosts=["127.0.0.1"], announce=lines.append)
    client = make_client(app)
    assert lines == ["query workers: network allowed (--allow-service)"]
    query = f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert_error_shape(response, 502, "service", f"{canary.url}/sparql", "text/html")
    assert len(canary.hits) == 1, canary.hits
