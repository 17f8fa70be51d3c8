"""Any name finds its thing: bare names in kg ask and /ask, kg search, family names, and the
undisclosed backbone named as the reason of an empty lineage."""

from __future__ import annotations

import difflib

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg import answers
from kg.answers import closeness
from kg.cli import cli
from kg.views import lookup

# The Kling models of the report, and those of the data's pages since (issue 16).
KLING = (
    "Kling 1.5", "Kling 1.6", "Kling 2.0", "Kling 2.1", "Kling 2.5", "Kling 2.6", "Kling 3.0", "Kling O1",
)  # fmt: skip


@pytest.fixture
def kg(built_settings):
    def invoke(*args: str):
        runner = CliRunner(env={"COLUMNS": "80"})
        return runner.invoke(cli, ["--store", built_settings.store, *args])

    return invoke


def test_a_bare_chinese_name_leads_to_kling(kg):
    result = kg("ask", "可灵")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("'可灵' could be any of these:")
    assert "  Kling 2.0 (as 可灵2.0): model model:kling-2-0" in result.stdout
    assert "  Kling AI (as 可灵AI): product product:kling-ai" in result.stdout
    assert 'kg ask "lineage of Kling 2.0"' in result.stdout


def test_a_bare_family_name_lists_its_members(kg):
    result = kg("ask", "kling")
    assert result.exit_code == 0, result.output
    for label in KLING:
        assert f"  {label}: model model:" in result.stdout


def test_a_bare_slug_is_its_entity(kg):
    result = kg("ask", "seedance-1-0")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("'seedance-1-0' is:\n  Seedance 1.0 (as seedance-1-0): model")


def test_text_that_is_neither_question_nor_name_is_still_refused(kg):
    result = kg("ask", "how tall is Sora")
    assert result.exit_code == 1
    assert "I don't know how to answer" in result.stderr


def test_a_family_name_in_a_question_asks_which_one(kg):
    result = kg("ask", "who introduced Kling")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "'Kling' could be the architecture or model Kling 1.5, Kling 1.6, Kling 2.0" in message
    assert "Which one? For example: 'who introduced Kling O1'" in message


def test_a_name_that_starts_one_entity_is_that_entity(kg):
    # Since Seedance 1.5 Pro and 2.0 joined the data, "seedance" names a family; "stable video"
    # still starts one model's name only.
    result = kg("ask", "lineage of stable video")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Lineage of Stable Video Diffusion\n")


def test_empty_lineage_says_the_backbone_is_not_disclosed(kg):
    result = kg("ask", "lineage of Kling 2.0")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Kling 2.0's backbone is not disclosed, so the graph cannot say what it comes" in text
    assert "No rows" not in text


def test_search_command(kg):
    result = kg("search", "kling")
    assert result.exit_code == 0
    assert result.stdout.startswith("Named 'kling', best first:")
    assert all(f"  {label}: model" in result.stdout for label in KLING)
    assert "  Kling 2.0 (as 可灵2.0)" in kg("search", "可灵").stdout
    missing = kg("search", "Seedence")
    assert missing.exit_code == 1
    assert "nothing is named 'Seedence'; did you mean Seedance 1.0" in missing.stderr


def test_an_eras_blank_backbones_are_explained(kg):
    result = kg("ask", "models of the Diffusion Model era")
    assert result.exit_code == 0, result.output
    assert "Note: Backbone not disclosed: Runway Gen-2." in result.stdout


@given(st.text(max_size=40), st.text(min_size=1, max_size=12))
def test_closeness_skips_difflib_only_where_its_ratio_cannot_reach_a_suggestion(wanted, name):
    ratio = difflib.SequenceMatcher(None, wanted, name).ratio()
    assert closeness(wanted, name) == (ratio if len(wanted) <= 3 * len(name) else 0.0)
    assert ratio < 0.5 or len(wanted) <= 3 * len(name)


def test_a_search_of_thousands_of_characters_compares_no_name_with_difflib(
    built, built_settings, monkeypatch
):
    """/?q= with 3,000 characters took 8.5 s in difflib (issue 13); no name can be close."""
    calls, matcher = [], difflib.SequenceMatcher
    monkeypatch.setattr(
        answers.difflib, "SequenceMatcher", lambda *args: calls.append(args) or matcher(*args)
    )
    assert lookup.suggest(built, built_settings.queries_dir, "Seedanse " * 340) == []
    assert calls == []
    assert lookup.suggest(built, built_settings.queries_dir, "Seedanse")
    assert calls


def test_the_json_api_sends_a_bare_name_to_its_search_answer(app_client):
    response = app_client.get("/api/ask", params={"q": "可灵"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/api/search?q=%E5%8F%AF%E7%81%B5"
    found = app_client.get(response.headers["location"]).json()
    assert {"Kling 2.0", "Kling AI"} <= {hit["label"] for hit in found["results"]}
    # Text that names nothing is still no question.
    assert app_client.get("/api/ask", params={"q": "why"}).status_code == 404
