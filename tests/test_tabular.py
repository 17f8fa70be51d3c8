from pathlib import Path

import pytest

from kg.build.tabular import OBSERVATION_COLUMNS, read_observations
from kg.errors import ParseError

from .conftest import BAD, MINI

HEADER = ",".join(OBSERVATION_COLUMNS)


def test_read_observations_puts_each_row_in_its_source_graph():
    quads, where = read_observations(MINI / "observations.csv", "mini/observations.csv")
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {"https://w3id.org/genvid-kg/id/source/report"}
    assert where.find("https://w3id.org/genvid-kg/id/observation/aa-t2v-2") == (
        "mini/observations.csv",
        3,
    )
    ranks = {q.object.value for q in quads if q.predicate.value.endswith("#rank")}
    assert ranks == {"1", "2"}


def test_missing_column_names_the_column_and_the_header():
    with pytest.raises(ParseError) as caught:
        read_observations(BAD / "missing-column.csv", "bad/missing-column.csv")
    assert str(caught.value) == (
        f"bad/missing-column.csv:1: missing column leaderboard; the header must be: {HEADER}"
    )


def test_a_value_that_is_not_a_number_names_line_and_column():
    with pytest.raises(ParseError) as caught:
        read_observations(BAD / "bad-number.csv", "bad/bad-number.csv")
    assert str(caught.value) == (
        "bad/bad-number.csv:3: column 'value': '6.15亿' is not a number (write 615000000, not 6.15亿)"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "period",
            "2025-13",
            "column 'period': '2025-13' is not a date: use YYYY, YYYY-MM or "
            "YYYY-MM-DD (month 13 is out of range)",
        ),
        ("rank", "first", "column 'rank': 'first' is not a whole number"),
        ("forecast", "maybe", "column 'forecast': 'maybe' is not true or false"),
        ("about", "modle:sora", "column 'about': 'modle:sora' is not a CURIE with a known prefix"),
        ("source", "", "column 'source': is empty; every observation needs it"),
    ],
)
def test_bad_cells_are_reported_with_their_line(tmp_path: Path, field, value, message):
    row = dict.fromkeys(OBSERVATION_COLUMNS, "")
    row.update(
        id="x",
        source="report",
        measure="m",
        about="model:sora",
        value="1",
        unit="u",
        period="2025",
        confidence="high",
    )
    row[field] = value
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "\n" + ",".join(row[c] for c in OBSERVATION_COLUMNS) + "\n")
    with pytest.raises(ParseError) as caught:
        read_observations(path, "o.csv")
    assert str(caught.value).startswith(f"o.csv:2: {message}")


def test_a_row_of_the_wrong_width_is_refused(tmp_path: Path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "\nx,report,m\n")
    with pytest.raises(ParseError, match=r"^o.csv:2: expected 16 fields"):
        read_observations(path, "o.csv")


def test_duplicate_ids_are_refused(tmp_path: Path):
    source = (MINI / "observations.csv").read_text().splitlines()
    path = tmp_path / "o.csv"
    path.write_text("\n".join([*source, source[1]]) + "\n")
    with pytest.raises(ParseError, match=r"^o.csv:4: duplicate id 'aa-t2v-1' \(first on line 2\)"):
        read_observations(path, "o.csv")
