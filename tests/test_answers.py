"""The report's questions answered from the built graph; expected values come from the report."""

import html
import re

import pytest
from click.testing import CliRunner

from kg.answers import ask, find_question, resolve
from kg.cli import cli
from kg.errors import BadParameterError, NotFoundError, UnknownEntityError
from kg.query import select

ID = "https://w3id.org/genvid-kg/id/"


@pytest.fixture
def answer(any_store, built_settings):
    def run(question: str):
        return ask(any_store, built_settings.queries_dir, question)

    return run


def test_which_models_use_dit(answer):
    result = answer("which models use DiT")
    models = set(result.table.column("modelLabel"))
    # The report: Sora is built on DiT; Seedance 1.0 is discussed as a DiT model; Wan 2.1 and
    # HunyuanVideo publish DiT backbones (fact sheet §4.1, §8 item 9).
    assert {"Sora", "Seedance 1.0", "Wan 2.1 14B", "HunyuanVideo"} <= models
    # GAN-era, Transformer-era and U-Net diffusion models do not use DiT.
    for label in ("Stable Video Diffusion", "Make-A-Video", "VideoGPT", "MoCoGAN", "VGAN"):
        assert label not in models
    # Every row carries its sources.
    assert all(result.table.column("sources"))


def test_which_models_use_dit_names_the_undisclosed(answer):
    (note,) = answer("which models use DiT").notes
    assert "have an undisclosed backbone" in note
    assert "Veo 2" in note
    assert "Runway Gen-4" in note or "Runway Gen 4" in note


def test_undated_models_come_last_in_the_text_html_and_api_answers(built_settings, app_client):
    """SPARQL sorts unbound dates first, which reads as "oldest": the models without a date
    (LTX-2 has none in the graph) close the answer on every surface, in one order."""
    question = "which models use DiT"
    rows = app_client.get("/api/ask", params={"q": question}).json()["rows"]
    dates = [row["Date"] for row in rows]
    undated = [row["Model"] for row in rows if not row["Date"]]
    assert "LTX-2" in undated
    assert dates == sorted(dates, key=lambda date: (not date, date))
    models = [row["Model"] for row in rows]
    page = app_client.get("/ask", params={"q": question}).text
    cells = re.findall(r"<tr><td>(.*?)</td>", page)
    assert [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells] == models
    out = (
        CliRunner(env={"COLUMNS": "160"})
        .invoke(cli, ["--store", built_settings.store, "ask", question])
        .stdout
    )
    starts = [line.split("  ")[0].strip() for line in out.splitlines() if line.startswith(" ")]
    assert [start for start in starts if start in models] == models


def test_names_match_labels_and_alternative_labels_in_any_case(any_store):
    dit = ID + "architecture/dit"
    for name in ("DiT", "dit", "Diffusion Transformer"):
        assert [e.iri for e in resolve(any_store, ("architecture",), name)] == [dit]


def test_chinese_alternative_label(any_store):
    (kling,) = resolve(any_store, ("org",), "快手")
    assert kling.iri == ID + "org/kuaishou"


def test_unknown_name_suggests_the_closest(any_store):
    with pytest.raises(UnknownEntityError) as caught:
        resolve(any_store, ("architecture",), "DiX")
    assert str(caught.value) == "no architecture named 'DiX'; did you mean DiT?"


def test_lineage_of_seedance_reaches_transformer(answer):
    table = answer("lineage of Seedance 1.0").table
    parents = set(table.column("parentLabel"))
    assert "Transformer" in parents
    assert "DiT" in parents


def test_who_introduced_dit(answer):
    table = answer("who introduced DiT").table
    assert table.column("arxivId") == ["2212.09748"]
    assert table.column("authors")[0].startswith("William Peebles")
    assert table.column("date") == ["2022-12-19"]


def test_what_did_bytedance_release(answer):
    items = set(answer("what did ByteDance release").table.column("itemLabel"))
    assert "Seedance 1.0" in items


