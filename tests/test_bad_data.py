"""The bad data catalogue: every broken input in tests/data/bad, the exact message `kg build`
prints for it, and proof that nothing was half-loaded (the published build, its statements and
the builds folder are exactly as before).

A file added to tests/data/bad without an entry here fails the catalogue test, so the corpus
and the messages users see cannot drift apart.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query import select
from kg.store import EmbeddedStore

from .conftest import BAD, MINI

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
HEADER = (
    "id,source,measure,about,printed_name,variant,value,printed_value,unit,period,period_end,"
    "forecast,rank,leaderboard,confidence,note"
)

#: What users see on stderr for each broken file, built together with the mini world.
CATALOGUE: dict[str, str] = {
    "truncated.trig": (
        "Error: bad/truncated.trig:21:51: Line jumps are not allowed in string literals, use \\n"
    ),
    "not-utf8.trig": "Error: bad/not-utf8.trig:21:36: not UTF-8 (byte 0xe9); save it as UTF-8",
    "bad-date.trig": (
        "Error: validation failed: 1 violation\n"
        'bad/bad-date.trig:21: model:kling: kg:date: value "2024-13"^^xsd:gYearMonth is not a '
        "valid xsd:gYear, xsd:gYearMonth or xsd:date (sh:NodeConstraintComponent, shape "
        "kgsh:DateTypeShape)"
    ),
    "bad-number.csv": (
        "Error: bad/bad-number.csv:3: column 'value': '6.15亿' is not a number "
        "(write 615000000, not 6.15亿)"
    ),
    "missing-column.csv": (
        "Error: bad/missing-column.csv:1: missing column leaderboard; the header must be: " + HEADER
    ),
    "dangling-reference.trig": (
        "Error: validation failed: 1 violation\n"
        "bad/dangling-reference.trig:22: model:kling: kg:usesArchitecture: arch:dix is not a "
        "declared kg:Architecture; did you mean arch:dit? "
        "(sh:ClassConstraintComponent, shape kgsh:ModelShape)"
    ),
    "duplicate-label.trig": (
        "Error: validation failed: 2 violations\n"
        "bad/duplicate-label.trig:21: model:sora-2: rdfs:label: shares its label Sora with "
        "model:sora; make labels unique and keep other spellings in skos:altLabel "
        "(sh:SPARQLConstraintComponent, shape kgsh:UniqueLabelShape)\n"
        "mini/world.trig:37: model:sora: rdfs:label: shares its label Sora with model:sora-2; "
        "make labels unique and keep other spellings in skos:altLabel "
        "(sh:SPARQLConstraintComponent, shape kgsh:UniqueLabelShape)"
    ),
    "two-labels.trig": (
        "Error: validation failed: 1 violation\n"
        "mini/world.trig:37: model:sora: rdfs:label: needs exactly one rdfs:label, an English "
        "(@en) literal (sh:MaxCountConstraintComponent, shape kgsh:EntityShape)"
    ),
    "model-without-developer.trig": (
        "Error: validation failed: 1 violation\n"
        "bad/model-without-developer.trig:21: model:kling: kg:developedBy: needs "
        "kg:developedBy, an organisation (sh:MinCountConstraintComponent, shape kgsh:ModelShape)"
    ),
    "paper-without-authors.trig": (
        "Error: validation failed: 4 violations\n"
        "bad/paper-without-authors.trig:21: paper:vae-2013: (node): needs kg:arxivId, kg:doi or "
        "schema:url so that readers can find it (sh:OrConstraintComponent, shape "
        "kgsh:PaperShape)\n"
        "bad/paper-without-authors.trig:21: paper:vae-2013: kg:authorsAsPrinted: is missing: at "
        "least 1 value(s) needed (sh:MinCountConstraintComponent, shape kgsh:PaperShape)\n"
        "bad/paper-without-authors.trig:21: paper:vae-2013: kg:firstAuthor: needs exactly one "
        "kg:firstAuthor, a person (sh:MinCountConstraintComponent, shape kgsh:PaperShape)\n"
        "bad/paper-without-authors.trig:21: paper:vae-2013: schema:author: needs schema:author, "
        "the persons who wrote it (sh:MinCountConstraintComponent, shape kgsh:PaperShape)"
    ),
    "no-source.trig": (
        "Error: validation failed: 1 violation\n"
        "bad/no-source.trig:20: model:sora: skos:altLabel: statement has no source: put it "
        "inside a source's graph block, src:SOURCE { ... } (kg:ProvenanceRule)"
    ),
    "undeclared-source.trig": (
        "Error: validation failed: 1 violation\n"
        "bad/undeclared-source.trig:21: model:sora: (graph): graph src:blog-post is not a "
        "declared kg:Source; declare it in data/sources.trig (kg:ProvenanceRule)"
    ),
    "undisclosed-unmarked.trig": (
        "Error: validation failed: 1 violation\n"
        "bad/undisclosed-unmarked.trig:21: model:pika: (node): needs kg:usesArchitecture, or "
        "kg:architectureDisclosed false when the backbone is undisclosed "
        "(sh:OrConstraintComponent, shape kgsh:ModelShape)"
    ),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> str:
    """A store with the mini world published: what every bad build must leave alone."""
    store = str(tmp_path_factory.mktemp("catalogue") / "store")
    result = CliRunner().invoke(cli, ["--store", store, "build", "--data", str(MINI)])
    assert result.exit_code == 0, result.output
    return store


def _state(store: str) -> tuple[str, list[str], int]:
    current = os.readlink(os.path.join(store, "current"))
    builds = sorted(os.listdir(os.path.join(store, "builds")))
    return current, builds, int(select(EmbeddedStore(store), COUNT).column("n")[0])


def test_every_bad_file_is_catalogued():
    assert sorted(path.name for path in BAD.iterdir()) == sorted(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bad_input_gets_its_message_and_loads_nothing(published, name):
    before = _state(published)
    result = CliRunner().invoke(
        cli, ["--store", published, "build", "--data", str(MINI), "--data", str(BAD / name)]
    )
    assert result.exit_code == 1
    assert result.stderr == CATALOGUE[name] + "\n"
    assert "Traceback" not in result.output
    assert _state(published) == before


def test_a_200_mb_file_is_refused_unread_and_loads_nothing(published, tmp_path: Path):
    huge = tmp_path / "huge.ttl"
    with huge.open("wb") as handle:  # sparse: 200 MB of size, no disk used
        handle.truncate(200 * 1024 * 1024)
    before = _state(published)
    result = CliRunner().invoke(
        cli, ["--store", published, "build", "--data", str(MINI), "--data", str(huge)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path.name}/huge.ttl: 200 MB is more than the 50 MB a curated data file "
        "may have; load large graphs with `kg import`, which streams them\n"
    )
    assert _state(published) == before
