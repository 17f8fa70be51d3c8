"""The CLI's ready answers, word for word, at 80 and 160 columns (golden files).

The expected outputs are tests/golden/ask/NAME-WIDTH.txt. When the curated data or the
layout changes on purpose, regenerate them all with one command and read the diff:

    KG_REGENERATE_GOLDEN=1 pytest tests/test_ask_golden.py -p no:cacheprovider

and commit the files that changed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.answers import QUESTIONS
from kg.api import KnowledgeGraph
from kg.cli import cli
from kg.store import open_store

GOLDEN = Path(__file__).parent / "golden" / "ask"
WIDTHS = (80, 160)
REGENERATE = os.environ.get("KG_REGENERATE_GOLDEN") == "1"


def _ask(settings, question: str, width: int, *options: str) -> str:
    result = CliRunner(env={"COLUMNS": str(width)}).invoke(
        cli, ["--store", settings.store, "ask", question, *options]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_answer_matches_its_golden_file(built_settings, question, width):
    out = _ask(built_settings, question.example, width)
    assert max(len(line) for line in out.splitlines()) <= width
    golden = GOLDEN / f"{question.name}-{width}.txt"
    if REGENERATE:
        golden.write_text(out, encoding="utf-8")
    assert golden.is_file(), f"no {golden.name}: run {__doc__.split('    ')[1].strip()}"
    assert out == golden.read_text(encoding="utf-8"), (
        f"kg ask {question.example!r} at {width} columns differs from {golden}; if the change "
        "is meant, regenerate with KG_REGENERATE_GOLDEN=1 pytest tests/test_ask_golden.py"
    )


def test_models_using_dit_at_80_columns_lists_each_model_once(built_settings):
    out = _ask(built_settings, "which models use DiT", 80)
    frame = KnowledgeGraph(open_store(built_settings.store), built_settings).models_using("DiT")
    assert {"Sora", "HunyuanVideo", "Wan 2.1 14B", "Seedance 1.0"} <= set(frame["Model"])
    table = out.split("Sources:")[0]
    for model in frame["Model"]:
        # The name then the column gap, so that "HunyuanVideo" is not also "HunyuanVideo 1.5".
        cell = re.compile(rf" {re.escape(model)}(\s{{2,}}|$)")
        assert sum(bool(cell.match(line)) for line in table.splitlines()) == 1, model
    assert "MMDiT → DiT" in out  # HunyuanVideo's path, wrapped in its cell
    assert "ByteDance," in out  # Seedance 1.0's two developers, wrapped in their cell
    assert "ByteDance Seed" in out
    assert f"{len(frame)} rows" in out
    for number, reference in enumerate(frame.attrs["references"], 1):
        assert f"  [{number}] " in out
        assert reference["number"] == number
    assert max(len(line) for line in out.splitlines()) <= 80


def test_wide_answers_keep_each_row_on_one_line(built_settings):
    out = _ask(built_settings, "which models use DiT", 80, "--wide")
    assert any(len(line) > 80 for line in out.splitlines())
    assert "HunyuanVideo → MMDiT → DiT" in out


def test_csv_and_json_keep_each_rows_source_iris(built_settings):
    import csv
    import io
    import json

    rows = list(
        csv.DictReader(
            io.StringIO(_ask(built_settings, "which models use DiT", 80, "--format", "csv"))
        )
    )
    sora = next(row for row in rows if row["Model"] == "Sora")
    assert sora["Sources"].startswith("https://w3id.org/genvid-kg/id/source/")
    assert sora["Path"] == "Sora → DiT; Sora → Spacetime latent patches → DiT"
    answer = json.loads(_ask(built_settings, "which models use DiT", 80, "--format", "json"))
    assert [row["Model"] for row in answer["rows"]] == [row["Model"] for row in rows]
    assert all(
        iri.startswith("https://w3id.org/genvid-kg/id/source/")
        for row in answer["rows"]
        for iri in row["Sources"]
    )
    assert answer["references"][0]["number"] == 1