def test_leaderboard_ranks_as_of_the_report_date(answer):
    table = answer("leaderboard Artificial Analysis text-to-video as of 2025-06-19").table
    ranks = dict(zip(table.column("rank"), table.column("entryLabel"), strict=True))
    # Fact sheet §5.1: the text-to-video ranking as of 2025-06-19.
    assert ranks[1] == "Seedance 1.0"
    assert ranks[2] == "Veo 3"
    assert ranks[5] == "Sora"
    assert sorted(ranks) == list(range(1, 14))
    variants = dict(zip(table.column("rank"), table.column("variant"), strict=True))
    assert (ranks[10], variants[10]) == ("Kling 1.6", "Standard")
    assert (ranks[11], variants[11]) == ("Kling 1.6", "Pro")


def test_image_to_video_leaderboard(answer):
    table = answer("leaderboard Artificial Analysis image-to-video").table
    ranks = dict(zip(table.column("rank"), table.column("entryLabel"), strict=True))
    assert ranks[1] == "Seedance 1.0"
    assert ranks[2] == "Hailuo 02"
    assert ranks[13] == "Sora"


def test_leaderboard_before_its_first_snapshot(answer):
    with pytest.raises(NotFoundError, match="as of 2024; snapshots: 2025-06-19"):
        answer("leaderboard Artificial Analysis text-to-video as of 2024")


def test_leaderboard_bad_date(answer):
    with pytest.raises(BadParameterError, match="use YYYY, YYYY-MM or YYYY-MM-DD"):
        answer("leaderboard Artificial Analysis text-to-video as of 2025-13")


def test_models_of_the_gan_era(answer):
    models = set(answer("models of the GAN era").table.column("modelLabel"))
    # The roadmap figure's first column (fact sheet §3.2), VideoGPT printed there too.
    assert {"MoCoGAN", "DVD-GAN", "DIGAN", "TGAN", "VideoGPT"} <= models


def test_videogpt_sits_in_two_eras(any_store):
    eras = select(
        any_store,
        f"SELECT ?era WHERE {{ <{ID}model/videogpt> kg:inEra/rdfs:label ?era }}",
    ).column("era")
    assert len(eras) == 2


def test_roadmap_order_follows_the_report(any_store):
    table = select(any_store, "SELECT ?e ?d WHERE { ?e kg:date ?d }")
    dates = dict(zip(table.column("e"), table.column("d"), strict=True))
    order = [
        "architecture/vae",
        "architecture/gan",
        "architecture/transformer",
        "architecture/ddpm",
        "architecture/ldm",
        "architecture/dit",
        "model/sora",
    ]
    years = [dates[ID + slug][:7] for slug in order]
    assert years == sorted(years)
    assert dates[ID + "architecture/vae"].startswith("2013")
    assert dates[ID + "architecture/gan"].startswith("2014")
    assert dates[ID + "architecture/dit"].startswith("2022-12")


def test_market_figures(any_store, built_settings):
    from kg.query import get_named_query

    table = select(any_store, get_named_query(built_settings.queries_dir, "market-size").text)
    usd = {
        period: value
        for period, value, unit in zip(
            table.column("period"), table.column("value"), table.column("unit"), strict=True
        )
        if unit == "USD"
    }
    # Fact sheet §5.6: 6.15亿美元 (2024), 7.17亿美元 (2025), 25.63亿美元 (2032).
    assert usd == {"2024": 615000000, "2025": 717000000, "2032": 2563000000}


def test_web_visits_sora_in_chatgpt(any_store):
    table = select(
        any_store,
        f"SELECT ?v WHERE {{ ?o kg:about <{ID}product/sora-in-chatgpt> ; "
        f"kg:measure <{ID}measure/web-visits> ; kg:value ?v }}",
    )
    assert table.column("v") == [63340000]


def test_runway_keeps_every_arr_figure_in_its_source(any_store):
    table = select(
        any_store,
        f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?o kg:about <{ID}org/runway> ; "
        f"kg:measure <{ID}measure/arr> ; kg:value ?v }} }}",
    )
    figures = sorted((g.value.rsplit("/", 1)[-1], int(v.value)) for g, v in table.rows)
    assert figures == [
        ("press-36kr-runway-luma-2025-08", 70000000),
        ("press-36kr-runway-luma-2025-08", 84000000),
        ("report-runway-arr", 84000000),
        ("report-runway-arr", 265000000),
    ]


def test_unknown_question():
    with pytest.raises(NotFoundError, match="I don't know how to answer"):
        find_question("what is the meaning of life")
