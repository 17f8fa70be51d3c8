"""Killable workers: timeouts that really stop the work, result caps, busy signals, caching."""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from kg.build import build
from kg.errors import (
    BadParameterError,
    BusyError,
    QueryMemoryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    RemoteServiceError,
    ResultTooLargeError,
    StoreError,
    WaitTimeoutError,
)
from kg.executor import SCRATCH_PREFIX, Limits, QueryExecutor, QueryRequest, remove_orphaned_scratch

from .conftest import MINI

# A cross product that takes far longer than any limit here (checked: minutes).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
LABELS = "SELECT ?l WHERE { ?m a kg:Model ; rdfs:label ?l } ORDER BY ?l"
# Issue 13's memory bomb: a string doubled 40 times (8 TB); it ran a worker to 6 GB in 23 s.
DOUBLINGS = "".join(f"BIND(CONCAT(?l{n}, ?l{n}) AS ?l{n + 1}) " for n in range(40))
MEMORY_BOMB = f'SELECT (STRLEN(?l40) AS ?n) WHERE {{ BIND("abcdefgh" AS ?l0) {DOUBLINGS}}}'


@pytest.fixture
def executor(settings):
    build(settings, [MINI])
    # max_wait is long: the queries waiting here must wait, however slow the machine.
    limits = Limits(timeout=1.5, workers=1, max_waiting=1, max_wait=60)
    pool = QueryExecutor(settings.store, limits)
    yield pool
    pool.close()


def _labels(body: bytes) -> list[str]:
    return [b["l"]["value"] for b in json.loads(body)["results"]["bindings"]]


def test_runs_a_query_in_a_worker(executor):
    media, body = executor.run(QueryRequest(LABELS))
    assert media == "application/sparql-results+json"
    assert _labels(body) == ["Sora", "Veo 2"]


def test_timeout_stops_the_worker_and_the_next_query_runs(executor):
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"ran longer than 1.5 s and was stopped"):
        executor.run(QueryRequest(SLOW))
    assert time.monotonic() - started < 10
    assert executor.stats["timeouts"] == 1
    assert _labels(executor.run(QueryRequest(LABELS))[1]) == ["Sora", "Veo 2"]


def test_result_cap_says_how_to_page(settings):
    build(settings, [MINI])
    pool = QueryExecutor(settings.store, Limits(max_result_bytes=200, workers=1))
    try:
        with pytest.raises(
            ResultTooLargeError, match="page through it with ORDER BY, LIMIT and OFFSET"
        ):
            pool.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }"))
    finally:
        pool.close()


def test_syntax_errors_keep_line_and_column(executor):
    with pytest.raises(QuerySyntaxError) as caught:
        executor.run(QueryRequest("SELECT *\nWHERE { ?s ?p }"))
    assert (caught.value.line, caught.value.column) == (2, 16)


def test_busy_past_workers_plus_waiting(executor):
    results: list[Exception | None] = []

    def slow():
        try:
            executor.run(QueryRequest(SLOW))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    with pytest.raises(BusyError, match="too many queries at once"):
        executor.run(QueryRequest(LABELS + " "))
    for thread in threads:
        thread.join()
    assert all(isinstance(r, QueryTimeoutError) for r in results), results


def test_cache_is_keyed_on_the_published_build(executor, settings, tmp_path):
    executor.run(QueryRequest(LABELS))
    executor.run(QueryRequest(LABELS))
    assert executor.stats["cache_hits"] == 1
    extra = tmp_path / "world.trig"
    extra.write_text((MINI / "world.trig").read_text().replace('"Veo 2"@en', '"Veo Two"@en'))
    build(settings, [extra, MINI / "observations.csv"])
    assert _labels(executor.run(QueryRequest(LABELS))[1]) == ["Sora", "Veo Two"]


