"""Builds are atomic: a failed build leaves the previous graph answering."""

import os
import signal
import subprocess
import sys
import time

import pytest

from kg.build import build
from kg.errors import ParseError, StoreError, ValidationError
from kg.query import select
from kg.store import EmbeddedStore, open_store

from .conftest import BAD, MINI

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_build_writes_and_publishes_a_store(settings):
    report = build(settings, [MINI])
    store = open_store(settings.store)
    assert report.quads == select(store, COUNT).column("n")[0]
    assert report.files == ["ontology/kg.ttl", "mini/observations.csv", "mini/world.trig"]


@pytest.mark.parametrize(
    ("bad", "error"),
    [("truncated.trig", ParseError), ("dangling-reference.trig", ValidationError)],
)
def test_a_failed_build_leaves_the_previous_graph(settings, bad, error):
    build(settings, [MINI])
    current = os.readlink(os.path.join(settings.store, "current"))
    reader = EmbeddedStore(settings.store)
    before = select(reader, COUNT).column("n")
    with pytest.raises(error):
        build(settings, [MINI, BAD / bad])
    assert os.readlink(os.path.join(settings.store, "current")) == current
    assert select(reader, COUNT).column("n") == before
    assert os.listdir(os.path.join(settings.store, "builds")) == [current.split("/")[-1]]


def test_readers_move_to_a_new_build_and_old_builds_are_pruned(settings, tmp_path):
    build(settings, [MINI])
    reader = EmbeddedStore(settings.store)
    first = reader.version()
    extra = tmp_path / "extra.trig"
    extra.write_text(
        (MINI / "world.trig")
        .read_text()
        .replace('"Veo 2"@en', '"Veo 2"@en ; skos:altLabel "Veo-2"@en')
    )
    for _ in range(4):
        build(settings, [extra, MINI / "observations.csv"])
    assert reader.version() != first
    found = select(reader, 'SELECT ?m WHERE { ?m skos:altLabel "Veo-2"@en }').column("m")
    assert found == ["https://w3id.org/genvid-kg/id/model/veo-2"]
    assert len(os.listdir(os.path.join(settings.store, "builds"))) == 3


def test_opening_an_unbuilt_store_says_how_to_build(tmp_path):
    with pytest.raises(StoreError) as caught:
        open_store(str(tmp_path / "nothing"))
    assert (
        str(caught.value)
        == f"{tmp_path / 'nothing'}: no graph has been built here yet. Run `kg build` first."
    )


def _kill_a_build_mid_write(store: str) -> None:
    """Start `kg build` and SIGKILL it as soon as its new folder appears under builds/."""
    builds = os.path.join(store, "builds")
    for _attempt in range(3):
        before, current = set(os.listdir(builds)), os.readlink(os.path.join(store, "current"))
        command = [sys.executable, "-m", "kg", "--store", store, "build", "--data", str(MINI)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and set(os.listdir(builds)) <= before:
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if os.readlink(os.path.join(store, "current")) == current:
            return  # killed before it was published
    pytest.fail("kg build finished each time before it could be killed mid-write")


def test_a_build_killed_mid_write_is_not_counted_and_is_cleaned(settings):
    """The next build keeps the good builds, not the killed one, and removes what it left."""
    names = []
    for _ in range(2):
        build(settings, [MINI])
        names.append(os.readlink(os.path.join(settings.store, "current")).split("/")[-1])
    _kill_a_build_mid_write(settings.store)
    build(settings, [MINI])
    names.append(os.readlink(os.path.join(settings.store, "current")).split("/")[-1])
    assert sorted(os.listdir(os.path.join(settings.store, "builds"))) == names
    assert select(open_store(settings.store), COUNT).column("n")[0] > 0


def test_build_names_sort_as_the_builds_were_started():
    """Pruning keeps the newest builds by name: two builds in one second must sort in order."""
    from kg.store import _build_name

    names = [_build_name() for _ in range(3000)]
    assert sorted(names) == names
