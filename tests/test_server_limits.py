"""The query workers' limits as a client of `kg serve` meets them: waiting bound, memory cap,
network sandbox, a broken SERVICE reply.

One `kg serve` started with its real flags and one worker, so that a single endless query
keeps every worker busy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import start_kg_serve
from .test_server_errors import assert_error_shape

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


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