def test_scratch_of_a_killed_server_is_removed_by_the_next(executor, tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer exists, like a SIGKILLed server's
    orphan = tmp_path / f"{SCRATCH_PREFIX}{gone.pid}-abc"
    orphan.mkdir()
    (orphan / "worker-1.stderr").write_bytes(b"left behind")
    ours = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def"
    ours.mkdir()
    other = tmp_path / "kg-workers-notes"
    other.mkdir()

    assert remove_orphaned_scratch(str(tmp_path)) == [str(orphan)]
    assert not orphan.exists()
    assert ours.exists(), "a live server's folder stays"
    assert other.exists(), "a folder kg did not name stays"
    assert os.path.basename(executor._scratch.name).startswith(f"{SCRATCH_PREFIX}{os.getpid()}-")


def test_memory_store_is_refused():
    with pytest.raises(BadParameterError, match="cannot see an in-memory store"):
        QueryExecutor("memory")


def test_a_replacement_worker_starting_up_does_not_count_as_query_time(settings):
    build(settings, [MINI])
    pool = QueryExecutor(settings.store, Limits(timeout=0.5, workers=1))
    try:
        with pytest.raises(QueryTimeoutError):
            pool.run(QueryRequest(SLOW))
        assert _labels(pool.run(QueryRequest(LABELS))[1]) == ["Sora", "Veo 2"]
    finally:
        pool.close()


def test_eight_big_answers_keep_the_cache_under_its_byte_bound(built_settings):
    """Issue 13: eight 55 MB answers took the server from 167 to 652 MB; here at a small scale,
    eight answers of the whole graph (about 1 MB each) under a bound of two and a half."""
    queries = [f"SELECT * WHERE {{ ?s ?p ?o }} # answer {n}" for n in range(8)]
    with contextlib.closing(QueryExecutor(built_settings.store, Limits(workers=1))) as sizer:
        size = len(sizer.run(QueryRequest(queries[0]))[1])
    bound = size * 5 // 2
    pool = QueryExecutor(built_settings.store, Limits(workers=1, cache_bytes=bound))
    try:
        sizes = [len(pool.run(QueryRequest(query))[1]) for query in queries]
        assert min(sizes) > bound / 3, sizes
        assert pool._answers.bytes <= bound
        assert len(pool._answers._values) == 2, "the two most recent answers fit"
        pool.run(QueryRequest(queries[-1]))
        assert pool.stats["cache_hits"] == 1, "the latest answer is kept"
        pool.run(QueryRequest(queries[0]))
        assert pool.stats["cache_hits"] == 1, "the first answer was let go"
    finally:
        pool.close()


def test_the_byte_bound_counts_replaced_values_once_and_skips_oversized_ones():
    from kg.cache import BuildCache

    cache: BuildCache[str, bytes] = BuildCache("unused", entries=10, max_bytes=10)
    cache.put("v1", "a", b"12345")
    cache.put("v1", "a", b"123456")
    assert cache.bytes == 6
    cache.put("v1", "b", b"x" * 11)
    assert cache.get("v1", "b") is None
    assert cache.bytes == 6
    cache.put("v1", "c", b"12345")
    assert cache.get("v1", "a") is None, "least recently used goes first"
    assert cache.get("v1", "c") == b"12345"
    assert cache.bytes == 5


def test_a_query_that_cannot_start_within_max_wait_is_refused(settings):
    """Issue 13: a cheap query waited 67 s behind endless ones."""
    build(settings, [MINI])
    limits = Limits(timeout=4, workers=1, max_waiting=2, max_wait=1)
    pool = QueryExecutor(settings.store, limits)
    try:
        endless = threading.Thread(target=_expect_timeout, args=(pool,))
        endless.start()
        time.sleep(0.3)  # the endless query has the only worker
        started = time.monotonic()
        with pytest.raises(WaitTimeoutError, match="no query worker came free within 1 s") as e:
            pool.run(QueryRequest(LABELS))
        assert 0.9 < time.monotonic() - started < 3
        assert e.value.retry_after == 1
        endless.join()
        assert _labels(pool.run(QueryRequest(LABELS))[1]) == ["Sora", "Veo 2"]
    finally:
        pool.close()


def _expect_timeout(pool: QueryExecutor) -> None:
    with pytest.raises(QueryTimeoutError):
        pool.run(QueryRequest(SLOW))


def test_a_service_that_cannot_be_reached_is_the_remote_servers_fault(settings):
    build(settings, [MINI])
    with socket.socket() as sock:  # a loopback port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/q> {{ ?s ?p ?o }} }}"
    pool = QueryExecutor(settings.store, Limits(workers=1), network=True)
    try:
        with pytest.raises(RemoteServiceError, match=r"a SERVICE of the query failed: .*refused"):
            pool.run(QueryRequest(query))
    finally:
        pool.close()


def test_a_query_past_the_memory_cap_is_stopped_and_the_worker_replaced(settings):
    build(settings, [MINI])
    # Without the cap this runs until the time limit, taking gigabytes on the way.
    pool = QueryExecutor(settings.store, Limits(workers=1, memory_bytes=64 * 2**20, timeout=20))
    try:
        started = time.monotonic()
        with pytest.raises(QueryMemoryError, match=r"the 64 MB .* --query-memory-mb"):
            pool.run(QueryRequest(MEMORY_BOMB))
        assert time.monotonic() - started < 15
        assert pool.stats["out_of_memory"] == 1
        assert _labels(pool.run(QueryRequest(LABELS))[1]) == ["Sora", "Veo 2"]
    finally:
        pool.close()


def test_a_service_past_the_guard_reaches_nothing_from_a_worker_without_network(settings, canary):
    """The executor has no guard: this is a SERVICE the guard failed to see (issue 13 §1)."""
    build(settings, [MINI])
    query = f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"
    sandboxed = QueryExecutor(settings.store, Limits(workers=1))
    try:
        protection = sandboxed.protection()
        if not protection.startswith("no network"):
            if os.environ.get("CI"):
                pytest.fail(f"no network sandbox in CI: {protection}")
            pytest.skip(protection)
        with pytest.raises(QueryRefusedError, match=r"unreachable.*no network.*--allow-service"):
            sandboxed.run(QueryRequest(query))
    finally:
        sandboxed.close()
    assert canary.hits == []
    allowed = QueryExecutor(settings.store, Limits(workers=1), network=True)
    try:
        assert allowed.protection() == "network allowed (--allow-service)"
        assert b"urn:c" in allowed.run(QueryRequest(query))[1]
    finally:
        allowed.close()
    assert len(canary.hits) == 1, "the same SERVICE does reach it with the network allowed"


def test_a_worker_that_cannot_enter_a_user_namespace_falls_back_and_says_so():
    """A process with threads may not enter a user namespace (unshare(2)): root still gets a
    network namespace alone, anyone else runs with the network and the reason is reported."""
    probe = (
        "import socket, sys, threading, time\n"
        "threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n"
        "from kg.executor import _isolate_network\n"
        "print(_isolate_network())\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2).close()\n"
        "    print('connected')\n"
        "except OSError as error:\n"
        "    print(error.strerror)\n"
    )
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = str(listener.getsockname()[1])
        run = subprocess.run(
            [sys.executable, "-c", probe, port], capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 0, run.stderr
    said, outcome = run.stdout.splitlines()
    if os.geteuid() == 0:
        assert (said, outcome) == ("no network (Linux network namespace)", "Network is unreachable")
    else:
        assert said.startswith("unavailable: unshare(CLONE_NEWUSER|CLONE_NEWNET) failed: ")
        assert outcome == "connected"


def test_workers_over_a_sparql_server_keep_the_network_and_say_why():
    pool = QueryExecutor("http://127.0.0.1:9/sparql", Limits(workers=1))
    try:
        assert pool.protection() == (
            "network allowed (the store is a SPARQL server they must reach); "
            "SERVICE refused by the query guard only"
        )
    finally:
        pool.close()


def test_a_worker_that_cannot_start_says_why(tmp_path):
    pool = QueryExecutor(str(tmp_path), Limits(workers=1))
    try:
        built = "no graph has been built here yet"
        assert pool.protection().startswith("unknown, the query worker did not start: ")
        assert built in pool.protection()
        with pytest.raises(StoreError, match=built):
            pool.run(QueryRequest(LABELS))
    finally:
        pool.close()
