"""`kg build` while `kg serve` answers: every response comes from the old graph or the new one,
never a mix, never an error; a build that fails leaves the served graph as it was.

The readers are real HTTP clients hammering /sparql (worker processes) and the home page (the
app's own process) of a real `kg serve`, while real `kg build` processes publish into its store.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from kg.build import build
from kg.config import Settings

from .conftest import BAD, MINI, start_kg_serve

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


class _Readers:
    """Threads that query the server until stopped and keep every answer."""

    def __init__(self, url: str, threads: int = 3) -> None:
        self.url = url
        self.counts: list[int] = []
        self.failures: list[str] = []
        self.pages = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, daemon=True) for _ in range(threads)]

    def __enter__(self) -> _Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _read(self) -> None:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            while not self._stop.is_set():
                answer = client.get("/sparql", params={"query": COUNT})
                if answer.status_code != 200:
                    self.failures.append(f"/sparql {answer.status_code}: {answer.text}")
                    continue
                self.counts.append(int(answer.json()["results"]["bindings"][0]["n"]["value"]))
                page = client.get("/")
                if page.status_code != 200:
                    self.failures.append(f"/ {page.status_code}: {page.text[:300]}")
                self.pages += 1


def _kg_build(store: str, *data: Path) -> subprocess.CompletedProcess:
    options = [arg for path in data for arg in ("--data", str(path))]
    return subprocess.run(
        [sys.executable, "-m", "kg", "--store", store, "build", *options],
        capture_output=True,
        text=True,
        timeout=600,
    )


def _count(url: str) -> int:
    answer = httpx.get(url + "/sparql", params={"query": COUNT}, timeout=60)
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def _timeline_events(url: str) -> int:
    page = httpx.get(url + "/timeline", timeout=60).text
    return int(re.search(r'data-events="(\d+)"', page)[1])


def test_rebuilds_while_serving_give_the_old_or_the_new_graph(tmp_path: Path):
    settings = Settings.default(str(tmp_path / "store"))
    build(settings, [MINI])
    with start_kg_serve(settings.store, tmp_path) as url:
        old = _count(url)
        old_events = _timeline_events(url)
        old_sora = httpx.get(url + "/id/model/sora", timeout=60).text
        with _Readers(url) as readers:
            time.sleep(0.5)
            done = _kg_build(settings.store)
            assert done.returncode == 0, done.stderr
            time.sleep(1.0)
        new = _count(url)
        assert new != old
        assert _timeline_events(url) > old_events, "the cached timeline follows the new build"
        new_sora = httpx.get(url + "/id/model/sora", timeout=60).text
        assert len(new_sora) > len(old_sora), "the cached entity page follows the new build"

        assert readers.failures == []
        assert set(readers.counts) <= {old, new}, "a response mixed the two builds"
        assert old in readers.counts, "readers saw the graph before the build"
        assert readers.counts[-1] == new, "readers see the new graph once it is published"

        with _Readers(url) as after_failure:
            failed = _kg_build(settings.store, BAD / "truncated.trig")
            time.sleep(0.5)
        assert failed.returncode == 1
        assert "truncated.trig:" in failed.stderr
        assert after_failure.failures == []
        assert after_failure.counts, "readers were answered during the failed build"
        assert set(after_failure.counts) == {new}, "a failed build changes nothing served"
        assert _count(url) == new
