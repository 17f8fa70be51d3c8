"""Builds are atomic: a failed build leaves the previous graph answering."""

import os

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
