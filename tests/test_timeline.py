"""The timeline: the report's order, date precision kept, filters that cut exactly, user queries.

Expected dates and orders come from the report (shared/seed/facts.md, section 2.1 and 3.1).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.dates import parse_date
from kg.errors import BadParameterError, QuerySyntaxError, UnknownEntityError
from kg.namespaces import entity_iri
from kg.query import select
from kg.timeline import (
    EVENT_COLUMNS,
    TIMELINE_KINDS,
    filter_timeline,
    parse_range,
    parse_timeline,
    read_eras,
    read_timeline,
    select_timeline,
    serialize_timeline,
    timeline_from_query,
)

#: The report's roadmap (section 2.1) with the dates it prints: VAE 2013, GAN 2014,
#: Transformer 2017, DDPM 2020, latent diffusion 2021, DiT December 2022, Sora February 2024.
REPORT_ORDER = [
    (entity_iri("architecture", "vae"), "2013"),
    (entity_iri("architecture", "gan"), "2014"),
    (entity_iri("architecture", "transformer"), "2017"),
    (entity_iri("architecture", "ddpm"), "2020"),
    (entity_iri("architecture", "ldm"), "2021"),
    (entity_iri("architecture", "dit"), "2022-12"),
    (entity_iri("model", "sora"), "2024-02"),
]
GAN = entity_iri("architecture", "gan")
DIT = entity_iri("architecture", "dit")
DIT_PAPER = entity_iri("paper", "dit-2022")
TRANSFORMER = entity_iri("architecture", "transformer")
SORA = entity_iri("model", "sora")
VEO_2 = entity_iri("model", "veo-2")
VEO_3 = entity_iri("model", "veo-3")
DVD_GAN = entity_iri("model", "dvd-gan")
AA_T2V = entity_iri("benchmark", "aa-t2v")


def _entities(frame: pd.DataFrame) -> set[str]:
    return set(frame["entity"])


# ------------------------------------------------------------------ the real data


def test_report_order_holds_on_the_real_data(built):
    frame = read_timeline(built)
    position = {entity: index for index, entity in enumerate(frame["entity"])}
    indices = [position[entity] for entity, _ in REPORT_ORDER]
    assert indices == sorted(indices), "VAE < GAN < Transformer < DDPM < LDM < DiT < Sora"
    assert len(set(indices)) == len(indices)
    printed = frame.set_index("entity")["date"]
    assert [printed[entity] for entity, _ in REPORT_ORDER] == [date for _, date in REPORT_ORDER]


def test_every_dated_entity_is_one_event_with_its_date_as_stated(built):
    frame = read_timeline(built)
    stated = select(built, "SELECT ?e ?d WHERE { ?e kg:date ?d }")
    expected = {row[0].value: row[1].value for row in stated.rows}
    assert len(frame) == len(expected), "one event per dated entity"
    assert dict(zip(frame["entity"], frame["date"], strict=True)) == expected
    assert list(frame.columns) == list(EVENT_COLUMNS)
    assert frame["sort_key"].is_monotonic_increasing, "oldest first"


def test_a_year_stays_a_year_and_sorts_among_full_dates(built):
    frame = read_timeline(built).set_index("entity")
    gan = frame.loc[GAN]
    assert (gan["date"], gan["precision"]) == ("2014", "year")
    assert gan["sort_key"] == pd.Timestamp("2014-01-01")
    dit = frame.loc[DIT]
    assert (dit["date"], dit["precision"]) == ("2022-12", "month")
    # The GAN paper (arXiv 1406.2661, June 2014) is dated to the day: a year sorts before it.
    gan_paper = frame.loc[entity_iri("paper", "gan-2014")]
    assert gan_paper["precision"] == "day"
    assert gan_paper["date"].startswith("2014-06")
    assert list(frame.index).index(GAN) < list(frame.index).index(gan_paper.name)
    for date, precision in zip(frame["date"], frame["precision"], strict=True):
        assert parse_date(date).precision == precision
        assert str(parse_date(date)) == date, "never padded: 2014 is not 2014-01-01"


def test_kinds_come_from_the_classes(built):
    frame = read_timeline(built).set_index("entity")
    assert frame.loc[DIT, "kind"] == "architecture"
    assert frame.loc[SORA, "kind"] == "model"
    assert frame.loc[entity_iri("era", "dit"), "kind"] == "era"
    assert frame.loc[entity_iri("benchmark", "aa-t2v-2025-06-19"), "kind"] == "leaderboard"
    assert set(frame["kind"]) <= set(TIMELINE_KINDS)


def test_events_carry_vendor_and_the_sources_of_their_date(built):
    frame = read_timeline(built).set_index("entity")
    assert frame.loc[SORA, "vendor"] == "OpenAI"
    assert frame.loc[entity_iri("model", "kling-2-0"), "vendor"] == "Kuaishou"
    assert frame.loc[DIT_PAPER, "sources"] == [
        "arXiv 2212.09748: Scalable Diffusion Models with Transformers"
    ]
    assert all(frame["sources"].map(len) >= 1), "every date has a source"


def test_eras_are_spans_in_the_order_of_succession(built):
    eras = read_eras(built)
    assert list(eras["entity"]) == [
        entity_iri("era", slug) for slug in ("gan", "transformer", "diffusion", "dit")
    ]
    assert list(eras["order"]) == [0, 1, 2, 3]
    # Spans from the members' dates (facts 3.1): GAN 2016-09..2022-02, ..., DiT 2023-12 onwards.
    gan, transformer, _diffusion, dit = eras.to_dict(orient="records")
    assert (gan["start"], gan["end"]) == ("2016-09", "2022-02")
    assert gan["end_key"] == pd.Timestamp("2022-02-28"), "an end month ends on its last day"
    assert transformer["start_key"] < gan["end_key"], "eras overlap; succession orders them"
    assert dit["start"] == "2023-12"
    assert pd.isna(dit["end"]), "the DiT era goes on"
    assert pd.isna(dit["end_key"])
    assert all(len(sources) >= 1 for sources in eras["sources"])


def test_eras_outside_a_range_are_left_out(built):
    labels = list(read_eras(built, start=parse_date("2024"))["label"])
    assert labels == ["Diffusion + Transformer (DiT) era"]
    before = read_eras(built, end="2021-03")
    assert list(before["entity"]) == [entity_iri("era", "gan")]
    assert len(read_eras(built, start="2021-04", end="2021-04")) == 2, "GAN and Transformer"


def test_issue_example_filters_combine(built):
    frame = select_timeline(
        built, kinds="paper,model", start="2020", end="2025-06", vendor="Google"
    )
    assert set(frame["kind"]) == {"paper", "model"}
    assert frame["sort_key"].min() >= pd.Timestamp("2020-01-01")
    assert frame["sort_key"].max() <= pd.Timestamp("2025-06-30")
    assert {VEO_2, VEO_3, entity_iri("model", "phenaki")} <= _entities(frame)
    assert entity_iri("paper", "vit-2020") in _entities(frame)
    assert SORA not in _entities(frame)
    assert DVD_GAN not in _entities(frame), "DVD-GAN (2019-07) is before 2020"
    assert all("Google" in vendor or "DeepMind" in vendor for vendor in frame["vendor"])


def test_vendor_keeps_what_its_teams_did(built):
    frame = select_timeline(built, vendor="google")
    assert DVD_GAN in _entities(frame), "DeepMind, a team of Google, built DVD-GAN"
    assert entity_iri("paper", "transformer-2017") in _entities(frame)
    deepmind = select_timeline(built, vendor="DeepMind")
    # Facts 2.3 and 3.2: DeepMind wrote VQ-VAE and DVD-GAN and built the DVD-GAN model.
    assert {DVD_GAN, entity_iri("paper", "vqvae-2017"), entity_iri("paper", "dvdgan-2019")} <= (
        _entities(deepmind)
    )
    assert all("DeepMind" in vendor for vendor in deepmind["vendor"]), "not Google's own work"


# ------------------------------------------------------------------ filters on the tiny world


def test_kinds_filter_cuts_exactly(mini_store):
    assert _entities(select_timeline(mini_store, kinds="model")) == {SORA, VEO_2}
    assert _entities(select_timeline(mini_store, kinds=["leaderboard", "paper"])) == {
        AA_T2V,
        DIT_PAPER,
    }
    assert len(select_timeline(mini_store)) == 6


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2022-12", None, {DIT, DIT_PAPER, SORA, VEO_2, AA_T2V}),
        # A month overlaps a later day in it; a day before does not.
        ("2022-12-20", None, {DIT, SORA, VEO_2, AA_T2V}),
        (None, "2024-02", {TRANSFORMER, DIT, DIT_PAPER, SORA}),
        (None, "2024-01", {TRANSFORMER, DIT, DIT_PAPER}),
        # Inclusive at the precision given: --to 2025-06 keeps 2025-06-19 (up to 2025-06-30).
        (None, "2025-06", {TRANSFORMER, DIT, DIT_PAPER, SORA, VEO_2, AA_T2V}),
        (None, "2025-06-18", {TRANSFORMER, DIT, DIT_PAPER, SORA, VEO_2}),
        ("2024", "2024", {SORA, VEO_2}),
        ("2017", "2017-12-31", {TRANSFORMER}),
        ("2018", "2022-11", set()),
    ],
)
def test_date_filters_cut_exactly_what_they_say(mini_store, start, end, expected):
    assert _entities(select_timeline(mini_store, start=start, end=end)) == expected


def test_vendor_filter_matches_labels_in_any_case(mini_store):
    assert _entities(select_timeline(mini_store, vendor="Google")) == {VEO_2}
    assert _entities(select_timeline(mini_store, vendor="openai")) == {SORA}
    with pytest.raises(
        UnknownEntityError, match=r"no organization named 'Gogle'; did you mean Google\?"
    ):
        select_timeline(mini_store, vendor="Gogle")


def test_filter_timeline_needs_no_store(mini_store):
    frame = read_timeline(mini_store)
    first, last = parse_range("2022", "2024-02")
    kept = filter_timeline(frame, kinds=["architecture", "model"], start=first, end=last)
    assert _entities(kept) == {DIT, SORA}


def test_unknown_kind_suggests_the_closest(mini_store):
    with pytest.raises(BadParameterError, match=r"unknown kind 'modle'.*did you mean 'model'\?"):
        select_timeline(mini_store, kinds="modle")


@pytest.mark.parametrize("bad", ["2025-13", "2025-02-30", "June 2025", "25"])
def test_bad_dates_name_the_accepted_forms(mini_store, bad):
    with pytest.raises(BadParameterError) as caught:
        select_timeline(mini_store, start=bad)
    assert str(caught.value).startswith(f"--from: {bad!r} is not a date")
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in str(caught.value)


def test_a_range_that_ends_before_it_starts_is_refused():
    with pytest.raises(BadParameterError, match="--to 2020 is before --from 2021-03"):
        parse_range("2021-03", "2020")
    with pytest.raises(BadParameterError, match=r"^from: '2025-13' is not a date"):
        parse_range("2025-13", None, names=("from", "to"))


# ------------------------------------------------------------------ CSV and JSON


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_precision_round_trips(built, fmt):
    frame = read_timeline(built)
    back = parse_timeline(serialize_timeline(frame, fmt), fmt)
    pd.testing.assert_frame_equal(back, frame)


def test_csv_and_json_print_dates_as_the_source_gives_them(built):
    frame = read_timeline(built)
    text = serialize_timeline(frame, "csv")
    rows = pd.read_csv(io.StringIO(text), dtype=str).set_index("entity")
    assert rows.loc[GAN, "date"] == "2014"
    assert rows.loc[DIT, "date"] == "2022-12"
    assert rows.loc[GAN, "sort_key"] == "2014-01-01"
    records = {r["entity"]: r for r in json.loads(serialize_timeline(frame, "json"))}
    assert records[GAN]["date"] == "2014", "a gYear stays the string 2014 in JSON"
    assert records[GAN]["precision"] == "year"
    assert records[SORA]["vendor"] == "OpenAI"
    assert records[GAN]["vendor"] is None
    assert isinstance(records[DIT_PAPER]["sources"], list)


def test_cli_csv_and_json_keep_precision(built_settings, tmp_path):
    runner = CliRunner()
    out = tmp_path / "timeline.csv"
    result = runner.invoke(
        cli, ["--store", built_settings.store, "timeline", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    back = parse_timeline(out.read_text(encoding="utf-8"), "csv").set_index("entity")
    assert (back.loc[GAN, "date"], back.loc[GAN, "precision"]) == ("2014", "year")
    result = runner.invoke(cli, ["--store", built_settings.store, "timeline", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = {r["entity"]: r for r in json.loads(result.stdout)}
    assert records[DIT]["date"] == "2022-12"
    assert records[SORA]["date"] == "2024-02"


def test_unknown_serial_format_is_refused(mini_store):
    with pytest.raises(BadParameterError, match="unknown format 'xml'; use one of csv, json"):
        serialize_timeline(read_timeline(mini_store), "xml")


# ------------------------------------------------------------------ any query as a timeline


def test_any_select_with_date_and_label_is_a_timeline(mini_store):
    frame = timeline_from_query(
        mini_store,
        """SELECT ?entity ?label ?date ?vendor WHERE {
             ?entity a kg:Model ; rdfs:label ?label ; kg:date ?date ; kg:developedBy ?vendor }""",
    )
    assert list(frame["label"]) == ["Sora", "Veo 2"]
    assert list(frame["date"]) == ["2024-02", "2024-12"]
    assert list(frame["kind"]) == ["model", "model"], "the kind comes from the entity IRI"
    assert list(frame["vendor"]) == ["org:openai", "org:google"]


def test_query_rows_without_a_date_are_skipped_and_counted(mini_store):
    frame = timeline_from_query(
        mini_store,
        """SELECT ?label ?date WHERE {
             VALUES (?label ?date) {
               ("a year" "1999"^^xsd:gYear) ("a moment" "2001-02-03T04:05:06Z"^^xsd:dateTime)
               ("no date" "someday") ("unbound" UNDEF) } }""",
    )
    assert list(frame["date"]) == ["1999", "2001-02-03"]
    assert list(frame["kind"]) == ["result", "result"]
    assert frame.attrs["skipped"] == 2


def test_query_with_wrong_columns_names_needed_and_found(mini_store):
    with pytest.raises(BadParameterError) as caught:
        timeline_from_query(mini_store, "SELECT ?x ?when WHERE { ?x kg:date ?when }")
    message = str(caught.value)
    assert "needs the columns ?date and ?label" in message
    assert "the query returns ?x, ?when" in message
    assert "missing ?date and ?label" in message


def test_query_without_a_single_date_says_so(mini_store):
    with pytest.raises(BadParameterError, match=r"no row's \?date holds a date.*'someday'"):
        timeline_from_query(
            mini_store, 'SELECT ?label ?date WHERE { BIND("x" AS ?label) BIND("someday" AS ?date) }'
        )


def test_query_syntax_errors_stay_syntax_errors(mini_store):
    with pytest.raises(QuerySyntaxError):
        timeline_from_query(mini_store, "SELECT ?date ?label WHERE { ?x kg:date ?date ")


# ------------------------------------------------------------------ the command


def _run(settings, *args: str):
    return CliRunner().invoke(cli, ["--store", settings.store, "timeline", *args])


def test_cli_table_lists_events_oldest_first(built_settings):
    result = _run(built_settings, "--kinds", "architecture", "--to", "2017")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "architecture" in line]
    labels = [line.split("│")[3].strip() for line in lines]
    assert labels[:3] == ["VAE", "GAN", "Diffusion model"]
    assert "Transformer" in labels
    assert result.stdout.rstrip().endswith(f"{len(lines)} events")


def test_cli_from_2025_13_names_the_accepted_forms(built_settings):
    result = _run(built_settings, "--from", "2025-13")
    assert result.exit_code == 1
    assert (
        "Error: --from: '2025-13' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD" in result.stderr
    )


def test_cli_query_with_wrong_columns_names_them(built_settings, tmp_path):
    query = tmp_path / "mine.rq"
    query.write_text("SELECT ?model ?released WHERE { ?model kg:date ?released }\n")
    result = _run(built_settings, "--query", str(query))
    assert result.exit_code == 1
    assert "needs the columns ?date and ?label" in result.stderr
    assert "the query returns ?model, ?released" in result.stderr


def test_cli_query_file_draws_its_rows(built_settings, tmp_path):
    query = tmp_path / "models.rq"
    query.write_text(
        "SELECT ?entity ?label ?date WHERE { ?entity a kg:Model ; rdfs:label ?label ; kg:date ?date }\n"
    )
    result = _run(
        built_settings,
        "--query",
        str(query),
        "--format",
        "json",
        "--from",
        "2024-02",
        "--to",
        "2024-02",
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert "Sora" in [r["label"] for r in records]
    # February 2024, or the year 2024, which may hold it: nothing else.
    assert all(r["date"] == "2024" or r["date"].startswith("2024-02") for r in records)


def test_cli_html_writes_a_standalone_page(built_settings, tmp_path):
    out = tmp_path / "timeline.html"
    result = _run(built_settings, "--format", "html", "--out", str(out), "--kinds", "model")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<script src="' not in page
    assert "Sora" in page
    assert "events, 4 eras" in result.stderr


def test_cli_unknown_vendor_suggests(built_settings):
    result = _run(built_settings, "--vendor", "Bytedanse")
    assert result.exit_code == 1
    assert "no organization named 'Bytedanse'; did you mean ByteDance" in result.stderr


def test_cli_missing_query_file_is_a_usage_error(built_settings, tmp_path):
    result = _run(built_settings, "--query", str(Path(tmp_path) / "nope.rq"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
