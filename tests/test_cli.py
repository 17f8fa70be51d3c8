"""The command line as users type it: output, messages and exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

from .conftest import BAD, MINI


@pytest.fixture
def run(tmp_path: Path):
    store = str(tmp_path / "store")

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, ["--store", store, *args], input=input)

    return invoke


@pytest.fixture
def mini(run):
    result = run("build", "--data", str(MINI))
    assert result.exit_code == 0, result.output
    return run


def test_build_reports_what_it_loaded(run):
    result = run("build", "--data", str(MINI))
    assert result.exit_code == 0
    assert result.stdout.startswith("Built ")
    assert "from 3 files in 4 source graphs into" in result.stdout


def test_validate_failure_exits_1_with_one_line_per_violation(run):
    result = run("validate", str(MINI), str(BAD / "dangling-reference.trig"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: validation failed: 1 violation\n"
        "bad/dangling-reference.trig:22: model:kling: kg:usesArchitecture: arch:dix is not a "
        "declared kg:Architecture; did you mean arch:dit? "
        "(sh:ClassConstraintComponent, shape kgsh:ModelShape)\n"
    )


def test_validate_syntax_error_names_file_line_column(run):
    result = run("validate", str(MINI), str(BAD / "truncated.trig"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: bad/truncated.trig:21:51: Line jumps are not allowed in string literals, use \\n\n"
    )


def test_validate_success(run):
    result = run("validate", str(MINI))
    assert result.exit_code == 0
    assert result.stdout.startswith("Valid: 2 data files, ")


def test_query_text_as_json(mini):
    result = mini(
        "query", "SELECT ?l WHERE { ?m kg:usesArchitecture ?a ; rdfs:label ?l }", "--format", "json"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["results"]["bindings"] == [
        {"l": {"type": "literal", "value": "Sora", "xml:lang": "en"}}
    ]


def test_query_from_stdin_as_csv(mini):
    result = mini(
        "query",
        "-",
        "--format",
        "csv",
        input="SELECT ?l WHERE { ?m a kg:Model ; rdfs:label ?l } ORDER BY ?l",
    )
    assert result.stdout.splitlines() == ["l", "Sora", "Veo 2"]


def test_query_from_file_and_tsv(mini, tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("SELECT ?d WHERE { ?m rdfs:label 'Sora'@en ; kg:date ?d }")
    result = mini("query", str(path), "--format", "tsv")
    assert result.stdout.splitlines() == [
        "?d",
        '"2024-02"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>',
    ]


def test_query_table_shortens_iris(mini):
    result = mini("query", "SELECT ?m WHERE { ?m kg:usesArchitecture ?a }")
    assert "model:sora" in result.stdout
    assert result.stdout.rstrip().endswith("1 row")


def test_named_query_with_binding(mini):
    result = mini(
        "query",
        "models-using-architecture",
        "--bind",
        "architecture=arch:transformer",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0].startswith("model,modelLabel,via,viaLabel,architecture")
    assert len(rows) == 2
    assert "Sora" in rows[1]


def test_malformed_query_exits_1_with_line_and_column(mini):
    result = mini("query", "SELECT * WHERE {\n  ?s ?p }")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: SPARQL syntax error: line 2, column 10: expected one of"
    )


def test_ask_lists_its_questions(run):
    result = run("ask", "--list")
    assert result.exit_code == 0
    assert "which models use DiT" in result.stdout
    assert "leaderboard Artificial Analysis text-to-video as of 2025-06-19" in result.stdout


def test_ask_unknown_name_suggests(mini):
    result = mini("ask", "which models use DiX")
    assert result.exit_code == 1
    assert result.stderr == "Error: no architecture named 'DiX'; did you mean DiT?\n"


def test_ask_unknown_question_lists_the_known_ones(mini):
    result = mini("ask", "how tall is Sora")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: I don't know how to answer 'how tall is Sora'.")
    assert "kg ask 'who introduced DiT'" in result.stderr


def test_ask_shows_rows_sources_notes_and_query(mini):
    result = mini("ask", "which models use diffusion transformer", "--show-query")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Models that use DiT\narch:dit\n")
    assert "Sora" in out
    assert "[1] the report" in out
    assert (
        "Note: 1 model has an undisclosed backbone, so whether it uses DiT is unknown: Veo 2."
        in " ".join(out.split())
    )
    assert "?via kg:derivedFrom* ?architecture" in out


def test_stats_counts_classes_and_sources(mini):
    result = mini("stats")
    assert result.exit_code == 0
    assert "│ Model        │ 2        │" in result.stdout
    assert "statements in 4 graphs (3 sources)" in result.stdout


def test_unbuilt_store_exits_2(run):
    result = run("stats")
    assert result.exit_code == 2
    assert "no graph has been built here yet. Run `kg build` first." in result.stderr


def test_memory_store_cannot_be_built_from_the_cli():
    result = CliRunner().invoke(cli, ["--store", "memory", "build"])
    assert result.exit_code == 2
    assert "an in-memory store does not outlive `kg build`" in result.stderr


def test_serve_listens_on_loopback_unless_told_otherwise():
    parsed = cli.commands["serve"].make_context("serve", []).params
    assert parsed["host"] == "127.0.0.1"
    assert parsed["allow_service"] == (), "no SERVICE to any host by default"
