"""Hypothesis on the input edges: whatever arrives, the answer is a result or a clear error."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.tabular import OBSERVATION_COLUMNS, read_observations
from kg.build.turtle import read_rdf
from kg.dates import parse_date
from kg.errors import BadParameterError, ParseError
from kg.sparql_text import tokens

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(st.text(max_size=20))
def test_parse_date_returns_a_date_or_names_the_forms(text):
    try:
        parsed = parse_date(text)
    except BadParameterError as error:
        assert "use YYYY, YYYY-MM or YYYY-MM-DD" in str(error)
    else:
        assert str(parsed) == text.strip()
        assert parsed.first_day() <= parsed.last_day()


@FUZZ
@given(st.integers(1, 9999), st.one_of(st.none(), st.integers(1, 12)))
def test_partial_dates_sort_by_their_first_day(year, month):
    date = parse_date(f"{year:04d}" + (f"-{month:02d}" if month else ""))
    assert date.first_day().year == year
    assert (date.precision == "month") == (month is not None)


@FUZZ
@given(st.binary(max_size=400))
def test_rdf_reader_parses_or_reports_a_location(tmp_path_factory, data):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "f.trig"
    path.write_bytes(b"@prefix ex: <http://ex.org/> .\n" + data)
    try:
        read_rdf(path, "f.trig")
    except ParseError as error:
        assert str(error).startswith("f.trig:")


_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@FUZZ
@given(st.lists(st.lists(_cell, min_size=0, max_size=18), max_size=5))
def test_csv_reader_parses_or_reports_a_location(tmp_path_factory, rows):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(OBSERVATION_COLUMNS)
    writer.writerows(rows)
    path = Path(tmp_path_factory.mktemp("fuzz")) / "o.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        quads, _ = read_observations(path, "o.csv")
    except ParseError as error:
        assert str(error).startswith("o.csv:")
    else:
        assert len(quads) >= 6 * len([row for row in rows if row])  # csv skips blank lines


@FUZZ
@given(st.text(max_size=200))
def test_lexer_never_fails_and_keeps_positions(text):
    for token in tokens(text):
        assert text[token.start : token.start + len(token.text)] == token.text
